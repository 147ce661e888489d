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
        {{ staged_columns('ad_campaigns') }}
    from campaigns
)

select * from observed
