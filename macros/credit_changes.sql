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

{#-
    Whether fct_credit_changes compares every credit: on its first build, and
    after a full build of the credit fact (whose log then starts afresh)
    since its watermark; else only the credits the fact's log shows changed.
-#}
{% macro credit_changes_compare_all() -%}
    {{ return(not is_incremental() or incremental_engine.rebuilt_since(
        [ref('fct_order_item_campaign_credits')], incremental_engine.watermark())) }}
{%- endmacro %}

{#-
    The credit rows an incremental build of fct_credit_changes compares:
    every one it or the fact holds (credit_changes_compare_all), else those
    the fact's change log shows changed after its watermark. (Its first
    build reads no key: credit_changes_first_build.)
-#}
{% macro credit_changes_checked() %}
    {%- set credits = ref('fct_order_item_campaign_credits') -%}
    {%- if not credit_changes_compare_all() %}
        select distinct
            changes.order_item_id, changes.campaign_id, changes.credit_mode
        from {{ incremental_engine.change_log_relation(credits) }} as changes
        where changes.logged_at > {{ incremental_engine.watermark() }}
    {%- else %}
        select credits.order_item_id, credits.campaign_id, credits.credit_mode
        from {{ credits }} as credits
        union
        select existing.order_item_id, existing.campaign_id, existing.credit_mode
        from {{ this }} as existing
    {%- endif %}
{% endmacro %}

{#-
    fct_credit_changes' differences, staged by its pre-hook: per credit row
    and sale date, what the credits say now (non-reversed amounts) minus what
    the changes recorded so far add up to, where they differ (a sale moved to
    another day is taken off the old day and put on the new one); with, per
    credit row, whether it is reversed now and whether the oldest version
    the fact's log replaced since this model's watermark was (null: none).
    One pass: the versions of each checked credit as rows of one union,
    summed and flagged by sorting, never joined back by key (a join of
    thousands of keys on three columns is guessed at one row, and a nested
    loop over both sides took minutes at 1M items).
-#}
{% macro credit_changes_differences() %}
    {%- if not is_incremental() -%}
        {{ return(credit_changes_first_build()) }}
    {%- endif -%}
    {%- set credits = ref('fct_order_item_campaign_credits') -%}
    {%- set credit_key = 'order_item_id, campaign_id, credit_mode' -%}
    with
    checked as (
        {{ credit_changes_checked() }}
    ),

    versions as (
        -- what the fact holds now
        select
            credits.order_item_id,
            credits.campaign_id,
            credits.credit_mode,
            credits.order_id,
            credits.sale_date,
            case when not credits.is_reversed then credits.credited_qty end
                as units,
            case when not credits.is_reversed then credits.credited_revenue end
                as revenue,
            case
                when not credits.is_reversed
                    then coalesce(credits.credited_profit, 0)
            end as profit,
            credits.is_reversed as is_reversed_now,
            cast(null as boolean) as was_reversed
        from {{ credits }} as credits
        inner join checked
            on
                credits.order_item_id = checked.order_item_id
                and credits.campaign_id = checked.campaign_id
                and credits.credit_mode = checked.credit_mode
        {% if is_incremental() %}
        union all
        -- what the changes recorded so far add up to, taken off
        select
            recorded.order_item_id,
            recorded.campaign_id,
            recorded.credit_mode,
            recorded.order_id,
            recorded.sale_date,
            -recorded.units_delta as units,
            -recorded.revenue_delta as revenue,
            -coalesce(recorded.profit_delta, 0) as profit,
            cast(null as boolean) as is_reversed_now,
            cast(null as boolean) as was_reversed
        from {{ this }} as recorded
        inner join checked
            on
                recorded.order_item_id = checked.order_item_id
                and recorded.campaign_id = checked.campaign_id
                and recorded.credit_mode = checked.credit_mode
        {% endif %}{% if not credit_changes_compare_all() %}
        union all
        -- the credit as it stood at this model's last build: the oldest
        -- version the fact's log replaced since
        select
            replaced.order_item_id,
            replaced.campaign_id,
            replaced.credit_mode,
            cast(null as bigint) as order_id,
            cast(null as date) as sale_date,
            cast(null as decimal(16, 4)) as units,
            cast(null as decimal(16, 2)) as revenue,
            cast(null as decimal(16, 2)) as profit,
            cast(null as boolean) as is_reversed_now,
            replaced.is_reversed as was_reversed
        from (
            select
                changes.order_item_id,
                changes.campaign_id,
                changes.credit_mode,
                changes.is_reversed,
                row_number() over (
                    partition by {{ credit_key }}
                    order by changes.logged_at
                ) as replaced_order
            from {{ incremental_engine.change_log_relation(credits) }} as changes
            where
                changes.logged_at > {{ incremental_engine.watermark() }}
                and changes.change = -1
        ) as replaced
        where replaced.replaced_order = 1
        {% endif %}
    ),

    per_day as (
        select
            order_item_id,
            campaign_id,
            credit_mode,
            sale_date,
            max(order_id) as order_id,
            coalesce(sum(units), 0) as units_delta,
            coalesce(sum(revenue), 0) as revenue_delta,
            coalesce(sum(profit), 0) as profit_delta,
            bool_or(is_reversed_now) as is_reversed_now,
            bool_or(was_reversed) as was_reversed
        from versions
        group by order_item_id, campaign_id, credit_mode, sale_date
    ),

    flagged as (
        select
            order_item_id,
            campaign_id,
            credit_mode,
            sale_date,
            order_id,
            units_delta,
            revenue_delta,
            profit_delta,
            bool_or(is_reversed_now) over (partition by {{ credit_key }})
                as is_reversed_now,
            bool_or(was_reversed) over (partition by {{ credit_key }})
                as was_reversed
        from per_day
    )

    select * from flagged
    where units_delta != 0 or revenue_delta != 0 or profit_delta != 0
{% endmacro %}

{#-
    The differences on fct_credit_changes' first build: every non-reversed
    credit as it stands, one row each (nothing recorded yet to add up).
-#}
{% macro credit_changes_first_build() %}
    select
        credits.order_item_id,
        credits.campaign_id,
        credits.credit_mode,
        credits.sale_date,
        credits.order_id,
        credits.credited_qty as units_delta,
        credits.credited_revenue as revenue_delta,
        coalesce(credits.credited_profit, 0) as profit_delta,
        credits.is_reversed as is_reversed_now,
        cast(null as boolean) as was_reversed
    from {{ ref('fct_order_item_campaign_credits') }} as credits
    where
        not credits.is_reversed
        and (
            credits.credited_qty != 0
            or credits.credited_revenue != 0
            or coalesce(credits.credited_profit, 0) != 0
        )
{% endmacro %}
