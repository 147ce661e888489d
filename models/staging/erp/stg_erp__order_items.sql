with

source as (
    select * from {{ source('erp', 'order_items') }}
),

renamed as (
    select
        id as order_item_id,
        order_id,
        product_id,
        product_batch_id,
        quantity,
        unit_price,
        coalesce(discount_amount, 0) as discount_amount,
        created_at,
        updated_at
    from source
)

select * from renamed
