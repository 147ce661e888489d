{#-
    fct_credit_changes: every change recorded so far adds up to the credit
    fact's non-reversed amounts, per campaign, mode and sale date (docs/rules.md,
    "Restatements").
-#}
{% test changes_add_up_to_credits(model) %}
    with
    recorded as (
        select
            campaign_id,
            credit_mode,
            sale_date,
            sum(units_delta) as units,
            sum(revenue_delta) as revenue,
            sum(profit_delta) as profit
        from {{ model }}
        group by campaign_id, credit_mode, sale_date
    ),

    credited as (
        select
            campaign_id,
            credit_mode,
            sale_date,
            sum(credited_qty) as units,
            sum(credited_revenue) as revenue,
            sum(coalesce(credited_profit, 0)) as profit
        from {{ ref('fct_order_item_campaign_credits') }}
        where not is_reversed
        group by campaign_id, credit_mode, sale_date
    )

    select
        coalesce(recorded.campaign_id, credited.campaign_id) as campaign_id,
        coalesce(recorded.credit_mode, credited.credit_mode) as credit_mode,
        coalesce(recorded.sale_date, credited.sale_date) as sale_date,
        recorded.revenue as recorded_revenue,
        credited.revenue as credited_revenue
    from recorded
    full outer join credited
        on
            recorded.campaign_id = credited.campaign_id
            and recorded.credit_mode = credited.credit_mode
            and recorded.sale_date = credited.sale_date
    where
        coalesce(recorded.units, 0) != coalesce(credited.units, 0)
        or coalesce(recorded.revenue, 0) != coalesce(credited.revenue, 0)
        or coalesce(recorded.profit, 0) != coalesce(credited.profit, 0)
{% endtest %}
