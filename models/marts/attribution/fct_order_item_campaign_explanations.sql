{{ config(materialized='view') }}
-- Why an order item earns (or does not earn) credits from each campaign
-- that ever targeted its product: the admin debug page's one source.
-- Nothing is decided here. Whether a campaign matched, k and the FULL and
-- SPLIT amounts are the matching and allocation models' own rows
-- (int_order_item_credits_allocated, over the activity windows and
-- split_exactly); the reasons test the sale time against the same three
-- windows the activity windows intersect (macros/activity_windows.sql).
-- A view: the page asks for one order, and every step below passes its
-- order_id filter down to the items' indexes, so it reads a few rows at
-- any scale instead of keeping a second fact equal to the first.
with

order_items as (
    select * from {{ ref('int_order_items_evaluated') }}
),

targeting as (
    select * from {{ ref('stg_marketing__ad_campaign_products') }}
),

campaigns as (
    select * from {{ ref('stg_marketing__ad_campaigns') }}
),

running_intervals as (
    select * from {{ ref('int_campaign_running_intervals') }}
),

credits as (
    select * from {{ ref('int_order_item_credits_allocated') }}
),

-- each item with each targeting window of its product (one row with a null
-- campaign when there is none), and whether it holds the sale time
targeting_windows as (
    select
        order_items.*,
        targeting.campaign_id,
        coalesce(
            {{ window_holds(
                targeting_window('targeting.effective_from', 'targeting.effective_to'),
                'order_items.sale_time',
            ) }},
            false
        ) as is_targeted_at_sale
    from order_items
    left join targeting
        on order_items.product_id = targeting.product_id
),

-- each item with every campaign that ever targeted its product, the window
-- holding the sale time kept (a campaign's windows for one product never
-- overlap: constraint ad_campaign_products_no_overlap); order_id leads so
-- the page's filter on it passes
ranked_windows as (
    select
        *,
        row_number() over (
            partition by order_id, order_item_id, campaign_id
            order by is_targeted_at_sale desc
        ) as window_rank
    from targeting_windows
),

candidates as (
    select * from ranked_windows
    where window_rank = 1
),

-- the credit rows of each (item, campaign), one column per mode
credited as (
    select
        order_item_id,
        order_id,
        campaign_id,
        max(matched_campaigns_count) as matched_campaigns_count,
        max(credited_qty) filter (where credit_mode = 'FULL') as full_qty,
        max(credited_revenue) filter (where credit_mode = 'FULL')
            as full_revenue,
        max(credited_profit) filter (where credit_mode = 'FULL')
            as full_profit,
        max(credited_qty) filter (where credit_mode = 'SPLIT') as split_qty,
        max(credited_revenue) filter (where credit_mode = 'SPLIT')
            as split_revenue,
        max(credited_profit) filter (where credit_mode = 'SPLIT')
            as split_profit
    from credits
    group by order_item_id, order_id, campaign_id
),

tested as (
    select
        candidates.*,
        campaigns.campaign_name,
        campaigns.starts_at,
        campaigns.ends_at,
        coalesce(
            {{ window_holds(
                flight_window('campaigns.starts_at', 'campaigns.ends_at'),
                'candidates.sale_time',
            ) }},
            false
        ) as is_in_flight,
        running_intervals.campaign_id is not null as is_running_at_sale,
        credited.campaign_id is not null as is_matched,
        credited.matched_campaigns_count,
        credited.full_qty,
        credited.full_revenue,
        credited.full_profit,
        credited.split_qty,
        credited.split_revenue,
        credited.split_profit
    from candidates
    left join campaigns
        on candidates.campaign_id = campaigns.campaign_id
    -- a campaign's running intervals never overlap: one row at the most
    left join running_intervals
        on
            candidates.campaign_id = running_intervals.campaign_id
            and {{ window_holds(
                running_window(
                    'running_intervals.running_from', 'running_intervals.running_to'),
                'candidates.sale_time',
            ) }}
    -- order_id too, so the page's filter on it reaches the matching
    left join credited
        on
            candidates.order_id = credited.order_id
            and candidates.order_item_id = credited.order_item_id
            and candidates.campaign_id = credited.campaign_id
),

explained as (
    select
        *,
        case
            when not has_been_observed_countable then 'order_not_countable'
            when not is_good then bad_reason
            when campaign_id is null then 'never_targeted'
            -- matched as last built, and every window still agrees
            when
                is_matched and is_in_flight and is_running_at_sale
                and is_targeted_at_sale
                then 'matched'
            -- marketing changed after the windows were last built
            when is_matched then 'changed_since_build'
            when not is_in_flight then 'outside_flight'
            when not is_running_at_sale then 'not_running'
            when not is_targeted_at_sale then 'not_targeted'
            else 'changed_since_build'
        end as explanation
    from tested
),

final as (
    select
        {{ dbt.concat([
            "cast(order_item_id as " ~ dbt.type_string() ~ ")",
            "':'",
            "coalesce(cast(campaign_id as " ~ dbt.type_string() ~ "), 'none')",
        ]) }}
            as explanation_id,
        order_item_id::bigint as order_item_id,
        campaign_id::bigint as campaign_id,
        order_id::bigint as order_id,
        product_id::bigint as product_id,
        sale_time::{{ type_timestamptz() }} as sale_time,
        order_status::{{ dbt.type_string() }} as order_status,
        campaign_name::{{ dbt.type_string() }} as campaign_name,
        starts_at::{{ type_timestamptz() }} as starts_at,
        ends_at::{{ type_timestamptz() }} as ends_at,
        explanation::{{ dbt.type_string() }} as explanation,
        is_matched::boolean as is_matched,
        has_been_observed_countable::boolean as is_order_countable,
        is_good::boolean as is_good_item,
        is_in_flight::boolean as is_in_flight,
        is_running_at_sale::boolean as is_running_at_sale,
        is_targeted_at_sale::boolean as is_targeted_at_sale,
        is_reversed::boolean as is_reversed,
        quantity::numeric(14, 4) as quantity,
        item_revenue::numeric(14, 2) as item_revenue,
        item_profit::numeric(14, 2) as item_profit,
        matched_campaigns_count::integer as matched_campaigns_count,
        full_qty::numeric(14, 4) as full_qty,
        full_revenue::numeric(14, 2) as full_revenue,
        full_profit::numeric(14, 2) as full_profit,
        split_qty::numeric(14, 4) as split_qty,
        split_revenue::numeric(14, 2) as split_revenue,
        split_profit::numeric(14, 2) as split_profit
    from explained
)

select * from final
