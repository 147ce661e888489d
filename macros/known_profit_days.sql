{#-
    Of the (campaign_id, sale_date, credit_mode) rows of `affected`, those
    with a non-reversed credit of known profit in `credits` (the credit
    fact): agg_campaign_daily's profit is a number for them, null for the
    others.
-#}
{% macro known_profit_days(affected, credits) -%}
    {{ return(adapter.dispatch('known_profit_days')(affected, credits)) }}
{%- endmacro %}

{#- One probe of the fact's (campaign_id, sale_time) index per row, stopping
    at the first such credit: a lateral with a limit, because the planner
    turns an EXISTS over many rows into a hash of the whole fact. -#}
{% macro default__known_profit_days(affected, credits) -%}
    select
        affected.campaign_id,
        affected.sale_date,
        affected.credit_mode
    from {{ affected }} as affected
    cross join lateral (
        select 1 as is_known
        from {{ credits }} as credits
        where
            credits.campaign_id = affected.campaign_id
            and credits.credit_mode = affected.credit_mode
            and credits.sale_time >= {{ day_bounds('affected.sale_date') }}
            and credits.sale_time < {{ day_bounds('affected.sale_date + 1') }}
            and not credits.is_reversed
            and credits.credited_profit is not null
        -- any one such credit will do
        limit 1  -- noqa: AM09
    ) as known_profit
{%- endmacro %}

{#- Spark: a semi-join, reading only the sale-date partitions of the rows. -#}
{% macro spark__known_profit_days(affected, credits) -%}
    select
        affected.campaign_id,
        affected.sale_date,
        affected.credit_mode
    from {{ affected }} as affected
    left semi join {{ credits }} as credits
        on
            credits.campaign_id = affected.campaign_id
            and credits.credit_mode = affected.credit_mode
            and credits.sale_date = affected.sale_date
            and not credits.is_reversed
            and credits.credited_profit is not null
{%- endmacro %}
