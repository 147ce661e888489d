{#-
    Marker rows: one per staged key, the key's columns from the staged table
    and every other column null, each typed by the model's yml contract
    (`data_type`), in the contract's column order. The model's select lists
    its columns in the same order. A column without a data_type stops the
    build.
-#}
{% macro marker_rows() -%}
    {%- set keys = replace_key_columns() -%}
    select
    {%- for column in model.columns.values() %}
        {%- if execute and not column.data_type %}
            {{ exceptions.raise_compiler_error(
                model.name ~ "." ~ column.name ~ " needs a data_type for its marker rows") }}
        {%- endif %}
        {%- if column.name in keys %}
        affected.{{ column.name }}::{{ column.data_type }} as {{ column.name }}
        {%- else %}
        null::{{ column.data_type }} as {{ column.name }}
        {%- endif %}{{ "," if not loop.last }}
    {%- endfor %}
    from {{ affected_keys_relation() }} as affected
{%- endmacro %}
