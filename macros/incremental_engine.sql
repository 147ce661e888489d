{#-
    dbt looks for an incremental strategy and for the tests' `where` only in
    the root project: these two hand them to the incremental engine
    (packages/incremental_engine, its README says what they do).
-#}
{% macro get_incremental_replace_rows_sql(arg_dict) %}
    {{ return(incremental_engine.replace_rows_sql(arg_dict)) }}
{% endmacro %}

{% macro get_where_subquery(relation) -%}
    {{ return(incremental_engine.where_subquery(relation)) }}
{%- endmacro %}
