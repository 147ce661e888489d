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
    watermark of this build's transaction. Only what differs is written: the
    new rows of the staged keys are compared with the rows the table holds
    for them, as multisets of whole rows, and only the old rows with no
    equal new one are deleted and only the new rows with no equal old one
    inserted. A recomputed row that came out as it was is never touched, nor
    are the table's indexes for it (most rows of a frequent run: an order's
    status change moves its reversal flag, not its other items' credits).
    Rows are compared by their text image (null-safe, hashable, and exact:
    1.0 and 1.00 differ, as their stored values do), each copy of a
    repeated row numbered so that duplicates pair off one for one; old rows
    are deleted by their ctid. Old rows are found through the key's index
    (one key column: an array, not a join, which the planner turns into a
    hash of the keys and a scan of the whole table whenever it guesses many
    rows per key; several: the aggregates' small tables, a semi-join).
-#}
{% macro default__replace_rows_sql(arg_dict) %}
    {%- set target = arg_dict["target_relation"] -%}
    {%- set temp = arg_dict["temp_relation"] -%}
    {%- set keys = incremental_engine.replace_key_columns() -%}
    {%- set marker = config.require("marker_column") -%}
    {%- set change_log = incremental_engine.change_log_columns() -%}
    {%- set quoted = [] -%}
    {%- for column in arg_dict["dest_columns"] -%}
        {%- do quoted.append(adapter.quote(column.name)) -%}
    {%- endfor -%}
    {%- set columns = quoted | join(", ") -%}
    {{ incremental_engine.ensure_change_log(target, change_log) }};
    with
    affected_keys as (
        select distinct {{ keys | join(", ") }}
        from {{ incremental_engine.affected_keys_relation() }}
    ),
    old_images as (
        select
            existing.ctid as row_id,
            row(existing.{{ quoted | join(", existing.") }})::text as image
        from {{ target }} as existing
        where
{%- if keys | length == 1 %}
            {{ incremental_engine.key_in(
                "existing." ~ keys[0], "select " ~ keys[0] ~ " from affected_keys") }}
{%- else %}
            (existing.{{ keys | join(", existing.") }})
            in (select {{ keys | join(", ") }} from affected_keys)
{%- endif %}
    ),
    new_images as (
        select
            new_row.ctid as row_id,
            row(new_row.{{ quoted | join(", new_row.") }})::text as image
        from {{ temp }} as new_row
        where new_row.{{ marker }} is not null
    ),
    old_rows as (
        select
            row_id, image, row_number() over (partition by image) as copy
        from old_images
    ),
    new_rows as (
        select
            row_id, image, row_number() over (partition by image) as copy
        from new_images
    ),
    gone as (
        select old_rows.row_id
        from old_rows
        left join new_rows
            on old_rows.image = new_rows.image and old_rows.copy = new_rows.copy
        where new_rows.row_id is null
    ),
    came as (
        select new_rows.row_id
        from new_rows
        left join old_rows
            on new_rows.image = old_rows.image and new_rows.copy = old_rows.copy
        where old_rows.row_id is null
    ),
    deleted as (
        delete from {{ target }} as existing
        where existing.ctid = any(array(select gone.row_id from gone))
        returning existing.*
    ),
    inserted as (
        insert into {{ target }} ({{ columns }})
        select {{ columns }} from {{ temp }} as new_row
        -- reading `deleted` first makes the delete run before the insert (a
        -- changed row keeps its unique key)
        where
            new_row.ctid = any(array(select came.row_id from came))
            and (select count(*) from deleted) >= 0
        returning *
    ),
    logged as (
        insert into {{ incremental_engine.change_log_relation(target) }} (
            logged_at, change, {{ change_log | join(", ") }}
        )
        select now(), -1, {{ change_log | join(", ") }} from deleted
        union all
        select now(), 1, {{ change_log | join(", ") }} from inserted
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
