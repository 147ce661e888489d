{{ affected_campaign_days(incremental_engine.watermark()) }}
union
select
    health_days.sale_date,
    health_days.sale_date as campaign_id,
    'FULL' as credit_mode
from ({{ affected_health_days(incremental_engine.watermark()) }}) as health_days
