-- The ERP tables of the source contract, as the demo and the tests create them.
-- In production they are replicated from the ERP and read-only to the project.
-- order_items.product_id carries no foreign key on purpose: replicas deliver
-- items whose product row is missing, and the pipeline must report them.
create schema if not exists erp;

create table if not exists erp.products (
    id bigint primary key,
    name text not null,
    sku text not null,
    cost_price numeric(12, 2),
    created_at timestamptz not null,
    updated_at timestamptz not null
);

create table if not exists erp.product_batches (
    id bigint primary key,
    product_id bigint not null references erp.products (id),
    cost_price numeric(12, 2)
);

create table if not exists erp.customers (
    id bigint primary key,
    name text,
    email text
);

create table if not exists erp.stores (
    id bigint primary key,
    name text not null
);

create table if not exists erp.orders (
    id bigint primary key,
    order_number text not null,
    customer_id bigint references erp.customers (id),
    store_id bigint references erp.stores (id),
    status text not null,
    order_date timestamptz,
    created_at timestamptz not null,
    updated_at timestamptz not null
);

create table if not exists erp.order_items (
    id bigint primary key,
    order_id bigint not null references erp.orders (id),
    product_id bigint not null,
    product_batch_id bigint,
    quantity numeric(12, 4) not null,
    unit_price numeric(12, 2) not null,
    discount_amount numeric(12, 2),
    created_at timestamptz not null,
    updated_at timestamptz not null
);

create index if not exists order_items_order_idx on erp.order_items (order_id);
-- every frequent run reads the orders changed since its last observation
-- through this index (snap_erp__orders); a production replica needs it too
create index if not exists orders_updated_idx on erp.orders (updated_at);
create index if not exists order_items_product_idx on erp.order_items (product_id);
