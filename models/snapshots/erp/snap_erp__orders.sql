{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='dbt_scd_id',
        full_refresh=false,
        on_schema_change='fail',
        post_hook="{{ index_order_observation() }}",
    )
}}
-- Every observed version of each order: what a dbt check snapshot on
-- (order_status, sale_time, updated_at) records, with its columns, but
-- reading only the orders changed since the last observation (see
-- macros/incremental/order_observation.sql). A version is closed
-- (dbt_valid_to) when a newer one is seen or, in a full observation, when
-- the order is gone. Never rebuilt: the history exists nowhere else.
with

observed as (
    select
        orders.order_id,
        orders.order_number,
        orders.store_id,
        orders.order_status,
        orders.sale_time,
        orders.order_date,
        orders.created_at,
        orders.updated_at
    from {{ ref('stg_erp__orders') }} as orders
    {% if not observes_all_orders() %}
        -- through the replica's index on erp.orders (updated_at)
        where orders.updated_at >= {{ order_observation_since() }}
    {% endif %}
),

{% if is_incremental() %}
    current_versions as (
        select versions.*
        from {{ this }} as versions
        where
            versions.dbt_valid_to is null
            {% if not observes_all_orders() %}
                -- an array, not a semi-join: the planner hashes a semi-join's
                -- whole other side, here every version ever observed
                and versions.order_id
                = any(array(select observed.order_id from observed))
            {% endif %}
    ),
{% endif %}

new_versions as (
    select
        observed.*,
        md5(observed.order_id::text || '|' || now()::text) as dbt_scd_id,
        now()::timestamp as dbt_updated_at,
        now()::timestamp as dbt_valid_from,
        null::timestamp as dbt_valid_to
    from observed
    {% if is_incremental() %}
        left join current_versions
            on observed.order_id = current_versions.order_id
        where
            current_versions.order_id is null
            or {{ order_version_differs('observed', 'current_versions') }}
    {% endif %}
)

select * from new_versions
{% if is_incremental() %}
    -- the versions these replace, or of orders gone from the ERP: closed
    union all
    select
        current_versions.order_id,
        current_versions.order_number,
        current_versions.store_id,
        current_versions.order_status,
        current_versions.sale_time,
        current_versions.order_date,
        current_versions.created_at,
        current_versions.updated_at,
        current_versions.dbt_scd_id,
        current_versions.dbt_updated_at,
        current_versions.dbt_valid_from,
        now()::timestamp as dbt_valid_to
    from current_versions
    left join observed
        on current_versions.order_id = observed.order_id
    where
        observed.order_id is null
        or {{ order_version_differs('observed', 'current_versions') }}
{% endif %}
