"""A random but valid history of changes, built incrementally step by step.

After every step the incremental facts and aggregates must hold exactly the
rows a full refresh would (the full computation of a fact is the allocated
view it selects from; of an aggregate, its own SQL compiled for a full
build), and a second run must change nothing. Each step's build is the
frequent run: what the changed sources feed (orchestration/jobs/changes.py).
Hard deletes and changes that reach the replica later than the lookback
are repaired by the nightly full observation of the orders. At the end a
real `--full-refresh` must reproduce the incremental tables row for row.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from demo import data as demo_data
from tests import pg
from tests import restatements as credit_changes
from warehouse import database

CREDIT_COLUMNS = (
    "order_item_id, campaign_id, credit_mode, order_id, product_id, sale_time,"
    " credited_qty::numeric(14,4), credited_revenue::numeric(14,2),"
    " credited_profit::numeric(14,2), matched_campaigns_count::integer,"
    " is_reversed, reversed_at"
)
ITEM_COLUMNS = (
    "order_item_id, order_id, product_id, sale_time, quantity::numeric(14,4),"
    " item_revenue::numeric(14,2), item_profit::numeric(14,2),"
    " matched_campaigns_count::integer, is_reversed, reversed_at"
)
ANCHOR = datetime(2026, 6, 1, tzinfo=UTC)
AGGREGATES = {
    "campaign_daily": ("agg_campaign_daily", "1, 2, 3"),
    "health": ("agg_attribution_health_daily", "1"),
}
NIGHTLY_OBSERVATION = ("--vars", json.dumps({"observe_all": True}))


def full_aggregates(run_dbt, dbt_target_dir: Path, params) -> dict[str, str]:
    """Each aggregate's SQL as a full build computes it, compiled by dbt."""
    run_dbt(params, "compile", "--full-refresh", "--select", "tag:marts")
    compiled = dbt_target_dir / "compiled" / "campaign_attribution" / "models"
    return {
        name: (compiled / "marts" / "reporting" / f"{model}.sql").read_text()
        for name, (model, _) in AGGREGATES.items()
    }


def differences(params, aggregates: dict[str, str]) -> dict[str, int]:
    """Rows in the incremental tables and not in the full computation, and back."""
    checks = {
        "credits": (
            CREDIT_COLUMNS,
            "marts.fct_order_item_campaign_credits",
            "intermediate.int_order_item_credits_allocated",
            "true",
        ),
        "items": (
            ITEM_COLUMNS,
            "marts.fct_order_item_attribution",
            "intermediate.int_order_items_matched",
            "campaign_rank = 1",
        ),
        # what the health aggregate adds up besides the items
        "bad_items": (
            "order_item_id, order_id, sale_time, bad_reason",
            "intermediate.int_order_items_bad",
            "intermediate.int_order_items_evaluated",
            "has_been_observed_countable and not is_good",
        ),
        "orders_with_items": (
            "order_id, has_items",
            "intermediate.int_orders_observed",
            "(select order_id, exists (select 1 from erp.order_items as i"
            " where i.order_id = o.order_id) as has_items"
            " from intermediate.int_orders_observed as o)",
            "true",
        ),
    }
    for name, (model, _) in AGGREGATES.items():
        checks[name] = ("*", f"marts.{model}", f"({aggregates[name]})", "true")
    found = {}
    for name, (columns, fact, full, where) in checks.items():
        for direction, (left, right, left_where, right_where) in {
            "only_incremental": (fact, full, "true", where),
            "only_full": (full, fact, where, "true"),
        }.items():
            found[f"{name}_{direction}"] = pg.scalar(
                params,
                f"select count(*) from (select {columns} from {left} as l"
                f" where {left_where} except select {columns} from {right} as r"
                f" where {right_where}) as diff",
            )
    return found


def change_what_the_demo_does_not(
    conn: psycopg.Connection, rng: random.Random, now: datetime
) -> int:
    """Changes the demo generator does not make and the frequent run sees:
    costs, an order whose items all went, items going bad. Returns the
    emptied order's id."""
    product_id = rng.randint(1, 40)
    conn.execute(
        "update erp.products set cost_price = cost_price + 1,"
        " updated_at = %s where id = %s",
        (now, product_id),
    )
    conn.execute(
        "update erp.product_batches set cost_price = null"
        " where id = (select min(id) from erp.product_batches"
        " where cost_price is not null)"
    )
    # an order whose items all went (the ERP bumps updated_at): now a bad
    # source row, an order without items, until a later step refills it
    (emptied,) = conn.execute(
        "select id from erp.orders as o where status in ('delivered', 'completed')"
        " and exists (select 1 from erp.order_items as i where i.order_id = o.id)"
        " order by id desc limit 1 offset %s",
        (rng.randint(0, 20),),
    ).fetchone()
    conn.execute("delete from erp.order_items where order_id = %s", (emptied,))
    conn.execute("update erp.orders set updated_at = %s where id = %s", (now, emptied))
    # items going bad: a negative price, a product row that does not exist
    for change in (
        "unit_price = -unit_price - 1",
        "product_id = product_id + 1000000",
    ):
        (order_id,) = conn.execute(
            f"update erp.order_items set {change} where id = (select id from"
            " erp.order_items order by id limit 1 offset %s) returning order_id",
            (rng.randint(0, 200),),
        ).fetchone()
        conn.execute(
            "update erp.orders set updated_at = %s where id = %s", (now, order_id)
        )
    return emptied


