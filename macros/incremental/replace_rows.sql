{#-
    The incremental machinery of this project: every incremental model
    recomputes only the keys a run touched, and equals a full rebuild.

    Config contract (model config keys read by these macros):
      materialized='incremental', incremental_strategy='replace_rows'
      replace_key      the key whose rows are replaced as a whole: a column
                       name or a list of them (default order_item_id). The
                       keys are the rows of the staged table (see below).
      marker_column    a column never null in a real row; a row where it is
                       null is a marker (a key that keeps no rows) and is
                       never inserted. Markers come from `marker_rows()`,
                       typed by the model's yml contract (data_type).
      reversal_column  optional boolean column counted as rows_reversed in
                       the run log (default: none).
      change_log       optional list of columns logged besides the key: every
                       row a build deleted (change -1) or inserted (+1), minus
                       those it deleted and inserted alike, goes to
                       `<model>__changes` with these columns and the build's
                       watermark (logged_at). A downstream model finds what
                       changed (`changed_since`) or applies the difference
                       (agg_campaign_daily); the frequent tests check only the
                       rows the latest run wrote (`where: __latest_run__`, see
                       tests_where.sql). A full build starts it afresh.
      pre_hook         "{{ stage_affected_keys(<query of the keys>) }}": the
                       keys to recompute, in an analysed temporary table.
      post_hook        "{{ record_full_build() }}": a full build logs itself.

    Files: replace_rows.sql (the strategy), affected_keys.sql (what a run
    recomputes: staging, the facts' affected items, changed_since),
    markers.sql (marker rows from the contract), run_log.sql (the run log
    and each model's watermark), order_observation.sql (the orders' observed
    history), index_snapshot.sql (the snapshots' indexes).

    Dbt vars: recompute_order_ids, recompute_from / recompute_to (what the
    data team asks to recompute), order_observation_lookback and
    observe_all_orders (order_observation.sql), attribution_runs_schema.

    Strategy `replace_rows`: the model's new rows are the complete truth for
    every staged key. Existing rows of those keys are deleted, then the new
    rows inserted (markers left out). One statement, so the counts land in
    the run log with the watermark of this build.
-#}
{% macro get_incremental_replace_rows_sql(arg_dict) %}
    {%- set target = arg_dict["target_relation"] -%}
    {%- set temp = arg_dict["temp_relation"] -%}
    {%- set keys = replace_key_columns() -%}
    {%- set marker = config.require("marker_column") -%}
    {%- set change_log = change_log_columns() -%}
    {%- set names = arg_dict["dest_columns"] | map(attribute="name") -%}
    {%- set columns = get_quoted_csv(names) -%}
    {{ ensure_change_log(target, change_log) }};
    with
    -- the keys staged (and analysed) before the build, so the planner
    -- reaches the old rows through the key's index
    affected_keys as (
        select distinct {{ keys | join(", ") }} from {{ affected_keys_relation() }}
    ),
    deleted as (
        delete from {{ target }} as existing
        -- one key column: an array, not a join, which the planner turns
        -- into a hash of the keys and a scan of the whole table whenever it
        -- guesses many rows per key (a fact has 28 M rows at 10 M items);
        -- several: the aggregates' small tables, a semi-join
        where
{%- if keys | length == 1 %}
            existing.{{ keys[0] }} = any(array(select {{ keys[0] }} from affected_keys))
{%- else %}
            (existing.{{ keys | join(", existing.") }})
            in (select {{ keys | join(", ") }} from affected_keys)
{%- endif %}
        returning existing.*
    ),
    inserted as (
        insert into {{ target }} ({{ columns }})
        select {{ columns }} from {{ temp }}
        -- reading `deleted` first makes the delete run before the insert
        where {{ marker }} is not null and (select count(*) from deleted) >= 0
        returning *
    ),
    -- rows deleted and inserted alike (every column) changed nothing
    gone as (
        select * from deleted
        except all
        select * from inserted
    ),
    came as (
        select * from inserted
        except all
        select * from deleted
    ),
    logged as (
        insert into {{ change_log_relation(target) }} (
            logged_at, change, {{ change_log | join(", ") }}
        )
        select now(), -1, {{ change_log | join(", ") }} from gone
        union all
        select now(), 1, {{ change_log | join(", ") }} from came
    ),
    counts as (
        select
            (select count(*) from deleted) as rows_deleted,
            (select count(*) from inserted) as rows_inserted,
            (
                select count(*) from inserted
                where {{ config.get("reversal_column", "false") }}
            ) as rows_reversed
    )
    insert into {{ attribution_runs_relation() }} (
        model_name, watermark, built_at, is_full_build, items_recomputed,
        rows_deleted, rows_inserted, rows_reversed, invocation_id
    )
    select
        '{{ target.identifier }}', now(), clock_timestamp(), false,
        (select count(*) from affected_keys),
        counts.rows_deleted,
        counts.rows_inserted,
        counts.rows_reversed,
        '{{ invocation_id }}'
    from counts
{% endmacro %}

{#- The logged columns: the replace key, then config change_log. -#}
{% macro change_log_columns() -%}
    {%- set columns = replace_key_columns() -%}
    {%- for column in config.get("change_log", []) if column not in columns -%}
        {%- do columns.append(column) -%}
    {%- endfor -%}
    {{ return(columns) }}
{%- endmacro %}

{#- The model's replace_key as a list of column names. -#}
{% macro replace_key_columns() -%}
    {%- set key = config.get("replace_key", "order_item_id") -%}
    {{ return([key] if key is string else key) }}
{%- endmacro %}
