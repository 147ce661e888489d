{{ config(materialized='observation', unique_key='order_id', updated_at='updated_at') }}
-- Every observed version of each order's status, sale time and update time:
-- the pipeline's memory of orders (docs/rules.md §1: "observed in a
-- countable status", reversed_at), and what changed for the facts. The ERP
-- bumps updated_at on every change of an order or its items (docs/rules.md,
-- "The sources"), so a frequent build reads only the orders updated lately, through the
-- replica's index on erp.orders (updated_at); the nightly build (var
-- observe_all) compares every order and finds the vanished ones.
with

orders as (
    select * from {{ ref('stg_erp__orders') }}
),

observed as (
    select
        order_id,
        order_status,
        sale_time,
        updated_at
    from orders
)

select * from observed
