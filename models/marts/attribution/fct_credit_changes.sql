{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        full_refresh=false,
        on_schema_change='fail',
        post_hook="{{ incremental_engine.record_reader_build('recorded_at = ' ~ incremental_engine.now()) }}",
        indexes=[
            {'columns': ['order_item_id', 'campaign_id', 'credit_mode']},
            {'columns': ['campaign_id', 'recorded_at']},
            {'columns': ['recorded_at']},
        ],
    )
}}
-- depends_on: {{ ref('snap_erp__orders') }}
-- Restatements (docs/rules.md, "The marts"): every change a run made to a credit row's
-- non-reversed amounts, append-only, so that for any time T the changes
-- recorded up to T add up to the credits as they stood after the last run
-- before T. Never rebuilt (`--full-refresh` leaves it alone): it is history
-- that exists nowhere else.
--
-- A run compares the credits it may have changed with what the changes
-- recorded so far add up to, per credit row and sale date (a sale moved to
-- another day is taken off the old day and put on the new one), and
-- appends the differences. Which credits: those the credit fact's change
-- log shows changed after this model's watermark; after a full build of
-- the fact (its log starts afresh) or on this model's first build, every
-- credit. The cause comes from the change itself: a credit reversed or
-- reinstated; else its order new to the pipeline (a sale) or changed (an
-- order edit); else a campaign, targeting or status change moved it (a
-- correction). What a full comparison finds is a `rebuild` (a sale on the
-- first build).
{%- set since = incremental_engine.watermark() %}
{%- set credits = ref('fct_order_item_campaign_credits') %}
{%- set compare_all = not is_incremental()
    or incremental_engine.rebuilt_since([credits], since) %}
{%- set credit_key = ['order_item_id', 'campaign_id', 'credit_mode'] %}
with

{% if compare_all %}

    checked as (
        select {{ credit_key | join(', ') }} from {{ credits }}
        {% if is_incremental() %}
            union
            select {{ credit_key | join(', ') }} from {{ this }}
        {% endif %}
    ),

{% else %}

    logged as (
        select * from {{ incremental_engine.change_log_relation(credits) }}
        where logged_at > {{ since }}
    ),

    checked as (
        select distinct {{ credit_key | join(', ') }} from logged
    ),

{% endif %}

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
        coalesce(now_credited.campaign_id, recorded.campaign_id) as campaign_id,
        coalesce(now_credited.credit_mode, recorded.credit_mode) as credit_mode,
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
),

changed as (
    select * from differences
    where units_delta != 0 or revenue_delta != 0 or profit_delta != 0
),

{% if compare_all %}

    causes as (
        select distinct
            {{ credit_key | join(', ') }},
            '{{ "rebuild" if is_incremental() else "sale" }}' as cause
        from changed
    ),

{% else %}

    -- the credit as it stood at this model's last build: the oldest
    -- version the fact's log replaced since (none: the credit is new)
    replaced as (
        select
            {{ credit_key | join(', ') }},
            is_reversed,
            row_number() over (
                partition by {{ credit_key | join(', ') }}
                order by logged_at
            ) as replaced_order
        from logged
        where change = -1
    ),

    now_reversed as (
        select
            credits.order_item_id,
            credits.campaign_id,
            credits.credit_mode,
            credits.is_reversed
        from {{ credits }} as credits
        inner join checked
            on
                credits.order_item_id = checked.order_item_id
                and credits.campaign_id = checked.campaign_id
                and credits.credit_mode = checked.credit_mode
    ),

    changed_orders as (
        {{ attribution_affected_orders(since) }}
    ),

    distinct_changed_orders as (
        select distinct order_id from changed_orders
    ),

    -- orders the pipeline had not seen before this model's last build
    new_orders as (
        select versions.order_id
        from {{ ref('snap_erp__orders') }} as versions
        where {{ incremental_engine.key_in(
            'versions.order_id', 'select order_id from changed_orders') }}
        group by 1
        having min(versions.observed_at) > {{ since }}
    ),

    causes as (
        select distinct
            changed.order_item_id,
            changed.campaign_id,
            changed.credit_mode,
            case
                when
                    not replaced.is_reversed and now_reversed.is_reversed
                    then 'reversal'
                when
                    replaced.is_reversed and not now_reversed.is_reversed
                    then 'reinstatement'
                when new_orders.order_id is not null then 'sale'
                when distinct_changed_orders.order_id is not null then 'order_edit'
                else 'correction'
            end as cause
        from changed
        left join replaced
            on
                changed.order_item_id = replaced.order_item_id
                and changed.campaign_id = replaced.campaign_id
                and changed.credit_mode = replaced.credit_mode
                and replaced.replaced_order = 1
        left join now_reversed
            on
                changed.order_item_id = now_reversed.order_item_id
                and changed.campaign_id = now_reversed.campaign_id
                and changed.credit_mode = now_reversed.credit_mode
        left join new_orders on changed.order_id = new_orders.order_id
        left join distinct_changed_orders
            on changed.order_id = distinct_changed_orders.order_id
    ),

{% endif %}

final as (
    select
        cast(changed.order_item_id as bigint) as order_item_id,
        cast(changed.campaign_id as bigint) as campaign_id,
        cast(changed.credit_mode as {{ dbt.type_string() }}) as credit_mode,
        cast(changed.order_id as bigint) as order_id,
        cast(changed.sale_date as date) as sale_date,
        {{ incremental_engine.now() }} as recorded_at,
        cast(changed.units_delta as decimal(16, 4)) as units_delta,
        cast(changed.revenue_delta as decimal(16, 2)) as revenue_delta,
        cast(changed.profit_delta as decimal(16, 2)) as profit_delta,
        cast(causes.cause as {{ dbt.type_string() }}) as cause
    from changed
    inner join causes
        on
            changed.order_item_id = causes.order_item_id
            and changed.campaign_id = causes.campaign_id
            and changed.credit_mode = causes.credit_mode
)

select * from final
