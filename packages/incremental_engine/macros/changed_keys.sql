{#- How an incremental model reads an observation (protocol step 3,
    observation.sql): the keys that changed after its watermark. -#}
{#-
    The values of `column` (a column name, or a list of them) touched by
    changes observed after `since`: of every version observed since, and,
    when `column` is not the observation's key, of the version each
    replaced. With `when_changed` (a list of columns; only when `column` is
    the key), a version counts only when it is a key's first, a deletion or
    a return, or when one of those columns changed.
-#}
{% macro changed_keys(observation, column, since, when_changed=none) %}
    {%- set key = incremental_engine.observation_key(observation) -%}
    {%- set selected = [column] if column is string else column -%}
    {%- set is_key = selected == [key] -%}
    {%- if when_changed is not none and not is_key and execute -%}
        {{ exceptions.raise_compiler_error(
            "changed_keys: when_changed narrows the observation's own key only") }}
    {%- endif -%}
    {%- if is_key and when_changed is none -%}
        select changes.{{ key }}
        from {{ observation }} as changes
        where changes.observed_at > {{ since }}
    {%- else -%}
        {%- set versions_of_key -%}
            over (
                partition by versions.{{ key }}
                order by versions.observed_at
            )
        {%- endset -%}
        {%- set recent -%}
            select recent.{{ key }}
            from {{ observation }} as recent
            where recent.observed_at > {{ since }}
        {%- endset -%}
        {%- if selected | length == 1 %}
        select versions.{{ selected[0] }}
        {%- else %}
        select
            {%- for name in selected %}
            versions.{{ name }}{{ "," if not loop.last }}
            {%- endfor %}
        {%- endif %}
        from (
            select
                {%- for name in selected %}
                versions.{{ name }},
                {%- endfor %}
                versions.observed_at,
                lead(versions.observed_at) {{ versions_of_key }} as superseded_at,
                {%- if when_changed %}
                (
                    lag(versions.observed_at) {{ versions_of_key }} is null
                    or versions.is_deleted
                    or lag(versions.is_deleted) {{ versions_of_key }}
                    {%- for changed in when_changed %}
                    or lag(versions.{{ changed }}) {{ versions_of_key }}
                    is distinct from versions.{{ changed }}
                    {%- endfor %}
                ) as is_relevant
                {%- else %}
                true as is_relevant
                {%- endif %}
            from {{ observation }} as versions
            where {{ incremental_engine.key_in('versions.' ~ key, recent) }}
        ) as versions
        where
            (versions.observed_at > {{ since }} and versions.is_relevant)
            {%- if not is_key %}
            or versions.superseded_at > {{ since }}
            {%- endif %}
    {%- endif -%}
{% endmacro %}

{#- The unique_key of the observation model behind `relation`. -#}
{% macro observation_key(relation) -%}
    {%- if not execute -%}
        {{ return(relation.identifier) }}
    {%- endif -%}
    {%- set nodes = graph.nodes.values()
        | selectattr('resource_type', 'equalto', 'model')
        | selectattr('name', 'equalto', relation.identifier) | list -%}
    {%- if nodes | length != 1 or nodes[0].config.materialized != 'observation' -%}
        {{ exceptions.raise_compiler_error(relation ~ " is not an observation") }}
    {%- endif -%}
    {{ return(nodes[0].config.unique_key) }}
{%- endmacro %}
