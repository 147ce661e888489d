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
    The credit rows fct_credit_changes compares: every one it or the fact
    holds (credit_changes_compare_all), else those the fact's change log
    shows changed after its watermark.
-#}
{% macro credit_changes_checked() %}
    {%- set credits = ref('fct_order_item_campaign_credits') -%}
    {%- if not credit_changes_compare_all() %}
        select distinct
            changes.order_item_id, changes.campaign_id, changes.credit_mode
        from {{ incremental_engine.change_log_relation(credits) }} as changes
        where changes.logged_at > {{ incremental_engine.watermark() }}
    {%- elif is_incremental() %}
        select credits.order_item_id, credits.campaign_id, credits.credit_mode
        from {{ credits }} as credits
        union
        select existing.order_item_id, existing.campaign_id, existing.credit_mode
        from {{ this }} as existing
    {%- else %}
        select credits.order_item_id, credits.campaign_id, credits.credit_mode
        from {{ credits }} as credits
    {%- endif %}
{% endmacro %}

{#-
    fct_credit_changes' differences, staged by its pre-hook: per credit row
    and sale date, what the credits say now (non-reversed amounts) minus what
    the changes recorded so far add up to, where they differ (a sale moved to
    another day is taken off the old day and put on the new one).
-#}
{% macro credit_changes_differences() %}
    {%- set credits = ref('fct_order_item_campaign_credits') -%}
    with
    checked as (
        {{ credit_changes_checked() }}
    ),

    now_credited as (
        select
            credits.order_item_id,
            credits.campaign_id,
            credits.credit_mode,
            credits.order_id,
            credits.sale_date,
            credits.credited_qty as units,
            credits.credited_revenue as revenue,
            coalesce(credits.credited_profit, 0) as profit
        from {{ credits }} as credits
        inner join checked
            on
                credits.order_item_id = checked.order_item_id
                and credits.campaign_id = checked.campaign_id
                and credits.credit_mode = checked.credit_mode
        where not credits.is_reversed
    ),

    recorded as (
        {% if is_incremental() %}
            select
                recorded.order_item_id,
                recorded.campaign_id,
                recorded.credit_mode,
                recorded.order_id,
                recorded.sale_date,
                sum(recorded.units_delta) as units,
                sum(recorded.revenue_delta) as revenue,
                sum(recorded.profit_delta) as profit
            from {{ this }} as recorded
            inner join checked
                on
                    recorded.order_item_id = checked.order_item_id
                    and recorded.campaign_id = checked.campaign_id
                    and recorded.credit_mode = checked.credit_mode
            group by 1, 2, 3, 4, 5
        {% else %}
            select * from now_credited where false
        {% endif %}
    ),

    differences as (
        select
            coalesce(now_credited.order_item_id, recorded.order_item_id)
                as order_item_id,
            coalesce(now_credited.campaign_id, recorded.campaign_id)
                as campaign_id,
            coalesce(now_credited.credit_mode, recorded.credit_mode)
                as credit_mode,
            coalesce(now_credited.order_id, recorded.order_id) as order_id,
            coalesce(now_credited.sale_date, recorded.sale_date) as sale_date,
            coalesce(now_credited.units, 0) - coalesce(recorded.units, 0)
                as units_delta,
            coalesce(now_credited.revenue, 0) - coalesce(recorded.revenue, 0)
                as revenue_delta,
            coalesce(now_credited.profit, 0) - coalesce(recorded.profit, 0)
                as profit_delta
        from now_credited
        full outer join recorded
            on
                now_credited.order_item_id = recorded.order_item_id
                and now_credited.campaign_id = recorded.campaign_id
                and now_credited.credit_mode = recorded.credit_mode
                and now_credited.sale_date = recorded.sale_date
    )

    select * from differences
    where units_delta != 0 or revenue_delta != 0 or profit_delta != 0
{% endmacro %}
