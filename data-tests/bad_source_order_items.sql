-- Bad ERP rows (quantity <= 0, negative price, missing product) of orders
-- that would otherwise earn credits. They are excluded and counted in
-- marts.agg_attribution_health_daily; this warns so a person looks. It
-- reads every item: nightly (the health mart and the Dagster check count
-- them on every run).
{{ config(severity='warn', tags=['nightly']) }}

select
    order_item_id,
    order_id,
    product_id,
    quantity,
    unit_price,
    bad_reason
from {{ ref('int_order_items_evaluated') }}
where has_been_observed_countable and bad_reason is not null
