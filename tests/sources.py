"""Writing source rows the way docs/rules.md ("The sources") says outside
writers do.

Campaign histories are set up as the owner, the one role that writes the
past without a correction reason (docs/rules.md, "What the
database refuses"): a fixture's history is the world before the test, not a
correction made in it. ERP rows are written by the connection given (the
ERP replica's stand-in).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

import psycopg

from warehouse.credentials import OWNER
from warehouse.database import ConnectionParams


@dataclass
class Sources:
    """Inserts ERP and marketing rows; every call commits."""

    params: ConnectionParams

    def _run(self, sql: str, args: tuple = ()) -> None:
        with psycopg.connect(self.params.conninfo(), autocommit=True) as conn:
            conn.execute(sql, args)

    @contextmanager
    def _history(self) -> Iterator[psycopg.Connection]:
        """A connection writing campaign history as the owner."""
        with psycopg.connect(self.params.conninfo(), autocommit=True) as conn:
            conn.execute(f"set role {OWNER}")
            yield conn

    def product(
        self, product_id: int, cost: str | None = None, at: datetime | None = None
    ) -> None:
        at = at or datetime(2026, 1, 1, tzinfo=UTC)
        self._run(
            "insert into erp.products (id, name, sku, cost_price, created_at,"
            " updated_at) values (%s, %s, %s, %s, %s, %s)",
            (
                product_id,
                f"Product {product_id}",
                f"SKU-{product_id}",
                _dec(cost),
                at,
                at,
            ),
        )

    def batch(self, batch_id: int, product_id: int, cost: str | None) -> None:
        self._run(
            "insert into erp.product_batches (id, product_id, cost_price)"
            " values (%s, %s, %s)",
            (batch_id, product_id, _dec(cost)),
        )

    def campaign(
        self,
        campaign_id: int,
        starts_at: datetime,
        ends_at: datetime | None = None,
        events: tuple[tuple[str, datetime], ...] = (),
    ) -> None:
        """A campaign and its status events, recorded when they take effect."""
        status = events[-1][0] if events else "DRAFT"
        with self._history() as conn:
            conn.execute(
                "insert into marketing.ad_campaigns (id, name, platform, status,"
                " starts_at, ends_at) values (%s, %s, 'facebook', %s, %s, %s)",
                (campaign_id, f"Campaign {campaign_id}", status, starts_at, ends_at),
            )
        previous = None
        for to_status, changed_at in events:
            self.status_event(
                campaign_id, previous, to_status, changed_at, recorded_at=changed_at
            )
            previous = to_status

    def status_event(
        self,
        campaign_id: int,
        from_status: str | None,
        to_status: str,
        changed_at: datetime,
        recorded_at: datetime | None = None,
    ) -> None:
        with self._history() as conn:
            conn.execute(
                "insert into marketing.ad_campaign_status_events (campaign_id,"
                " from_status, to_status, changed_at, created_at)"
                " values (%s, %s, %s, %s, coalesce(%s, now()))",
                (campaign_id, from_status, to_status, changed_at, recorded_at),
            )
            conn.execute(
                "update marketing.ad_campaigns set status = %s where id = %s",
                (to_status, campaign_id),
            )

    def target(
        self,
        campaign_id: int,
        product_id: int,
        effective_from: datetime,
        effective_to: datetime | None = None,
    ) -> int:
        with self._history() as conn:
            return conn.execute(
                "insert into marketing.ad_campaign_products (campaign_id, product_id,"
                " effective_from, effective_to) values (%s, %s, %s, %s)"
                " returning id",
                (campaign_id, product_id, effective_from, effective_to),
            ).fetchone()[0]

    def order(
        self,
        order_id: int,
        status: str,
        sale_time: datetime,
        items: tuple[tuple, ...] = (),
        updated_at: datetime | None = None,
        order_date_null: bool = False,
    ) -> None:
        """items: (item_id, product_id, quantity, unit_price[, discount[, batch]])."""
        with psycopg.connect(self.params.conninfo(), autocommit=True) as conn:
            conn.execute(
                "insert into erp.orders (id, order_number, status, order_date,"
                " created_at, updated_at) values (%s, %s, %s, %s, %s, %s)",
                (
                    order_id,
                    f"SO-{order_id}",
                    status,
                    None if order_date_null else sale_time,
                    sale_time,
                    updated_at or sale_time,
                ),
            )
            for item in items:
                self._insert_item(conn, order_id, sale_time, *item)

    def add_item(
        self,
        order_id: int,
        item_id: int,
        product_id: int,
        quantity: str,
        unit_price: str,
        updated_at: datetime,
    ) -> None:
        with psycopg.connect(self.params.conninfo(), autocommit=True) as conn:
            self._insert_item(
                conn, order_id, updated_at, item_id, product_id, quantity, unit_price
            )
            conn.execute(
                "update erp.orders set updated_at = %s where id = %s",
                (updated_at, order_id),
            )

    @staticmethod
    def _insert_item(
        conn: psycopg.Connection,
        order_id: int,
        at: datetime,
        item_id: int,
        product_id: int,
        quantity: str,
        unit_price: str,
        discount: str | None = None,
        batch_id: int | None = None,
    ) -> None:
        conn.execute(
            "insert into erp.order_items (id, order_id, product_id,"
            " product_batch_id, quantity, unit_price, discount_amount, created_at,"
            " updated_at) values (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (
                item_id,
                order_id,
                product_id,
                batch_id,
                Decimal(quantity),
                Decimal(unit_price),
                _dec(discount),
                at,
                at,
            ),
        )

    def set_order_status(
        self, order_id: int, status: str, updated_at: datetime
    ) -> None:
        self._run(
            "update erp.orders set status = %s, updated_at = %s where id = %s",
            (status, updated_at, order_id),
        )


def _dec(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)
