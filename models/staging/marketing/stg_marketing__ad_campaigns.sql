with

source as (
    select * from {{ source('marketing', 'ad_campaigns') }}
),

renamed as (
    select
        id as campaign_id,
        name as campaign_name,
        platform,
        external_campaign_id,
        status as campaign_status,
        starts_at,
        ends_at,
        budget_type,
        budget_amount,
        notes,
        created_by,
        updated_by,
        created_at,
        updated_at
    from source
)

select * from renamed
