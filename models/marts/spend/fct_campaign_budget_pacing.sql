-- How fast each campaign spends its budget: one row per campaign and day
-- from its first spend day to today (days without spend included, at 0).
-- DAILY budgets pace day by day; LIFETIME budgets by what is consumed and
-- by the spend projected to the end of the flight at the average daily
-- spend so far (null when the campaign is open-ended).
with

campaigns as (
    select * from {{ ref('dim_campaigns') }}
),

spend_daily as (
    select * from {{ ref('int_campaign_spend_daily') }}
),

today as (
    select
        {{ reporting_day('now()') }} as today_date
),

spans as (
    select
        spend_daily.campaign_id,
        min(spend_daily.spend_date) as first_spend_date,
        greatest(max(spend_daily.spend_date), max(today.today_date)) as last_date
    from spend_daily
    cross join today
    group by spend_daily.campaign_id
),

days as (
    select
        spans.campaign_id,
        spans.first_spend_date,
        cast(calendar.day as date) as spend_date
    from spans
    {{ each_day('spans.first_spend_date', 'spans.last_date', 'calendar', 'day') }}
),

accumulated as (
    select
        days.campaign_id,
        days.spend_date,
        days.first_spend_date,
        coalesce(spend_daily.spend, 0) as spend,
        sum(coalesce(spend_daily.spend, 0)) over (
            partition by days.campaign_id
            order by days.spend_date
            rows between unbounded preceding and current row
        ) as cumulative_spend
    from days
    left join spend_daily
        on
            days.campaign_id = spend_daily.campaign_id
            and days.spend_date = spend_daily.spend_date
),

paced as (
    select
        accumulated.campaign_id,
        accumulated.spend_date,
        campaigns.budget_type,
        campaigns.budget_amount,
        accumulated.spend,
        accumulated.cumulative_spend,
        case
            when campaigns.budget_type = 'DAILY'
                then accumulated.spend / nullif(campaigns.budget_amount, 0)
        end as daily_pacing,
        case
            when campaigns.budget_type = 'LIFETIME'
                then
                    accumulated.cumulative_spend
                    / nullif(campaigns.budget_amount, 0)
        end as lifetime_consumed,
        -- greatest() skips nulls: an open-ended flight projects nothing
        case
            when campaigns.ends_at is not null
                then
                    accumulated.cumulative_spend
                    + accumulated.cumulative_spend
                    / (
                        {{ days_between(
                            'accumulated.first_spend_date', 'accumulated.spend_date') }}
                        + 1
                    )
                    * greatest(
                        {{ days_between(
                            'accumulated.spend_date', reporting_day('campaigns.ends_at')) }},
                        0
                    )
        end as projected_lifetime_spend
    from accumulated
    inner join campaigns
        on accumulated.campaign_id = campaigns.campaign_id
),

rated as (
    select
        *,
        case
            when budget_type = 'DAILY' then daily_pacing
            when budget_type = 'LIFETIME'
                then
                    coalesce(projected_lifetime_spend, cumulative_spend)
                    / nullif(budget_amount, 0)
        end as pacing_ratio
    from paced
),

final as (
    select
        cast(campaign_id as bigint) as campaign_id,
        cast(spend_date as date) as spend_date,
        cast(budget_type as {{ dbt.type_string() }}) as budget_type,
        cast(budget_amount as numeric(12, 2)) as budget_amount,
        cast(spend as numeric(18, 2)) as spend,
        cast(cumulative_spend as numeric(18, 2)) as cumulative_spend,
        cast(daily_pacing as numeric(18, 4)) as daily_pacing,
        cast(lifetime_consumed as numeric(18, 4)) as lifetime_consumed,
        cast(projected_lifetime_spend as numeric(18, 2)) as projected_lifetime_spend,
        cast(pacing_ratio as numeric(18, 4)) as pacing_ratio,
        coalesce(
            pacing_ratio > {{ var('pacing_warn_ratio') }}, false
        ) as is_over_pace
    from rated
)

select * from final
