-- When each campaign was promoting each product: one row per activity
-- window (flight ∩ running ∩ targeting, ATTRIBUTION.md §2), as the
-- matching model reads it. The incrementality estimates take the products a
-- campaign targeted while it ran as treated, and products no campaign
-- targeted around that time as controls.
with

windows as (
    select * from {{ ref('int_campaign_product_activity_windows') }}
),

bounded as (
    select
        campaign_id,
        product_id,
        {{ window_first_instant('active_during') }} as active_from,
        {{ window_first_instant_after('active_during') }} as active_to
    from windows
),

final as (
    select
        campaign_id::bigint as campaign_id,
        product_id::bigint as product_id,
        active_from::{{ type_timestamptz() }} as active_from,
        active_to::{{ type_timestamptz() }} as active_to,
        {{ reporting_day('active_from') }}::date as first_active_date,
        {{ reporting_day('active_to') }}::date as last_active_date
    from bounded
)

select * from final
