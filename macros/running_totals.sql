{#-
    The select-list of a daily mart whose figures are sums kept up to date
    (agg_attribution_health_daily): each column of `figures`, a list of
    (source CTE, [columns]), as the source's value that day (0 if it has no
    row), plus, when `plus_previous`, the mart's own value of the day before
    this run (the left-joined `previous`, 0 if none). One item a column.
-#}
{% macro running_totals(figures, plus_previous) -%}
    {%- set items = [] -%}
    {%- for source, columns in figures -%}
        {%- for column in columns -%}
            {%- set item = "coalesce(" ~ source ~ "." ~ column ~ ", 0)" -%}
            {%- if plus_previous -%}
                {%- set item = item ~ " + coalesce(previous." ~ column ~ ", 0)" -%}
            {%- endif -%}
            {%- do items.append(item ~ " as " ~ column) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ items | join(",\n        ") }}
{%- endmacro %}
