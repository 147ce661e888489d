{{
    config(
        materialized='incremental',
        incremental_strategy='replace_rows',
        reversal_column='is_reversed',
        unique_key=['order_item_id', 'campaign_id', 'credit_mode'],
        marker_column='credit_mode',
        change_log=[
            'order_id', 'campaign_id', 'credit_mode', 'sale_time', 'credited_qty',
            'credited_revenue', 'credited_profit', 'is_reversed',
        ],
        on_schema_change='fail',
        partition_by=['sale_date'],
        pre_hook="{{ incremental_engine.stage_affected_keys(attribution_affected_order_items(incremental_engine.watermark())) }}",
        post_hook="{{ incremental_engine.record_full_build() }}",
        indexes=[
            {'columns': ['order_item_id', 'campaign_id', 'credit_mode'], 'unique': true},
            {'columns': ['campaign_id', 'sale_time']},
            {'columns': ['order_id']},
        ],
    )
}}
{{ attribution_affected_order_items_depends_on() }}
with

credits as (
    select * from {{ ref('int_order_item_credits_allocated') }}
    where {{ attribution_item_is_affected() }}
),

typed as (
    select
        order_item_id::bigint as order_item_id,
        campaign_id::bigint as campaign_id,
        credit_mode::{{ dbt.type_string() }} as credit_mode,
        order_id::bigint as order_id,
        product_id::bigint as product_id,
        sale_time::{{ type_timestamptz() }} as sale_time,
        credited_qty::numeric(14, 4) as credited_qty,
        credited_revenue::numeric(14, 2) as credited_revenue,
        credited_profit::numeric(14, 2) as credited_profit,
        matched_campaigns_count::integer as matched_campaigns_count,
        is_reversed::boolean as is_reversed,
        reversed_at::{{ type_timestamptz() }} as reversed_at,
        {{ reporting_day('sale_time') }} as sale_date
    from credits

    -- items that keep no credits at all: markers that clear their old rows
    {{ incremental_engine.union_marker_rows() }}
)

select * from typed
