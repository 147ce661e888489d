-- What each campaign returned for what it cost, over all time, per credit
-- mode. Every ratio is a ratio of sums (never an average of daily ratios)
-- and is null when its denominator is 0 or null. Readers that need a date
-- range compute the same ratios from agg_campaign_daily, whose rows carry
-- each day's spend (the same on every mode's row): this model sums them.
with

campaigns as (
    select * from {{ ref('dim_campaigns') }}
),

credited_daily as (
    select * from {{ ref('agg_campaign_daily') }}
),

credit_modes as (
    {{ credit_modes_values() }}
),

credited as (
    select
        campaign_id,
        credit_mode,
        sum(units) as units,
        sum(revenue) as revenue,
        sum(profit) as profit,
        sum(orders) as orders,
        sum(spend) as spend,
        sum(impressions) as impressions,
        sum(clicks) as clicks
    from credited_daily
    group by campaign_id, credit_mode
),

totals as (
    select
        campaigns.campaign_id,
        credit_modes.credit_mode,
        coalesce(credited.units, 0) as units,
        coalesce(credited.revenue, 0) as revenue,
        credited.profit,
        coalesce(credited.orders, 0) as orders,
        credited.spend,
        credited.impressions,
        credited.clicks
    from campaigns
    cross join credit_modes
    left join credited
        on
            campaigns.campaign_id = credited.campaign_id
            and credit_modes.credit_mode = credited.credit_mode
),

final as (
    select
        cast(campaign_id as bigint) as campaign_id,
        cast(credit_mode as {{ dbt.type_string() }}) as credit_mode,
        cast(units as numeric(18, 4)) as units,
        cast(revenue as numeric(18, 2)) as revenue,
        cast(profit as numeric(18, 2)) as profit,
        cast(orders as bigint) as orders,
        cast(spend as numeric(18, 2)) as spend,
        cast(impressions as bigint) as impressions,
        cast(clicks as bigint) as clicks,
        cast(revenue / nullif(spend, 0) as numeric(18, 4)) as roas,
        cast(profit / nullif(spend, 0) as numeric(18, 4)) as profit_roas,
        cast(spend / nullif(orders, 0) as numeric(18, 4)) as cpa,
        cast(spend / nullif(clicks, 0) as numeric(18, 4)) as cpc,
        cast(
            cast(clicks as decimal(20, 0)) / nullif(impressions, 0) as numeric(12, 6)
        ) as ctr
    from totals
)

select * from final
