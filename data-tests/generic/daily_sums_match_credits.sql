{#- agg_campaign_daily sums equal the same sums over the credit fact. -#}
{% test daily_sums_match_credits(model) %}
    with
    daily as (
        select campaign_id, credit_mode, sum(units) as units, sum(revenue) as revenue
        from {{ model }}
        group by campaign_id, credit_mode
    ),
    credits as (
        select
            campaign_id,
            credit_mode,
            sum(credited_qty) as units,
            sum(credited_revenue) as revenue
        from {{ ref('fct_order_item_campaign_credits') }}
        where not is_reversed
        group by campaign_id, credit_mode
    )
    select *
    from daily
    full outer join credits using (campaign_id, credit_mode)
    where
        daily.units is distinct from credits.units
        or daily.revenue is distinct from credits.revenue
{% endtest %}
