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

{#-
    dbt-spark's incremental materialization knows its own strategies only:
    replace_rows goes to the engine, the others to dbt-spark.
-#}
{% macro dbt_spark_validate_get_incremental_strategy(raw_strategy, file_format) %}
    {%- if raw_strategy == 'replace_rows' -%}
        {{ return(raw_strategy) }}
    {%- endif -%}
    {{ return(dbt.dbt_spark_validate_get_incremental_strategy(
        raw_strategy, file_format)) }}
{% endmacro %}

{% macro dbt_spark_get_incremental_sql(
    strategy, source, target, existing, unique_key, incremental_predicates
) %}
    {%- if strategy == 'replace_rows' -%}
        {{ return(incremental_engine.replace_rows_sql({
            "target_relation": target,
            "temp_relation": source,
            "dest_columns": adapter.get_columns_in_relation(target),
        })) }}
    {%- endif -%}
    {{ return(dbt.dbt_spark_get_incremental_sql(
        strategy, source, target, existing, unique_key, incremental_predicates)) }}
{% endmacro %}

{#- Spark's Thrift server has no GRANT: who reaches it is the host's matter. -#}
{% macro spark__apply_grants(relation, grant_config, should_revoke=True) %}
{% endmacro %}
