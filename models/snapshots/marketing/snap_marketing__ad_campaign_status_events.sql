{{ config(materialized='observation', unique_key='status_event_id') }}
-- Every observed status event, backdated ones recorded later included.
with

status_events as (
    select * from {{ ref('stg_marketing__ad_campaign_status_events') }}
),

observed as (
    select
        status_event_id,
        campaign_id,
        from_status,
        to_status,
        changed_at,
        changed_by,
        recorded_at
    from status_events
)

select * from observed
