{#-
    The engine's clock: one instant per build, compared across builds.

    now(): when this build happened. On PostgreSQL the transaction's start
    (every statement of a build, and every observation committed before it,
    are on one side of it); on Spark the query's start.
    timestamp_literal(text): a value read back from the run log, as a literal
    the warehouse compares with `now()`'s values.
-#}
{% macro now() -%}
    {{ return(adapter.dispatch('now', 'incremental_engine')()) }}
{%- endmacro %}

{% macro default__now() -%}
    now()
{%- endmacro %}

{% macro spark__now() -%}
    current_timestamp()
{%- endmacro %}

{% macro timestamp_literal(text) -%}
    {{ return(adapter.dispatch('timestamp_literal', 'incremental_engine')(text)) }}
{%- endmacro %}

{% macro default__timestamp_literal(text) -%}
    '{{ text }}'::timestamptz
{%- endmacro %}

{% macro spark__timestamp_literal(text) -%}
    {%- if text == '-infinity' -%}
        timestamp'0001-01-01 00:00:00'
    {%- else -%}
        timestamp'{{ text }}'
    {%- endif -%}
{%- endmacro %}
