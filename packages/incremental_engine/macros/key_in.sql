{#-
    key_in(column, query): `column` is one of the keys `query` returns, as
    the warehouse best reaches rows by key: on PostgreSQL an array
    (`= any(array(...))`), which the planner serves from the column's index,
    where a semi-join with a view (or a key set it guesses large) becomes a
    hash of the keys and a scan of the whole table; on Spark a semi-join,
    broadcast when the keys are few.
-#}
{% macro key_in(column, query) -%}
    {{ return(adapter.dispatch('key_in', 'incremental_engine')(column, query)) }}
{%- endmacro %}

{% macro default__key_in(column, query) -%}
    {{ column }} = any(array(
        {{ query }}
    ))
{%- endmacro %}

{% macro spark__key_in(column, query) -%}
    {{ column }} in ({{ query }})
{%- endmacro %}
