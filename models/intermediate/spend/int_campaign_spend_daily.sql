-- What each campaign cost per day, over every source: the uploads and the
-- inbox (marketing.ad_spend_daily) and Fivetran's matched rows. The one
-- place spend is summed; every spend column of the marts reads it.
{%- set spend_columns = 'campaign_id, spend_date, spend, impressions, clicks' %}
with

uploaded as (
    select * from {{ ref('stg_marketing__ad_spend_daily') }}
),

fivetran as (
    select * from {{ ref('int_fivetran_spend_matched') }}
    where campaign_id is not null
),

spend_rows as (
    select {{ spend_columns }} from uploaded
    union all
    select {{ spend_columns }} from fivetran
),

daily as (
    select
        campaign_id,
        spend_date,
        sum(spend)::numeric(18, 2) as spend,
        sum(impressions)::bigint as impressions,
        sum(clicks)::bigint as clicks
    from spend_rows
    group by campaign_id, spend_date
)

select * from daily
