{#-
    A model's change log (config `change_log`): `<model>__changes`, the rows
    each incremental build deleted (change = -1) or inserted (+1), minus
    those it deleted and inserted alike, with the build's watermark as
    logged_at and the columns the config names besides the key. Its readers
    add the differences (an aggregate) or find what changed
    (`changed_since`); a full build starts it afresh, and its readers then
    recompute everything (`rebuilt_since`). One reader drops what every
    reader has applied (`prune_change_log` at the oldest of their
    watermarks); a reader that is not a replace_rows model records how far
    it has read with `record_reader_build`.
-#}
{#- The change log's name: the one place the `__changes` suffix is written. -#}
{% macro change_log_identifier(relation) -%}
    {{ return(relation.identifier ~ "__changes") }}
{%- endmacro %}

{% macro change_log_relation(relation) -%}
    {{ relation.schema }}.{{ incremental_engine.change_log_identifier(relation) }}
{%- endmacro %}

{#- The change log of `relation` as it exists (none: not yet, or parsing). -#}
{% macro existing_change_log(relation) -%}
    {%- if not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(adapter.get_relation(
        database=relation.database,
        schema=relation.schema,
        identifier=incremental_engine.change_log_identifier(relation))) }}
{%- endmacro %}

{#- The logged columns: the replace key, then config change_log. -#}
{% macro change_log_columns() -%}
    {%- set columns = incremental_engine.replace_key_columns() -%}
    {%- for column in config.get("change_log", []) if column not in columns -%}
        {%- do columns.append(column) -%}
    {%- endfor -%}
    {{ return(columns) }}
{%- endmacro %}

{% macro ensure_change_log(relation, columns) -%}
    {{ return(adapter.dispatch('ensure_change_log', 'incremental_engine')(
        relation, columns)) }}
{%- endmacro %}

{% macro default__ensure_change_log(relation, columns) -%}
    create table if not exists {{ incremental_engine.change_log_relation(relation) }} as
    select now() as logged_at, 0 as change, {{ columns | join(", ") }}
    from {{ relation }}
    where false;
    create index if not exists {{ incremental_engine.change_log_identifier(relation) }}_logged
        on {{ incremental_engine.change_log_relation(relation) }} (logged_at)
{%- endmacro %}

{% macro spark__ensure_change_log(relation, columns) -%}
    create table if not exists {{ incremental_engine.change_log_relation(relation) }}
    using parquet as
    select current_timestamp() as logged_at, 0 as change, {{ columns | join(", ") }}
    from {{ relation }}
    where false
{%- endmacro %}

{#- A full build starts the log afresh (pre-hook of a full build). -#}
{% macro drop_change_log(relation) -%}
    drop table if exists {{ incremental_engine.change_log_relation(relation) }}
{%- endmacro %}

{#-
    What changed in `relation` (an incremental model with a change_log)
    after the watermark `since`: the logged columns (old and new values) of
    every incremental build since; after a full build of it, every row it
    holds. One row per distinct value; columns as logged.
-#}
{% macro changed_since(relation, columns, since) -%}
    {%- set log = incremental_engine.existing_change_log(relation) -%}
    select {{ columns | join(", ") }}
    from {{ relation }}
    where exists ({{ incremental_engine.full_build_since(relation.identifier, since) }})
    {%- if log is not none %}
    union
    select {{ columns | join(", ") }}
    from {{ log }}
    where logged_at > {{ since }}
    {%- endif %}
{%- endmacro %}

{#-
    True when a reader of the change logs of `relations` cannot add their
    differences: one was built in full after `since` (its log starts
    afresh), or has no log yet.
-#}
{% macro rebuilt_since(relations, since) %}
    {%- if not execute -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set checks = [] -%}
    {%- for relation in relations -%}
        {%- set log = incremental_engine.existing_change_log(relation) -%}
        {%- if log is none -%}
            {{ return(true) }}
        {%- endif -%}
        {%- do checks.append("exists (" ~ incremental_engine.full_build_since(
            relation.identifier, since) ~ ")") -%}
    {%- endfor -%}
    {%- set rebuilt = run_query("select " ~ checks | join(" or ")) -%}
    {{ return(rebuilt.columns[0].values()[0]) }}
{% endmacro %}

{#-
    Pre-hook of a change log's reader: drop what it applied before `since`
    (its own previous watermark).
-#}
{% macro prune_change_log(relation, since) %}
    {%- set log = incremental_engine.existing_change_log(relation) -%}
    {%- if log is not none and is_incremental() %}
        {{ adapter.dispatch('prune_change_log', 'incremental_engine')(log, since) }}
    {%- else %}
        select 1
    {%- endif %}
{% endmacro %}

{#-
    In the body of a change log's pruning reader: it runs after `readers`
    (the log's other readers, by model name) where a table cannot be read
    while it is rewritten. Spark's `insert overwrite` deletes the files a
    concurrent reader has listed (it then fails: "File ... does not exist");
    PostgreSQL's readers see the rows as they were (MVCC): no order needed,
    its graph stays as it is.
-#}
{% macro prune_after(readers) -%}
    {{ return(adapter.dispatch('prune_after', 'incremental_engine')(readers)) }}
{%- endmacro %}

{% macro default__prune_after(readers) -%}
{%- endmacro %}

{% macro spark__prune_after(readers) -%}
    {%- for reader in readers %}
-- depends_on: {{ ref(reader) }}
    {%- endfor %}
{%- endmacro %}

{% macro default__prune_change_log(log, since) %}
    delete from {{ log }} where logged_at <= {{ since }}
{% endmacro %}

{#- Spark: parquet has no delete, and a table cannot be overwritten from
    itself: the rows kept go through a staged copy. -#}
{% macro spark__prune_change_log(log, since) %}
    {%- set staged = log.incorporate(path={"identifier": log.identifier ~ "__kept"}) -%}
    {%- do run_query("drop table if exists " ~ staged) -%}
    {%- do run_query("create table " ~ staged ~ " using parquet as select * from "
        ~ log ~ " where logged_at > " ~ since) -%}
    {%- do run_query("insert overwrite table " ~ log ~ " select * from " ~ staged) -%}
    drop table if exists {{ staged }}
{% endmacro %}
