{{
    config(
        materialized='incremental',
        incremental_strategy='replace_rows',
        replace_key='order_id',
        marker_column='order_status',
        reversal_column='is_reversed',
        change_log=['sale_time', 'has_been_observed_countable', 'has_items'],
        on_schema_change='fail',
        unique_key='order_id',
        pre_hook="{{ incremental_engine.stage_affected_keys(attribution_affected_orders(incremental_engine.watermark())) }}",
        post_hook="{{ incremental_engine.record_full_build() }}",
        indexes=[
            {'columns': ['order_id'], 'unique': true},
            {'columns': ['sale_time']},
        ],
    )
}}
-- What the pipeline has observed of each order (docs/rules.md §1), from
-- the orders' observation: every version it saw, at every run.
--   has_been_observed_countable: seen in a countable status, now or earlier;
--   is_reversed: the current status is a reversal status;
--   reversed_at: updated_at of the first observed version of the current
--     run of reversal statuses (cancelled -> refunded keeps the first);
--   has_items: the ERP holds items of it (an order without any is a bad
--     source row). The ERP bumps updated_at on any change of an order's
--     items, so an order observed again is the order whose items changed.
with

{% if is_incremental() %}
    affected_orders as (
        select affected.order_id
        from {{ incremental_engine.affected_keys_relation() }} as affected
    ),
{% endif %}

order_versions as (
    select * from {{ ref('snap_erp__orders') }}
    {% if is_incremental() %}
        where
            {{ incremental_engine.key_in(
                'order_id', 'select affected_orders.order_id from affected_orders') }}
    {% endif %}
),

orders_with_items as (
    select distinct order_items.order_id
    from {{ ref('stg_erp__order_items') }} as order_items
    {% if is_incremental() %}
        where
            {{ incremental_engine.key_in(
                'order_items.order_id', 'select affected_orders.order_id from affected_orders') }}
    {% endif %}
),

-- the latest version of an order is its current one, unless it says the
-- order was found gone
ranked as (
    select
        *,
        row_number() over (partition by order_id order by observed_at desc)
            as recency
    from order_versions
),

classified as (
    select
        order_id,
        order_status,
        sale_time,
        updated_at,
        observed_at,
        recency = 1 as is_current,
        order_status in ({{ quoted_list(var('countable_statuses')) }})
            as is_countable_status,
        order_status in ({{ quoted_list(var('reversal_statuses')) }})
            as is_reversal_status
    from ranked
    where not is_deleted
),

with_last_non_reversal as (
    select
        *,
        max(case when not is_reversal_status then observed_at end)
            over (partition by order_id)
            as last_non_reversal_observed_at,
        bool_or(is_countable_status) over (partition by order_id)
            as has_been_observed_countable
    from classified
),

-- the first observed version of the current run of reversal statuses
reversal_runs as (
    select
        order_id,
        updated_at,
        row_number() over (partition by order_id order by observed_at)
            as run_position
    from with_last_non_reversal
    where
        is_reversal_status
        and (
            last_non_reversal_observed_at is null
            or observed_at > last_non_reversal_observed_at
        )
),

reversal_starts as (
    select
        order_id,
        updated_at as reversed_at
    from reversal_runs
    where run_position = 1
),

current_orders as (
    select
        with_last_non_reversal.order_id,
        with_last_non_reversal.order_status,
        with_last_non_reversal.sale_time,
        with_last_non_reversal.updated_at,
        with_last_non_reversal.observed_at,
        with_last_non_reversal.has_been_observed_countable,
        with_last_non_reversal.is_reversal_status as is_reversed,
        case
            when with_last_non_reversal.is_reversal_status
                then reversal_starts.reversed_at
        end as reversed_at,
        orders_with_items.order_id is not null as has_items
    from with_last_non_reversal
    left join reversal_starts
        on with_last_non_reversal.order_id = reversal_starts.order_id
    left join orders_with_items
        on with_last_non_reversal.order_id = orders_with_items.order_id
    where with_last_non_reversal.is_current
),

final as (
    select * from current_orders
    -- orders the ERP no longer has: markers that clear their old row
    {{ incremental_engine.union_marker_rows() }}
)

select * from final
