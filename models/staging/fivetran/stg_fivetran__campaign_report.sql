-- Fivetran ad_reporting's campaign spend, renamed; empty (with the same
-- columns) when the var fivetran_campaign_report names no table. The source
-- is named outside the branch so the lineage shows it either way.
{% set campaign_report = source('fivetran', 'campaign_report') %}
{% if var('fivetran_campaign_report') %}
    with

    source as (
        select * from {{ campaign_report }}
    ),

    renamed as (
        select
            platform::{{ dbt.type_string() }} as ad_platform,
            campaign_id::{{ dbt.type_string() }} as external_campaign_id,
            campaign_name::{{ dbt.type_string() }} as external_campaign_name,
            date_day::date as spend_date,
            spend::numeric(14, 2) as spend,
            impressions::bigint as impressions,
            clicks::bigint as clicks
        from source
    )

    select * from renamed
{% else %}
    select
        null::{{ dbt.type_string() }} as ad_platform,
        null::{{ dbt.type_string() }} as external_campaign_id,
        null::{{ dbt.type_string() }} as external_campaign_name,
        null::date as spend_date,
        null::numeric(14, 2) as spend,
        null::bigint as impressions,
        null::bigint as clicks
    where false
{% endif %}
