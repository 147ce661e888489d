{#-
    Incremental strategy `replace_rows`: the model's new rows are the
    complete truth for every key (config `replace_key`, default
    order_item_id) staged by `stage_affected_keys`. Existing rows of those keys are deleted,
    then the new rows inserted; a key that should have no rows any more
    appears once as a marker row whose `marker_column` is null (never
    inserted). One statement, so the counts land in the run log with the
    watermark of this build.
-#}
{% macro get_incremental_replace_rows_sql(arg_dict) %}
    {%- set target = arg_dict["target_relation"] -%}
    {%- set temp = arg_dict["temp_relation"] -%}
    {%- set key = config.get("replace_key", "order_item_id") -%}
    {%- set marker = config.require("marker_column") -%}
    {%- set columns = get_quoted_csv(arg_dict["dest_columns"] | map(attribute="name")) -%}
    with
    -- the keys staged (and analysed) before the build: every key the new
    -- rows mention, markers included, so the planner reaches the old rows
    -- through the key's index
    affected_keys as (
        select distinct {{ key }} from {{ affected_keys_relation() }}
    ),
    deleted as (
        delete from {{ target }} as existing
        using affected_keys
        where existing.{{ key }} = affected_keys.{{ key }}
        returning 1
    ),
    inserted as (
        insert into {{ target }} ({{ columns }})
        select {{ columns }} from {{ temp }}
        -- reading `deleted` first makes the delete run before the insert
        where {{ marker }} is not null and (select count(*) from deleted) >= 0
        returning {{ config.get("reversal_column", "false") }} as is_reversed
    )
    insert into {{ attribution_runs_relation() }} (
        model_name, watermark, built_at, is_full_build, items_recomputed,
        rows_deleted, rows_inserted, rows_reversed, invocation_id
    )
    select
        '{{ target.identifier }}', now(), clock_timestamp(), false,
        (select count(*) from affected_keys),
        (select count(*) from deleted),
        (select count(*) from inserted),
        (select count(*) from inserted where is_reversed),
        '{{ invocation_id }}'
{% endmacro %}
