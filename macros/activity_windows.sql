{#-
    The three windows of docs/rules.md §2, with their bounds said once:
    a campaign credits a sale of a product at t iff t lies in its flight
    window, in one of its running intervals and in one of its targeting
    windows for the product. int_campaign_product_activity_windows
    intersects them; the debug mart tests a sale time against each.

    A window is a tstzrange on PostgreSQL. On Spark it is a struct of
    `lower` and `upper`, half-open, null for unbounded: time counts
    microseconds, so an included upper bound is the next microsecond
    excluded. The macros below are everything the models do with one.
-#}

{#- §2.1: starts_at <= t and (ends_at is null or t <= ends_at). -#}
{% macro flight_window(starts_at, ends_at) -%}
    {{ return(adapter.dispatch('flight_window')(starts_at, ends_at)) }}
{%- endmacro %}

{% macro default__flight_window(starts_at, ends_at) -%}
    tstzrange({{ starts_at }}, {{ ends_at }}, '[]')
{%- endmacro %}

{% macro spark__flight_window(starts_at, ends_at) -%}
    named_struct(
        'lower', {{ starts_at }}, 'upper', {{ ends_at }} + interval 1 microsecond
    )
{%- endmacro %}

{#- §2.2: from a RUNNING event up to (not including) the next event. -#}
{% macro running_window(running_from, running_to) -%}
    {{ return(half_open_window(running_from, running_to)) }}
{%- endmacro %}

{#- §2.3: effective_from <= t and (effective_to is null or t < effective_to). -#}
{% macro targeting_window(effective_from, effective_to) -%}
    {{ return(half_open_window(effective_from, effective_to)) }}
{%- endmacro %}

{% macro half_open_window(lower, upper) -%}
    {{ return(adapter.dispatch('half_open_window')(lower, upper)) }}
{%- endmacro %}

{% macro default__half_open_window(lower, upper) -%}
    tstzrange({{ lower }}, {{ upper }}, '[)')
{%- endmacro %}

{% macro spark__half_open_window(lower, upper) -%}
    named_struct('lower', {{ lower }}, 'upper', {{ upper }})
{%- endmacro %}

{#- The instants all of `windows` (a list) hold. -#}
{% macro window_intersection(windows) -%}
    {{ return(adapter.dispatch('window_intersection')(windows)) }}
{%- endmacro %}

{% macro default__window_intersection(windows) -%}
    {{ windows | join("\n    * ") }}
{%- endmacro %}

{#- greatest and least skip nulls: an unbounded side bounds nothing -#}
{% macro spark__window_intersection(windows) -%}
    {%- set lowers = [] -%}
    {%- set uppers = [] -%}
    {%- for window in windows -%}
        {%- do lowers.append(window ~ ".lower") -%}
        {%- do uppers.append(window ~ ".upper") -%}
    {%- endfor -%}
    named_struct(
        'lower', greatest({{ lowers | join(", ") }}),
        'upper', least({{ uppers | join(", ") }})
    )
{%- endmacro %}

{% macro window_is_empty(window) -%}
    {{ return(adapter.dispatch('window_is_empty')(window)) }}
{%- endmacro %}

{% macro default__window_is_empty(window) -%}
    isempty({{ window }})
{%- endmacro %}

{% macro spark__window_is_empty(window) -%}
    coalesce({{ window }}.lower >= {{ window }}.upper, false)
{%- endmacro %}

{#- Whether `window` holds the instant `time`. -#}
{% macro window_holds(window, time) -%}
    {{ return(adapter.dispatch('window_holds')(window, time)) }}
{%- endmacro %}

{% macro default__window_holds(window, time) -%}
    {{ window }} @> {{ time }}
{%- endmacro %}

{% macro spark__window_holds(window, time) -%}
    (
        ({{ window }}.lower is null or {{ window }}.lower <= {{ time }})
        and ({{ window }}.upper is null or {{ time }} < {{ window }}.upper)
    )
{%- endmacro %}

{#- The first instant inside `window`; null when it has no lower bound. -#}
{% macro window_first_instant(window) -%}
    {{ return(adapter.dispatch('window_first_instant')(window)) }}
{%- endmacro %}

{% macro default__window_first_instant(window) -%}
    lower({{ window }})
    + case
        when lower_inc({{ window }}) then interval '0'
        else interval '1 microsecond'
    end
{%- endmacro %}

{% macro spark__window_first_instant(window) -%}
    {{ window }}.lower
{%- endmacro %}

{#- The first instant after `window`; null when it has no upper bound. -#}
{% macro window_first_instant_after(window) -%}
    {{ return(adapter.dispatch('window_first_instant_after')(window)) }}
{%- endmacro %}

{% macro default__window_first_instant_after(window) -%}
    upper({{ window }})
    + case
        when upper_inc({{ window }}) then interval '1 microsecond'
        else interval '0'
    end
{%- endmacro %}

{% macro spark__window_first_instant_after(window) -%}
    {{ window }}.upper
{%- endmacro %}

{#- Whether two windows share an instant. -#}
{% macro windows_overlap(window, other) -%}
    {{ return(adapter.dispatch('windows_overlap')(window, other)) }}
{%- endmacro %}

{% macro default__windows_overlap(window, other) -%}
    {{ window }} && {{ other }}
{%- endmacro %}

{% macro spark__windows_overlap(window, other) -%}
    (
        ({{ window }}.lower is null or {{ other }}.upper is null
            or {{ window }}.lower < {{ other }}.upper)
        and ({{ other }}.lower is null or {{ window }}.upper is null
            or {{ other }}.lower < {{ window }}.upper)
    )
{%- endmacro %}
