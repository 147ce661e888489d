{#-
    THE CHANGE DETECTOR. Everything that decides "what changed" reads this
    file's tables; nothing else compares sources with what was seen before.

    An observation is a model with `materialized='observation'` whose select
    is the relation it watches (a source's staging model, say), with
    `unique_key` (that relation's key) and optionally `updated_at` (a column
    the source bumps on every change of the row or of anything hanging off
    it). Its table is append-only: every version of every row ever seen,
    with `is_deleted` (the row was found gone; its last values repeated) and
    `observed_at` (`now()` of the build that saw it). Never rebuilt.

    The protocol:
    1. Pending: a row whose columns differ from its latest version (or that
       has none), or a key whose latest version is gone from the relation.
       With `updated_at`, a frequent build reads only the rows updated at or
       after the newest updated_at seen minus the var `observation_lookback`
       (default '10 minutes': above the source's worst replication lag), and
       does not look for deletions; the var `observe_all: true` (nightly)
       compares every row and records deletions too.
    2. Observed: each build appends what is pending as new versions. Its
       view `<observation>__pending` is the same comparison, read-only: the
       scheduler asks it whether anything is pending (no dbt needed), and
       a build of what the observation feeds is due exactly then.
    3. Applied: an incremental model reads what changed since its watermark
       (run_log.sql) as keys: `changed_keys(observation, column, since)`,
       turns them into its own affected keys (affected_keys.sql), and its
       next watermark passes them.
    A model's rows are thus a function of the observations up to its
    watermark: incremental equals full refresh.

    An observation taking the place of a dbt snapshot of the same name (on
    PostgreSQL) takes over its history on its first build.
-#}
{% materialization observation, default %}
    {%- set key = config.require('unique_key') -%}
    {%- set updated_at = config.get('updated_at') -%}
    {%- set target = this.incorporate(type='table') -%}
    {%- set existing = load_relation(this) -%}
    {{ run_hooks(pre_hooks, inside_transaction=False) }}
    {{ run_hooks(pre_hooks, inside_transaction=True) }}
    {%- if existing is not none and 'dbt_valid_from' in (
        adapter.get_columns_in_relation(existing) | map(attribute='name')) -%}
        {%- do incremental_engine.take_over_snapshot(existing, sql, key) -%}
    {%- elif existing is none -%}
        {%- call statement('create_observation') -%}
            {{ incremental_engine.create_observation_sql(target, sql) }}
        {%- endcall -%}
    {%- endif -%}
    {%- set columns = get_columns_in_query(sql) -%}
    {%- set observe_all = existing is none or not updated_at
        or var('observe_all', false) in (true, 'true', 1) -%}
    {%- set since = none -%}
    {%- if not observe_all -%}
        {%- set newest = run_query(
            "select cast(max(" ~ updated_at ~ ") as " ~ dbt.type_string() ~ ")"
            ~ " from " ~ target).columns[0].values()[0] -%}
        {%- set since = incremental_engine.minus_lookback(
            incremental_engine.timestamp_literal(newest or '-infinity')) -%}
    {%- endif -%}
    {#- the rows read, staged first: the planner then knows how many -#}
    {%- set observed = this.identifier ~ "__observed" -%}
    {%- do adapter.dispatch('stage_observed', 'incremental_engine')(
        observed, incremental_engine.observed_rows(sql, updated_at, observe_all, since)) -%}
    {%- call statement('main') -%}
        insert into {{ target }}
        select pending.*, {{ incremental_engine.now() }} as observed_at
        from (
            {{ incremental_engine.pending_versions(
                target, "select * from " ~ observed, key, columns, observe_all) }}
        ) as pending
    {%- endcall -%}
    {%- do incremental_engine.publish_pending(target, sql, key, columns, updated_at) -%}
    {%- do adapter.dispatch('index_observation', 'incremental_engine')(
        target, key, updated_at) -%}
    {{ run_hooks(post_hooks, inside_transaction=True) }}
    {{ adapter.commit() }}
    {{ run_hooks(post_hooks, inside_transaction=False) }}
    {{ return({'relations': [target]}) }}
{% endmaterialization %}

{#-
    The rows an observation reads: all of `source_sql`, or (not
    `observe_all`) those updated at or after `since` (a literal or a scalar
    query).
-#}
{% macro observed_rows(source_sql, updated_at, observe_all, since) %}
    select * from ({{ source_sql }}) as source
    {%- if not observe_all %}
    where source.{{ updated_at }} >= {{ since }}
    {%- endif %}
{% endmacro %}

{% macro default__stage_observed(name, observed_sql) %}
    {%- call statement('stage_observed') -%}
        drop table if exists {{ name }};
        create temporary table {{ name }} as {{ observed_sql }};
        analyze {{ name }}
    {%- endcall -%}
{% endmacro %}

{% macro spark__stage_observed(name, observed_sql) %}
    {%- call statement('uncache_observed') -%}
        uncache table if exists {{ name }}
    {%- endcall -%}
    {%- call statement('stage_observed') -%}
        cache table {{ name }} as {{ observed_sql }}
    {%- endcall -%}
{% endmacro %}

{#- `timestamp` minus the var observation_lookback. -#}
{% macro minus_lookback(timestamp) -%}
    {%- set lookback = var('observation_lookback', '10 minutes') | string -%}
    {%- if not modules.re.match("^[0-9]+ (second|minute|hour|day)s?$", lookback) -%}
        {{ exceptions.raise_compiler_error(
            "observation_lookback must be a number and a unit such as"
            " '10 minutes', got " ~ lookback) }}
    {%- endif -%}
    ({{ timestamp }} - interval '{{ lookback }}')
{%- endmacro %}

{% macro create_observation_sql(target, source_sql) %}
    {{ return(adapter.dispatch('create_observation_sql', 'incremental_engine')(
        target, source_sql)) }}
{% endmacro %}

{% macro default__create_observation_sql(target, source_sql) %}
    create table {{ target }} as
    select source.*, false as is_deleted, now() as observed_at
    from ({{ source_sql }}) as source
    where false
{% endmacro %}

{% macro spark__create_observation_sql(target, source_sql) %}
    create table {{ target }} using parquet as
    select source.*, false as is_deleted, current_timestamp() as observed_at
    from ({{ source_sql }}) as source
    where false
{% endmacro %}

{#- Observations are read by key and by observation time. -#}
{% macro default__index_observation(target, key, updated_at) %}
    {%- call statement('index_observation') -%}
        create index if not exists {{ target.identifier }}__key_observed
            on {{ target }} ({{ key }}, observed_at);
        create index if not exists {{ target.identifier }}__observed_at
            on {{ target }} (observed_at)
        {%- if updated_at %};
        create index if not exists {{ target.identifier }}__updated_at
            on {{ target }} ({{ updated_at }})
        {%- endif %};
        -- the next build plans its lookups with what this one added
        analyze {{ target }}
    {%- endcall -%}
{% endmacro %}

{% macro spark__index_observation(target, key, updated_at) %}
{% endmacro %}

{#-
    A dbt snapshot's history as an observation's (PostgreSQL): each version
    observed at its dbt_valid_from (UTC, as dbt's runs here pinned it), and
    a version closed with no successor found gone at its dbt_valid_to. The
    snapshot's table is kept, renamed `<name>__dbt_snapshot`.
-#}
{% macro take_over_snapshot(existing, source_sql, key) %}
    {%- set columns = get_columns_in_query(source_sql) -%}
    {%- set kept = existing.incorporate(
        path={"identifier": existing.identifier ~ "__dbt_snapshot"}) -%}
    {%- call statement('take_over_snapshot') -%}
        alter table {{ existing }} rename to {{ kept.identifier }};
        create table {{ existing }} as
        select
            {%- for column in columns %}
            versions.{{ column }},
            {%- endfor %}
            false as is_deleted,
            versions.dbt_valid_from at time zone 'UTC' as observed_at
        from {{ kept }} as versions
        union all
        select
            {%- for column in columns %}
            versions.{{ column }},
            {%- endfor %}
            true as is_deleted,
            versions.dbt_valid_to at time zone 'UTC' as observed_at
        from {{ kept }} as versions
        where
            versions.dbt_valid_to is not null
            and not exists (
                select 1 from {{ kept }} as successors
                where
                    successors.{{ key }} = versions.{{ key }}
                    and successors.dbt_valid_from = versions.dbt_valid_to
            )
    {%- endcall -%}
{% endmacro %}
