"""Restatements: marts.fct_credit_changes (docs/rules.md, "Restatements").

Each frequent run appends what it changed in the credits, with the cause;
for every time T the changes recorded up to T add up to the credits as they
stood after the last run before T; a full refresh or a run that changes
nothing records nothing.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

import pytest

from demo import data as demo_data
from tests import pg
from tests.dbt_in_process import BUILD
from tests.restatements import Totals, credited, nonzero, recorded
from warehouse import credentials, database


def latest_run(params: database.ConnectionParams) -> list[dict]:
    """The rows the latest run recorded."""
    return pg.rows(
        params,
        "select * from marts.fct_credit_changes where recorded_at ="
        " (select max(recorded_at) from marts.fct_credit_changes)"
        " order by order_item_id, campaign_id, credit_mode, sale_date",
    )


def count(params: database.ConnectionParams) -> int:
    return pg.scalar(params, "select count(*) from marts.fct_credit_changes")


@pytest.fixture(scope="module")
def changes_db(pg_server, demo_marts):
    params = pg.clone(pg_server, demo_marts, "changes")
    yield params
    database.drop_database(params)


def credited_order(params, status: str) -> dict:
    """An order in `status` with non-reversed FULL credits."""
    return pg.rows(
        params,
        "select credits.order_id, sum(credits.credited_revenue) as revenue"
        " from marts.fct_order_item_campaign_credits as credits"
        " join erp.orders on orders.id = credits.order_id"
        " where orders.status = %s and not credits.is_reversed"
        " and credits.credit_mode = 'FULL'"
        " group by credits.order_id having sum(credits.credited_revenue) > 0"
        " order by credits.order_id limit 1",
        (status,),
    )[0]


def set_status(params, order_id: int, status: str) -> None:
    pg.execute(
        params,
        "update erp.orders set status = %s, updated_at = now() where id = %s",
        (status, order_id),
        role=credentials.ERP_REPLICA,
    )


def test_every_run_records_what_it_changed_and_why(
    changes_db, frequent_run, run_dbt
) -> None:
    params = changes_db
    # the first build recorded every credit as a sale
    first = pg.rows(
        params, "select cause, count(*) from marts.fct_credit_changes group by 1"
    )
    assert [row["cause"] for row in first] == ["sale"]
    states: list[tuple[datetime, Totals]] = []

    def after_run() -> list[dict]:
        """The rows the run recorded; remembers the credits as they stand."""
        run_at = pg.scalar(
            params, "select max(recorded_at) from marts.fct_credit_changes"
        )
        states.append((run_at, nonzero(credited(params))))
        return latest_run(params)

    frequent_run(params)  # the first frequent run on this copy: everything
    after_run()
    before = count(params)
    assert frequent_run(params) == []  # nothing changed: nothing runs
    frequent_run(params)
    assert count(params) == before

    # a cancellation takes the order's credits off: a reversal
    order = credited_order(params, "delivered")
    set_status(params, order["order_id"], "cancelled")
    assert "orders" in frequent_run(params)
    reversal = after_run()
    assert {row["cause"] for row in reversal} == {"reversal"}
    assert {row["order_id"] for row in reversal} == {order["order_id"]}
    full = [row for row in reversal if row["credit_mode"] == "FULL"]
    assert sum(row["revenue_delta"] for row in full) == -order["revenue"]

    # reinstated: the same amounts back
    set_status(params, order["order_id"], "confirmed")
    frequent_run(params)
    reinstated = after_run()
    assert {row["cause"] for row in reinstated} == {"reinstatement"}
    assert (
        sum(row["revenue_delta"] for row in reinstated if row["credit_mode"] == "FULL")
        == order["revenue"]
    )

    # an item of another credited order deleted: an order edit
    edited = credited_order(params, "completed")
    item = pg.scalar(
        params,
        "select min(order_item_id) from marts.fct_order_item_campaign_credits"
        " where order_id = %s and not is_reversed",
        (edited["order_id"],),
    )
    pg.execute(
        params,
        "delete from erp.order_items where id = %s",
        (item,),
        role=credentials.ERP_REPLICA,
    )
    set_status(params, edited["order_id"], "completed")  # the ERP bumps updated_at
    frequent_run(params)
    edit = after_run()
    assert {row["cause"] for row in edit} == {"order_edit"}
    assert {row["order_item_id"] for row in edit} == {item}
    assert all(row["revenue_delta"] <= 0 for row in edit)

    # a targeting window ended in the past (the owner needs no reason): the
    # campaign's credits after the new end come off, as a correction
    window = pg.rows(
        params,
        "select targeting.id, targeting.campaign_id,"
        " max(credits.sale_time) as last_sale"
        " from marketing.ad_campaign_products as targeting"
        " join marts.fct_order_item_campaign_credits as credits"
        "   on credits.campaign_id = targeting.campaign_id"
        "   and credits.product_id = targeting.product_id"
        "   and credits.sale_time >= targeting.effective_from"
        "   and (targeting.effective_to is null"
        "        or credits.sale_time < targeting.effective_to)"
        " where not credits.is_reversed"
        " group by 1, 2 having count(distinct credits.sale_time) > 1"
        " order by 1 limit 1",
    )[0]
    pg.execute(
        params,
        "update marketing.ad_campaign_products set effective_to = %s where id = %s",
        (window["last_sale"], window["id"]),
        role=credentials.OWNER,
    )
    assert "targeting" in frequent_run(params)
    correction = after_run()
    assert {row["cause"] for row in correction} == {"correction"}
    assert {row["campaign_id"] for row in correction} == {window["campaign_id"]}
    assert all(row["revenue_delta"] <= 0 for row in correction)

    # new orders arrive: sales (those of targeted products are credited)
    demo_data.advance(
        params,
        seed=5,
        now=datetime.now().astimezone(),
        new_orders=30,
        changes=0,
        campaign_changes=0,
    )
    frequent_run(params)
    sales = after_run()
    assert sales and {row["cause"] for row in sales} == {"sale"}

    # the rule: at every run's time, what was recorded so far is the credits
    # as they stood after that run
    for run_at, then in states:
        assert recorded(params, run_at) == then

    # a full refresh that reproduces the credits records nothing, and the
    # history survives it
    before = count(params)
    run_dbt(params, *BUILD, "--full-refresh")
    assert count(params) == before
    assert recorded(params, datetime.now().astimezone()) == nonzero(credited(params))
    causes = Counter(
        row["cause"]
        for row in pg.rows(params, "select cause from marts.fct_credit_changes")
    )
    assert set(causes) == {
        "sale",
        "reversal",
        "reinstatement",
        "order_edit",
        "correction",
    }
