{{ config(materialized='observation', unique_key='product_id') }}
-- Every observed version of each product: costs change items' profit.
with

products as (
    select * from {{ ref('stg_erp__products') }}
),

observed as (
    select
        product_id,
        product_name,
        sku,
        cost_price,
        created_at,
        updated_at
    from products
)

select * from observed
