{#-
    Folders name their schemas exactly (`marts`, `staging`, ...): BI tools and
    the app read `marts` whatever the target's default schema is. Models with
    no custom schema land in the target schema.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
