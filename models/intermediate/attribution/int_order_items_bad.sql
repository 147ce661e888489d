{{
    config(
        materialized='incremental',
        incremental_strategy='replace_rows',
        marker_column='bad_reason',
        change_log=['sale_time', 'bad_reason'],
        on_schema_change='fail',
        unique_key='order_item_id',
        pre_hook="{{ incremental_engine.stage_affected_keys(attribution_affected_order_items(incremental_engine.watermark())) }}",
        post_hook="{{ incremental_engine.record_full_build() }}",
        indexes=[
            {'columns': ['order_item_id'], 'unique': true},
            {'columns': ['order_id']},
        ],
    )
}}
{{ attribution_affected_order_items_depends_on() }}
-- The bad source rows among the items of orders observed countable
-- (docs/rules.md §1): reported, never credited. Incremental over the same
-- items as the attribution fact recomputes, with a change log, so the
-- health mart adds what changed instead of recounting whole days.
with

evaluated_items as (
    select * from {{ ref('int_order_items_evaluated') }}
    where
        has_been_observed_countable
        and not is_good
        and {{ attribution_item_is_affected() }}
),

typed as (
    select
        order_item_id::bigint as order_item_id,
        order_id::bigint as order_id,
        sale_time::{{ type_timestamptz() }} as sale_time,
        bad_reason::{{ dbt.type_string() }} as bad_reason
    from evaluated_items

    -- items no longer bad, or gone: markers that clear their old row
    {{ incremental_engine.union_marker_rows() }}
)

select * from typed
