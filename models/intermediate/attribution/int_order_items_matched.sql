-- The one matching model (ATTRIBUTION.md §2): each creditable item (good,
-- of an order observed countable) with each campaign whose activity window
-- holds its sale time; one row with a null campaign_id when none does.
-- Each item reaches the one segment of its product that holds its sale time
-- (through the segments' gist index when only a few items are asked for);
-- k and the ranks come with the segment, so no sort over all pairs.
with

order_items as (
    select * from {{ ref('int_order_items_evaluated') }}
    where has_been_observed_countable and bad_reason is null
),

segments as (
    select * from {{ ref('int_campaign_product_segments') }}
),

matched as (
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
        segments.campaign_id,
        coalesce(segments.matched_campaigns_count, 0)
            as matched_campaigns_count,
        coalesce(segments.campaign_rank, 1) as campaign_rank
    from order_items
    left join segments
        on
            order_items.product_id = segments.product_id
            and segments.segment @> order_items.sale_time
)

select * from matched
