{{ config(materialized='observation', unique_key='campaign_day') }}
-- Every observed version of each campaign's spend on a day, over every
-- source (uploads, the inbox, Fivetran): a day loaded again, replaced or
-- removed is a spend change of that campaign and day.
with

spend as (
    select * from {{ ref('int_campaign_spend_daily') }}
),

keyed as (
    select
        {{ dbt.concat([
            "cast(campaign_id as " ~ dbt.type_string() ~ ")",
            "'/'",
            "cast(spend_date as " ~ dbt.type_string() ~ ")",
        ]) }} as campaign_day,
        campaign_id,
        spend_date,
        spend,
        impressions,
        clicks
    from spend
)

select * from keyed
