{#-
    The three windows of ATTRIBUTION.md §2, with their bounds said once:
    a campaign credits a sale of a product at t iff t lies in its flight
    window, in one of its running intervals and in one of its targeting
    windows for the product. int_campaign_product_activity_windows
    intersects them; the debug mart tests a sale time against each.
-#}

{#- §2.1: starts_at <= t and (ends_at is null or t <= ends_at). -#}
{% macro flight_window(starts_at, ends_at) -%}
    tstzrange({{ starts_at }}, {{ ends_at }}, '[]')
{%- endmacro %}

{#- §2.2: from a RUNNING event up to (not including) the next event. -#}
{% macro running_window(running_from, running_to) -%}
    tstzrange({{ running_from }}, {{ running_to }}, '[)')
{%- endmacro %}

{#- §2.3: effective_from <= t and (effective_to is null or t < effective_to). -#}
{% macro targeting_window(effective_from, effective_to) -%}
    tstzrange({{ effective_from }}, {{ effective_to }}, '[)')
{%- endmacro %}
