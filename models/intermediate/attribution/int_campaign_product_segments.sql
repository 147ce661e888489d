{{
    config(
        materialized='table',
        indexes=[
            {'columns': ['product_id', 'segment_number']},
        ],
    )
}}
-- Each product's timeline cut at every bound of its activity windows
-- (int_product_segment_starts), into segments during which the same
-- campaigns credit its sales (docs/rules.md §2): one row per (segment,
-- campaign) with k and the campaign's rank by id, computed once per segment
-- instead of once per sold item. Segment n runs from the n-th start to the
-- next; segment 0 from the start of time. Segments no campaign credits have
-- no rows. Derived from int_campaign_product_activity_windows, which alone
-- says when a campaign credits a product.
with

activity_windows as (
    select * from {{ ref('int_campaign_product_activity_windows') }}
),

segment_starts as (
    select * from {{ ref('int_product_segment_starts') }}
),

segments as (
    select
        segment_starts.product_id,
        cast(segment_start.segment_position - 1 as integer) as segment_number,
        segment_start.starts_at,
        {{ half_open_window(
            'segment_start.starts_at',
            array_element('segment_starts.segment_starts', 'segment_start.segment_position'),
        ) }} as segment
    from segment_starts
    {{ each_element(
        with_null_first('segment_starts.segment_starts', type_timestamptz()),
        'segment_start', 'starts_at', 'segment_position',
    ) }}
),

-- no window starts or ends inside a segment: a window holds all of it iff it
-- holds its first instant
matched as (
    select
        segments.product_id,
        segments.segment_number,
        segments.segment,
        activity_windows.campaign_id
    from segments
    inner join activity_windows
        on
            segments.product_id = activity_windows.product_id
            and (
                {{ window_holds(
                    'activity_windows.active_during', 'segments.starts_at') }}
                or (
                    segments.starts_at is null
                    and {{ window_first_instant('activity_windows.active_during') }}
                    is null
                )
            )
),

ranked as (
    select
        product_id,
        segment_number,
        segment,
        campaign_id,
        count(*) over (partition by product_id, segment_number)
            as matched_campaigns_count,
        row_number() over (
            partition by product_id, segment_number order by campaign_id
        ) as campaign_rank
    from matched
)

select * from ranked
