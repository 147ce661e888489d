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
        campaigns.campaign_name::{{ dbt.type_string() }} as name,  -- noqa: RF04
        campaigns.platform::{{ dbt.type_string() }} as platform,
        campaigns.campaign_status::{{ dbt.type_string() }} as status,
        campaigns.starts_at::{{ type_timestamptz() }} as starts_at,
        campaigns.ends_at::{{ type_timestamptz() }} as ends_at,
        campaigns.budget_type::{{ dbt.type_string() }} as budget_type,
        campaigns.budget_amount::numeric(12, 2) as budget_amount,
        milestones.first_running_at::{{ type_timestamptz() }} as first_running_at,
        milestones.ended_at::{{ type_timestamptz() }} as ended_at,
        campaigns.created_by::{{ dbt.type_string() }} as created_by,
        campaigns.updated_at::{{ type_timestamptz() }} as updated_at
    from campaigns
    left join milestones
        on campaigns.campaign_id = milestones.campaign_id
)

select * from final
