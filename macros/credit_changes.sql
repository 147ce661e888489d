{#-
    The credit fact's change log has two readers, agg_campaign_daily (which
    prunes it) and fct_credit_changes: the watermark both have read up to.
-#}
{% macro credit_log_read_by_all() -%}
    least(
        {{ incremental_engine.watermark() }},
        {{ incremental_engine.watermark('fct_credit_changes') }}
    )
{%- endmacro %}
