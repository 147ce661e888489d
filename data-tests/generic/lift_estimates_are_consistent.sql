{#-
    fct_campaign_lift agrees with its daily series: over the post period of
    each estimated campaign, the targeted products' daily net sales add up
    to actual_revenue and (actual - counterfactual) to incremental_revenue,
    up to the cent each day was rounded to.
-#}
{% test lift_estimates_are_consistent(model) %}
    with
    estimates as (
        select * from {{ model }}
        where estimate_status = 'estimated'
    ),
    post_days as (
        select
            campaign_id,
            count(*) as days,
            sum(actual_revenue) as actual_revenue,
            sum(actual_revenue - counterfactual_revenue) as incremental_revenue
        from {{ ref('fct_campaign_lift_daily') }}
        where is_post_period
        group by campaign_id
    )
    select
        estimates.campaign_id,
        estimates.actual_revenue,
        post_days.actual_revenue as daily_actual_revenue,
        estimates.incremental_revenue,
        post_days.incremental_revenue as daily_incremental_revenue
    from estimates
    left join post_days
        on estimates.campaign_id = post_days.campaign_id
    where
        post_days.campaign_id is null
        or post_days.days
        <> {{ days_between('estimates.post_start', 'estimates.post_end') }} + 1
        or abs(estimates.actual_revenue - post_days.actual_revenue)
        > 0.01 * (post_days.days + 1)
        or abs(estimates.incremental_revenue - post_days.incremental_revenue)
        > 0.01 * (post_days.days + 1)
{% endtest %}
