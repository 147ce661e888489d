{{
    config(
        materialized='incremental',
        incremental_strategy='replace_rows',
        reversal_column='is_reversed',
        unique_key='order_item_id',
        marker_column='order_id',
        change_log=[
            'sale_time', 'is_reversed', 'is_attributed', 'item_revenue',
            'matched_campaigns_count',
        ],
        on_schema_change='fail',
        partition_by=['sale_date'],
        pre_hook="{{ incremental_engine.stage_affected_keys(attribution_affected_order_items(incremental_engine.watermark())) }}",
        post_hook="{{ incremental_engine.record_full_build() }}",
        indexes=[
            {'columns': ['order_item_id'], 'unique': true},
            {'columns': ['sale_time']},
            {'columns': ['order_id']},
            {'columns': ['product_id', 'sale_time']},
        ],
    )
}}
{{ attribution_affected_order_items_depends_on() }}
with

matches as (
    select * from {{ ref('int_order_items_matched') }}
    where
        campaign_rank = 1
        and {{ attribution_item_is_affected() }}
),

typed as (
    select
        order_item_id::bigint as order_item_id,
        order_id::bigint as order_id,
        product_id::bigint as product_id,
        sale_time::{{ type_timestamptz() }} as sale_time,
        quantity::numeric(14, 4) as quantity,
        item_revenue::numeric(14, 2) as item_revenue,
        item_profit::numeric(14, 2) as item_profit,
        matched_campaigns_count::integer as matched_campaigns_count,
        (matched_campaigns_count > 0)::boolean as is_attributed,
        is_reversed::boolean as is_reversed,
        reversed_at::{{ type_timestamptz() }} as reversed_at,
        {{ reporting_day('sale_time') }} as sale_date
    from matches

    -- items that keep no row: markers that clear their old one
    {{ incremental_engine.union_marker_rows() }}
)

select * from typed
