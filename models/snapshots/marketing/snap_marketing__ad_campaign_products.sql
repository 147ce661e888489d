{{ config(materialized='observation', unique_key='campaign_product_id') }}
-- Every observed version of each targeting window, backdated corrections
-- and removals included.
with

targeting as (
    select * from {{ ref('stg_marketing__ad_campaign_products') }}
),

observed as (
    select
        {{ staged_columns('ad_campaign_products') }}
    from targeting
)

select * from observed
