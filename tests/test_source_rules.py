"""Bad input is reported, never credited; the database refuses invalid campaigns."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from tests import pg
from tests.dbt_in_process import BUILD
from tests.sources import Sources
from warehouse import migrate

T0 = datetime(2026, 4, 1, tzinfo=UTC)


def test_bad_source_rows_are_counted_and_never_credited(fresh_db, run_dbt):
    src = Sources(fresh_db)
    src.product(1, cost="5.00")
    src.campaign(1, T0, events=(("RUNNING", T0),))
    src.target(1, 1, T0)
    sale = T0 + timedelta(days=1)
    src.order(
        1,
        "confirmed",
        sale,
        items=(
            (11, 1, "2", "10.00"),  # good
            (12, 1, "0", "10.00"),  # quantity <= 0
            (13, 1, "-1", "10.00"),  # quantity <= 0
            (14, 1, "1", "-10.00"),  # negative price
            (15, 999, "1", "10.00"),  # product row missing
        ),
    )
    src.order(2, "confirmed", sale)  # an order with no items
    output = run_dbt(fresh_db, *BUILD)

    credited = pg.query(
        fresh_db,
        "select distinct order_item_id from marts.fct_order_item_campaign_credits",
    )
    assert credited == [(11,)]
    assert pg.query(
        fresh_db, "select order_item_id from marts.fct_order_item_attribution"
    ) == [(11,)]
    health = pg.query(
        fresh_db,
        "select items, bad_items_non_positive_quantity, bad_items_negative_price,"
        " bad_items_missing_product, orders_without_items"
        " from marts.agg_attribution_health_daily where sale_date = %s",
        (sale.date(),),
    )
    assert health == [(1, 2, 1, 1, 1)]
    # the data test warns, naming the rows, and the run still succeeds
    assert "WARN 4 bad_source_order_items" in output


@pytest.mark.parametrize(
    ("sql", "args", "constraint"),
    [
        (
            "insert into marketing.ad_campaigns (name, platform, starts_at, ends_at)"
            " values ('x', 'facebook', %s, %s)",
            (T0, T0),
            "ends_after_start",
        ),
        (
            "insert into marketing.ad_campaigns (name, platform, starts_at)"
            " values ('x', 'myspace', %s)",
            (T0,),
            "platform_known",
        ),
        (
            "insert into marketing.ad_campaigns (name, platform, starts_at)"
            " values ('', 'google', %s)",
            (T0,),
            "name_length",
        ),
        (
            "insert into marketing.ad_campaigns (name, platform, starts_at)"
            " values (repeat('x', 256), 'google', %s)",
            (T0,),
            "name_length",
        ),
        (
            "insert into marketing.ad_campaigns (name, platform, starts_at,"
            " budget_amount) values ('x', 'google', %s, -1)",
            (T0,),
            "budget_not_negative",
        ),
        (
            "insert into marketing.ad_campaigns (name, platform, starts_at, status)"
            " values ('x', 'google', %s, 'LIVE')",
            (T0,),
            "status_known",
        ),
    ],
)
def test_database_refuses_invalid_campaigns(fresh_db, sql, args, constraint):
    with pytest.raises(psycopg.errors.CheckViolation, match=constraint):
        pg.execute(fresh_db, sql, args)
    assert pg.query(fresh_db, "select count(*) from marketing.ad_campaigns") == [(0,)]


def test_database_refuses_overlapping_windows_and_bad_transitions(fresh_db):
    src = Sources(fresh_db)
    src.campaign(1, T0, events=(("DRAFT", T0),))
    src.target(1, 7, T0, T0 + timedelta(days=10))
    src.target(1, 7, T0 + timedelta(days=10))  # adjacent: fine (half-open)
    with pytest.raises(psycopg.errors.ExclusionViolation):
        src.target(1, 7, T0 + timedelta(days=5), T0 + timedelta(days=6))
    with pytest.raises(psycopg.errors.CheckViolation, match="window_ordered"):
        src.target(1, 8, T0, T0)
    with pytest.raises(psycopg.errors.CheckViolation, match="transition_allowed"):
        src.status_event(1, "DRAFT", "PAUSED", T0)
    with pytest.raises(psycopg.errors.CheckViolation, match="transition_allowed"):
        src.status_event(1, "ENDED", "RUNNING", T0)
    with pytest.raises(psycopg.errors.RestrictViolation, match="append-only"):
        pg.execute(
            fresh_db,
            "update marketing.ad_campaign_status_events set to_status = 'RUNNING'",
        )


def test_explicit_ids_are_accepted_and_migrations_are_idempotent(fresh_db):
    pg.execute(
        fresh_db,
        "insert into marketing.ad_campaigns (id, name, platform,"
        " starts_at) values (500, 'explicit', 'other', %s)",
        (T0,),
    )
    migrate.upgrade(fresh_db)  # a second run changes nothing and keeps the data
    assert pg.query(fresh_db, "select id, status from marketing.ad_campaigns") == [
        (500, "DRAFT")
    ]


def test_updated_at_moves_on_every_change(fresh_db):
    pg.execute(
        fresh_db,
        "insert into marketing.ad_campaigns (id, name, platform,"
        " starts_at, updated_at) values (1, 'a', 'other', %s, %s)",
        (T0, T0),
    )
    pg.execute(fresh_db, "update marketing.ad_campaigns set name = 'b' where id = 1")
    ((updated_at,),) = pg.query(
        fresh_db, "select updated_at from marketing.ad_campaigns"
    )
    assert updated_at > T0


def test_bi_reader_reads_marts_and_nothing_else(fresh_db, run_dbt):
    src = Sources(fresh_db)
    src.product(1, cost="1.00")
    run_dbt(fresh_db, *BUILD)
    reader = fresh_db
    with psycopg.connect(reader.conninfo(), autocommit=True) as conn:
        conn.execute("set role bi_reader")
        assert conn.execute("select count(*) from marts.dim_products").fetchone() == (
            1,
        )
        for table in (
            "erp.customers",
            "marketing.ad_campaigns",
            "intermediate.int_orders_observed",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(f"select * from {table}")
