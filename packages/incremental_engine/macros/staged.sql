{#-
    Rows a build computes before its model's select (in a pre-hook) and the
    select then reads, as a table the planner knows.

    stage(name, query): the query's rows as `<model>__<name>`: a temporary
    table, analysed (PostgreSQL), so the planner knows how many rows the
    select's joins meet (a CTE whose rows it guesses at one turns every
    join after it into a nested loop, each inner side computed again per
    row); a parquet table (Spark). One relation per name and model, replaced
    by the next build.
    staged_relation(name): its name, for the model's SQL.
-#}
{% macro stage(name, query) %}
    {{ return(adapter.dispatch('stage', 'incremental_engine')(name, query)) }}
{% endmacro %}

{% macro default__stage(name, query) %}
    drop table if exists {{ incremental_engine.staged_relation(name) }};
    create temporary table {{ incremental_engine.staged_relation(name) }}
    as {{ query }};
    analyze {{ incremental_engine.staged_relation(name) }}
{% endmacro %}

{#- Spark: one statement per call, the drop run first. -#}
{% macro spark__stage(name, query) %}
    {%- if execute -%}
        {%- do run_query(
            "drop table if exists " ~ incremental_engine.staged_relation(name)) -%}
    {%- endif -%}
    create table {{ incremental_engine.staged_relation(name) }} using parquet
    as {{ query }}
{% endmacro %}

{% macro staged_relation(name) -%}
    {{ return(adapter.dispatch('staged_relation', 'incremental_engine')(name)) }}
{%- endmacro %}

{% macro default__staged_relation(name) -%}
    {{ this.identifier }}__{{ name }}
{%- endmacro %}

{% macro spark__staged_relation(name) -%}
    {{ this.schema }}.{{ this.identifier }}__{{ name }}
{%- endmacro %}
