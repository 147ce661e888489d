{{
    config(
        materialized='table',
        indexes=[
            {'columns': ['product_id'], 'unique': true},
        ],
    )
}}
-- For each product with an activity window, the first instants of the
-- segments of its timeline (int_campaign_product_segments), ascending: every
-- first instant inside a window and every first instant after one. Time is
-- discrete (timestamptz counts microseconds): an excluded lower bound's
-- first instant inside is one microsecond later, an included upper bound's
-- (a flight's ends_at) first instant after is one microsecond later.
-- A sale at t lies in segment width_bucket(t, segment_starts): a binary
-- search, 0 before the first start.
with

activity_windows as (
    select * from {{ ref('int_campaign_product_activity_windows') }}
),

bounds as (
    select
        product_id,
        {{ window_first_instant('active_during') }} as starts_at
    from activity_windows
    union
    select
        product_id,
        {{ window_first_instant_after('active_during') }} as starts_at
    from activity_windows
),

-- unbounded sides start nothing
segment_starts as (
    select
        product_id,
        {{ ordered_array('starts_at', ['starts_at']) }} as segment_starts
    from bounds
    where starts_at is not null
    group by product_id
)

select * from segment_starts
