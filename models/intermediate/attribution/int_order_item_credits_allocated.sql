-- noqa: disable=LT02
-- Credit rows (ATTRIBUTION.md §4), one per (item, matching campaign, mode).
-- FULL: every campaign gets the whole item. SPLIT: the item divided exactly
-- in minor units, the remainder going to the lowest campaign ids.
with

matches as (
    select * from {{ ref('int_order_items_matched') }}
    where campaign_id is not null
),

allocated as (
    select
        matches.order_item_id,
        matches.campaign_id,
        modes.credit_mode,
        matches.order_id,
        matches.product_id,
        matches.sale_time,
        modes.credited_qty,
        modes.credited_revenue,
        modes.credited_profit,
        matches.matched_campaigns_count,
        matches.is_reversed,
        matches.reversed_at
    from matches
    -- one row per mode, each share computed once
    cross join lateral (
        values
        {%- for mode in var('credit_modes') %}
            {%- if mode == 'FULL' %}
            (
                'FULL',
                matches.quantity,
                matches.item_revenue,
                matches.item_profit
            ){{ "," if not loop.last }}
            {%- elif mode == 'SPLIT' %}
            (
                'SPLIT',
                {{ split_exactly('matches.quantity_units', 4,
                                 'matches.matched_campaigns_count',
                                 'matches.campaign_rank') }},
                {{ split_exactly('matches.revenue_cents', 2,
                                 'matches.matched_campaigns_count',
                                 'matches.campaign_rank') }},
                {{ split_exactly('matches.profit_cents', 2,
                                 'matches.matched_campaigns_count',
                                 'matches.campaign_rank') }}
            ){{ "," if not loop.last }}
            {%- else %}
            {{ fail_on_unknown_credit_mode(mode) }}
            {%- endif %}
        {%- endfor %}
    ) as modes (credit_mode, credited_qty, credited_revenue, credited_profit)
)

select * from allocated
