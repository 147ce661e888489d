with

products as (
    select * from {{ ref('stg_erp__products') }}
),

final as (
    select
        product_id::bigint as product_id,
        product_name::{{ dbt.type_string() }} as name,  -- noqa: RF04
        sku::{{ dbt.type_string() }} as sku,
        cost_price::numeric(12, 2) as cost_price
    from products
)

select * from final
