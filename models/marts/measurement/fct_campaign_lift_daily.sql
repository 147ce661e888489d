{{ config(materialized='view') }}
-- The campaign page's chart: per estimated campaign and day of its study
-- window (pre period and running time), the targeted products' net sales
-- and what the untargeted products say they would have sold. Summed over
-- the post period, actual - counterfactual is fct_campaign_lift's
-- incremental_revenue. A view of the estimates, like fct_campaign_lift.
with

daily as (
    select * from {{ ref('stg_measurement__campaign_lift_daily') }}
),

final as (
    select
        campaign_id::bigint as campaign_id,
        sale_date::date as sale_date,
        is_post_period::boolean as is_post_period,
        actual_revenue::numeric(14, 2) as actual_revenue,
        counterfactual_revenue::numeric(14, 2) as counterfactual_revenue
    from daily
)

select * from final
