{{
    config(
        materialized='table',
        indexes=[
            {'columns': ['product_id', 'active_during'], 'type': 'gist'},
            {'columns': ['campaign_id']},
        ],
    )
}}
-- The one place that says when campaign c credits sales of product p
-- (docs/rules.md §2): the intersection of
--   the flight window  [starts_at, ends_at]            (both ends inclusive),
--   a running interval [running_from, running_to)       (status history),
--   a targeting window [effective_from, effective_to)   (half-open).
-- A sale at t matches c iff t lies in one of c's windows for its product.
-- The bounds of each window are written once, in macros/activity_windows.sql.
with

campaigns as (
    select * from {{ ref('stg_marketing__ad_campaigns') }}
),

targeting as (
    select * from {{ ref('stg_marketing__ad_campaign_products') }}
),

running_intervals as (
    select * from {{ ref('int_campaign_running_intervals') }}
),

windows as (
    select
        targeting.campaign_id,
        targeting.product_id,
        targeting.campaign_product_id,
        running_intervals.status_event_id as running_event_id,
        campaigns.starts_at,
        campaigns.ends_at,
        running_intervals.running_from,
        running_intervals.running_to,
        targeting.effective_from,
        targeting.effective_to,
        {{ window_intersection([
            flight_window('campaigns.starts_at', 'campaigns.ends_at'),
            running_window(
                'running_intervals.running_from', 'running_intervals.running_to'),
            targeting_window('targeting.effective_from', 'targeting.effective_to'),
        ]) }}
            as active_during
    from targeting
    inner join campaigns
        on targeting.campaign_id = campaigns.campaign_id
    inner join running_intervals
        on targeting.campaign_id = running_intervals.campaign_id
),

activity_windows as (
    select * from windows
    where not {{ window_is_empty('active_during') }}
)

select * from activity_windows
