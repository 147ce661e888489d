{{ config(materialized='observation', unique_key='product_batch_id') }}
-- Every observed version of each batch: a batch's cost overrides its
-- product's for the batch's items.
with

product_batches as (
    select * from {{ ref('stg_erp__product_batches') }}
),

observed as (
    select
        product_batch_id,
        product_id,
        cost_price
    from product_batches
)

select * from observed
