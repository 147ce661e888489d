{#-
    The (campaign_id, sale_date, credit_mode) rows agg_campaign_daily
    replaces: those of the non-reversed credits the fact deleted or inserted
    after `since`, and those whose spend the spend observation saw change;
    after a full build of the fact, every row on either side.
-#}
{% macro affected_campaign_days(since) %}
    {%- set credits = ref('fct_order_item_campaign_credits') -%}
    {%- if campaign_days_rebuilt(since) %}
        select distinct
            credits.campaign_id,
            {{ reporting_day('credits.sale_time') }} as sale_date,
            credits.credit_mode
        from {{ credits }} as credits
        union
        select existing.campaign_id, existing.sale_date, existing.credit_mode
        from {{ this }} as existing
    {%- else %}
        select distinct
            changes.campaign_id,
            {{ reporting_day('changes.sale_time') }} as sale_date,
            changes.credit_mode
        from {{ incremental_engine.change_log_relation(credits) }} as changes
        where changes.logged_at > {{ since }} and not changes.is_reversed
    {%- endif %}
    union
    {{ changed_spend_days(since) }}
{% endmacro %}

{#-
    The (campaign_id, sale_date, credit_mode) rows whose spend the spend
    observation saw change after `since`: loaded, replaced or deleted, from
    any source.
-#}
{% macro changed_spend_days(since) %}
    select
        spend_days.campaign_id,
        spend_days.spend_date as sale_date,
        credit_modes.credit_mode
    from (
        {{ incremental_engine.changed_keys(
            ref('snap_spend__campaign_days'), ['campaign_id', 'spend_date'], since) }}
    ) as spend_days
    cross join ({{ credit_modes_values() }}) as credit_modes
{% endmacro %}

{#-
    True when agg_campaign_daily must be computed from the whole credit
    fact: the fact was built in full after `since`, or has no change log.
-#}
{% macro campaign_days_rebuilt(since) %}
    {{ return(incremental_engine.rebuilt_since(
        [ref('fct_order_item_campaign_credits')], since)) }}
{% endmacro %}
