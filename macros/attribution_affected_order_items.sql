{#-
    The order items whose credits may differ from what the fact holds: those
    touched by anything the snapshots observed after `since` (the fact's
    watermark), plus what the data team asked to recompute (dbt vars
    `recompute_order_ids`, `recompute_from`/`recompute_to`).
      - orders that changed (status, sale time, items: the ERP bumps
        updated_at), appeared late, or vanished: all their items, current or
        already in the fact;
      - products and batches whose cost changed or vanished;
      - campaigns whose flight window, targeting or status history changed,
        backdated corrections included: every item of a product the campaign
        ever targeted, sold within the campaign's widest observed flight.
    Returns a query with one column, order_item_id.
-#}
{% macro attribution_affected_order_items(since) %}
    {%- set order_ids = var('recompute_order_ids', []) -%}
    {%- set order_ids = [order_ids] if order_ids is number else order_ids -%}
    {%- set recompute_from = var('recompute_from', none) -%}
    {%- set recompute_to = var('recompute_to', none) -%}
    with
    watermark as (
        select {{ since }} as observed_after
    ),

    changed_orders as (
        select versions.order_id
        from {{ ref('snap_erp__orders') }} as versions
        cross join watermark
        where
            versions.dbt_valid_from > watermark.observed_after
            or versions.dbt_valid_to > watermark.observed_after
        {%- for order_id in order_ids %}
        union all select {{ order_id | int }}
        {%- endfor %}
    ),

    changed_products as (
        select versions.product_id
        from {{ ref('snap_erp__products') }} as versions
        cross join watermark
        where
            versions.dbt_valid_from > watermark.observed_after
            or versions.dbt_valid_to > watermark.observed_after
        union all
        select versions.product_id
        from {{ ref('snap_erp__product_batches') }} as versions
        cross join watermark
        where
            versions.dbt_valid_from > watermark.observed_after
            or versions.dbt_valid_to > watermark.observed_after
    ),

    changed_batches as (
        select versions.product_batch_id
        from {{ ref('snap_erp__product_batches') }} as versions
        cross join watermark
        where
            versions.dbt_valid_from > watermark.observed_after
            or versions.dbt_valid_to > watermark.observed_after
    ),

    changed_campaigns as (
        select versions.campaign_id
        from {{ ref('snap_marketing__ad_campaigns') }} as versions
        cross join watermark
        where
            versions.dbt_valid_from > watermark.observed_after
            or versions.dbt_valid_to > watermark.observed_after
        union
        select versions.campaign_id
        from {{ ref('snap_marketing__ad_campaign_products') }} as versions
        cross join watermark
        where
            versions.dbt_valid_from > watermark.observed_after
            or versions.dbt_valid_to > watermark.observed_after
        union
        select versions.campaign_id
        from {{ ref('snap_marketing__ad_campaign_status_events') }} as versions
        cross join watermark
        where
            versions.dbt_valid_from > watermark.observed_after
            or versions.dbt_valid_to > watermark.observed_after
    ),

    -- a campaign can only ever credit sales inside the union of every
    -- flight window it was observed with
    campaign_flights as (
        select
            versions.campaign_id,
            min(versions.starts_at) as reach_from,
            case
                when not bool_or(versions.ends_at is null)
                    then max(versions.ends_at)
            end as reach_to
        from {{ ref('snap_marketing__ad_campaigns') }} as versions
        where versions.campaign_id in (select campaign_id from changed_campaigns)
        group by versions.campaign_id
    ),

    campaign_reach as (
        select distinct
            targets.product_id,
            campaign_flights.reach_from,
            campaign_flights.reach_to
        from {{ ref('snap_marketing__ad_campaign_products') }} as targets
        inner join campaign_flights
            on targets.campaign_id = campaign_flights.campaign_id
    ),

    current_items as (
        select
            order_items.order_item_id,
            order_items.order_id,
            order_items.product_id,
            order_items.product_batch_id,
            orders.sale_time
        from {{ ref('stg_erp__order_items') }} as order_items
        left join {{ ref('stg_erp__orders') }} as orders
            on order_items.order_id = orders.order_id
    ),

    affected as (
        select current_items.order_item_id
        from current_items
        where
            current_items.order_id in (select order_id from changed_orders)
            or current_items.product_id in (select product_id from changed_products)
            or current_items.product_batch_id in (
                select product_batch_id from changed_batches
            )
            or exists (
                select 1
                from campaign_reach
                where
                    campaign_reach.product_id = current_items.product_id
                    and current_items.sale_time >= campaign_reach.reach_from
                    and (
                        campaign_reach.reach_to is null
                        or current_items.sale_time <= campaign_reach.reach_to
                    )
            )
            {%- if recompute_from is not none and recompute_to is not none %}
            or (
                current_items.sale_time >= '{{ recompute_from }}'::timestamptz
                and current_items.sale_time < '{{ recompute_to }}'::timestamptz
            )
            {%- endif %}
        union
        select existing.order_item_id
        from {{ this }} as existing
        where
            existing.order_id in (select order_id from changed_orders)
            {%- if recompute_from is not none and recompute_to is not none %}
            or (
                existing.sale_time >= '{{ recompute_from }}'::timestamptz
                and existing.sale_time < '{{ recompute_to }}'::timestamptz
            )
            {%- endif %}
    )

    select order_item_id from affected
{% endmacro %}
