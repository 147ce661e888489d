{#-
    Marker rows: one per staged key, the key's columns from the staged table
    and every other column null, each typed by the model's yml contract
    (`data_type`), in the contract's column order. The model's select lists
    its columns in the same order. A column without a data_type stops the
    build. A marker says "this key keeps no rows": the strategy deletes the
    key's old rows and never inserts the marker.
-#}
{% macro marker_rows() -%}
    {%- set keys = incremental_engine.replace_key_columns() -%}
    select
    {%- for column in model.columns.values() %}
        {%- if execute and not column.data_type %}
            {{ exceptions.raise_compiler_error(
                model.name ~ "." ~ column.name ~ " needs a data_type for its marker rows") }}
        {%- endif %}
        {%- set data_type = incremental_engine.warehouse_type(column.data_type) %}
        {%- if column.name in keys %}
        cast(affected.{{ column.name }} as {{ data_type }}) as {{ column.name }}
        {%- else %}
        cast(null as {{ data_type }}) as {{ column.name }}
        {%- endif %}{{ "," if not loop.last }}
    {%- endfor %}
    from {{ incremental_engine.affected_keys_relation() }} as affected
{%- endmacro %}

{#-
    What a model's select adds for its keys that keep no rows: in an
    incremental run, `union all` its marker rows (marker_rows); in a full
    build, nothing.
-#}
{% macro union_marker_rows() -%}
    {%- if is_incremental() %}
    union all
    {{ incremental_engine.marker_rows() }}
    {%- endif %}
{%- endmacro %}

{#- A contract's (PostgreSQL) type name in the warehouse's dialect. -#}
{% macro warehouse_type(data_type) -%}
    {{ return(adapter.dispatch('warehouse_type', 'incremental_engine')(data_type)) }}
{%- endmacro %}

{% macro default__warehouse_type(data_type) -%}
    {{ return(data_type) }}
{%- endmacro %}

{% macro spark__warehouse_type(data_type) -%}
    {%- set name = (data_type or '') | lower | trim -%}
    {%- set spark_names = {
        'timestamptz': 'timestamp',
        'timestamp with time zone': 'timestamp',
        'text': 'string',
        'integer': 'int',
    } -%}
    {%- if name.startswith('numeric') -%}
        {{ return('decimal' ~ name[7:]) }}
    {%- endif -%}
    {{ return(spark_names.get(name, name)) }}
{%- endmacro %}
