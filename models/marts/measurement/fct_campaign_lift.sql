{{ config(materialized='view') }}
-- What each campaign caused (MARTS.md, "Incrementality"): the estimates
-- `python -m measurement lift` wrote, one row per campaign that has left
-- DRAFT. A view of the estimates' table, so the mart shows a run's
-- estimates the moment it commits, without a dbt build after it.
with

estimates as (
    select * from {{ ref('stg_measurement__campaign_lift') }}
),

final as (
    select
        campaign_id::bigint as campaign_id,
        estimate_status::{{ type_text() }} as estimate_status,
        status_reason::{{ type_text() }} as status_reason,
        method::{{ type_text() }} as method,  -- noqa: RF04
        pre_start::date as pre_start,
        post_start::date as post_start,
        post_end::date as post_end,
        treated_products::integer as treated_products,
        control_products::integer as control_products,
        actual_revenue::numeric(14, 2) as actual_revenue,
        counterfactual_revenue::numeric(14, 2) as counterfactual_revenue,
        incremental_revenue::numeric(14, 2) as incremental_revenue,
        incremental_revenue_low::numeric(14, 2) as incremental_revenue_low,
        incremental_revenue_high::numeric(14, 2) as incremental_revenue_high,
        actual_units::numeric(14, 4) as actual_units,
        incremental_units::numeric(14, 4) as incremental_units,
        incremental_units_low::numeric(14, 4) as incremental_units_low,
        incremental_units_high::numeric(14, 4) as incremental_units_high,
        lift_pct::{{ type_ratio() }} as lift_pct,
        spend::numeric(14, 2) as spend,
        iroas::{{ type_ratio() }} as iroas,
        iroas_low::{{ type_ratio() }} as iroas_low,
        iroas_high::{{ type_ratio() }} as iroas_high,
        pre_trend_p_value::{{ type_ratio() }} as pre_trend_p_value,
        placebo_revenue::numeric(14, 2) as placebo_revenue,
        placebo_p_value::{{ type_ratio() }} as placebo_p_value,
        is_reliable::boolean as is_reliable,
        reliability_reason::{{ type_text() }} as reliability_reason,
        estimated_at::{{ type_timestamptz() }} as estimated_at
    from estimates
)

select * from final
