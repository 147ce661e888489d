{#- A timestamptz as its day in the reporting time zone. -#}
{% macro reporting_day(time) -%}
    {{ return(adapter.dispatch('reporting_day')(time)) }}
{%- endmacro %}

{% macro default__reporting_day(time) -%}
    ({{ time }} at time zone '{{ var("reporting_timezone") }}')::date
{%- endmacro %}

{% macro spark__reporting_day(time) -%}
    to_date(from_utc_timestamp({{ time }}, '{{ var("reporting_timezone") }}'))
{%- endmacro %}

{#- A date column's days as [from, to) in the reporting time zone. -#}
{% macro day_bounds(day) -%}
    {{ return(adapter.dispatch('day_bounds')(day)) }}
{%- endmacro %}

{% macro default__day_bounds(day) -%}
    (({{ day }})::timestamp at time zone '{{ var("reporting_timezone") }}')
{%- endmacro %}

{% macro spark__day_bounds(day) -%}
    to_utc_timestamp(cast({{ day }} as timestamp), '{{ var("reporting_timezone") }}')
{%- endmacro %}

{#- Whole days from the date `earlier` to the date `later`. -#}
{% macro days_between(earlier, later) -%}
    {{ return(adapter.dispatch('days_between')(earlier, later)) }}
{%- endmacro %}

{% macro default__days_between(earlier, later) -%}
    ({{ later }} - {{ earlier }})
{%- endmacro %}

{% macro spark__days_between(earlier, later) -%}
    datediff({{ later }}, {{ earlier }})
{%- endmacro %}

{#- Every day from `first` to `last` (dates), one row each, named `name`:
    a FROM-clause item after a table that supplies both. -#}
{% macro each_day(first, last, alias, name) -%}
    {{ return(adapter.dispatch('each_day')(first, last, alias, name)) }}
{%- endmacro %}

{% macro default__each_day(first, last, alias, name) -%}
    cross join
        generate_series(
            {{ first }}, {{ last }}, interval '1 day'
        ) as {{ alias }} ({{ name }})
{%- endmacro %}

{% macro spark__each_day(first, last, alias, name) -%}
    lateral view explode(
        sequence({{ first }}, {{ last }}, interval 1 day)
    ) {{ alias }} as {{ name }}
{%- endmacro %}
