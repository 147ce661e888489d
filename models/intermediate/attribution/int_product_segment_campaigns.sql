{{
    config(
        materialized='table',
        indexes=[
            {'columns': ['product_id'], 'unique': true},
        ],
    )
}}
-- What matching reads (int_order_items_matched): one row per product with
-- an activity window, its segments (int_campaign_product_segments) packed
-- into arrays. A sale at t lies in segment n = width_bucket(t,
-- segment_starts); its campaigns, ascending by id (rank = position), are
-- campaign_ids[campaign_offsets[n + 1] : campaign_offsets[n + 2] - 1], and
-- k is their number. One lookup per item, by product_id: no join of items
-- to segment rows, so no plan can pair an item with every segment of its
-- product.
with

segment_starts as (
    select * from {{ ref('int_product_segment_starts') }}
),

segments as (
    select * from {{ ref('int_campaign_product_segments') }}
),

-- every segment 0 .. cardinality(segment_starts), empty ones included
all_segments as (
    select
        segment_starts.product_id,
        numbers.segment_number
    from segment_starts
    {{ each_number(
        array_size('segment_starts.segment_starts'), 'numbers', 'segment_number') }}
),

counted as (
    select
        all_segments.product_id,
        all_segments.segment_number,
        count(segments.campaign_id) as campaigns
    from all_segments
    left join segments
        on
            all_segments.product_id = segments.product_id
            and all_segments.segment_number = segments.segment_number
    group by all_segments.product_id, all_segments.segment_number
),

-- where each segment's campaigns start in campaign_ids (1-based), and one
-- past the last segment's
offsets as (
    select
        product_id,
        {{ ordered_array('first_campaign', ['segment_number']) }}
            as campaign_offsets
    from (
        select
            product_id,
            segment_number,
            cast(
                1
                + coalesce(sum(campaigns) over (
                    partition by product_id order by segment_number
                    rows between unbounded preceding and 1 preceding
                ), 0)
                as integer
            ) as first_campaign
        from counted
        union all
        select
            product_id,
            max(segment_number) + 1 as segment_number,
            cast(1 + sum(campaigns) as integer) as first_campaign
        from counted
        group by product_id
    ) as firsts
    group by product_id
),

campaign_lists as (
    select
        product_id,
        {{ ordered_array('campaign_id', ['segment_number', 'campaign_rank']) }}
            as campaign_ids
    from segments
    group by product_id
),

packed as (
    select
        segment_starts.product_id,
        segment_starts.segment_starts,
        offsets.campaign_offsets,
        coalesce(campaign_lists.campaign_ids, {{ empty_array('bigint') }})
            as campaign_ids
    from segment_starts
    inner join offsets
        on segment_starts.product_id = offsets.product_id
    left join campaign_lists
        on segment_starts.product_id = campaign_lists.product_id
)

select * from packed
