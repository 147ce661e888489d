-- depends_on: {{ ref('fct_order_item_campaign_credits') }}
-- depends_on: {{ ref('fct_order_item_attribution') }}
-- Built after the facts, so the latest build of this run is in it: data
-- freshness for the app's health page and for BI tools.
with

builds as (
    select * from {{ ref('stg_pipeline__attribution_runs') }}
    where model_name like 'fct\_%'
),

final as (
    select
        build_id::bigint as build_id,
        model_name::text as model_name,
        built_at::timestamptz as built_at,
        watermark::timestamptz as watermark,
        is_full_build::boolean as is_full_build,
        items_recomputed::bigint as items_recomputed,
        rows_deleted::bigint as rows_deleted,
        rows_inserted::bigint as rows_inserted,
        rows_reversed::bigint as rows_reversed
    from builds
)

select * from final
