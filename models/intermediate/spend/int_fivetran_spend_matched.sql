-- Fivetran's spend rows, each with the campaign whose platform and
-- external_campaign_id it names (null when none does: reported as unknown).
with

report as (
    select * from {{ ref('stg_fivetran__campaign_report') }}
),

campaigns as (
    select * from {{ ref('stg_marketing__ad_campaigns') }}
    where external_campaign_id is not null
),

-- Fivetran's platform names -> the platforms of ad_campaigns
platforms as (
    select
        ad_platform,
        platform
    from (
        values
        ('google_ads', 'google'),
        ('google_ads', 'youtube'),
        ('facebook_ads', 'facebook'),
        ('facebook_ads', 'instagram'),
        ('tiktok_ads', 'tiktok')
    ) as platform_names (ad_platform, platform)
),

matched as (
    select
        report.ad_platform,
        report.external_campaign_id,
        report.spend_date,
        report.spend,
        report.impressions,
        report.clicks,
        campaigns.campaign_id
    from report
    left join platforms
        on report.ad_platform = platforms.ad_platform
    left join campaigns
        on
            report.external_campaign_id = campaigns.external_campaign_id
            and coalesce(platforms.platform, 'other') = campaigns.platform
)

select * from matched
