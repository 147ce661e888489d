-- When each campaign was running: docs/rules.md §2.2. The latest status
-- event with changed_at <= t decides; an event recorded later with an
-- earlier changed_at (a backdated correction) takes its place in history.
with

status_events as (
    select * from {{ ref('stg_marketing__ad_campaign_status_events') }}
),

sequenced as (
    select
        campaign_id,
        status_event_id,
        to_status,
        changed_at as interval_from,
        -- events at the same instant: the later-recorded one is the latest
        lead(changed_at) over (
            partition by campaign_id
            order by changed_at, status_event_id
        ) as interval_to
    from status_events
),

running_intervals as (
    select
        campaign_id,
        status_event_id,
        interval_from as running_from,
        interval_to as running_to
    from sequenced
    where
        to_status = 'RUNNING'
        and (interval_to is null or interval_to > interval_from)
)

select * from running_intervals
