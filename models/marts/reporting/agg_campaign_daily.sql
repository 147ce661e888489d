{{
    config(
        materialized='incremental',
        incremental_strategy='replace_rows',
        replace_key=['campaign_id', 'sale_date', 'credit_mode'],
        marker_column='items',
        unique_key=['campaign_id', 'sale_date', 'credit_mode'],
        on_schema_change='fail',
        partition_by=['sale_date'],
        pre_hook=[
            "{{ incremental_engine.stage_affected_keys(affected_campaign_days(incremental_engine.watermark())) }}",
            "{{ incremental_engine.prune_change_log(ref('fct_order_item_campaign_credits'), credit_log_read_by_all()) }}",
        ],
        post_hook="{{ incremental_engine.record_full_build() }}",
        indexes=[
            {'columns': ['sale_date', 'credit_mode']},
        ],
    )
}}
-- depends_on: {{ ref('fct_order_item_campaign_credits') }}
-- depends_on: {{ ref('int_campaign_spend_daily') }}
-- depends_on: {{ ref('snap_spend__campaign_days') }}
-- it prunes the credit fact's change log: after the log's other reader
{{ incremental_engine.prune_after(['fct_credit_changes']) }}
-- The leaderboard's and the trend chart's source: non-reversed credits by
-- campaign, day (in the reporting time zone) and mode, with the day's spend
-- (the same on every mode's row; a day with spend and no credited sale has
-- its rows, with zero units, revenue and orders). Sums over a date range
-- equal the same sums over the credit fact and the spend.
--
-- Incremental: the rows whose credits changed get the difference the
-- credit fact logged (credits it deleted and inserted since this model's
-- watermark) added to their old values, so a run reads only the changed
-- credits. `orders` counts distinct orders: for each changed order and row,
-- its credits now (from the fact, by order) minus the logged difference
-- give whether it counted before. After a full build of the fact, every
-- row is computed from the whole fact.
{%- set since = incremental_engine.watermark() %}
{%- set apply_changes = is_incremental() and not campaign_days_rebuilt(since) %}
{%- set credits_relation = ref('fct_order_item_campaign_credits') %}
with

spend as (
    select * from {{ ref('int_campaign_spend_daily') }}
),

{% if not apply_changes %}

    credits as (
        select * from {{ credits_relation }}
        where not is_reversed
    ),

    credited_daily as (
        select
            campaign_id,
            {{ reporting_day('sale_time') }} as sale_date,
            credit_mode,
            sum(credited_qty) as units,
            sum(credited_revenue) as revenue,
            sum(credited_profit) as profit,
            count(distinct order_id) as orders,
            count(*) as items
        from credits
        group by 1, 2, 3
    ),

    credit_modes as (
        {{ credit_modes_values() }}
    ),

    spend_rows as (
        select
            spend.campaign_id,
            spend.spend_date as sale_date,
            credit_modes.credit_mode,
            spend.spend,
            spend.impressions,
            spend.clicks
        from spend
        cross join credit_modes
    ),

    daily as (
        select
            coalesce(credited_daily.campaign_id, spend_rows.campaign_id)
                as campaign_id,
            coalesce(credited_daily.sale_date, spend_rows.sale_date) as sale_date,
            coalesce(credited_daily.credit_mode, spend_rows.credit_mode)
                as credit_mode,
            coalesce(credited_daily.units, 0) as units,
            coalesce(credited_daily.revenue, 0) as revenue,
            credited_daily.profit,
            coalesce(credited_daily.orders, 0) as orders,
            coalesce(credited_daily.items, 0) as items,
            spend_rows.spend,
            spend_rows.impressions,
            spend_rows.clicks
        from credited_daily
        full outer join spend_rows
            on
                {{ same_campaign_day('credited_daily', 'spend_rows') }}
    ),

