"""The frequent run builds only what the changed sources feed, and that is enough.

Each kind of source change, alone, must be noticed by the marks of its
source group (orchestration/jobs/changes.py), reach the marts through the run of
that group's selection (the one the change sensor starts), and leave every
mart exactly as a full refresh of every model computes it. With no change
nothing is selected and no dbt node runs.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from demo import data as demo_data
from marketing.campaigns.corrections import name_correction_reason
from orchestration.jobs import changes
from tests import pg
from warehouse import database, dbt_runner

ANCHOR = datetime(2026, 6, 1, tzinfo=UTC)
NOW = ANCHOR + timedelta(hours=3)
# the build log holds one row per build: a full refresh adds its own
NOT_COMPARED = ("fct_attribution_builds",)


def marts(params) -> dict[str, list[tuple]]:
    """Every mart's rows, in a stable order."""
    tables = [
        name
        for (name,) in pg.query(
            params,
            "select table_name from information_schema.tables"
            " where table_schema = 'marts' and table_type = 'BASE TABLE'"
            " and table_name not like '%%\\_\\_changes' order by 1",
        )
        if name not in NOT_COMPARED
    ]
    assert "fct_order_item_campaign_credits" in tables, tables
    return {
        table: sorted(pg.query(params, f"select * from marts.{table}"), key=repr)
        for table in tables
    }


def _one(conn: psycopg.Connection, sql: str, *args) -> tuple:
    row = conn.execute(sql, args).fetchone()
    assert row is not None, f"the demo history has no row for: {sql}"
    return row


CREDITED = (
    "select credits.order_id, credits.order_item_id, credits.product_id,"
    " credits.campaign_id, credits.sale_time"
    " from marts.fct_order_item_campaign_credits as credits"
    " where not credits.is_reversed and credits.credit_mode = 'FULL'"
)


def change_order(conn: psycopg.Connection) -> None:
    order_id = _one(conn, CREDITED + " order by 1 limit 1")[0]
    conn.execute(
        "update erp.orders set status = 'cancelled', updated_at = %s where id = %s",
        (NOW, order_id),
    )


def change_order_item(conn: psycopg.Connection) -> None:
    order_id, item_id = _one(conn, CREDITED + " order by 2 desc limit 1")[:2]
    conn.execute(
        "update erp.order_items set quantity = quantity + 1, updated_at = %s"
        " where id = %s",
        (NOW, item_id),
    )
    # the contract: the ERP bumps the order on any change of its items
    conn.execute("update erp.orders set updated_at = %s where id = %s", (NOW, order_id))


def change_product(conn: psycopg.Connection) -> None:
    # a cost the items take from their product; updated_at left as it was
    product_id = _one(
        conn,
        CREDITED.replace(
            "where",
            "join erp.order_items as items on items.id = credits.order_item_id where",
            1,
        )
        + " and items.product_batch_id is null order by 3 limit 1",
    )[2]
    conn.execute(
        "update erp.products set cost_price = coalesce(cost_price, 0) + 1.25"
        " where id = %s",
        (product_id,),
    )


def change_campaign(conn: psycopg.Connection) -> None:
    campaign_id, starts_at, last_sale = _one(
        conn,
        "select campaigns.id, campaigns.starts_at, max(credits.sale_time)"
        " from marts.fct_order_item_campaign_credits as credits"
        " join marketing.ad_campaigns as campaigns"
        " on campaigns.id = credits.campaign_id"
        " where not credits.is_reversed group by 1, 2"
        " having max(credits.sale_time) > campaigns.starts_at + interval '2 days'"
        " order by count(*) desc limit 1",
    )
    with conn.transaction():
        name_correction_reason(conn, "test: flight end corrected")
        conn.execute(
            "update marketing.ad_campaigns set ends_at = %s where id = %s",
            (starts_at + (last_sale - starts_at) / 2, campaign_id),
        )


def change_targeting(conn: psycopg.Connection) -> None:
    target_id, effective_from, last_sale = _one(
        conn,
        "select targets.id, targets.effective_from, max(credits.sale_time)"
        " from marts.fct_order_item_campaign_credits as credits"
        " join marketing.ad_campaign_products as targets"
        " on targets.campaign_id = credits.campaign_id"
        " and targets.product_id = credits.product_id"
        " and credits.sale_time >= targets.effective_from"
        " where not credits.is_reversed and targets.effective_to is null"
        " group by 1, 2"
        " having max(credits.sale_time) > targets.effective_from + interval '1 hour'"
        " order by 1 limit 1",
    )
    with conn.transaction():
        name_correction_reason(conn, "test: targeting ended late")
        conn.execute(
            "update marketing.ad_campaign_products set effective_to = %s where id = %s",
            (effective_from + (last_sale - effective_from) / 2, target_id),
        )


