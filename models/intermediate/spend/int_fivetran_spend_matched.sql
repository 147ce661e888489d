-- Fivetran's spend rows, each with the campaign whose platform and
-- external_campaign_id it names (null when none does, or when the platform
-- is one campaigns cannot be on: reported as unknown by the spend check).
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

-- each campaign under the Fivetran platform name its exports carry
campaign_platforms as (
    select
        campaigns.campaign_id,
        campaigns.external_campaign_id,
        platforms.ad_platform
    from campaigns
    inner join platforms
        on campaigns.platform = platforms.platform
),

matched as (
    select
        report.ad_platform,
        report.external_campaign_id,
        report.spend_date,
        report.spend,
        report.impressions,
        report.clicks,
        campaign_platforms.campaign_id
    from report
    left join campaign_platforms
        on
            report.external_campaign_id = campaign_platforms.external_campaign_id
            and report.ad_platform = campaign_platforms.ad_platform
)

select * from matched
