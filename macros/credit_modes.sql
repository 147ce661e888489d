{#-
    The credit modes var (FULL, SPLIT) as a one-column query, credit_mode:
    every reader that needs a row per mode cross joins it.
-#}
{% macro credit_modes_values() -%}
    {{ return(adapter.dispatch('credit_modes_values')()) }}
{%- endmacro %}

{% macro default__credit_modes_values() -%}
    select unnest(array[{{ quoted_list(var('credit_modes')) }}]::text[]) as credit_mode
{%- endmacro %}

{% macro spark__credit_modes_values() -%}
    select explode(array({{ quoted_list(var('credit_modes')) }})) as credit_mode
{%- endmacro %}