def change_status_events(conn: psycopg.Connection) -> None:
    # a backdated pause between the last event of a running campaign and
    # its last credited sale
    campaign_id, last_at, last_sale = _one(
        conn,
        "select events.campaign_id, events.changed_at, max(credits.sale_time)"
        " from marts.fct_order_item_campaign_credits as credits"
        " join lateral (select latest.campaign_id, latest.to_status,"
        " latest.changed_at from marketing.ad_campaign_status_events as latest"
        " where latest.campaign_id = credits.campaign_id"
        " order by latest.changed_at desc, latest.id desc limit 1) as events"
        " on true"
        " where not credits.is_reversed and events.to_status = 'RUNNING'"
        " group by 1, 2 having max(credits.sale_time) > events.changed_at"
        " + interval '1 hour' order by 1 limit 1",
    )
    at = last_at + (last_sale - last_at) / 2
    with conn.transaction():
        name_correction_reason(conn, "test: backdated correction")
        conn.execute(
            "insert into marketing.ad_campaign_status_events (campaign_id,"
            " from_status, to_status, changed_at, changed_by, created_at)"
            " values (%s, 'RUNNING', 'PAUSED', %s, 'test', %s)",
            (campaign_id, at, NOW),
        )
        conn.execute(
            "update marketing.ad_campaigns set status = 'PAUSED' where id = %s",
            (campaign_id,),
        )


def change_spend(conn: psycopg.Connection) -> None:
    # figures replaced without moving loaded_at: the mark is exact
    spend_id = _one(conn, "select min(id) from marketing.ad_spend_daily")[0]
    assert spend_id is not None, "the demo history has no spend"
    conn.execute(
        "update marketing.ad_spend_daily set spend = spend + 7.77 where id = %s",
        (spend_id,),
    )


# kind of change -> the groups whose marks it moves, and the change
CHANGES: dict[str, tuple[list[str], Callable[[psycopg.Connection], None]]] = {
    "order": (["orders"], change_order),
    "order item": (["orders"], change_order_item),
    "product": (["products"], change_product),
    "campaign": (["campaigns"], change_campaign),
    "targeting": (["targeting"], change_targeting),
    # the event and the campaign's displayed status, written together
    "status event": (["campaigns", "status_events"], change_status_events),
    "spend": (["spend"], change_spend),
}


@pytest.fixture(scope="module")
def built_db(pg_server, frequent_run):
    params = pg.create_database(pg_server, prefix="frequent")
    demo_data.load(params, orders=400, seed=11, anchor=ANCHOR)
    # no marks yet: the first frequent run builds everything
    assert frequent_run(params) == sorted(changes.GROUPS)
    yield params
    database.drop_database(params)


@pytest.mark.parametrize("kind", list(CHANGES))
def test_each_source_change_reaches_the_marts_as_a_full_refresh(
    built_db, frequent_run, run_dbt, kind
):
    groups, change = CHANGES[kind]
    assert frequent_run(built_db) == [], "no change, yet something was selected"
    before = marts(built_db)
    with database.connect(built_db, autocommit=True) as conn:
        change(conn)

    assert frequent_run(built_db) == groups
    after = marts(built_db)
    assert after != before, f"the {kind} change did not reach the marts"
    # every model from scratch (snapshots keep what they observed)
    run_dbt(built_db, "run", "--full-refresh")
    full = marts(built_db)
    differing = [table for table in full if full[table] != after.get(table)]
    assert differing == [], f"after a {kind} change, differs from a full refresh"


RECORD_CLOCK = "incremental_engine.now()"
DATE_FUNCTIONS = re.compile(
    r"\b(now\(\)|current_date|current_timestamp|localtimestamp|clock_timestamp"
    r"|statement_timestamp|transaction_timestamp)",
    re.IGNORECASE,
)


def test_models_reading_the_date_are_rebuilt_when_it_rolls_over(run_dbt, pg_server):
    # the snapshots' now() is when they observed, and the engine's clock
    # (`incremental_engine.now()`) when a run recorded a row: neither is the
    # day a model reports
    readers = sorted(
        path.stem
        for path in (changes.PROJECT_DIR / "models").rglob("*.sql")
        if "snapshots" not in path.parts
        and DATE_FUNCTIONS.search(path.read_text().replace(RECORD_CLOCK, ""))
    )
    assert readers, "no model reads the date: the reporting_date group is dead"
    select, exclude = changes.frequent_selection(
        ["reporting_date"], dbt_runner.parsed_manifest(pg_server)
    )
    listed = run_dbt(
        pg_server,
        "ls",
        "--quiet",
        "--output",
        "name",
        "--resource-type",
        "model",
        "--select",
        *select,
        "--exclude",
        *exclude,
    ).split()
    assert set(readers) <= set(listed), (readers, listed)
