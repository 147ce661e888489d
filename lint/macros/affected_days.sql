{{ affected_campaign_days(attribution_watermark()) }}
union
select
    health_days.sale_date,
    health_days.sale_date as campaign_id,
    'FULL' as credit_mode
from ({{ affected_health_days(attribution_watermark()) }}) as health_days
