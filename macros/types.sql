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

{#- A number of any scale (PostgreSQL's unbounded numeric); Spark's plain
    `numeric` is decimal(10, 0), so it gets the widest decimal Spark's JDBC
    reader gives PostgreSQL's numeric. -#}
{% macro type_numeric_any() -%}
    {{ return(adapter.dispatch('type_numeric_any')()) }}
{%- endmacro %}

{% macro default__type_numeric_any() -%}
    numeric
{%- endmacro %}

{% macro spark__type_numeric_any() -%}
    decimal(38, 18)
{%- endmacro %}
