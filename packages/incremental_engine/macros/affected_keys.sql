{#-
    The keys an incremental build recomputes, staged before the build (the
    model's pre-hook); key_in.sql reaches rows by them.

    stage_affected_keys(query): the keys staged (staged.sql) as
    `<model>__affected_keys`, so the planner knows how few they are. A full
    build instead starts the model's change log afresh.
    affected_keys_relation(): that table's name, for the model's SQL.
-#}
{% macro stage_affected_keys(affected_sql) %}
    {{ return(adapter.dispatch('stage_affected_keys', 'incremental_engine')(affected_sql)) }}
{% endmacro %}

{% macro default__stage_affected_keys(affected_sql) %}
    {%- if not is_incremental() -%}
        {{ return(incremental_engine.drop_change_log(this)) }}
    {%- endif -%}
    {{ incremental_engine.stage('affected_keys', affected_sql) }}
{% endmacro %}

{#- Spark: tables, not cached views (a cached view is recomputed, from the
    new rows, once the model's table is overwritten); the build's start is
    kept too, as the watermark its run log row gets (no transaction gives
    one). One statement per call. -#}
{% macro spark__stage_affected_keys(affected_sql) %}
    {%- set started = incremental_engine.build_started_relation() -%}
    {%- if execute -%}
        {%- do run_query("drop table if exists " ~ started) -%}
        {%- do run_query("create table " ~ started
            ~ " using parquet as select current_timestamp() as started_at") -%}
    {%- endif -%}
    {%- if not is_incremental() -%}
        {{ return(incremental_engine.drop_change_log(this)) }}
    {%- endif -%}
    {{ incremental_engine.stage('affected_keys', affected_sql) }}
{% endmacro %}

{% macro build_started_relation() -%}
    {{ this.schema }}.{{ this.identifier }}__build_started
{%- endmacro %}

{% macro affected_keys_relation() -%}
    {{ incremental_engine.staged_relation('affected_keys') }}
{%- endmacro %}
