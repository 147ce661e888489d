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

{#-
    Spark (parquet): the partitions holding old or new rows of the staged
    keys are rewritten, keeping their other rows (`insert overwrite` of those
    partitions only, config `partition_by`; a table without it is rewritten
    whole through a staged copy), and a partition left empty is dropped.
    Then the change log and the run log get their rows, each statement in
    turn (Spark has no transaction: a build that fails between them is
    repaired by the next, which stages the same keys again).
-#}
{% macro spark__replace_rows_sql(arg_dict) %}
    {%- set target = arg_dict["target_relation"] -%}
    {%- set temp = arg_dict["temp_relation"] -%}
    {%- set keys = incremental_engine.replace_key_columns() -%}
    {%- set marker = config.require("marker_column") -%}
    {%- set change_log = incremental_engine.change_log_columns() -%}
    {%- set columns = arg_dict["dest_columns"] | map(attribute="name") | list -%}
    {%- set partitions = config.get("partition_by") or [] -%}
    {%- set partitions = [partitions] if partitions is string else partitions -%}
    {%- set affected = incremental_engine.affected_keys_relation() -%}
    {#- tables, not cached views: a cached view of the target is recomputed
        once the target is overwritten -#}
    {%- set new_rows = target.schema ~ "." ~ target.identifier ~ "__new_rows" -%}
    {%- set old_rows = target.schema ~ "." ~ target.identifier ~ "__old_rows" -%}
    {%- set kept_rows = target.schema ~ "." ~ target.identifier ~ "__kept_rows" -%}
    {%- set is_affected -%}
        ({{ keys | join(", ") }}) in (select {{ keys | join(", ") }} from {{ affected }})
    {%- endset -%}
    {%- do run_query(incremental_engine.ensure_change_log(target, change_log)) -%}
    {%- for name in [new_rows, old_rows, kept_rows] -%}
        {%- do run_query("drop table if exists " ~ name) -%}
    {%- endfor -%}
    {%- do run_query("create table " ~ new_rows ~ " using parquet as select " ~ columns | join(", ")
        ~ " from " ~ temp ~ " where " ~ marker ~ " is not null") -%}
    {%- do run_query("create table " ~ old_rows ~ " using parquet as select " ~ columns | join(", ")
        ~ " from " ~ target ~ " where " ~ is_affected) -%}
    {%- if partitions -%}
        {%- set touched = run_query(
            "select distinct " ~ partitions | join(", ") ~ " from " ~ old_rows
            ~ " union select distinct " ~ partitions | join(", ") ~ " from " ~ new_rows) -%}
        {%- set touched_filter = [] -%}
        {%- for row in touched.rows -%}
            {%- set parts = [] -%}
            {%- for column in partitions -%}
                {%- do parts.append(column ~ " <=> " ~ incremental_engine.spark_literal(row[loop.index0])) -%}
            {%- endfor -%}
            {%- do touched_filter.append("(" ~ parts | join(" and ") ~ ")") -%}
        {%- endfor -%}
        {%- set in_touched = touched_filter | join(" or ") or "false" -%}
        {%- do run_query("create table " ~ kept_rows ~ " using parquet as select " ~ columns | join(", ")
            ~ " from " ~ target ~ " where (" ~ in_touched ~ ") and not " ~ is_affected) -%}
        {%- if touched.rows | length > 0 -%}
            {%- do run_query("insert overwrite table " ~ target ~ " partition ("
                ~ partitions | join(", ") ~ ") select " ~ columns | join(", ")
                ~ " from " ~ kept_rows ~ " union all select " ~ columns | join(", ")
                ~ " from " ~ new_rows) -%}
        {%- endif -%}
        {#- partitions left with no row: dropped -#}
        {%- set emptied = run_query(
            "select distinct " ~ partitions | join(", ") ~ " from " ~ old_rows
            ~ " except select distinct " ~ partitions | join(", ") ~ " from " ~ kept_rows
            ~ " except select distinct " ~ partitions | join(", ") ~ " from " ~ new_rows) -%}
        {%- for row in emptied.rows -%}
            {%- set parts = [] -%}
            {%- for column in partitions -%}
                {%- do parts.append(column ~ " = " ~ incremental_engine.spark_literal(row[loop.index0])) -%}
            {%- endfor -%}
            {%- do run_query("alter table " ~ target ~ " drop if exists partition ("
                ~ parts | join(", ") ~ ")") -%}
        {%- endfor -%}
    {%- else -%}
        {%- set staged = target.incorporate(
            path={"identifier": target.identifier ~ "__replacing"}) -%}
        {%- do run_query("drop table if exists " ~ staged) -%}
        {%- do run_query("create table " ~ staged ~ " using parquet as select "
            ~ columns | join(", ") ~ " from " ~ target ~ " where not " ~ is_affected
            ~ " union all select " ~ columns | join(", ") ~ " from " ~ new_rows) -%}
        {%- do run_query("insert overwrite table " ~ target ~ " select "
            ~ columns | join(", ") ~ " from " ~ staged) -%}
        {%- do run_query("drop table if exists " ~ staged) -%}
    {%- endif -%}
    {%- do run_query(
        "insert into " ~ incremental_engine.change_log_relation(target)
        ~ " (logged_at, change, " ~ change_log | join(", ") ~ ")"
        ~ " select started.started_at, -1, " ~ change_log | join(", ")
        ~ " from (select * from " ~ old_rows ~ " except all select * from " ~ new_rows ~ ")"
        ~ " cross join " ~ incremental_engine.build_started_relation() ~ " as started"
        ~ " union all select started.started_at, 1, " ~ change_log | join(", ")
        ~ " from (select * from " ~ new_rows ~ " except all select * from " ~ old_rows ~ ")"
        ~ " cross join " ~ incremental_engine.build_started_relation() ~ " as started") -%}
    {%- set logged -%}
    {{ incremental_engine.run_log_insert() }}
    select
        unix_micros(current_timestamp()), '{{ target.identifier }}',
        started.started_at, current_timestamp(), false,
        (select count(*) from {{ affected }}),
        (select count(*) from {{ old_rows }}),
        (select count(*) from {{ new_rows }}),
        (select count_if({{ config.get("reversal_column", "false") }}) from {{ new_rows }}),
        '{{ invocation_id }}'
    from {{ incremental_engine.build_started_relation() }} as started
    {%- endset -%}
    {%- do run_query(logged) -%}
    {%- for name in [old_rows, kept_rows] -%}
        {%- do run_query("drop table if exists " ~ name) -%}
    {%- endfor -%}
    drop table if exists {{ new_rows }}
{% endmacro %}

{#- A value read back from Spark, as a literal of the same value. -#}
{% macro spark_literal(value) -%}
    {%- if value is none -%}
        null
    {%- elif value is number -%}
        {{ value }}
    {%- else -%}
        '{{ value | string | replace("'", "\\'") }}'
    {%- endif -%}
{%- endmacro %}
