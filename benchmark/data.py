"""Benchmark data at any size, generated in the database.

The catalogue (products, batches, campaigns with their targeting and status
history) comes from the demo generator; orders and their items, millions of
rows, are generated set-based in SQL with the demo's distributions: sale
times uniform over the 90 days before the anchor, statuses by age, 1 to 5
items per order, half of them of popular products (rank r with probability
about 1/r), and a few bad rows of every kind.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta

import psycopg

from demo import data as demo_data
from warehouse import credentials, database

ITEMS_PER_ORDER = 2.44  # the demo's mix (1,1,1,2,2,3,3,4,5), few orders empty

ORDERS_SQL = """
insert into erp.orders
    (id, order_number, customer_id, store_id, status, order_date, created_at,
     updated_at)
select
    id,
    'SO-' || lpad(id::text, 8, '0'),
    case when random() > 0.1 then 1 + floor(random() * %(customers)s)::bigint end,
    case when random() > 0.3 then 1 + floor(random() * %(stores)s)::bigint end,
    case
        when age < 2 then (array['pending', 'confirmed', 'processing'])[
            1 + (roll >= 0.35)::int + (roll >= 0.75)::int]
        when age < 7 then (array['confirmed', 'processing', 'delivered', 'pending'])[
            1 + floor(roll * 4)::int]
        else (array['completed', 'delivered', 'processing'])[
            1 + (roll >= 0.7)::int + (roll >= 0.95)::int]
    end,
    case when random() >= 0.05 then sale end,
    sale,
    least(%(anchor)s, sale + floor(random() * 601) * interval '1 minute')
from (
    select
        id,
        sale,
        extract(epoch from %(anchor)s - sale) / 86400 as age,
        random() as roll
    from (
        select
            id,
            %(start)s + floor(random() * %(span)s) * interval '1 second' as sale
        from generate_series(%(first)s::bigint, %(last)s::bigint) as id
        offset 0
    ) as sales
    offset 0
) as orders
"""

ITEMS_SQL = """
insert into erp.order_items
    (id, order_id, product_id, product_batch_id, quantity, unit_price,
     discount_amount, created_at, updated_at)
select
    id,
    order_id,
    case when roll >= 0.003 and roll < 0.004 then %(missing)s + id
        else product_id end,
    case when not (roll >= 0.003 and roll < 0.004) then batch_id end,
    case when roll < 0.002 then (array[0, -1])[1 + floor(random() * 2)::int]
        else quantity end,
    case when roll >= 0.002 and roll < 0.003 then -unit_price else unit_price end,
    case when random() < 0.2 then round(unit_price * quantity * 0.1, 2) end,
    created_at,
    created_at
