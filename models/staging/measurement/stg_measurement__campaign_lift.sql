with

source as (
    select * from {{ source('measurement', 'campaign_lift') }}
),

renamed as (
    select
        campaign_id,
        estimate_status,
        status_reason,
        method,
        pre_start,
        post_start,
        post_end,
        treated_products,
        control_products,
        actual_revenue,
        counterfactual_revenue,
        incremental_revenue,
        incremental_revenue_low,
        incremental_revenue_high,
        actual_units,
        incremental_units,
        incremental_units_low,
        incremental_units_high,
        lift_pct,
        spend,
        iroas,
        iroas_low,
        iroas_high,
        pre_trend_p_value,
        placebo_revenue,
        placebo_p_value,
        is_reliable,
        reliability_reason,
        estimated_at
    from source
)

select * from renamed
