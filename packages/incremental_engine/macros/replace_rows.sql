{#-
    Strategy `replace_rows`: the model's new rows are the complete truth for
    every staged key (affected_keys.sql). The rows the model holds for those
    keys are replaced by them (markers left out, markers.sql), the rows that
    really changed go to the change log (change_log.sql), and the build's
    counts and watermark to the run log (run_log.sql). Rows of other keys
    are never touched.

    The root project hands dbt the strategy (dbt looks for it there only):
        {% macro get_incremental_replace_rows_sql(arg_dict) %}
            {{ return(incremental_engine.replace_rows_sql(arg_dict)) }}
        {% endmacro %}
-#}
{% macro replace_rows_sql(arg_dict) %}
    {{ return(adapter.dispatch('replace_rows_sql', 'incremental_engine')(arg_dict)) }}
{% endmacro %}

{#- The model's replace_key as a list of column names. -#}
{% macro replace_key_columns() -%}
    {%- set key = config.get("replace_key", "order_item_id") -%}
    {{ return([key] if key is string else key) }}
{%- endmacro %}

{#-
    PostgreSQL: one statement, so the counts land in the run log with the
    watermark of this build's transaction. Old rows are found through the
    key's index (one key column: an array, not a join, which the planner
    turns into a hash of the keys and a scan of the whole table whenever it
    guesses many rows per key; several: the aggregates' small tables, a
    semi-join).
-#}
{% macro default__replace_rows_sql(arg_dict) %}
    {%- set target = arg_dict["target_relation"] -%}
    {%- set temp = arg_dict["temp_relation"] -%}
    {%- set keys = incremental_engine.replace_key_columns() -%}
    {%- set marker = config.require("marker_column") -%}
    {%- set change_log = incremental_engine.change_log_columns() -%}
    {%- set names = arg_dict["dest_columns"] | map(attribute="name") -%}
    {%- set columns = get_quoted_csv(names) -%}
    {{ incremental_engine.ensure_change_log(target, change_log) }};
    with
    affected_keys as (
        select distinct {{ keys | join(", ") }}
        from {{ incremental_engine.affected_keys_relation() }}
    ),
    deleted as (
        delete from {{ target }} as existing
        where
{%- if keys | length == 1 %}
            {{ incremental_engine.key_in(
                "existing." ~ keys[0], "select " ~ keys[0] ~ " from affected_keys") }}
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
        insert into {{ incremental_engine.change_log_relation(target) }} (
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
    {{ incremental_engine.run_log_insert() }}
    select
        '{{ target.identifier }}', now(), clock_timestamp(), false,
        (select count(*) from affected_keys),
        counts.rows_deleted,
        counts.rows_inserted,
        counts.rows_reversed,
        '{{ invocation_id }}'
    from counts
{% endmacro %}
