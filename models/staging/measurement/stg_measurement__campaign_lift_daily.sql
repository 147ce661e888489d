with

source as (
    select * from {{ source('measurement', 'campaign_lift_daily') }}
),

renamed as (
    select
        campaign_id,
        sale_date,
        is_post_period,
        actual_revenue,
        counterfactual_revenue
    from source
)

select * from renamed
