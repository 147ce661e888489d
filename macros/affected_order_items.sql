{#-
    What each incremental model of the attribution recomputes: its affected
    keys, from what the observations (models/snapshots, the incremental
    engine's change detector) saw after `since`, the model's watermark, plus
    what the data team asked to recompute (dbt vars `recompute_order_ids`,
    `recompute_from`/`recompute_to`).

    The order items whose credits may differ from what the facts hold:
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
    {%- set recompute_from = var('recompute_from', none) -%}
    {%- set recompute_to = var('recompute_to', none) -%}
    {%- set campaigns = ref('snap_marketing__ad_campaigns') -%}
    {%- set targeting = ref('snap_marketing__ad_campaign_products') -%}
    with
    changed_orders as (
        {{ attribution_affected_orders(since) }}
    ),

    changed_products as (
        {{ incremental_engine.changed_keys(
            ref('snap_erp__products'), 'product_id', since,
            when_changed=['cost_price']) }}
    ),

    changed_batches as (
        {{ incremental_engine.changed_keys(
            ref('snap_erp__product_batches'), 'product_batch_id', since,
            when_changed=['product_id', 'cost_price']) }}
    ),

    changed_campaigns as (
        {{ incremental_engine.changed_keys(
            campaigns, 'campaign_id', since, when_changed=['starts_at', 'ends_at']) }}
        union
        {{ incremental_engine.changed_keys(targeting, 'campaign_id', since) }}
        union
        {{ incremental_engine.changed_keys(
            ref('snap_marketing__ad_campaign_status_events'), 'campaign_id', since) }}
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
        from {{ campaigns }} as versions
        where versions.campaign_id in (
            select changed_campaigns.campaign_id from changed_campaigns
        )
        group by versions.campaign_id
    ),

    campaign_reach as (
        select distinct
            targets.product_id,
            campaign_flights.reach_from,
            campaign_flights.reach_to
        from {{ targeting }} as targets
        inner join campaign_flights
            on targets.campaign_id = campaign_flights.campaign_id
    ),

    -- the items of the products reached, then their orders: each by an index
    reached_items as (
        select
            order_items.order_item_id,
            order_items.order_id,
            order_items.product_id
        from {{ ref('stg_erp__order_items') }} as order_items
        where
            {{ incremental_engine.key_in(
                'order_items.product_id',
                'select campaign_reach.product_id from campaign_reach') }}
    ),

    reached_orders as (
        select
            orders.order_id,
            orders.sale_time
        from {{ ref('stg_erp__orders') }} as orders
        where
            {{ incremental_engine.key_in(
                'orders.order_id', 'select reached_items.order_id from reached_items') }}
    ),

    -- each part reaches the items by an index: by order, by product
    affected as (
        select order_items.order_item_id
        from {{ ref('stg_erp__order_items') }} as order_items
        where
            {{ incremental_engine.key_in(
                'order_items.order_id',
                'select changed_orders.order_id from changed_orders') }}
        union
        select order_items.order_item_id
        from {{ ref('stg_erp__order_items') }} as order_items
        where
            {{ incremental_engine.key_in(
                'order_items.product_id',
                'select changed_products.product_id from changed_products') }}
        union
        -- ERP replicas need not index items by batch: a hashed semi-join (one
        -- scan of the items), and none at all unless a batch changed
        select order_items.order_item_id
        from {{ ref('stg_erp__order_items') }} as order_items
        where
            exists (select 1 from changed_batches)
            and order_items.product_batch_id in (
                select changed_batches.product_batch_id from changed_batches
            )
        union
        select reached_items.order_item_id
        from reached_items
        inner join reached_orders
            on reached_items.order_id = reached_orders.order_id
        inner join campaign_reach
            on reached_items.product_id = campaign_reach.product_id
        where
            reached_orders.sale_time >= campaign_reach.reach_from
            and (
                campaign_reach.reach_to is null
                or reached_orders.sale_time <= campaign_reach.reach_to
            )
        union
        select existing.order_item_id
        from {{ this }} as existing
        where
            {{ incremental_engine.key_in(
                'existing.order_id', 'select changed_orders.order_id from changed_orders') }}
{%- if recompute_from is not none or recompute_to is not none %}
    {%- set recompute_from = validated_timestamp(recompute_from, 'recompute_from') %}
    {%- set recompute_to = validated_timestamp(recompute_to, 'recompute_to') %}
        union
        select order_items.order_item_id
        from {{ ref('stg_erp__order_items') }} as order_items
        inner join {{ ref('stg_erp__orders') }} as orders
            on order_items.order_id = orders.order_id
        where
            orders.sale_time >= {{ recompute_from }}
            and orders.sale_time < {{ recompute_to }}
        union
        select existing.order_item_id
        from {{ this }} as existing
        where
            existing.sale_time >= {{ recompute_from }}
            and existing.sale_time < {{ recompute_to }}
{%- endif %}
    )

    select order_item_id from affected
{% endmacro %}

{#- The orders whose observed history changed after `since` (one column). -#}
{% macro attribution_affected_orders(since) %}
    {%- set order_ids = var('recompute_order_ids', []) -%}
    {%- set order_ids = [order_ids] if order_ids is number else order_ids -%}
    {{ incremental_engine.changed_keys(ref('snap_erp__orders'), 'order_id', since) }}
    {%- for order_id in order_ids %}
    union select {{ order_id | int }}
    {%- endfor %}
{% endmacro %}

{#- A timestamp var as a SQL literal; anything else stops the run. -#}
{% macro validated_timestamp(value, name) -%}
    {%- set iso = "^[0-9]{4}-[0-9]{2}-[0-9]{2}([ T][0-9:.]+)?(Z|[+-][0-9:]+)?$" -%}
    {%- if value is none -%}
        {{ exceptions.raise_compiler_error(
            name ~ " is required with recompute_from/recompute_to") }}
    {%- endif -%}
    {%- if not modules.re.match(iso, value | string) -%}
        {{ exceptions.raise_compiler_error(
            name ~ " must be an ISO date or timestamp, got " ~ value) }}
    {%- endif -%}
    {{ incremental_engine.timestamp_literal(value) }}
{%- endmacro %}

{#-
    The relations attribution_affected_order_items reads, declared as the
    calling model's dependencies: the models that stage their affected items
    in a pre-hook call this in their body, since a hook's refs are not the
    model's.
-#}
{% macro attribution_affected_order_items_depends_on() %}
-- depends_on: {{ ref('snap_erp__orders') }}
-- depends_on: {{ ref('snap_erp__products') }}
-- depends_on: {{ ref('snap_erp__product_batches') }}
-- depends_on: {{ ref('snap_marketing__ad_campaigns') }}
-- depends_on: {{ ref('snap_marketing__ad_campaign_products') }}
-- depends_on: {{ ref('snap_marketing__ad_campaign_status_events') }}
-- depends_on: {{ ref('stg_erp__order_items') }}
-- depends_on: {{ ref('stg_erp__orders') }}
{% endmacro %}

{#-
    Whether the row's order item is one the model recomputes: in an
    incremental run, one the pre-hook staged as affected
    (attribution_affected_order_items); in a full build, every one.
-#}
{% macro attribution_item_is_affected(column='order_item_id') -%}
    {%- if is_incremental() -%}
        {{ incremental_engine.key_in(
            column,
            'select affected.order_item_id from '
            ~ incremental_engine.affected_keys_relation() ~ ' as affected') }}
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}
