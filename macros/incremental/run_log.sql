{#-
    The run log of the incremental facts: one row per build, with the
    watermark the next incremental run starts from. The watermark is the
    build's transaction start: every snapshot observation it used was
    committed before it, every later one is newer.
-#}
{% macro attribution_runs_relation() -%}
    {{ var('attribution_runs_schema', 'intermediate') }}.attribution_runs
{%- endmacro %}

{% macro ensure_attribution_runs() %}
    create schema if not exists {{ var('attribution_runs_schema', 'intermediate') }};
    create table if not exists {{ attribution_runs_relation() }} (
        run_id bigint generated always as identity primary key,
        model_name text not null,
        watermark timestamptz not null,
        built_at timestamptz not null,
        is_full_build boolean not null,
        items_recomputed bigint,
        rows_deleted bigint,
        rows_inserted bigint,
        rows_reversed bigint,
        invocation_id text
    );
    -- every run reads the log by model (its watermark, its last build time):
    -- a row per model per run must not make that a scan of the whole log
    create index if not exists attribution_runs_model_watermark
    on {{ attribution_runs_relation() }} (model_name, watermark);
    create index if not exists attribution_runs_model_built
    on {{ attribution_runs_relation() }} (model_name, built_at);
{% endmacro %}

{#-
    The model's watermark as a literal, read when the model runs, so the
    planner can use the snapshots' indexes on their observation times.
    Snapshot times are timestamps without time zone in the session's zone
    (dbt runs pin it to UTC), so the literal is one too.
-#}
{% macro attribution_watermark() -%}
    {%- set since = "-infinity" -%}
    {%- if execute -%}
        {%- set runs = adapter.get_relation(
            database=target.database,
            schema=var('attribution_runs_schema', 'intermediate'),
            identifier='attribution_runs') -%}
        {%- if runs is not none -%}
            {%- set result = run_query(
                "select coalesce(max(watermark), '-infinity')::timestamp::text"
                ~ " from " ~ attribution_runs_relation()
                ~ " where model_name = '" ~ this.identifier ~ "'") -%}
            {%- set since = result.columns[0].values()[0] -%}
        {%- endif -%}
    {%- endif -%}
    '{{ since }}'::timestamp
{%- endmacro %}

{#-
    The latest full build of `model_name` after the watermark `since`
    (a literal), as a query returning a row iff there is one.
-#}
{% macro full_build_since(model_name, since) -%}
    select 1 from {{ attribution_runs_relation() }} as runs
    where
        runs.model_name = '{{ model_name }}'
        and runs.is_full_build
        and runs.watermark > {{ since }}
{%- endmacro %}

{#-
    After every build: a full build logs itself here; an incremental build
    has already logged itself in the strategy, in this same transaction.
-#}
{% macro record_full_build() %}
{{ ensure_change_log(this, change_log_columns()) }};
    insert into {{ attribution_runs_relation() }} (
        model_name, watermark, built_at, is_full_build, rows_inserted,
        rows_reversed, invocation_id
    )
    select
        '{{ this.identifier }}', now(), clock_timestamp(), true,
        counts.rows_total, counts.rows_reversed, '{{ invocation_id }}'
    from (
        select
            count(*) as rows_total,
            count(*) filter (where {{ config.get("reversal_column", "false") }})
            as rows_reversed
        from {{ this }}
    ) as counts
    where not exists (
        select 1 from {{ attribution_runs_relation() }}
        where model_name = '{{ this.identifier }}' and watermark = now()
    )
{% endmacro %}

{#-
    Before an incremental build: the keys to recompute, in an analysed
    temporary table, so the planner sees how few they are and reaches every
    source through its indexes.
-#}
{% macro stage_affected_keys(affected_sql) %}
    {% if is_incremental() %}
        drop table if exists {{ affected_keys_relation() }};
        create temporary table {{ affected_keys_relation() }} as {{ affected_sql }};
        analyze {{ affected_keys_relation() }};
    {% else %}
        -- a full build starts the change log afresh: whoever reads it
        -- after this build recomputes everything anyway (changed_since)
        drop table if exists {{ change_log_relation(this) }};
    {% endif %}
{% endmacro %}

{% macro affected_keys_relation() -%}
    {{ this.identifier }}__affected_keys
{%- endmacro %}
