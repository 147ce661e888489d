{{
    config(
        indexes=[
            {'columns': ['sale_date', 'credit_mode']},
        ],
    )
}}
-- The leaderboard's and the trend chart's source: non-reversed credits by
-- campaign, day (in the reporting time zone) and mode. Sums over a date
-- range equal the same sums over the credit fact.
with

credits as (
    select * from {{ ref('fct_order_item_campaign_credits') }}
    where not is_reversed
),

daily as (
    select
        campaign_id::bigint as campaign_id,
        (sale_time at time zone '{{ var("reporting_timezone") }}')::date as sale_date,
        credit_mode::text as credit_mode,
        sum(credited_qty)::numeric(18, 4) as units,
        sum(credited_revenue)::numeric(18, 2) as revenue,
        sum(credited_profit)::numeric(18, 2) as profit,
        count(distinct order_id)::bigint as orders,
        count(distinct order_item_id)::bigint as items
    from credits
    group by 1, 2, 3
)

select * from daily
