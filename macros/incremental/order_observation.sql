{#-
    How the orders' observed history (snap_erp__orders) reads the ERP.

    Frequent runs read only the orders whose updated_at is at or after the
    high-water mark already observed minus the dbt var
    `order_observation_lookback` (default '10 minutes', a PostgreSQL
    interval): the contract bumps orders.updated_at on every change of an
    order or its items, the replica's index on erp.orders (updated_at) finds
    them, and the lookback covers rows the replica commits late with an
    earlier updated_at. Set it above the replica's worst lag.

    What a frequent run cannot see: hard deletes, and changes that reach the
    replica later than the lookback. The nightly job passes the dbt var
    `observe_all_orders: true`: the whole orders table is compared with the
    current versions, vanished orders are closed and missed versions
    recorded, and the facts then recompute those orders.
-#}
{% macro order_observation_lookback() -%}
    {%- set lookback = var('order_observation_lookback', '10 minutes') | string -%}
    {%- if not modules.re.match("^[0-9a-z .:-]+$", lookback) -%}
        {{ exceptions.raise_compiler_error(
            "order_observation_lookback must be an interval such as '10 minutes', got "
            ~ lookback) }}
    {%- endif -%}
    {{ return(lookback) }}
{%- endmacro %}

{#- True when this run compares every order (nightly, or the first build). -#}
{% macro observes_all_orders() -%}
    {%- set observe_all = var('observe_all_orders', false) in (true, 'true', 1) -%}
    {{ return(not is_incremental() or observe_all) }}
{%- endmacro %}

{#-
    The updated_at from which a frequent run reads orders, as a literal:
    the newest updated_at observed, minus the lookback.
-#}
{% macro order_observation_since() -%}
    {%- set since = "-infinity" -%}
    {%- if execute -%}
        {%- set result = run_query(
            "select coalesce((max(updated_at) - interval '" ~ order_observation_lookback()
            ~ "')::text, '-infinity') from " ~ this) -%}
        {%- set since = result.columns[0].values()[0] -%}
    {%- endif -%}
    '{{ since }}'::timestamptz
{%- endmacro %}

{#-
    Post-hook of the observed history: the indexes of a snapshot (key,
    observation times), plus the high-water mark's and the version id's.
    Created if missing, so a table first built by a dbt snapshot gets them.
-#}
{% macro index_order_observation() %}
    create index if not exists {{ this.identifier }}__key
        on {{ this }} (order_id, dbt_valid_from);
    create index if not exists {{ this.identifier }}__valid_from
        on {{ this }} (dbt_valid_from);
    create index if not exists {{ this.identifier }}__valid_to
        on {{ this }} (dbt_valid_to);
    create index if not exists {{ this.identifier }}__updated_at
        on {{ this }} (updated_at);
    create index if not exists {{ this.identifier }}__scd_id
        on {{ this }} (dbt_scd_id);
{% endmacro %}

{#
    What makes a new version of an order in snap_erp__orders: its status,
    its sale time or its updated_at differ from the current version's.
#}
{% macro order_version_differs(observed, current) -%}
    ({{ observed }}.order_status, {{ observed }}.sale_time, {{ observed }}.updated_at)
    is distinct from (
        {{ current }}.order_status,
        {{ current }}.sale_time,
        {{ current }}.updated_at
    )
{%- endmacro %}
