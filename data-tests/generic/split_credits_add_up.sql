{#-
    SPLIT credits of an item add up to the item, to the cent (docs/rules.md
    §4), and every attributed item has them: item by item, both ways, over
    the whole facts (nightly; the frequent runs' check reconciles sale days,
    orchestration/checks/attribution.py).
-#}
{% test split_credits_add_up(model) %}
    with
    split_totals as (
        select
            order_item_id,
            sum(credited_qty) as credited_qty,
            sum(credited_revenue) as credited_revenue,
            sum(credited_profit) as credited_profit
        from {{ model }}
        where credit_mode = 'SPLIT'
        group by order_item_id
    ),

    items as (
        select * from {{ ref('fct_order_item_attribution') }}
        where is_attributed
    )

    select
        coalesce(split_totals.order_item_id, items.order_item_id) as order_item_id,
        split_totals.credited_qty,
        split_totals.credited_revenue,
        split_totals.credited_profit,
        items.quantity,
        items.item_revenue,
        items.item_profit
    from split_totals
    full join items
        on split_totals.order_item_id = items.order_item_id
    where
        items.order_item_id is null
        or split_totals.order_item_id is null
        or split_totals.credited_qty <> items.quantity
        or split_totals.credited_revenue <> items.item_revenue
        or split_totals.credited_profit is distinct from items.item_profit
{% endtest %}