def change_what_the_frequent_run_misses(
    conn: psycopg.Connection, rng: random.Random, now: datetime, emptied: int
) -> None:
    """The emptied order gets an item back; and what only the nightly full
    observation repairs: an order deleted with its items (it vanishes from
    the ERP) and a change the replica delivers a day late."""
    conn.execute(
        "insert into erp.order_items (id, order_id, product_id, quantity,"
        " unit_price, discount_amount, created_at, updated_at)"
        " select (select max(id) + 1 from erp.order_items), %s, min(id), 1,"
        " 10, 0, %s, %s from erp.products",
        (emptied, now, now),
    )
    conn.execute("update erp.orders set updated_at = %s where id = %s", (now, emptied))
    (victim,) = conn.execute(
        "select id from erp.orders where status in ('delivered', 'completed')"
        " and id <> %s order by id limit 1 offset %s",
        (emptied, rng.randint(0, 20)),
    ).fetchone()
    conn.execute("delete from erp.order_items where order_id = %s", (victim,))
    conn.execute("delete from erp.orders where id = %s", (victim,))
    (late,) = conn.execute(
        "select id from erp.orders where status = 'confirmed'"
        " order by id limit 1 offset %s",
        (rng.randint(0, 10),),
    ).fetchone()
    conn.execute(
        "update erp.orders set status = 'cancelled', updated_at = %s where id = %s",
        (now - timedelta(days=1), late),
    )


def change_spend(conn: psycopg.Connection, rng: random.Random, now: datetime) -> None:
    """What spend writers do: a day loaded again with new figures, a day
    removed, and a new day for a campaign, some with no credited sale."""
    spend_ids = [
        spend_id
        for (spend_id,) in conn.execute(
            "select id from marketing.ad_spend_daily order by id"
        ).fetchall()
    ]
    assert spend_ids, "the demo history has no spend to change"
    replaced, removed = rng.sample(spend_ids, 2)
    conn.execute(
        "update marketing.ad_spend_daily set spend = spend + 12.34,"
        " clicks = coalesce(clicks, 0) + 3, loaded_at = %s where id = %s",
        (now, replaced),
    )
    conn.execute("delete from marketing.ad_spend_daily where id = %s", (removed,))
    # a day of a launched campaign's life (the database refuses others)
    campaign_id, first_day, last_day = conn.execute(
        "select id, lower(marketing.spend_days(id)),"
        " upper(marketing.spend_days(id)) - 1 from marketing.ad_campaigns"
        " where marketing.has_left_draft(id) order by id limit 1 offset %s",
        (rng.randint(0, 5),),
    ).fetchone()
    day = first_day + timedelta(days=rng.randint(0, (last_day - first_day).days))
    conn.execute(
        "insert into marketing.ad_spend_daily (campaign_id, spend_date, source,"
        " spend, impressions, clicks, loaded_by, loaded_at)"
        " values (%s, %s, 'manual', 99.99, 1000, null, 'history', %s)"
        " on conflict (campaign_id, spend_date, source) do update"
        " set spend = excluded.spend + 1",
        (campaign_id, day, now),
    )


# the kinds of change a history must have made to be a test
KINDS = (
    "new_orders",
    "status_changes",
    "reinstatements",
    "items_added",
    "items_deleted",
    "sale_dates_corrected",
    *demo_data.CAMPAIGN_CHANGES,
)


def make_changes(
    params: database.ConnectionParams,
    step: int,
    rng: random.Random,
    emptied: int | None,
) -> tuple[dict[str, int], int]:
    """Step 1 or 2 of the history (the Spark test builds the same): the
    demo's changes six hours a step after ANCHOR, spend, and what the demo
    does not do (step 1, which empties an order) or what the frequent run
    misses (step 2, given that order). Returns the changes made, counted by
    kind, and the emptied order."""
    now = ANCHOR + timedelta(hours=6 * step)
    counts = demo_data.advance(
        params, seed=step, now=now, new_orders=25, changes=40, campaign_changes=16
    )
    with database.connect(params, autocommit=True) as conn:
        change_spend(conn, rng, now)
        if emptied is None:
            emptied = change_what_the_demo_does_not(conn, rng, now)
        else:
            change_what_the_frequent_run_misses(conn, rng, now, emptied)
    return counts, emptied


@pytest.fixture(scope="module")
def history_db(pg_server):
    params = pg.create_database(pg_server, prefix="history")
    demo_data.load(params, orders=300, seed=7, anchor=ANCHOR)
    yield params
    database.drop_database(params)


