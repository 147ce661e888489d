{{ config(materialized='observation', unique_key='campaign_product_id') }}
-- Every observed version of each targeting window, backdated corrections
-- and removals included.
with

targeting as (
    select * from {{ ref('stg_marketing__ad_campaign_products') }}
),

observed as (
    select
        campaign_product_id,
        campaign_id,
        product_id,
        effective_from,
        effective_to,
        created_by,
        created_at,
        updated_at
    from targeting
)

select * from observed
