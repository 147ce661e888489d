with

source as (
    select * from {{ source('erp', 'product_batches') }}
),

renamed as (
    select
        id as product_batch_id,
        product_id,
        cost_price
    from source
)

select * from renamed
