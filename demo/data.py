"""A deterministic generator of a realistic ERP and of marketing campaigns.

``load`` fills an empty database at a chosen scale; ``advance`` keeps the world
moving (new orders, status changes, reinstatements, items added and deleted,
sale dates corrected, campaigns paused, ended, retargeted, and backdated
corrections), so incremental runs always have something to do. The same seed
and anchor time give the same rows.

Both write through the roles a deployment has, never as the superuser: the
ERP's rows as ``erp_replica`` (the replication's stand-in), the campaigns'
generated past as the owner (an import of history, the one writer of the
past without a reason), spend and every later campaign change as the app
(``attribution_app``, through the app's own writer). The admin connection
only creates the ERP's tables, as a replica's setup would. ``advance`` may
run on a simulated clock: where its "now" is already the database's past,
its campaign changes are corrections and say so in their reason.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import psycopg
from psycopg import sql

from demo import spend as demo_spend
from marketing.audit import User
from marketing.campaigns import (
    CampaignInput,
    ValidationError,
    bulk,
    corrections,
    editing,
    targeting,
)
from marketing.campaigns import status as campaign_status
from marketing.rules import BUDGET_TYPES, PLATFORMS, TRANSITIONS
from warehouse import credentials, database, dbt_vars, roles
from warehouse.copy import copy_rows

# the demo writes campaigns as a process, through the app's own writer
DEMO = User.process("demo")
# forward moves of an order's life; the first status is where orders start
NEXT_STATUS = {
    "pending": ("confirmed", "confirmed", "confirmed", "cancelled"),
    "confirmed": ("processing", "processing", "cancelled"),
    "processing": ("delivered", "delivered", "delivered", "cancelled"),
    "delivered": ("completed", "completed", "completed", "refunded"),
    "completed": ("refunded",),
    "cancelled": ("confirmed",),  # reinstated
    "refunded": ("delivered",),  # refund reversed
}
# the kinds of campaign change advance() makes, each counted
CAMPAIGN_CHANGES = (
    "campaign_status_changes",
    "backdated_status_changes",
    "targeting_ended",
    "targeting_added",
    "flights_moved",
)
ERP_SCHEMA_SQL = Path(__file__).resolve().parent / "sql" / "erp_schema.sql"
MISSING_PRODUCT_BASE = 900_000_000
ORDER_COLUMNS = (
    "id",
    "order_number",
    "customer_id",
    "store_id",
    "status",
    "order_date",
    "created_at",
    "updated_at",
)
ITEM_COLUMNS = (
    "id",
    "order_id",
    "product_id",
    "product_batch_id",
    "quantity",
    "unit_price",
    "discount_amount",
    "created_at",
    "updated_at",
)


@dataclass(frozen=True)
class Scale:
    orders: int
    products: int
    campaigns: int
    customers: int
    stores: int

    @classmethod
    def for_orders(
        cls, orders: int, products: int | None = None, campaigns: int | None = None
    ) -> Scale:
        return cls(
            orders=orders,
            products=products or max(40, min(20_000, orders // 25)),
            campaigns=campaigns or max(12, min(400, orders // 200)),
            customers=max(50, orders // 3),
            stores=max(3, min(50, orders // 2_000)),
        )


def default_anchor() -> datetime:
    """Midnight UTC today: recent data for the demo, stable within a day."""
    now = datetime.now(UTC)
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def create_erp_schema(conn: psycopg.Connection) -> None:
    """The ERP's tables, the replica's writer and the project's reads
    (an admin connection)."""
    conn.execute(ERP_SCHEMA_SQL.read_text())
    roles.ensure_login_role(conn, credentials.ERP_REPLICA)
    database_name = conn.execute("select current_database()").fetchone()[0]
    for statement in (
        "grant connect on database {db} to {role}",
        "grant usage on schema erp to {role}",
        "grant select, insert, update, delete on all tables in schema erp to {role}",
    ):
        conn.execute(
            sql.SQL(statement).format(
                db=sql.Identifier(database_name),
                role=sql.Identifier(credentials.ERP_REPLICA),
            )
        )
    roles.grant_erp_reads(conn)


def connect_as(params: database.ConnectionParams, role: str) -> psycopg.Connection:
    """An autocommit connection to the database of `params` as `role`."""
    return psycopg.connect(params.as_role(role).conninfo(), autocommit=True)


def _money(rng: random.Random, low: float, high: float) -> Decimal:
    return Decimal(str(round(rng.uniform(low, high), 2)))


class World:
    """Generates rows; ids continue from what the database already holds."""

    def __init__(self, seed: int, anchor: datetime, history_days: int = 90) -> None:
        self.rng = random.Random(seed)
        self.anchor = anchor
        self.start = anchor - timedelta(days=history_days)
        self.history_days = history_days

    # -- helpers -----------------------------------------------------------
    def _time_between(self, start: datetime, end: datetime) -> datetime:
        span = (end - start).total_seconds()
        return start + timedelta(seconds=int(self.rng.uniform(0, max(span, 1))))

    def _popular_product(self, n_products: int) -> int:
        # a long tail: rank r is drawn with probability ~ 1/r (log-uniform)
        return max(1, min(n_products, int(n_products ** self.rng.random())))

    # -- products ----------------------------------------------------------
    def products(self, scale: Scale) -> tuple[list[tuple], list[tuple]]:
        products, batches = [], []
        batch_id = 1
        for product_id in range(1, scale.products + 1):
            has_cost = self.rng.random() > 0.08
            price = _money(self.rng, 4, 250)
            cost = (
                (price * Decimal(str(round(self.rng.uniform(0.3, 0.8), 2)))).quantize(
                    Decimal("0.01")
                )
                if has_cost
                else None
            )
            created = self.start - timedelta(days=self.rng.randint(30, 400))
            products.append(
                (
                    product_id,
                    f"Product {product_id:05d}",
                    f"SKU-{product_id:06d}",
                    cost,
                    created,
                    created,
                )
            )
            for _ in range(self.rng.choice((0, 0, 1, 1, 2))):
                batch_cost = (
                    None if self.rng.random() < 0.2 else _money(self.rng, 2, 150)
                )
                batches.append((batch_id, product_id, batch_cost))
                batch_id += 1
        return products, batches

    # -- campaigns ---------------------------------------------------------
    def campaigns(
        self, scale: Scale, first_id: int = 1
    ) -> tuple[list[tuple], list[tuple], list[tuple]]:
        campaigns, targets, events = [], [], []
        target_id = 1
        event_id = 1
        for campaign_id in range(first_id, first_id + scale.campaigns):
            platform = self.rng.choice(PLATFORMS)
            created_at = self._time_between(
                self.start - timedelta(days=30), self.anchor - timedelta(days=3)
            )
            starts_at = created_at + timedelta(hours=self.rng.randint(1, 96))
            ends_at = (
                None
                if self.rng.random() < 0.35
                else starts_at + timedelta(days=self.rng.randint(7, 70))
            )
            budget_type = self.rng.choice((None, *BUDGET_TYPES))
            budget = None if budget_type is None else _money(self.rng, 50, 20_000)
            # a status history: DRAFT, RUNNING, maybe a pause, maybe ENDED
            history = [("DRAFT", created_at)]
            status = "DRAFT"
            if self.rng.random() > 0.06 and starts_at < self.anchor:
                launch = starts_at + timedelta(minutes=self.rng.randint(0, 240))
                history.append(("RUNNING", launch))
                status = "RUNNING"
                cursor = launch
                horizon = min(ends_at or self.anchor, self.anchor)
                if self.rng.random() < 0.3 and horizon - cursor > timedelta(days=4):
                    pause = self._time_between(cursor, horizon - timedelta(days=2))
                    history.append(("PAUSED", pause))
                    status = "PAUSED"
                    resume = pause + timedelta(hours=self.rng.randint(2, 72))
                    if resume < horizon and self.rng.random() < 0.8:
                        history.append(("RUNNING", resume))
                        status = "RUNNING"
                if ends_at is not None and ends_at < self.anchor:
                    history.append(("ENDED", ends_at))
                    status = "ENDED"
            previous = None
            for to_status, changed_at in history:
                events.append(
                    (
                        event_id,
                        campaign_id,
                        previous,
                        to_status,
                        changed_at,
                        "demo",
                        changed_at,
                    )
                )
                previous = to_status
                event_id += 1
            campaigns.append(
                (
                    campaign_id,
                    f"{platform.title()} campaign {campaign_id}",
                    platform,
                    status,
                    starts_at,
                    ends_at,
                    budget_type,
                    budget,
                    None,
                    "demo",
                    "demo",
                    created_at,
                    history[-1][1],
                )
            )
            for product_id in self._targeted_products(scale.products, scale.campaigns):
                effective_from = starts_at - timedelta(hours=self.rng.randint(0, 24))
                effective_to = None
                if self.rng.random() < 0.2:
                    effective_to = effective_from + timedelta(
                        days=self.rng.randint(3, 40)
                    )
                targets.append(
                    (
                        target_id,
                        campaign_id,
                        product_id,
                        effective_from,
                        effective_to,
                        "demo",
                        # recorded no later than now, even when planned ahead
                        min(effective_from, self.anchor),
                        min(effective_from, self.anchor),
                    )
                )
                target_id += 1
                if effective_to is not None and self.rng.random() < 0.4:
                    back_from = effective_to + timedelta(days=self.rng.randint(1, 10))
                    targets.append(
                        (
                            target_id,
                            campaign_id,
                            product_id,
                            back_from,
                            None,
                            "demo",
                            min(back_from, self.anchor),
                            min(back_from, self.anchor),
                        )
                    )
                    target_id += 1
        return campaigns, targets, events

    def _targeted_products(self, n_products: int, n_campaigns: int) -> set[int]:
        # About 2 N / C products each, mostly across the catalogue: with ~40 %
        # of campaigns running at a time an item matches about one campaign,
        # and the best sellers, which many campaigns push, several.
        mean = max(2, 2 * n_products // max(1, n_campaigns))
        count = min(n_products // 2, self.rng.randint(1, 2 * mean))
        best_sellers = max(5, n_products // 100)
        chosen: set[int] = set()
        while len(chosen) < count:
            if self.rng.random() < 0.05:
                chosen.add(self.rng.randint(1, best_sellers))
            else:
                chosen.add(self.rng.randint(1, n_products))
        return chosen

    # -- orders ------------------------------------------------------------
    def status_for_age(self, age_days: float) -> str:
        roll = self.rng.random()
        if age_days < 2:
            return (
                "pending"
                if roll < 0.35
                else ("confirmed" if roll < 0.75 else "processing")
            )
        if age_days < 7:
            return ("confirmed", "processing", "delivered", "pending")[
                min(3, int(roll * 4))
            ]
        return (
            "completed"
            if roll < 0.7
            else ("delivered" if roll < 0.95 else "processing")
        )

    def orders(
        self,
        scale: Scale,
        products: list[tuple],
        batches: list[tuple],
        first_order: int = 1,
        first_item: int = 1,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> tuple[list[tuple], list[tuple]]:
        start = start or self.start
        end = end or self.anchor
        prices = {row[0]: row[3] for row in products}
        batches_by_product: dict[int, list[int]] = {}
        for batch_id, product_id, _cost in batches:
            batches_by_product.setdefault(product_id, []).append(batch_id)
        n_products = len(products)
        orders, items = [], []
        item_id = first_item
        for order_id in range(first_order, first_order + scale.orders):
            sale = self._time_between(start, end)
            age_days = (end - sale).total_seconds() / 86400
            status = self.status_for_age(age_days)
            order_date = None if self.rng.random() < 0.05 else sale
            created_at = sale
            updated_at = min(end, sale + timedelta(minutes=self.rng.randint(0, 600)))
            orders.append(
                (
                    order_id,
                    f"SO-{order_id:08d}",
                    self.rng.randint(1, scale.customers)
                    if self.rng.random() > 0.1
                    else None,
                    self.rng.randint(1, scale.stores)
                    if self.rng.random() > 0.3
                    else None,
                    status,
                    order_date,
                    created_at,
                    updated_at,
                )
            )
            if self.rng.random() < 0.002:
                continue  # an order with no items: bad source data
            for _ in range(self.rng.choice((1, 1, 1, 2, 2, 3, 3, 4, 5))):
                items.append(
                    self._item(
                        item_id,
                        order_id,
                        n_products,
                        prices,
                        batches_by_product,
                        created_at,
                    )
                )
                item_id += 1
        return orders, items

    def _item(
        self,
        item_id: int,
        order_id: int,
        n_products: int,
        prices: dict[int, Decimal | None],
        batches_by_product: dict[int, list[int]],
        at: datetime,
    ) -> tuple:
        product_id = (
            self._popular_product(n_products)
            if self.rng.random() < 0.5
            else self.rng.randint(1, n_products)
        )
        cost = prices.get(product_id) or Decimal("10.00")
        unit_price = (
            cost * Decimal(str(round(self.rng.uniform(1.2, 2.2), 2)))
        ).quantize(Decimal("0.01"))
        quantity = Decimal(self.rng.choice((1, 1, 1, 1, 2, 2, 3, 5)))
        if self.rng.random() < 0.03:
            quantity = Decimal(str(round(self.rng.uniform(0.1, 3), 3)))  # by weight
        discount = None
        if self.rng.random() < 0.2:
            discount = (unit_price * quantity * Decimal("0.1")).quantize(
                Decimal("0.01")
            )
        batch = None
        if batches_by_product.get(product_id) and self.rng.random() < 0.7:
            batch = self.rng.choice(batches_by_product[product_id])
        roll = self.rng.random()
        if roll < 0.002:
            quantity = Decimal(self.rng.choice((0, -1)))  # bad: no quantity
        elif roll < 0.003:
            unit_price = -unit_price  # bad: negative price
        elif roll < 0.004:
            product_id = MISSING_PRODUCT_BASE + item_id  # bad: product row missing
            batch = None
        return (
            item_id,
            order_id,
            product_id,
            batch,
            quantity,
            unit_price,
            discount,
            at,
            at,
        )


def load(
    params: database.ConnectionParams,
    orders: int,
    seed: int = 42,
    anchor: datetime | None = None,
    products: int | None = None,
    campaigns: int | None = None,
) -> dict[str, int]:
    """Fill empty erp and marketing schemas of the database `params` names
    (an admin connection's); returns row counts."""
    anchor = anchor or default_anchor()
    scale = Scale.for_orders(orders, products, campaigns)
    world = World(seed, anchor)
    with database.connect(params, autocommit=True) as admin:
        create_erp_schema(admin)
    with (
        connect_as(params, credentials.ERP_REPLICA) as erp,
        connect_as(params, credentials.OWNER) as owner,
    ):
        product_rows, batch_rows, counts = load_catalogue(erp, owner, world, scale)
        order_rows, item_rows = world.orders(scale, product_rows, batch_rows)
        copy_rows(
            erp,
            "erp.customers",
            ("id", "name", "email"),
            [
                (i, f"Customer {i}", f"customer{i}@example.com")
                for i in range(1, scale.customers + 1)
            ],
        )
        copy_rows(
            erp,
            "erp.stores",
            ("id", "name"),
            [(i, f"Store {i}") for i in range(1, scale.stores + 1)],
        )
        copy_rows(erp, "erp.orders", ORDER_COLUMNS, order_rows)
        copy_rows(erp, "erp.order_items", ITEM_COLUMNS, item_rows)
        revenue = demo_spend.daily_revenue(erp)
    with connect_as(params, credentials.APP) as app:
        spend_counts = demo_spend.load(app, revenue, seed=seed, anchor=anchor)
    with database.connect(params, autocommit=True) as admin:
        admin.execute("analyze")
    return {
        **counts,
        "orders": len(order_rows),
        "order_items": len(item_rows),
        **spend_counts,
    }


def load_catalogue(
    erp: psycopg.Connection,
    history: psycopg.Connection,
    world: World,
    scale: Scale,
) -> tuple[list[tuple], list[tuple], dict[str, int]]:
    """Products and batches (written by `erp`), and campaigns with their
    targeting and status history (by `history`, the owner: a generated past
    is history, imported, not corrected); returns the product and batch rows
    and the counts."""
    product_rows, batch_rows = world.products(scale)
    campaign_rows, target_rows, event_rows = world.campaigns(scale)
    copy_rows(
        erp,
        "erp.products",
        ("id", "name", "sku", "cost_price", "created_at", "updated_at"),
        product_rows,
    )
    copy_rows(
        erp, "erp.product_batches", ("id", "product_id", "cost_price"), batch_rows
    )
    with history.transaction():
        bulk.load_histories(history, campaign_rows, target_rows, event_rows)
    return (
        product_rows,
        batch_rows,
        {"products": len(product_rows), "campaigns": len(campaign_rows)},
    )


def advance(
    params: database.ConnectionParams,
    seed: int,
    now: datetime,
    new_orders: int = 50,
    changes: int = 40,
    campaign_changes: int = 3,
) -> dict[str, int]:
    """One step of life: every kind of change the pipeline must follow.

    ``now`` is the step's clock (the wall clock, or a simulated one); ERP
    ``updated_at`` values are set to it, as the ERP bumps them on every
    change. The ERP's changes are written as its replica, the campaigns'
    through the app's writer as the app.
    """
    with connect_as(params, credentials.ERP_REPLICA) as erp:
        counts, n_products = _advance_erp(
            erp, seed, now, new_orders=new_orders, changes=changes
        )
    rng = random.Random(seed * 7 + 1)
    with connect_as(params, credentials.APP) as app:
        for _ in range(campaign_changes):
            kind = _change_a_campaign(app, rng, now, n_products)
            if kind is not None:
                counts["campaign_changes"] += 1
                counts[kind] += 1
    return counts


def _advance_erp(
    conn: psycopg.Connection, seed: int, now: datetime, new_orders: int, changes: int
) -> tuple[dict[str, int], int]:
    """New orders and changes of recent ones; the counts and the number of
    products."""
    rng = random.Random(seed)
    world = World(seed, now)
    world.rng = rng
    counts = {
        "new_orders": 0,
        "status_changes": 0,
        "items_added": 0,
        "items_deleted": 0,
        "sale_dates_corrected": 0,
        "reinstatements": 0,
        "campaign_changes": 0,
        **dict.fromkeys(CAMPAIGN_CHANGES, 0),
    }
    n_products = conn.execute("select count(*) from erp.products").fetchone()[0]
    if n_products == 0:
        raise RuntimeError("no ERP data yet: run the demo loader first")
    products = conn.execute(
        "select id, name, sku, cost_price from erp.products"
    ).fetchall()
    batches = conn.execute(
        "select id, product_id, cost_price from erp.product_batches"
    ).fetchall()
    n_customers = conn.execute("select count(*) from erp.customers").fetchone()[0]
    n_stores = conn.execute("select count(*) from erp.stores").fetchone()[0]
    next_order, next_item = conn.execute(
        "select coalesce((select max(id) from erp.orders), 0) + 1,"
        " coalesce((select max(id) from erp.order_items), 0) + 1"
    ).fetchone()

    if new_orders:
        scale = Scale(new_orders, n_products, 0, n_customers, n_stores)
        # some arrive late: their sale time is hours before this step
        order_rows, item_rows = world.orders(
            scale,
            products,
            batches,
            next_order,
            next_item,
            start=now - timedelta(hours=36),
            end=now,
        )
        copy_rows(
            conn,
            "erp.orders",
            ORDER_COLUMNS,
            [row[:7] + (now,) for row in order_rows],
        )
        copy_rows(
            conn,
            "erp.order_items",
            ITEM_COLUMNS,
            item_rows,
        )
        next_item += len(item_rows)
        counts["new_orders"] = len(order_rows)

    candidates = conn.execute(
        "select id, status from erp.orders order by id desc limit %s",
        (max(changes * 20, 200),),
    ).fetchall()
    rng.shuffle(candidates)
    prices = {row[0]: row[3] for row in products}
    batches_by_product: dict[int, list[int]] = {}
    for batch_id, product_id, _cost in batches:
        batches_by_product.setdefault(product_id, []).append(batch_id)
    for order_id, status in candidates[:changes]:
        roll = rng.random()
        if roll < 0.6 and status in NEXT_STATUS:
            new_status = rng.choice(NEXT_STATUS[status])
            conn.execute(
                "update erp.orders set status = %s, updated_at = %s where id = %s",
                (new_status, now, order_id),
            )
            counts["status_changes"] += 1
            counts["reinstatements"] += status in dbt_vars.reversal_statuses()
            continue
        if roll < 0.75:
            conn.execute(
                "insert into erp.order_items (id, order_id, product_id,"
                " product_batch_id, quantity, unit_price, discount_amount,"
                " created_at, updated_at) values (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                world._item(
                    next_item, order_id, n_products, prices, batches_by_product, now
                ),
            )
            next_item += 1
            counts["items_added"] += 1
        elif roll < 0.88:
            deleted = conn.execute(
                "delete from erp.order_items where id = (select min(id) from"
                " erp.order_items where order_id = %s)",
                (order_id,),
            ).rowcount
            counts["items_deleted"] += deleted
        else:
            shift = timedelta(minutes=rng.randint(-720, 720))
            conn.execute(
                "update erp.orders set order_date ="
                " coalesce(order_date, created_at) + %s where id = %s",
                (shift, order_id),
            )
            counts["sale_dates_corrected"] += 1
        conn.execute(
            "update erp.orders set updated_at = %s where id = %s", (now, order_id)
        )
    return counts, n_products


