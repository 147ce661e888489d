{{ config(materialized='observation', unique_key='campaign_id') }}
-- Every observed version of each campaign: a moved flight window changes
-- which sales it credits, and its widest observed flight bounds the sales a
-- change of it can reach.
with

campaigns as (
    select * from {{ ref('stg_marketing__ad_campaigns') }}
),

observed as (
    select
        campaign_id,
        campaign_name,
        platform,
        external_campaign_id,
        campaign_status,
        starts_at,
        ends_at,
        budget_type,
        budget_amount,
        notes,
        created_by,
        updated_by,
        created_at,
        updated_at
    from campaigns
)

select * from observed
