with

source as (
    select * from {{ source('marketing', 'ad_spend_daily') }}
),

renamed as (
    select
        id as spend_row_id,
        campaign_id,
        spend_date,
        source as spend_source,
        spend,
        impressions,
        clicks,
        loaded_by,
        loaded_at
    from source
)

select * from renamed
