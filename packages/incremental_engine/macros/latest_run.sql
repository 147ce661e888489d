{#-
    Tests of the latest build only. A generic test configured with
    `where: __latest_run__` sees the rows of its incremental model whose
    replace_key the model's latest build changed (from the model's change
    log), or every row when that build was a full one. Any other `where`
    works as dbt's own. The root project hands dbt the override:
        {% macro get_where_subquery(relation) %}
            {{ return(incremental_engine.where_subquery(relation)) }}
        {% endmacro %}
-#}
{% macro where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- if where and '__latest_run__' in where -%}
        {%- set where = where | replace(
            '__latest_run__', incremental_engine.latest_run_rows(relation)) -%}
    {%- endif -%}
    {%- if where -%}
        {%- set filtered = "(select * from " ~ relation ~ " where " ~ where ~ ")" -%}
        {%- do return(filtered ~ " as dbt_subquery") -%}
    {%- endif -%}
    {%- do return(relation) -%}
{%- endmacro %}

{#- The condition "this row's key was replaced by the model's latest build". -#}
{% macro latest_run_rows(relation) -%}
    {%- set nodes = graph.nodes.values()
        | selectattr('resource_type', 'equalto', 'model')
        | selectattr('name', 'equalto', relation.identifier) | list -%}
    {%- if nodes | length != 1 -%}
        {{ exceptions.raise_compiler_error(
            "where: __latest_run__ needs an incremental model, not " ~ relation) }}
    {%- endif -%}
    {%- set key = nodes[0].config.get('replace_key', 'order_item_id') -%}
    {%- set keys = [key] if key is string else key -%}
    {%- set runs = incremental_engine.run_log_relation() -%}
    {%- set latest = run_query(
        "select is_full_build from " ~ runs
        ~ " where model_name = '" ~ relation.identifier ~ "'"
        ~ " order by run_id desc limit 1") if execute else none -%}
    {%- if latest is none or latest.rows | length == 0 or latest.rows[0][0] -%}
        true
    {%- else -%}
        {%- set latest_changes -%}
            from {{ incremental_engine.change_log_relation(relation) }}
            where logged_at = (
                select max(latest.watermark) from {{ runs }} as latest
                where latest.model_name = '{{ relation.identifier }}'
            )
        {%- endset -%}
        {%- if keys | length == 1 %}
        {{ incremental_engine.key_in(
            keys[0], "select " ~ keys[0] ~ " " ~ latest_changes) }}
        {%- else %}
        ({{ keys | join(", ") }}) in (select {{ keys | join(", ") }} {{ latest_changes }})
        {%- endif %}
    {%- endif -%}
{%- endmacro %}
