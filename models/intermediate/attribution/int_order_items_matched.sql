-- The one matching model (docs/rules.md §2): each creditable item (good,
-- of an order observed countable) with each campaign whose activity window
-- holds its sale time; one row with a null campaign_id when none does.
-- Each item finds the segment of its product holding its sale time by a
-- binary search (width_bucket) in the product's segment starts, and takes
-- the segment's campaigns, k and ranks from the same row: one lookup per
-- item by product_id (a hash join in a full build, an index for a few
-- items), no sort over all (item, campaign) pairs.
with

order_items as (
    select * from {{ ref('int_order_items_evaluated') }}
    where has_been_observed_countable and is_good
),

segment_campaigns as (
    select * from {{ ref('int_product_segment_campaigns') }}
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
        segment_campaigns.campaign_ids,
        segment_campaigns.campaign_offsets,
        {{ segment_of('order_items.sale_time', 'segment_campaigns.segment_starts') }}
            as segment_number
    from order_items
    left join segment_campaigns
        on order_items.product_id = segment_campaigns.product_id
),

-- the campaigns of the item's segment, ascending by id; null without any
located_campaigns as (
    select
        *,
        {{ array_slice(
            'campaign_ids',
            array_element('campaign_offsets', 'segment_number + 1'),
            array_element('campaign_offsets', 'segment_number + 2') ~ ' - 1',
        ) }} as segment_campaign_ids
    from located
),

matched as (
    select
        located_campaigns.order_item_id,
        located_campaigns.order_id,
        located_campaigns.product_id,
        located_campaigns.sale_time,
        located_campaigns.quantity,
        located_campaigns.item_revenue,
        located_campaigns.item_profit,
        located_campaigns.quantity_units,
        located_campaigns.revenue_cents,
        located_campaigns.profit_cents,
        located_campaigns.is_reversed,
        located_campaigns.reversed_at,
        segment_campaign.campaign_id,
        cast(
            coalesce({{ array_size('located_campaigns.segment_campaign_ids') }}, 0)
            as bigint
        ) as matched_campaigns_count,
        coalesce(segment_campaign.campaign_rank, 1) as campaign_rank
    from located_campaigns
    {{ each_element(
        'located_campaigns.segment_campaign_ids',
        'segment_campaign', 'campaign_id', 'campaign_rank', keep_empty=true,
    ) }}
)

select * from matched
