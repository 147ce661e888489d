{{ config(materialized='view') }}
-- Net sales per product and sale day (in the reporting time zone): what the
-- incrementality estimates compare (docs/rules.md, "Incrementality"). Net sales
-- are the item revenue (quantity x unit_price - discount) of the good items
-- of orders observed in a countable status and not reversed: the rows of
-- the attribution fact, which owns that rule, whether a campaign matched
-- them or not. A product-day without sales has no row (zero).
--
-- A view: it costs the frequent runs nothing, and its one reader, the
-- nightly lift estimate, reads it once, grouped in one pass over the fact.
with

items as (
    select * from {{ ref('fct_order_item_attribution') }}
    where not is_reversed
),

daily as (
    select
        product_id,
        {{ reporting_day('sale_time') }} as sale_date,
        sum(quantity) as units,
        sum(item_revenue) as net_revenue,
        count(*) as items
    from items
    group by product_id, {{ reporting_day('sale_time') }}
),

final as (
    select
        product_id::bigint as product_id,
        sale_date::date as sale_date,
        units::numeric(18, 4) as units,
        net_revenue::numeric(18, 2) as net_revenue,
        items::bigint as items
    from daily
)

select * from final
