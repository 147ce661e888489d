with

source as (
    select * from {{ source('marketing', 'ad_campaign_products') }}
),

renamed as (
    select
        {{ staged_columns('ad_campaign_products', renamed=true) }}
    from source
)

select * from renamed
