with

source as (
    select * from {{ source('pipeline', 'attribution_runs') }}
),

renamed as (
    select
        run_id as build_id,
        model_name,
        watermark,
        built_at,
        is_full_build,
        items_recomputed,
        rows_deleted,
        rows_inserted,
        rows_reversed,
        invocation_id
    from source
)

select * from renamed
