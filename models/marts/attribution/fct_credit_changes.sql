{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        full_refresh=false,
        on_schema_change='fail',
        pre_hook="{{ incremental_engine.stage('changed', credit_changes_differences()) }}",
        post_hook="{{ incremental_engine.record_reader_build('recorded_at = ' ~ incremental_engine.now()) }}",
        indexes=[
            {'columns': ['order_item_id', 'campaign_id', 'credit_mode']},
            {'columns': ['campaign_id', 'recorded_at']},
            {'columns': ['recorded_at']},
        ],
    )
}}
-- depends_on: {{ ref('snap_erp__orders') }}
-- depends_on: {{ ref('fct_order_item_campaign_credits') }}
-- Restatements (docs/rules.md, "The marts"): every change a run made to a credit row's
-- non-reversed amounts, append-only, so that for any time T the changes
-- recorded up to T add up to the credits as they stood after the last run
-- before T. Never rebuilt (`--full-refresh` leaves it alone): it is history
-- that exists nowhere else.
--
-- A run compares the credits it may have changed with what the changes
-- recorded so far add up to and appends the differences
-- (credit_changes_differences, staged by the pre-hook so that the joins
-- below know how many they are). Which credits: those the credit fact's
-- change log shows changed after this model's watermark; after a full
-- build of the fact or on this model's first build, every credit
-- (credit_changes_compare_all). The cause comes from the change itself: a
-- credit reversed or reinstated; else its order new to the pipeline (a
-- sale) or changed (an order edit); else a campaign, targeting or status
-- change moved it (a correction). What a full comparison finds is a
-- `rebuild` (a sale on the first build).
{%- set since = incremental_engine.watermark() %}
{%- set credits = ref('fct_order_item_campaign_credits') %}
{%- set credit_key = ['order_item_id', 'campaign_id', 'credit_mode'] %}
with

changed as (
    select * from {{ incremental_engine.staged_relation('changed') }}
),

{% if credit_changes_compare_all() %}

    caused as (
        select
            changed.*,
            '{{ "rebuild" if is_incremental() else "sale" }}' as cause
        from changed
    ),

{% else %}

    changed_credits as (
        select distinct {{ credit_key | join(', ') }} from changed
    ),

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
        from {{ incremental_engine.change_log_relation(credits) }}
        where logged_at > {{ since }} and change = -1
    ),

    now_reversed as (
        select
            credits.order_item_id,
            credits.campaign_id,
            credits.credit_mode,
            credits.is_reversed
        from {{ credits }} as credits
        inner join changed_credits
            on
                credits.order_item_id = changed_credits.order_item_id
                and credits.campaign_id = changed_credits.campaign_id
                and credits.credit_mode = changed_credits.credit_mode
    ),

    changed_orders as (
        select distinct orders.order_id
        from ({{ attribution_affected_orders(since) }}) as orders
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

    -- each changed row's cause; every join meets one row at most (a
    -- credit's replaced and current versions, its order)
    caused as (
        select
            changed.*,
            case
                when
                    not replaced.is_reversed and now_reversed.is_reversed
                    then 'reversal'
                when
                    replaced.is_reversed and not now_reversed.is_reversed
                    then 'reinstatement'
                when new_orders.order_id is not null then 'sale'
                when changed_orders.order_id is not null then 'order_edit'
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
        left join changed_orders on changed.order_id = changed_orders.order_id
    ),

{% endif %}

final as (
    select
        cast(order_item_id as bigint) as order_item_id,
        cast(campaign_id as bigint) as campaign_id,
        cast(credit_mode as {{ dbt.type_string() }}) as credit_mode,
        cast(order_id as bigint) as order_id,
        cast(sale_date as date) as sale_date,
        {{ incremental_engine.now() }} as recorded_at,
        cast(units_delta as decimal(16, 4)) as units_delta,
        cast(revenue_delta as decimal(16, 2)) as revenue_delta,
        cast(profit_delta as decimal(16, 2)) as profit_delta,
        cast(cause as {{ dbt.type_string() }}) as cause
    from caused
)

select * from final