def test_every_incremental_step_equals_a_full_refresh(
    history_db, run_dbt, frequent_run, dbt_target_dir
):
    params = history_db
    frequent_run(params)
    aggregates = full_aggregates(run_dbt, dbt_target_dir, params)
    assert set(differences(params, aggregates).values()) == {0}
    rng = random.Random(2026)
    made: Counter[str] = Counter()
    emptied = None
    # step 1: changes the frequent run alone must follow; step 2: changes
    # it cannot see as well, which the nightly observation repairs
    for step in (1, 2):
        counts, emptied = make_changes(params, step, rng, emptied)
        made.update(counts)
        assert counts["new_orders"] and counts["status_changes"]
        assert "orders" in frequent_run(params)
        if step == 2:
            assert set(differences(params, aggregates).values()) != {0}, (
                "the deletes and the late change went unnoticed by the test itself"
            )
            run_dbt(params, "build", *NIGHTLY_OBSERVATION)
        found = differences(params, aggregates)
        assert found == dict.fromkeys(found, 0), f"step {step} after {counts}"
        # the restatements recorded so far add up to the credits as they are
        assert credit_changes.recorded(params, datetime.now(UTC)) == (
            credit_changes.nonzero(credit_changes.credited(params))
        ), f"step {step}: the restatements do not add up to the credits"
        recomputed = pg.query(
            params,
            "select model_name, items_recomputed from marts.fct_attribution_builds"
            " where build_id in (select max(build_id) from marts.fct_attribution_builds"
            " where model_name not like 'agg_%%'"
            " and model_name != 'fct_credit_changes' group by model_name)",
        )
        assert recomputed, f"step {step}: no build of a fact was logged"
        assert all(items > 0 for _, items in recomputed), recomputed

        before = _facts(params)
        run_dbt(params, "run", "--select", "tag:marts")
        assert _facts(params) == before, f"a second run changed the facts at {step}"
        second = pg.query(
            params,
            "select items_recomputed, rows_deleted, rows_inserted"
            " from marts.fct_attribution_builds where build_id in (select max(build_id)"
            " from marts.fct_attribution_builds where model_name like any"
            " (array['fct_%%', 'agg_%%']) and model_name != 'fct_credit_changes'"
            " group by model_name)",
        )
        assert second == [(0, 0, 0)] * 4, "a second run did work"
        assert (
            pg.scalar(
                params,
                "select rows_inserted from marts.fct_attribution_builds"
                " where model_name = 'fct_credit_changes'"
                " order by build_id desc limit 1",
            )
            == 0
        ), "a second run recorded changes"
        assert frequent_run(params) == [], "no change, yet a frequent run"

    # the history is only a test if it made every kind of change
    assert {kind: made[kind] for kind in KINDS if not made[kind]} == {}
    assert pg.scalar(
        params, "select count(*) from erp.order_items where order_id = %s", (emptied,)
    ), "the emptied order was not refilled"
    incremental = _facts(params)
    run_dbt(params, "run", "--full-refresh", "--select", "tag:marts")
    assert _facts(params) == incremental

    # the history is only a test if it exercised the hard cases
    recomputed_keys = pg.query(
        params,
        "select model_name, sum(items_recomputed) from marts.fct_attribution_builds"
        " where model_name like 'agg_%%' and not is_full_build group by model_name",
    )
    assert len(recomputed_keys) == 2, recomputed_keys
    assert all(keys > 0 for _, keys in recomputed_keys), "no aggregate recomputed"
    reversed_credits = pg.scalar(
        params,
        "select count(*) from marts.fct_order_item_campaign_credits where is_reversed",
    )
    assert reversed_credits > 0, "no reversed credits"
    spend_only_days = pg.scalar(
        params,
        "select count(*) from marts.agg_campaign_daily"
        " where spend is not null and items = 0",
    )
    assert spend_only_days > 0, "no day with spend and no credited sale"
    bad_rows = pg.rows(
        params,
        "select sum(bad_items_non_positive_quantity) as quantity,"
        " sum(bad_items_negative_price) as price,"
        " sum(bad_items_missing_product) as product,"
        " sum(orders_without_items) as empty_orders"
        " from marts.agg_attribution_health_daily",
    )[0]
    assert all(count > 0 for count in bad_rows.values()), bad_rows
    backdated = pg.scalar(
        params,
        "select count(*) from marketing.ad_campaign_status_events"
        " where changed_at < created_at - interval '1 minute'",
    )
    assert backdated > 0, "no backdated status event"


def _facts(params) -> tuple[list[tuple], ...]:
    return (
        *(
            pg.query(params, f"select * from marts.{model} order by {order}")
            for model, order in AGGREGATES.values()
        ),
        pg.query(
            params,
            f"select {CREDIT_COLUMNS} from"
            " marts.fct_order_item_campaign_credits order by 1, 2, 3",
        ),
        pg.query(
            params,
            f"select {ITEM_COLUMNS} from marts.fct_order_item_attribution order by 1",
        ),
    )
