{#-
    Snapshot post-hook: index the key and the observation times, which the
    incremental facts filter on (`dbt_valid_from > watermark`), and the
    version id dbt's snapshot merge updates by.
-#}
{% macro index_snapshot() %}
{%- set key = config.get('unique_key') -%}
create index if not exists {{ this.identifier }}__key
        on {{ this }} ({{ key }}, dbt_valid_from);
    create index if not exists {{ this.identifier }}__valid_from
        on {{ this }} (dbt_valid_from);
    create index if not exists {{ this.identifier }}__valid_to
        on {{ this }} (dbt_valid_to);
    -- dbt closes superseded versions by dbt_scd_id: an index lookup, not a scan
    create index if not exists {{ this.identifier }}__scd_id
        on {{ this }} (dbt_scd_id);
{% endmacro %}
