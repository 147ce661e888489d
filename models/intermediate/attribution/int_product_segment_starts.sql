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
        lower(active_during)
        + case
            when lower_inc(active_during) then interval '0'
            else interval '1 microsecond'
        end as starts_at
    from activity_windows
    where not lower_inf(active_during)
    union
    select
        product_id,
        upper(active_during)
        + case
            when upper_inc(active_during) then interval '1 microsecond'
            else interval '0'
        end as starts_at
    from activity_windows
    where not upper_inf(active_during)
),

segment_starts as (
    select
        product_id,
        array_agg(starts_at order by starts_at) as segment_starts
    from bounds
    group by product_id
)

select * from segment_starts
