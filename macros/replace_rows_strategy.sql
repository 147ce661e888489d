{#-
    Incremental strategy `replace_order_items`: the model's new rows are
    the complete truth for every order item they mention. Existing rows of
    those items are deleted, then the new rows inserted; an item that should
    have no rows any more appears once as a marker row whose
    `marker_column` is null (never inserted). One statement, so the counts
    land in the run log with the watermark of this build.
-#}
{% macro get_incremental_replace_order_items_sql(arg_dict) %}
    {%- set target = arg_dict["target_relation"] -%}
    {%- set temp = arg_dict["temp_relation"] -%}
    {%- set marker = config.require("marker_column") -%}
    {%- set columns = get_quoted_csv(arg_dict["dest_columns"] | map(attribute="name")) -%}
    with
    affected_items as (
        select distinct order_item_id from {{ temp }}
    ),
    deleted as (
        delete from {{ target }} as existing
        using affected_items
        where existing.order_item_id = affected_items.order_item_id
        returning 1
    ),
    inserted as (
        insert into {{ target }} ({{ columns }})
        select {{ columns }} from {{ temp }}
        -- reading `deleted` first makes the delete run before the insert
        where {{ marker }} is not null and (select count(*) from deleted) >= 0
        returning is_reversed
    )
    insert into {{ attribution_runs_relation() }} (
        model_name, watermark, built_at, is_full_build, items_recomputed,
        rows_deleted, rows_inserted, rows_reversed, invocation_id
    )
    select
        '{{ target.identifier }}', now(), clock_timestamp(), false,
        (select count(*) from affected_items),
        (select count(*) from deleted),
        (select count(*) from inserted),
        (select count(*) from inserted where is_reversed),
        '{{ invocation_id }}'
{% endmacro %}
