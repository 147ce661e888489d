{#- A timestamptz as its day in the reporting time zone. -#}
{% macro reporting_day(time) -%}
    ({{ time }} at time zone '{{ var("reporting_timezone") }}')::date
{%- endmacro %}

{#- A date column's days as [from, to) in the reporting time zone. -#}
{% macro day_bounds(day) -%}
    (({{ day }})::timestamp at time zone '{{ var("reporting_timezone") }}')
{%- endmacro %}
