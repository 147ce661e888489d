with

source as (
    select * from {{ source('marketing', 'ad_campaign_status_events') }}
),

renamed as (
    select
        id as status_event_id,
        campaign_id,
        from_status,
        to_status,
        changed_at,
        changed_by,
        created_at as recorded_at
    from source
)

select * from renamed
