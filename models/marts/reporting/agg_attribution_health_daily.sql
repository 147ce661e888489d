{{
    config(
        materialized='incremental',
        incremental_strategy='replace_rows',
        replace_key='sale_date',
        marker_column='items',
        on_schema_change='fail',
        partition_by=['sale_date'],
        unique_key='sale_date',
        pre_hook=[
            "{{ incremental_engine.stage_affected_keys(affected_health_days(incremental_engine.watermark())) }}",
            "{{ incremental_engine.prune_change_log(ref('fct_order_item_attribution'), incremental_engine.watermark()) }}",
            "{{ incremental_engine.prune_change_log(ref('int_order_items_bad'), incremental_engine.watermark()) }}",
            "{{ incremental_engine.prune_change_log(ref('int_orders_observed'), incremental_engine.watermark()) }}",
        ],
        post_hook="{{ incremental_engine.record_full_build() }}",
    )
}}
-- depends_on: {{ ref('fct_order_item_attribution') }}
-- depends_on: {{ ref('int_order_items_bad') }}
-- depends_on: {{ ref('int_orders_observed') }}
-- Attribution health by sale day. Items are counted once each (not once
-- per credit row); revenue is the items' own, so attributed_revenue equals
-- the SPLIT credits and is never inflated. Rates are sums divided by sums,
-- computed by the reader. Reversed items are left out of the rates and
-- counted apart; bad source rows are counted, never credited.
--
-- Every figure is a sum of one value per row of its source: the
-- attribution fact's items, the bad items, the orders observed countable
-- without items. A full build sums the sources' rows (each counting +1).
-- Incremental: each affected day's old figures plus the differences its
-- sources logged (-1 for a row a build deleted, +1 for one it inserted)
-- since this model's watermark, so a run reads only the changed rows. A
-- day left with no row of any source goes.
{%- set since = incremental_engine.watermark() %}
{%- set apply_changes = is_incremental() and not health_days_rebuilt(since) %}
{%- set items_relation = ref('fct_order_item_attribution') %}
{%- set bad_relation = ref('int_order_items_bad') %}
{%- set orders_relation = ref('int_orders_observed') %}
{#- each figure by its source; an incremental run adds it to the day's old one -#}
{%- set figures = [
    ('item_days', [
        'items', 'attributed_items', 'revenue', 'attributed_revenue',
        'items_k0', 'items_k1', 'items_k2', 'items_k3_plus',
        'reversed_items', 'reversed_revenue']),
    ('bad_item_days', [
        'bad_items_non_positive_quantity', 'bad_items_negative_price',
        'bad_items_missing_product']),
    ('empty_order_days', ['orders_without_items']),
] %}
with

{% if apply_changes %}

    attribution as (
        select
            changes.change as difference,
            changes.sale_time,
            changes.is_reversed,
            changes.is_attributed,
            changes.item_revenue,
            changes.matched_campaigns_count
        from {{ incremental_engine.change_log_relation(items_relation) }} as changes
        where changes.logged_at > {{ since }}
    ),

    bad_items as (
        select
            changes.change as difference,
            changes.sale_time,
            changes.bad_reason
        from {{ incremental_engine.change_log_relation(bad_relation) }} as changes
        where changes.logged_at > {{ since }}
    ),

    empty_orders as (
        select
            changes.change as difference,
            changes.sale_time
        from {{ incremental_engine.change_log_relation(orders_relation) }} as changes
        where
            changes.logged_at > {{ since }}
            and changes.has_been_observed_countable
            and not changes.has_items
    ),

{% else %}

    attribution as (
        select
            1 as difference,
            rows_now.sale_time,
            rows_now.is_reversed,
            rows_now.is_attributed,
            rows_now.item_revenue,
            rows_now.matched_campaigns_count
        from {{ items_relation }} as rows_now
    ),

    bad_items as (
        select
            1 as difference,
            rows_now.sale_time,
            rows_now.bad_reason
        from {{ bad_relation }} as rows_now
    ),

    empty_orders as (
        select
            1 as difference,
            rows_now.sale_time
        from {{ orders_relation }} as rows_now
        where rows_now.has_been_observed_countable and not rows_now.has_items
    ),

{% endif %}

item_days as (
    select
        {{ reporting_day('sale_time') }} as sale_date,
        sum(difference) filter (where not is_reversed) as items,
        sum(difference) filter (where not is_reversed and is_attributed)
            as attributed_items,
        sum(difference * item_revenue) filter (where not is_reversed) as revenue,
        sum(difference * item_revenue) filter (where not is_reversed and is_attributed)
            as attributed_revenue,
        sum(difference) filter (where not is_reversed and matched_campaigns_count = 0)
            as items_k0,
        sum(difference) filter (where not is_reversed and matched_campaigns_count = 1)
            as items_k1,
        sum(difference) filter (where not is_reversed and matched_campaigns_count = 2)
            as items_k2,
        sum(difference) filter (where not is_reversed and matched_campaigns_count >= 3)
            as items_k3_plus,
        sum(difference) filter (where is_reversed) as reversed_items,
        sum(difference * item_revenue) filter (where is_reversed) as reversed_revenue
    from attribution
    group by 1
),

bad_item_days as (
    select
        {{ reporting_day('sale_time') }} as sale_date,
        sum(difference) filter (where bad_reason = 'non_positive_quantity')
            as bad_items_non_positive_quantity,
        sum(difference) filter (where bad_reason = 'negative_unit_price')
            as bad_items_negative_price,
        sum(difference) filter (where bad_reason = 'missing_product')
            as bad_items_missing_product
    from bad_items
    group by 1
),

empty_order_days as (
    select
        {{ reporting_day('sale_time') }} as sale_date,
        sum(difference) as orders_without_items
    from empty_orders
    group by 1
),

{% if apply_changes %}
    days as (
        select affected.sale_date
        from {{ incremental_engine.affected_keys_relation() }} as affected
    ),
{% else %}
    days as (
        -- one column each (the linter miscounts the filtered CTEs' wildcards)
        select sale_date from item_days  -- noqa: AM07
        union
        select sale_date from bad_item_days
        union
        select sale_date from empty_order_days
    ),
{% endif %}

counted as (
    select
        days.sale_date,
        {{ running_totals(figures, apply_changes) }}
    from days
    left join item_days
        on days.sale_date = item_days.sale_date
    left join bad_item_days
        on days.sale_date = bad_item_days.sale_date
    left join empty_order_days
        on days.sale_date = empty_order_days.sale_date
    {% if apply_changes %}
        left join {{ this }} as previous
            on days.sale_date = previous.sale_date
    {% endif %}
),

final as (
    select
        sale_date::date as sale_date,
        -- a day left with no row of any source is a marker: its row goes
        case
            when
                items + reversed_items + bad_items_non_positive_quantity
                + bad_items_negative_price + bad_items_missing_product
                + orders_without_items > 0
                then items
        end::bigint as items,
        attributed_items::bigint as attributed_items,
        revenue::numeric(18, 2) as revenue,
        attributed_revenue::numeric(18, 2) as attributed_revenue,
        items_k0::bigint as items_k0,
        items_k1::bigint as items_k1,
        items_k2::bigint as items_k2,
        items_k3_plus::bigint as items_k3_plus,
        reversed_items::bigint as reversed_items,
        reversed_revenue::numeric(18, 2) as reversed_revenue,
        bad_items_non_positive_quantity::bigint as bad_items_non_positive_quantity,
        bad_items_negative_price::bigint as bad_items_negative_price,
        bad_items_missing_product::bigint as bad_items_missing_product,
        orders_without_items::bigint as orders_without_items
    from counted
)

select * from final
{% if is_incremental() and not apply_changes %}
    -- days left with nothing to count: markers clear their rows
    union all
    {{ incremental_engine.marker_rows() }}
{% endif %}
