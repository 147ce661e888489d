{#- An observation's pending versions (protocol step 1, observation.sql):
    what its next build appends, and the view that publishes them. -#}
{#-
    The pending versions of the rows `observed_sql` returns: those that
    differ from their key's latest observed version, as new versions
    (is_deleted false); with `observe_all` (every row was read), also the
    latest versions of keys gone from them (true). Without it, versions are
    found by the keys read.
-#}
{% macro pending_versions(target, observed_sql, key, columns, observe_all) %}
    {%- set compared = columns | reject('equalto', key) | list -%}
    with

    observed as (
        {{ observed_sql }}
    ),

    -- each key's latest version, found by key: no window over versions, so
    -- a planner may look each one up by the index on (key, observed_at)
    current_versions as (
        select versions.*
        from {{ target }} as versions
        where
            not versions.is_deleted
            {%- if not observe_all %}
            and {{ incremental_engine.key_in(
                'versions.' ~ key, 'select observed.' ~ key ~ ' from observed') }}
            {%- endif %}
            and not exists (
                select 1
                from {{ target }} as later
                where
                    later.{{ key }} = versions.{{ key }}
                    and later.observed_at > versions.observed_at
            )
    ),

    changed as (
        select
            observed.*,
            false as is_deleted
        from observed
        left join current_versions
            on observed.{{ key }} = current_versions.{{ key }}
        where
            current_versions.{{ key }} is null
            {%- for column in compared %}
            or observed.{{ column }} is distinct from current_versions.{{ column }}
            {%- endfor %}
    )

    select * from changed
    {%- if observe_all %}
    union all
    select
        {%- for column in columns %}
        current_versions.{{ column }},
        {%- endfor %}
        true as is_deleted
    from current_versions
    left join observed
        on current_versions.{{ key }} = observed.{{ key }}
    where observed.{{ key }} is null
    {%- endif %}
{% endmacro %}

{#- `<observation>__pending`: what a frequent build would append now. -#}
{% macro pending_relation(relation) -%}
    {{ relation.schema }}.{{ relation.identifier }}__pending
{%- endmacro %}

{% macro publish_pending(target, source_sql, key, columns, updated_at) %}
    {%- set since = none -%}
    {%- if updated_at -%}
        {%- set since = incremental_engine.minus_lookback(
            "(select max(seen." ~ updated_at ~ ") from " ~ target ~ " as seen)") -%}
    {%- endif -%}
    {%- set pending = incremental_engine.pending_versions(
        target,
        incremental_engine.observed_rows(source_sql, updated_at, not updated_at, since),
        key, columns, not updated_at) -%}
    {%- do adapter.dispatch('publish_pending', 'incremental_engine')(
        incremental_engine.pending_relation(target), pending) -%}
{% endmacro %}

{% macro default__publish_pending(view, pending) %}
    {%- call statement('publish_pending') -%}
        drop view if exists {{ view }};
        create view {{ view }} as {{ pending }}
    {%- endcall -%}
{% endmacro %}

{% macro spark__publish_pending(view, pending) %}
    {%- call statement('publish_pending') -%}
        create or replace view {{ view }} as {{ pending }}
    {%- endcall -%}
{% endmacro %}
