{#-
    The run log: one row per build of an incremental model, with the
    watermark its next incremental build starts from (`now()` of the build:
    everything observed before it was visible to it, everything observed
    later is newer) and its counts. Vars `run_log_schema` (default
    intermediate) and `run_log_table` (default incremental_runs) name it.
    The project's on-run-start creates it: `{{ incremental_engine.ensure_run_log() }}`.
-#}
{% macro run_log_schema() -%}
    {{ return(var('run_log_schema', 'intermediate')) }}
{%- endmacro %}

{% macro run_log_table() -%}
    {{ return(var('run_log_table', 'incremental_runs')) }}
{%- endmacro %}

{% macro run_log_relation() -%}
    {{ incremental_engine.run_log_schema() }}.{{ incremental_engine.run_log_table() }}
{%- endmacro %}

{% macro ensure_run_log() %}
    {{ return(adapter.dispatch('ensure_run_log', 'incremental_engine')()) }}
{% endmacro %}

{% macro default__ensure_run_log() %}
    create schema if not exists {{ incremental_engine.run_log_schema() }};
    create table if not exists {{ incremental_engine.run_log_relation() }} (
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
    create index if not exists {{ incremental_engine.run_log_table() }}_model_watermark
    on {{ incremental_engine.run_log_relation() }} (model_name, watermark);
    create index if not exists {{ incremental_engine.run_log_table() }}_model_built
    on {{ incremental_engine.run_log_relation() }} (model_name, built_at);
{% endmacro %}

{#- Spark: no identity, no index; run_id orders builds (microseconds). -#}
{% macro spark__ensure_run_log() %}
    {%- do run_query(
        "create database if not exists " ~ incremental_engine.run_log_schema()) -%}
    create table if not exists {{ incremental_engine.run_log_relation() }} (
        run_id bigint,
        model_name string,
        watermark timestamp,
        built_at timestamp,
        is_full_build boolean,
        items_recomputed bigint,
        rows_deleted bigint,
        rows_inserted bigint,
        rows_reversed bigint,
        invocation_id string
    ) using parquet
{% endmacro %}

{#- The run log's columns, in the order a build's row is inserted. -#}
{% macro run_log_insert() -%}
    insert into {{ incremental_engine.run_log_relation() }} (
        {%- if target.type == 'spark' %} run_id,{% endif %}
        model_name, watermark, built_at, is_full_build, items_recomputed,
        rows_deleted, rows_inserted, rows_reversed, invocation_id
    )
{%- endmacro %}

{#-
    The model's watermark as a literal (`-infinity` before its first
    build), read when the model runs, so the planner can use the indexes on
    observation times; `model_name` reads another model's (a change log's
    other reader).
-#}
{% macro watermark(model_name=none) -%}
    {%- set since = "-infinity" -%}
    {%- if execute -%}
        {%- set runs = adapter.get_relation(
            database=target.database,
            schema=incremental_engine.run_log_schema(),
            identifier=incremental_engine.run_log_table()) -%}
        {%- if runs is not none -%}
            {%- set result = run_query(
                "select cast(max(watermark) as " ~ dbt.type_string() ~ ")"
                ~ " from " ~ incremental_engine.run_log_relation()
                ~ " where model_name = '" ~ (model_name or this.identifier) ~ "'") -%}
            {%- set since = result.columns[0].values()[0] or "-infinity" -%}
        {%- endif -%}
    {%- endif -%}
    {{ incremental_engine.timestamp_literal(since) }}
{%- endmacro %}

{#-
    The latest full build of `model_name` after the watermark `since`
    (a literal), as a query returning a row iff there is one.
-#}
{% macro full_build_since(model_name, since) -%}
    select 1 from {{ incremental_engine.run_log_relation() }} as runs
    where
        runs.model_name = '{{ model_name }}'
        and runs.is_full_build
        and runs.watermark > {{ since }}
{%- endmacro %}

{#-
    Post-hook of every incremental model: a full build logs itself here (an
    incremental build has already logged itself in its strategy) and starts
    its change log afresh.
-#}
{% macro record_full_build() %}
    {{ return(adapter.dispatch('record_full_build', 'incremental_engine')()) }}
{% endmacro %}

{% macro default__record_full_build() %}
    {{ incremental_engine.ensure_change_log(this, incremental_engine.change_log_columns()) }};
    {{ incremental_engine.run_log_insert() }}
    select
        '{{ this.identifier }}', now(), clock_timestamp(), true, null, null,
        counts.rows_total, counts.rows_reversed, '{{ invocation_id }}'
    from (
        select
            count(*) as rows_total,
            count(*) filter (where {{ config.get("reversal_column", "false") }})
            as rows_reversed
        from {{ this }}
    ) as counts
    where not exists (
        select 1 from {{ incremental_engine.run_log_relation() }}
        where model_name = '{{ this.identifier }}' and watermark = now()
    )
{% endmacro %}

{#- Spark: one statement per call; an incremental build ends in its own
    statement, so the hook runs only after a full one. -#}
{% macro spark__record_full_build() %}
    {%- if is_incremental() -%}
        select 1
    {%- else -%}
        {%- do run_query(incremental_engine.ensure_change_log(
            this, incremental_engine.change_log_columns())) -%}
        {{ incremental_engine.run_log_insert() }}
        select
            unix_micros(current_timestamp()), '{{ this.identifier }}',
            max(started.started_at), current_timestamp(), true, null, null,
            count(*),
            count_if({{ config.get("reversal_column", "false") }}),
            '{{ invocation_id }}'
        from {{ this }}
        cross join {{ incremental_engine.build_started_relation() }} as started
    {%- endif -%}
{% endmacro %}

{#-
    Post-hook of a change log's reader that is not itself a replace_rows
    model (an append-only history): its build in the run log, so that
    `watermark()` says how far it has read. `inserted_where` (a condition
    on its rows) counts the rows this build added.
-#}
{% macro record_reader_build(inserted_where=none) %}
    {{ return(adapter.dispatch('record_reader_build', 'incremental_engine')(
        inserted_where)) }}
{% endmacro %}

{% macro default__record_reader_build(inserted_where) %}
    {{ incremental_engine.run_log_insert() }}
    select
        '{{ this.identifier }}', now(), clock_timestamp(),
        {{ incremental_engine.reader_build_counts(inserted_where) }}
{% endmacro %}

{% macro spark__record_reader_build(inserted_where) %}
    {{ incremental_engine.run_log_insert() }}
    select
        unix_micros(current_timestamp()), '{{ this.identifier }}',
        current_timestamp(), current_timestamp(),
        {{ incremental_engine.reader_build_counts(inserted_where) }}
{% endmacro %}

{#-
    A reader build's run log columns from `is_full_build` on, on every
    warehouse: no items recomputed, no rows deleted or reversed; the rows
    `inserted_where` counts, when given.
-#}
{% macro reader_build_counts(inserted_where) -%}
    {{ not is_incremental() }}, null, null,
    {% if inserted_where -%}
        (select count(*) from {{ this }} where {{ inserted_where }}),
    {%- else -%}
        null,
    {%- endif %}
    null, '{{ invocation_id }}'
{%- endmacro %}
