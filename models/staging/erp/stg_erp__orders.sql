with

source as (
    select * from {{ source('erp', 'orders') }}
),

renamed as (
    select
        id as order_id,
        order_number,
        store_id,
        lower(trim(status)) as order_status,
        -- the sale time: order_date, or created_at when the ERP left it empty
        coalesce(order_date, created_at) as sale_time,
        order_date,
        created_at,
        updated_at
    from source
)

select * from renamed
