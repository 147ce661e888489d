-- What each campaign cost per day, over every source: the uploads and the
-- inbox (marketing.ad_spend_daily) and Fivetran's matched rows. The one
-- place spend is summed; every spend column of the marts reads it.
with

uploaded as (
    select * from {{ ref('stg_marketing__ad_spend_daily') }}
),

fivetran as (
    select * from {{ ref('int_fivetran_spend_matched') }}
    where campaign_id is not null
),

spend_rows as (
    {%- for spend_source in ['uploaded', 'fivetran'] %}
        {% if not loop.first %}union all{% endif %}
        select
            campaign_id,
            spend_date,
            spend,
            impressions,
            clicks
        from {{ spend_source }}
    {%- endfor %}
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
