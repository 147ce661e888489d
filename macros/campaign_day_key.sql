{#
    agg_campaign_daily's key, (campaign_id, sale_date, credit_mode): the join
    condition between two relations that both carry it.
#}
{% macro same_campaign_day(left, right) -%}
    {{ left }}.campaign_id = {{ right }}.campaign_id
    and {{ left }}.sale_date = {{ right }}.sale_date
    and {{ left }}.credit_mode = {{ right }}.credit_mode
{%- endmacro %}
