{{ config(materialized='view') }}
-- The pipeline's run log as everyone outside dbt reads it: data freshness
-- for the app's health page and BI tools, a build's figures for Dagster's
-- materialisations, the watermark for the nightly comparison. A view, so a
-- build is in it the moment its model commits: Dagster reads a fact's row
-- while the same dbt build is still running. It depends on nothing but the
-- log, so even the first build creates it before any fact. The incremental
-- models write the log itself (macros/incremental/run_log.sql).
with

builds as (
    select * from {{ ref('stg_pipeline__attribution_runs') }}
),

final as (
    select
        build_id::bigint as build_id,
        model_name::{{ dbt.type_string() }} as model_name,
        built_at::{{ type_timestamptz() }} as built_at,
        watermark::{{ type_timestamptz() }} as watermark,
        is_full_build::boolean as is_full_build,
        items_recomputed::bigint as items_recomputed,
        rows_deleted::bigint as rows_deleted,
        rows_inserted::bigint as rows_inserted,
        rows_reversed::bigint as rows_reversed,
        invocation_id::{{ dbt.type_string() }} as invocation_id
    from builds
)

select * from final