{% else %}

    changes as (
        select
            changes.change,
            changes.order_id,
            changes.campaign_id,
            {{ reporting_day('changes.sale_time') }} as sale_date,
            changes.credit_mode,
            changes.credited_qty,
            changes.credited_revenue,
            changes.credited_profit
        from {{ incremental_engine.change_log_relation(credits_relation) }} as changes
        where changes.logged_at > {{ since }} and not changes.is_reversed
    ),

    differences as (
        select
            campaign_id,
            sale_date,
            credit_mode,
            sum(change * credited_qty) as units,
            sum(change * credited_revenue) as revenue,
            sum(change * credited_profit) as profit,
            sum(change) as items
        from changes
        group by 1, 2, 3
    ),

    changed_orders as (
        select
            order_id,
            campaign_id,
            sale_date,
            credit_mode,
            sum(change) as credits_added
        from changes
        group by 1, 2, 3, 4
    ),

    -- the changed orders' credits now, through the fact's order index
    orders_now as (
        select
            credits.order_id,
            credits.campaign_id,
            {{ reporting_day('credits.sale_time') }} as sale_date,
            credits.credit_mode,
            count(*) as credits_now
        from {{ credits_relation }} as credits
        where
            not credits.is_reversed
            and {{ incremental_engine.key_in(
                'credits.order_id',
                'select distinct changed_orders.order_id from changed_orders') }}
        group by 1, 2, 3, 4
    ),

    order_keys as (
        select
            order_id,
            campaign_id,
            sale_date,
            credit_mode
        from changed_orders
        union
        select
            order_id,
            campaign_id,
            sale_date,
            credit_mode
        from orders_now
    ),

    order_differences as (
        select
            order_keys.campaign_id,
            order_keys.sale_date,
            order_keys.credit_mode,
            sum(
                case when coalesce(orders_now.credits_now, 0) > 0 then 1 else 0 end
                - case
                    when
                        coalesce(orders_now.credits_now, 0)
                        - coalesce(changed_orders.credits_added, 0) > 0
                        then 1
                    else 0
                end
            ) as orders
        from order_keys
        left join changed_orders
            on
                order_keys.order_id = changed_orders.order_id
                and order_keys.campaign_id = changed_orders.campaign_id
                and order_keys.sale_date = changed_orders.sale_date
                and order_keys.credit_mode = changed_orders.credit_mode
        left join orders_now
            on
                order_keys.order_id = orders_now.order_id
                and order_keys.campaign_id = orders_now.campaign_id
                and order_keys.sale_date = orders_now.sale_date
                and order_keys.credit_mode = orders_now.credit_mode
        group by 1, 2, 3
    ),

    -- rows with a credit of known profit: their profit is a number
    known_profits as (
        {{ known_profit_days(
            incremental_engine.affected_keys_relation(), credits_relation) }}
    ),

    daily as (
        select
            affected.campaign_id,
            affected.sale_date,
            affected.credit_mode,
            coalesce(previous.units, 0) + coalesce(differences.units, 0) as units,
            coalesce(previous.revenue, 0) + coalesce(differences.revenue, 0)
                as revenue,
            case
                when known_profits.campaign_id is not null
                    then
                        coalesce(previous.profit, 0)
                        + coalesce(differences.profit, 0)
            end as profit,
            coalesce(previous.orders, 0) + coalesce(order_differences.orders, 0)
                as orders,
            coalesce(previous.items, 0) + coalesce(differences.items, 0) as items,
            spend.spend,
            spend.impressions,
            spend.clicks
        from {{ incremental_engine.affected_keys_relation() }} as affected
        left join {{ this }} as previous
            on
                {{ same_campaign_day('affected', 'previous') }}
        left join differences
            on
                {{ same_campaign_day('affected', 'differences') }}
        left join order_differences
            on
                {{ same_campaign_day('affected', 'order_differences') }}
        left join known_profits
            on
                {{ same_campaign_day('affected', 'known_profits') }}
        left join spend
            on
                affected.campaign_id = spend.campaign_id
                and affected.sale_date = spend.spend_date
    ),

{% endif %}

typed as (
    select
        campaign_id::bigint as campaign_id,
        sale_date::date as sale_date,
        credit_mode::{{ dbt.type_string() }} as credit_mode,
        units::numeric(18, 4) as units,
        revenue::numeric(18, 2) as revenue,
        profit::numeric(18, 2) as profit,
        orders::bigint as orders,
        -- a row left without credits or spend is a marker: its old row goes
        case when items <> 0 or spend is not null then items end::bigint as items,
        spend::numeric(18, 2) as spend,
        impressions::bigint as impressions,
        clicks::bigint as clicks
    from daily
)

select * from typed