from (
    select
        nextval('bench_item_ids') as id,
        picked.order_id,
        picked.product_id,
        picked.quantity,
        picked.created_at,
        round(coalesce(products.cost_price, 10.00)
            * round((1.2 + random())::numeric, 2), 2) as unit_price,
        case when batches.ids is not null and random() < 0.7
            then batches.ids[1 + floor(random() * cardinality(batches.ids))::int]
        end as batch_id,
        random() as roll
    from (
        select
            orders.id as order_id,
            orders.created_at,
            case when random() < 0.5
                then greatest(1, least(%(products)s,
                    floor(power(%(products)s, random()))::bigint))
                else 1 + floor(random() * %(products)s)::bigint
            end as product_id,
            case when random() < 0.03
                then round((0.1 + random() * 2.9)::numeric, 3)
                else (array[1, 1, 1, 1, 2, 2, 3, 5])[1 + floor(random() * 8)::int]
            end as quantity
        from erp.orders
        -- "+ orders.id * 0" ties the call to its order: drawn per order
        cross join lateral generate_series(
            1,
            case when random() < 0.002 then 0
                else (array[1, 1, 1, 2, 2, 3, 3, 4, 5])[1 + floor(random() * 9)::int]
            end + orders.id * 0
        ) as item
        where orders.id between %(first)s and %(last)s
        offset 0
    ) as picked
    inner join erp.products on picked.product_id = products.id
    left join (
        select product_id, array_agg(id order by id) as ids
        from erp.product_batches group by product_id
    ) as batches on picked.product_id = batches.product_id
    order by picked.order_id
    offset 0
) as items
"""


def generate(
    params: database.ConnectionParams,
    items: int,
    products: int,
    campaigns: int,
    anchor: datetime,
    progress: Callable[[str], None],
    seed: int = 42,
) -> dict[str, int]:
    """Fill an empty database with about ``items`` order items; returns row
    counts. The admin connection of `params` writes the ERP (its keys and
    indexes dropped and rebuilt around the load), the owner the campaigns'
    generated past."""
    with (
        psycopg.connect(params.conninfo(), autocommit=True) as conn,
        demo_data.connect_as(params, credentials.OWNER) as owner,
    ):
        return _generate(
            conn, owner, items, products, campaigns, anchor, progress, seed
        )


def _generate(
    conn: psycopg.Connection,
    owner: psycopg.Connection,
    items: int,
    products: int,
    campaigns: int,
    anchor: datetime,
    progress: Callable[[str], None],
    seed: int,
) -> dict[str, int]:
    orders = max(1, round(items / ITEMS_PER_ORDER))
    scale = demo_data.Scale.for_orders(orders, products, campaigns)
    world = demo_data.World(seed, anchor)
    started = time.perf_counter()
    demo_data.create_erp_schema(conn)
    # rows first, keys and indexes after: one sort each instead of millions
    # of index insertions and foreign-key checks
    conn.execute(
        "alter table erp.order_items drop constraint order_items_order_id_fkey;"
        " alter table erp.orders drop constraint orders_customer_id_fkey;"
        " alter table erp.orders drop constraint orders_store_id_fkey;"
        " drop index erp.order_items_order_idx, erp.order_items_product_idx,"
        " erp.orders_updated_idx;"
        " alter table erp.order_items drop constraint order_items_pkey;"
        " alter table erp.orders drop constraint orders_pkey"
    )
    *_, counts = demo_data.load_catalogue(conn, owner, world, scale)
    conn.execute(
        "insert into erp.customers (id, name, email) select id, 'Customer ' || id,"
        " 'customer' || id || '@example.com' from generate_series(1, %s) as id",
        (scale.customers,),
    )
    conn.execute(
        "insert into erp.stores (id, name) select id, 'Store ' || id"
        " from generate_series(1, %s) as id",
        (scale.stores,),
    )
    progress(f"catalogue {counts} in {time.perf_counter() - started:.0f} s")
    conn.execute("select setseed(%s)", (seed / 1000,))
    conn.execute("create temporary sequence bench_item_ids")
    start = anchor - timedelta(days=world.history_days)
    chunk = 500_000
    for first in range(1, orders + 1, chunk):
        last = min(orders, first + chunk - 1)
        values = {
            "first": first,
            "last": last,
            "anchor": anchor,
            "start": start,
            "span": int((anchor - start).total_seconds()),
            "customers": scale.customers,
            "stores": scale.stores,
            "products": scale.products,
            "missing": demo_data.MISSING_PRODUCT_BASE,
        }
        conn.execute(ORDERS_SQL, values)
        conn.execute(ITEMS_SQL, values)
        progress(
            f"orders {last:,} of {orders:,} with their items"
            f" ({time.perf_counter() - started:.0f} s)"
        )
    conn.execute(
        "alter table erp.orders add primary key (id);"
        " alter table erp.order_items add primary key (id);"
        " alter table erp.orders add foreign key (customer_id)"
        " references erp.customers (id);"
        " alter table erp.orders add foreign key (store_id) references erp.stores (id);"
        " alter table erp.order_items add foreign key (order_id)"
        " references erp.orders (id)"
    )
    demo_data.create_erp_schema(conn)  # its indexes, idempotent
    conn.execute("vacuum analyze erp.orders, erp.order_items")
    counts["orders"] = conn.execute("select count(*) from erp.orders").fetchone()[0]
    counts["order_items"] = conn.execute(
        "select count(*) from erp.order_items"
    ).fetchone()[0]
    progress(
        f"generated {counts} in {time.perf_counter() - started:.0f} s"
        " (keys, indexes, statistics included)"
    )
    return counts


def add_orders(conn: psycopg.Connection, count: int, now: datetime) -> None:
    """``count`` new orders with their items, sold in the hour before ``now``,
    with the same distributions as the generated history."""
    first = conn.execute("select coalesce(max(id), 0) + 1 from erp.orders").fetchone()[
        0
    ]
    next_item = conn.execute(
        "select coalesce(max(id), 0) + 1 from erp.order_items"
    ).fetchone()[0]
    conn.execute("drop sequence if exists pg_temp.bench_item_ids")
    conn.execute(f"create temporary sequence bench_item_ids start {int(next_item)}")
    values = {
        "first": first,
        "last": first + count - 1,
        "anchor": now,
        "start": now - timedelta(hours=1),
        "span": 3600,
        "customers": conn.execute("select max(id) from erp.customers").fetchone()[0],
        "stores": conn.execute("select max(id) from erp.stores").fetchone()[0],
        "products": conn.execute("select max(id) from erp.products").fetchone()[0],
        "missing": demo_data.MISSING_PRODUCT_BASE,
    }
    conn.execute(ORDERS_SQL, values)
    conn.execute(ITEMS_SQL, values)
