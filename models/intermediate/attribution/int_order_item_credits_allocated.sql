-- Credit rows (ATTRIBUTION.md §4), one per (item, matching campaign, mode).
-- FULL: every campaign gets the whole item. SPLIT: the item divided exactly
-- in minor units, the remainder going to the lowest campaign ids.
with

matches as (
    select * from {{ ref('int_order_items_matched') }}
    where campaign_id is not null
),

credit_modes as (
    select credit_mode
    from (values {% for mode in var('credit_modes') -%}
        ('{{ mode }}'){{ "," if not loop.last }}
    {%- endfor %}) as modes (credit_mode)
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
            else {{ split_exactly('matches.quantity', 4,
                                  'matches.matched_campaigns_count',
                                  'matches.campaign_rank') }}
        end as credited_qty,
        case credit_modes.credit_mode
            when 'FULL' then matches.item_revenue
            else {{ split_exactly('matches.item_revenue', 2,
                                  'matches.matched_campaigns_count',
                                  'matches.campaign_rank') }}
        end as credited_revenue,
        case credit_modes.credit_mode
            when 'FULL' then matches.item_profit
            else {{ split_exactly('matches.item_profit', 2,
                                  'matches.matched_campaigns_count',
                                  'matches.campaign_rank') }}
        end as credited_profit,
        matches.matched_campaigns_count,
        matches.is_reversed,
        matches.reversed_at
    from matches
    cross join credit_modes
)

select * from allocated