def _change_a_campaign(
    conn: psycopg.Connection, rng: random.Random, now: datetime, n_products: int
) -> str | None:
    """Pause, resume, end, retarget, or correct a campaign's past, through
    the app's writer (`conn`: the app's role); the kind of change made
    (CAMPAIGN_CHANGES), or None when the writer refused it."""
    rows = conn.execute(
        "select id, status, starts_at, ends_at from marketing.ad_campaigns order by id"
    ).fetchall()
    if not rows:
        return None
    campaign_id, status, starts_at, _ends_at = rng.choice(rows)
    try:
        with conn.transaction():
            return _change(conn, rng, now, n_products, campaign_id, status, starts_at)
    except ValidationError:
        return None


def _reason(
    clock: corrections.Clock, moment: datetime, now: datetime, why: str
) -> str | None:
    """What the demo says when the database counts `moment` as the past: a
    correction of its own present (`why`), or the simulated clock's present,
    which the database's clock has passed."""
    if not clock.is_backdated(moment):
        return None
    if moment < now:
        return f"demo: {why}"
    return f"demo: the simulated clock's present ({now:%Y-%m-%d %H:%M} UTC)"


def _change(
    conn: psycopg.Connection,
    rng: random.Random,
    now: datetime,
    n_products: int,
    campaign_id: int,
    status: str,
    starts_at: datetime,
) -> str | None:
    roll = rng.random()
    clock = corrections.clock(conn)
    if roll < 0.45:
        moves = TRANSITIONS[status]
        if not moves:
            return None
        last_at = conn.execute(
            "select max(changed_at) from marketing.ad_campaign_status_events"
            " where campaign_id = %s",
            (campaign_id,),
        ).fetchone()[0]
        at = max(now, (last_at or starts_at) + timedelta(seconds=1))
        # a third of the changes are backdated corrections of the recent past
        if rng.random() < 0.33 and last_at is not None:
            backdated = last_at + (now - last_at) * rng.uniform(0.2, 0.9)
            if backdated > last_at:
                at = backdated
        campaign_status.change_status(
            conn,
            DEMO,
            campaign_id,
            rng.choice(moves),
            None,
            changed_at=at,
            reason=_reason(clock, at, now, "backdated correction"),
        )
        return "backdated_status_changes" if at < now else "campaign_status_changes"
    if roll < 0.7:
        open_rows = conn.execute(
            "select product_id, effective_from from marketing.ad_campaign_products"
            " where campaign_id = %s and effective_to is null order by id",
            (campaign_id,),
        ).fetchall()
        if not open_rows:
            return None
        product_id, effective_from = rng.choice(open_rows)
        cut = max(
            effective_from + timedelta(minutes=1),
            now - timedelta(hours=rng.randint(0, 72)),
        )
        targeting.remove_product(
            conn,
            DEMO,
            campaign_id,
            product_id,
            ended_at=cut,
            reason=_reason(clock, cut, now, "targeting ended late"),
        )
        return "targeting_ended"
    if roll < 0.85:
        effective_from = now - timedelta(hours=rng.randint(0, 48))
        added = targeting.add_products(
            conn,
            DEMO,
            campaign_id,
            [rng.randint(1, n_products)],
            effective_from=effective_from,
            reason=_reason(clock, effective_from, now, "targeted late"),
        )
        return "targeting_added" if added.added else None
    # move the flight window's end: shorten into the past or extend
    new_end = now - timedelta(hours=rng.randint(1, 96)) if rng.random() < 0.5 else None
    if new_end is not None and new_end <= starts_at:
        return None
    campaign = conn.execute(
        "select name, platform, budget_type, budget_amount, notes"
        " from marketing.ad_campaigns where id = %s",
        (campaign_id,),
    ).fetchone()
    name, platform, budget_type, budget_amount, notes = campaign
    moved = editing.update_campaign(
        conn,
        DEMO,
        campaign_id,
        CampaignInput(
            name, platform, starts_at, new_end, budget_type, budget_amount, notes
        ),
        None,
        # a flight moved across the past is a correction: it names its reason
        reason="demo: flight end corrected",
    )
    return "flights_moved" if moved else None
