-- The one matching model (ATTRIBUTION.md §2): each creditable item (good,
-- of an order observed countable) with each campaign whose activity window
-- holds its sale time; one row with a null campaign_id when none does.
-- Each item finds the segment of its product holding its sale time by a
-- binary search in the product's segment starts, then the segment's
-- campaigns by equality (a hash join in a full build, the segments' index
-- for a few items); k and the ranks come with the segment: no sort over all
-- (item, campaign) pairs.
with

order_items as (
    select * from {{ ref('int_order_items_evaluated') }}
    where has_been_observed_countable and is_good
),

segment_starts as (
    select * from {{ ref('int_product_segment_starts') }}
),

segments as (
    select * from {{ ref('int_campaign_product_segments') }}
),

located as (
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
        -- never null (-1 is no segment): a null-rejecting lookup would let
        -- the planner join the segments to their starts first and test
        -- every (item, segment) pair of a product
        coalesce(
            width_bucket(order_items.sale_time, segment_starts.segment_starts),
            -1
        ) as segment_number
    from order_items
    left join segment_starts
        on order_items.product_id = segment_starts.product_id
),

matched as (
    select
        located.order_item_id,
        located.order_id,
        located.product_id,
        located.sale_time,
        located.quantity,
        located.item_revenue,
        located.item_profit,
        located.quantity_units,
        located.revenue_cents,
        located.profit_cents,
        located.is_reversed,
        located.reversed_at,
        segments.campaign_id,
        coalesce(segments.matched_campaigns_count, 0)
            as matched_campaigns_count,
        coalesce(segments.campaign_rank, 1) as campaign_rank
    from located
    left join segments
        on
            located.product_id = segments.product_id
            and located.segment_number = segments.segment_number
)

select * from matched
