with

source as (
    select * from {{ source('marketing', 'ad_campaign_products') }}
),

renamed as (
    select
        id as campaign_product_id,
        campaign_id,
        product_id,
        effective_from,
        effective_to,
        created_by,
        created_at,
        updated_at
    from source
)

select * from renamed
