-- Credit rows (docs/rules.md §4), one per (item, matching campaign, mode).
-- FULL: every campaign gets the whole item. SPLIT: the item divided exactly
-- in minor units, the remainder going to the lowest campaign ids.
with

matches as (
    select * from {{ ref('int_order_items_matched') }}
    where campaign_id is not null
),

credit_modes as (
    select modes.credit_mode
    from (
        values
        {%- for mode in var('credit_modes') %}
            {%- do fail_on_unknown_credit_mode(mode) %}
            ('{{ mode }}'){{ "," if not loop.last }}
        {%- endfor %}
    ) as modes (credit_mode)
),

allocated as (
    select
        matches.order_item_id,
        matches.campaign_id,
        credit_modes.credit_mode,
        matches.order_id,
        matches.product_id,
        matches.sale_time,
        case credit_modes.credit_mode
            when 'FULL' then matches.quantity
            else {{ split_exactly('matches.quantity_units', 4,
                                  'matches.matched_campaigns_count',
                                  'matches.campaign_rank') }}
        end as credited_qty,
        case credit_modes.credit_mode
            when 'FULL' then matches.item_revenue
            else {{ split_exactly('matches.revenue_cents', 2,
                                  'matches.matched_campaigns_count',
                                  'matches.campaign_rank') }}
        end as credited_revenue,
        case credit_modes.credit_mode
            when 'FULL' then matches.item_profit
            else {{ split_exactly('matches.profit_cents', 2,
                                  'matches.matched_campaigns_count',
                                  'matches.campaign_rank') }}
        end as credited_profit,
        matches.matched_campaigns_count,
        matches.is_reversed,
        matches.reversed_at
    -- a plain cross join: a lateral VALUES is rescanned per row, 4x slower
    from matches
    cross join credit_modes
)

select * from allocated
