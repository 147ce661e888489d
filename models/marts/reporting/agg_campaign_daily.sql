{{
    config(
        materialized='incremental',
        incremental_strategy='replace_rows',
        replace_key=['campaign_id', 'sale_date'],
        marker_column='credit_mode',
        unique_key=['campaign_id', 'sale_date', 'credit_mode'],
        on_schema_change='fail',
        pre_hook="{{ stage_affected_keys(affected_campaign_days(attribution_watermark())) }}",
        post_hook="{{ record_full_build() }}",
        indexes=[
            {'columns': ['sale_date', 'credit_mode']},
        ],
    )
}}
-- depends_on: {{ ref('fct_order_item_campaign_credits') }}
-- The leaderboard's and the trend chart's source: non-reversed credits by
-- campaign, day (in the reporting time zone) and mode. Sums over a date
-- range equal the same sums over the credit fact. Incremental: each run
-- recomputes the (campaign, day) pairs whose credits changed.
with

{% if is_incremental() %}
    affected_days as (
        select
            affected.campaign_id,
            affected.sale_date,
            {{ day_bounds('affected.sale_date') }} as day_from,
            {{ day_bounds('affected.sale_date + 1') }} as day_to
        from {{ affected_keys_relation() }} as affected
    ),
{% endif %}

credits as (
    select credits.*
    from {{ ref('fct_order_item_campaign_credits') }} as credits
    {% if is_incremental() %}
        -- through the fact's (campaign_id, sale_time) index
        inner join affected_days
            on
                credits.campaign_id = affected_days.campaign_id
                and credits.sale_time >= affected_days.day_from
                and credits.sale_time < affected_days.day_to
    {% endif %}
    where not credits.is_reversed
),

daily as (
    select
        campaign_id::bigint as campaign_id,
        {{ reporting_day('sale_time') }} as sale_date,
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
{% if is_incremental() %}
    -- (campaign, day) pairs left without credits: markers clear their rows
    union all
    {{ marker_rows() }}
{% endif %}
