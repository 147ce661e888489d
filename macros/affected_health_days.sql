{#-
    True when agg_attribution_health_daily must be computed from its whole
    sources: one of them was built in full after `since`, or has no change
    log.
-#}
{% macro health_days_rebuilt(since) %}
    {{ return(incremental_engine.rebuilt_since([
        ref('fct_order_item_attribution'),
        ref('int_order_items_bad'),
        ref('int_orders_observed'),
    ], since)) }}
{% endmacro %}

{#-
    The sale days agg_attribution_health_daily replaces: the old and new
    days of every row its sources (the attribution fact, the bad items, the
    orders) deleted or inserted after `since`; after a full build of one of
    them, every day on either side.
-#}
{% macro affected_health_days(since) %}
    {%- set sources = [
        ref('fct_order_item_attribution'),
        ref('int_order_items_bad'),
        ref('int_orders_observed'),
    ] -%}
    {%- set rebuilt = health_days_rebuilt(since) -%}
    {%- for source in sources %}
        {%- if rebuilt %}
        select distinct {{ reporting_day('rows_now.sale_time') }} as sale_date
        from {{ source }} as rows_now
        {%- else %}
        select distinct {{ reporting_day('changes.sale_time') }} as sale_date
        from {{ incremental_engine.change_log_relation(source) }} as changes
        where changes.logged_at > {{ since }}
        {%- endif %}
        union
    {%- endfor %}
    {%- if rebuilt %}
        select existing.sale_date from {{ this }} as existing
    {%- else %}
        select cast(null as date) as sale_date
        where false
    {%- endif %}
{% endmacro %}
