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

{#- Text without a length (Spark calls it string). -#}
{% macro type_text() -%}
    {{ return(adapter.dispatch('type_text')()) }}
{%- endmacro %}

{% macro default__type_text() -%}
    text
{%- endmacro %}

{% macro spark__type_text() -%}
    string
{%- endmacro %}

{#-
    A ratio or estimate without a fixed scale: PostgreSQL's numeric; on
    Spark a bare decimal has no fraction, so one wide enough for both.
-#}
{% macro type_ratio() -%}
    {{ return(adapter.dispatch('type_ratio')()) }}
{%- endmacro %}

{% macro default__type_ratio() -%}
    numeric
{%- endmacro %}

{% macro spark__type_ratio() -%}
    decimal(38, 12)
{%- endmacro %}
