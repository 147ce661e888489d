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
        estimate_status::{{ dbt.type_string() }} as estimate_status,
        status_reason::{{ dbt.type_string() }} as status_reason,
        method::{{ dbt.type_string() }} as method,  -- noqa: RF04
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
        lift_pct::{{ type_numeric_any() }} as lift_pct,
        spend::numeric(14, 2) as spend,
        iroas::{{ type_numeric_any() }} as iroas,
        iroas_low::{{ type_numeric_any() }} as iroas_low,
        iroas_high::{{ type_numeric_any() }} as iroas_high,
        pre_trend_p_value::{{ type_numeric_any() }} as pre_trend_p_value,
        placebo_revenue::numeric(14, 2) as placebo_revenue,
        placebo_p_value::{{ type_numeric_any() }} as placebo_p_value,
        is_reliable::boolean as is_reliable,
        reliability_reason::{{ dbt.type_string() }} as reliability_reason,
        estimated_at::{{ type_timestamptz() }} as estimated_at
    from estimates
)

select * from final
