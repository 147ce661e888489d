{#- An instant (PostgreSQL's timestamptz, Spark's timestamp): for casts. -#}
{% macro type_timestamptz() -%}
    {{ return(adapter.dispatch('type_timestamptz')()) }}
{%- endmacro %}

{% macro default__type_timestamptz() -%}
    timestamptz
{%- endmacro %}

{% macro spark__type_timestamptz() -%}
    timestamp
{%- endmacro %}
