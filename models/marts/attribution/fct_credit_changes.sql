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

    -- each changed row's cause; each join meets one row at most (its order)
    caused as (
        select
            changed.*,
            case
                when
                    not changed.was_reversed and changed.is_reversed_now
                    then 'reversal'
                when
                    changed.was_reversed and not changed.is_reversed_now
                    then 'reinstatement'
                when new_orders.order_id is not null then 'sale'
                when changed_orders.order_id is not null then 'order_edit'
                else 'correction'
            end as cause
        from changed
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
