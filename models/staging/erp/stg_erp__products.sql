with

source as (
    select * from {{ source('erp', 'products') }}
),

renamed as (
    select
        id as product_id,
        name as product_name,
        sku,
        cost_price,
        created_at,
        updated_at
    from source
)

select * from renamed
