with

campaigns as (
    select * from {{ ref('stg_marketing__ad_campaigns') }}
),

status_events as (
    select * from {{ ref('stg_marketing__ad_campaign_status_events') }}
),

milestones as (
    select
        campaign_id,
        min(changed_at) filter (where to_status = 'RUNNING') as first_running_at,
        min(changed_at) filter (where to_status = 'ENDED') as ended_at
    from status_events
    group by campaign_id
),

final as (
    select
        campaigns.campaign_id::bigint as campaign_id,
        campaigns.campaign_name::text as name,  -- noqa: RF04
        campaigns.platform::text as platform,
        campaigns.campaign_status::text as status,
        campaigns.starts_at::timestamptz as starts_at,
        campaigns.ends_at::timestamptz as ends_at,
        campaigns.budget_type::text as budget_type,
        campaigns.budget_amount::numeric(12, 2) as budget_amount,
        milestones.first_running_at::timestamptz as first_running_at,
        milestones.ended_at::timestamptz as ended_at,
        campaigns.created_by::text as created_by,
        campaigns.updated_at::timestamptz as updated_at
    from campaigns
    left join milestones
        on campaigns.campaign_id = milestones.campaign_id
)

select * from final
