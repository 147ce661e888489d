{#-
    The keys an incremental build recomputes, staged before the build (the
    model's pre-hook); key_in.sql reaches rows by them.

    stage_affected_keys(query): the keys as `<model>__affected_keys`, a
    temporary table that is analysed (PostgreSQL) or cached (Spark), so the
    planner knows how few they are. A full build instead starts the model's
    change log afresh.
    affected_keys_relation(): that table's name, for the model's SQL.
-#}
{% macro stage_affected_keys(affected_sql) %}
    {{ return(adapter.dispatch('stage_affected_keys', 'incremental_engine')(affected_sql)) }}
{% endmacro %}

{% macro default__stage_affected_keys(affected_sql) %}
    {%- if not is_incremental() -%}
        {{ return(incremental_engine.drop_change_log(this)) }}
    {%- endif -%}
    drop table if exists {{ incremental_engine.affected_keys_relation() }};
    create temporary table {{ incremental_engine.affected_keys_relation() }}
    as {{ affected_sql }};
    analyze {{ incremental_engine.affected_keys_relation() }}
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
    {%- if execute -%}
        {%- do run_query(
            "drop table if exists " ~ incremental_engine.affected_keys_relation()) -%}
    {%- endif -%}
    create table {{ incremental_engine.affected_keys_relation() }} using parquet
    as {{ affected_sql }}
{% endmacro %}

{% macro build_started_relation() -%}
    {{ this.schema }}.{{ this.identifier }}__build_started
{%- endmacro %}

{% macro affected_keys_relation() -%}
    {{ return(adapter.dispatch('affected_keys_relation', 'incremental_engine')()) }}
{%- endmacro %}

{% macro default__affected_keys_relation() -%}
    {{ this.identifier }}__affected_keys
{%- endmacro %}

{% macro spark__affected_keys_relation() -%}
    {{ this.schema }}.{{ this.identifier }}__affected_keys
{%- endmacro %}
