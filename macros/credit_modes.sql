{#-
    The credit modes var (FULL, SPLIT) as a one-column query, credit_mode:
    every reader that needs a row per mode cross joins it.
-#}
{% macro credit_modes_values() -%}
    select unnest(array[{{ quoted_list(var('credit_modes')) }}]::text[]) as credit_mode
{%- endmacro %}
