-- A sale may match a campaign through at most one window: two activity
-- windows of one (campaign, product) never overlap.
select
    earlier.campaign_id,
    earlier.product_id,
    earlier.active_during,
    later.active_during as overlapping
from {{ ref('int_campaign_product_activity_windows') }} as earlier
inner join {{ ref('int_campaign_product_activity_windows') }} as later
    on
        earlier.campaign_id = later.campaign_id
        and earlier.product_id = later.product_id
        and (
            earlier.campaign_product_id < later.campaign_product_id
            or (
                earlier.campaign_product_id = later.campaign_product_id
                and earlier.running_event_id < later.running_event_id
            )
        )
        and {{ windows_overlap('earlier.active_during', 'later.active_during') }}
