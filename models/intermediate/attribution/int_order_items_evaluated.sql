-- Every current item of every observed order, with its amounts
-- (docs/rules.md §3) and, for bad source rows, why it earns nothing (§1).
with

order_items as (
    select * from {{ ref('stg_erp__order_items') }}
),

orders as (
    select * from {{ ref('int_orders_observed') }}
),

products as (
    select * from {{ ref('stg_erp__products') }}
),

product_batches as (
    select * from {{ ref('stg_erp__product_batches') }}
),

joined as (
    select
        order_items.order_item_id,
        order_items.order_id,
        order_items.product_id,
        order_items.product_batch_id,
        orders.sale_time,
        orders.order_status,
        orders.has_been_observed_countable,
        orders.is_reversed,
        orders.reversed_at,
        order_items.quantity,
        order_items.unit_price,
        order_items.discount_amount,
        products.product_id is not null as has_product,
        -- the batch's cost when it has one, else the product's, else unknown
        coalesce(product_batches.cost_price, products.cost_price) as unit_cost
    from order_items
    inner join orders
        on order_items.order_id = orders.order_id
    left join products
        on order_items.product_id = products.product_id
    left join product_batches
        on order_items.product_batch_id = product_batches.product_batch_id
),

amounts as (
    select
        *,
        round(unit_price * quantity - discount_amount, 2) as item_revenue,
        round(unit_cost * quantity, 2) as item_cost,
        quantity <= 0 as has_non_positive_quantity,
        unit_price < 0 as has_negative_unit_price
    from joined
),

evaluated as (
    select
        order_item_id,
        order_id,
        product_id,
        product_batch_id,
        sale_time,
        order_status,
        has_been_observed_countable,
        is_reversed,
        reversed_at,
        quantity,
        unit_price,
        discount_amount,
        unit_cost,
        item_revenue,
        item_revenue - item_cost as item_profit,
        -- the same amounts in integer minor units, for exact division
        (quantity * 10000)::bigint as quantity_units,
        (item_revenue * 100)::bigint as revenue_cents,
        ((item_revenue - item_cost) * 100)::bigint as profit_cents,
        case
            when has_non_positive_quantity then 'non_positive_quantity'
            when has_negative_unit_price then 'negative_unit_price'
            when not has_product then 'missing_product'
        end as bad_reason,
        -- bad_reason is null, said so the planner can estimate it (a CASE
        -- defeats its statistics; a wrong guess of 0.5 % of the rows sends a
        -- full build into a million index lookups)
        not has_non_positive_quantity
        and not has_negative_unit_price
        and has_product as is_good
    from amounts
)

select * from evaluated
