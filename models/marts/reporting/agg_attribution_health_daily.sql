{{
    config(
        materialized='incremental',
        incremental_strategy='replace_rows',
        replace_key='sale_date',
        marker_column='items',
        on_schema_change='fail',
        unique_key='sale_date',
        pre_hook=[
            "{{ stage_affected_keys(affected_health_days(attribution_watermark())) }}",
            "{{ prune_change_log(ref('fct_order_item_attribution'), attribution_watermark()) }}",
            "{{ prune_change_log(ref('int_orders_observed'), attribution_watermark()) }}",
        ],
        post_hook="{{ record_full_build() }}",
    )
}}
-- depends_on: {{ ref('fct_order_item_attribution') }}
-- depends_on: {{ ref('int_orders_observed') }}
-- Attribution health by sale day. Items are counted once each (not once
-- per credit row); revenue is the items' own, so attributed_revenue equals
-- the SPLIT credits and is never inflated. Rates are sums divided by sums,
-- computed by the reader. Reversed items are left out of the rates and
-- counted apart; bad source rows are counted, never credited.
-- Incremental: each run recomputes the days whose items or orders changed.
with

{% if is_incremental() %}
    affected_days as (
        select
            affected.sale_date,
            {{ day_bounds('affected.sale_date') }} as day_from,
            {{ day_bounds('affected.sale_date + 1') }} as day_to
        from {{ affected_keys_relation() }} as affected
    ),
{% endif %}

attribution as (
    select rows_of_day.*
    from {{ ref('fct_order_item_attribution') }} as rows_of_day
    {{ on_affected_days('rows_of_day') }}
),

evaluated_items as (
    select rows_of_day.*
    from {{ ref('int_order_items_evaluated') }} as rows_of_day
    {{ on_affected_days('rows_of_day') }}
    where rows_of_day.has_been_observed_countable
),

observed_orders as (
    select rows_of_day.*
    from {{ ref('int_orders_observed') }} as rows_of_day
    {{ on_affected_days('rows_of_day') }}
    where rows_of_day.has_been_observed_countable
),

order_items as (
    select * from {{ ref('stg_erp__order_items') }}
),

item_days as (
    select
        {{ reporting_day('sale_time') }} as sale_date,
        count(*) filter (where not is_reversed) as items,
        count(*) filter (where not is_reversed and is_attributed) as attributed_items,
        coalesce(sum(item_revenue) filter (where not is_reversed), 0) as revenue,
        coalesce(sum(item_revenue) filter (where not is_reversed and is_attributed), 0)
            as attributed_revenue,
        count(*) filter (where not is_reversed and matched_campaigns_count = 0)
            as items_k0,
        count(*) filter (where not is_reversed and matched_campaigns_count = 1)
            as items_k1,
        count(*) filter (where not is_reversed and matched_campaigns_count = 2)
            as items_k2,
        count(*) filter (where not is_reversed and matched_campaigns_count >= 3)
            as items_k3_plus,
        count(*) filter (where is_reversed) as reversed_items,
        coalesce(sum(item_revenue) filter (where is_reversed), 0) as reversed_revenue
    from attribution
    group by 1
),

bad_item_days as (
    select
        {{ reporting_day('sale_time') }} as sale_date,
        count(*) filter (where bad_reason = 'non_positive_quantity')
            as bad_items_non_positive_quantity,
        count(*) filter (where bad_reason = 'negative_unit_price')
            as bad_items_negative_price,
        count(*) filter (where bad_reason = 'missing_product')
            as bad_items_missing_product
    from evaluated_items
    where bad_reason is not null
    group by 1
),

empty_order_days as (
    select
        {{ reporting_day('observed_orders.sale_time') }} as sale_date,
        count(*) as orders_without_items
    from observed_orders
    where
        not exists (
            select 1 from order_items
            where order_items.order_id = observed_orders.order_id
        )
    group by 1
),

days as (
    -- one column each (the linter miscounts the filtered CTEs' wildcards)
    select sale_date from item_days  -- noqa: AM07
    union
    select sale_date from bad_item_days
    union
    select sale_date from empty_order_days
),

final as (
    select
        days.sale_date::date as sale_date,
        coalesce(item_days.items, 0)::bigint as items,
        coalesce(item_days.attributed_items, 0)::bigint as attributed_items,
        coalesce(item_days.revenue, 0)::numeric(18, 2) as revenue,
        coalesce(item_days.attributed_revenue, 0)::numeric(18, 2) as attributed_revenue,
        coalesce(item_days.items_k0, 0)::bigint as items_k0,
        coalesce(item_days.items_k1, 0)::bigint as items_k1,
        coalesce(item_days.items_k2, 0)::bigint as items_k2,
        coalesce(item_days.items_k3_plus, 0)::bigint as items_k3_plus,
        coalesce(item_days.reversed_items, 0)::bigint as reversed_items,
        coalesce(item_days.reversed_revenue, 0)::numeric(18, 2) as reversed_revenue,
        coalesce(bad_item_days.bad_items_non_positive_quantity, 0)::bigint
            as bad_items_non_positive_quantity,
        coalesce(bad_item_days.bad_items_negative_price, 0)::bigint
            as bad_items_negative_price,
        coalesce(bad_item_days.bad_items_missing_product, 0)::bigint
            as bad_items_missing_product,
        coalesce(empty_order_days.orders_without_items, 0)::bigint
            as orders_without_items
    from days
    left join item_days
        on days.sale_date = item_days.sale_date
    left join bad_item_days
        on days.sale_date = bad_item_days.sale_date
    left join empty_order_days
        on days.sale_date = empty_order_days.sale_date
)

select * from final
{% if is_incremental() %}
    -- days left with nothing to count: markers clear their rows
    union all
    {{ marker_rows() }}
{% endif %}
