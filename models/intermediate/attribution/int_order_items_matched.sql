-- The one matching model (ATTRIBUTION.md §2): each creditable item (good,
-- of an order observed countable) with each campaign whose activity window
-- holds its sale time; one row with a null campaign_id when none does.
with

order_items as (
    select * from {{ ref('int_order_items_evaluated') }}
    where has_been_observed_countable and bad_reason is null
),

activity_windows as (
    select * from {{ ref('int_campaign_product_activity_windows') }}
),

matches as (
    select
        order_items.order_item_id,
        order_items.order_id,
        order_items.product_id,
        order_items.sale_time,
        order_items.quantity,
        order_items.item_revenue,
        order_items.item_profit,
        order_items.quantity_units,
        order_items.revenue_cents,
        order_items.profit_cents,
        order_items.is_reversed,
        order_items.reversed_at,
        activity_windows.campaign_id
    from order_items
    left join activity_windows
        on
            order_items.product_id = activity_windows.product_id
            and activity_windows.active_during @> order_items.sale_time
),

counted as (
    select
        *,
        count(campaign_id) over (partition by order_item_id)
            as matched_campaigns_count,
        row_number() over (partition by order_item_id order by campaign_id)
            as campaign_rank
    from matches
)

select * from counted
