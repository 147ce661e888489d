{#-
    The columns staging keeps of an app table, in order: with `renamed`,
    each as the source names it and renamed where staging renames it (the
    staging model's select list), else as staged (the snapshot's, which
    observes the staging model). One list, so every staged column is
    observed.
-#}
{% macro staged_columns(table, renamed=false) -%}
    {%- set columns = {
        'ad_campaigns': [
            'id as campaign_id', 'name as campaign_name', 'platform',
            'external_campaign_id', 'status as campaign_status', 'starts_at',
            'ends_at', 'budget_type', 'budget_amount', 'notes', 'created_by',
            'updated_by', 'created_at', 'updated_at'
        ],
        'ad_campaign_products': [
            'id as campaign_product_id', 'campaign_id', 'product_id',
            'effective_from', 'effective_to', 'created_by', 'created_at',
            'updated_at'
        ]
    }[table] -%}
    {%- for column in columns -%}
        {{ column if renamed else column.split(' as ')[-1] }}
        {{- ',\n        ' if not loop.last }}
    {%- endfor %}
{%- endmacro %}
