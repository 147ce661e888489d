"""The semantic layer gives every reader the marts' numbers: `mf query` on
the embedded server equals the marts over a date range."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from tests import pg
from tests.dbt_in_process import BUILD
from tests.sources import Sources
from warehouse import dbt_runner

T0 = datetime(2026, 4, 1, tzinfo=UTC)
# the range read: the sale on April 2nd and the spend of the 2nd and 3rd;
# the sale and the spend of April 5th lie outside it
START, END = date(2026, 4, 2), date(2026, 4, 4)


def _at(day: int) -> datetime:
    return datetime(2026, 4, day, 12, tzinfo=UTC)


@pytest.fixture(scope="module")
def semantic_db(pg_server, run_dbt):
    from warehouse import database

    params = pg.create_database(pg_server, prefix="semantic")
    src = Sources(params)
    src.product(1, cost="4.00")
    src.product(2)
    for campaign_id in (1, 2):
        src.campaign(campaign_id, T0, events=(("RUNNING", T0),))
        src.target(campaign_id, 1, T0)
    src.target(2, 2, T0)
    src.order(1, "confirmed", _at(2), items=((11, 1, "2", "10.00"),))
    src.order(2, "confirmed", _at(2), items=((21, 2, "1", "7.00"),))
    src.order(3, "confirmed", _at(3), items=((31, 1, "1", "50.00"),))
    src.order(4, "confirmed", _at(5), items=((41, 1, "1", "99.00"),))
    src.product(3)
    src.order(5, "confirmed", _at(3), items=((51, 3, "1", "13.00"),))  # unmatched
    run_dbt(params, *BUILD)
    # refunded after every sale was written (the ERP stamps updated_at with the
    # time of the change): reversed, not counted
    src.set_order_status(3, "refunded", _at(6))
    for campaign_id, day, amount in (
        (1, 2, "8.00"),
        (1, 3, "12.00"),
        (2, 3, "5.00"),
        (1, 5, "100.00"),
    ):
        pg.execute(
            params,
            "insert into marketing.ad_spend_daily (campaign_id, spend_date, source,"
            " spend) values (%s, %s, 'manual', %s)",
            (campaign_id, date(2026, 4, day), Decimal(amount)),
        )
    run_dbt(params, *BUILD)
    yield params
    database.drop_database(params)


def mf_query(params, tmp_path, metrics: str, group_by: str | None = None):
    out = tmp_path / "result.csv"
    args = [
        "query",
        "--metrics",
        metrics,
        "--start-time",
        START.isoformat(),
        "--end-time",
        END.isoformat(),
        "--csv",
        str(out),
    ]
    if group_by:
        args += ["--group-by", group_by]
    result = dbt_runner.run_mf(args, params, capture=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    with out.open() as handle:
        return list(csv.DictReader(handle))


def _number(value: str) -> Decimal | None:
    return None if value in ("", "None") else Decimal(value)


def test_metrics_per_campaign_equal_the_marts_over_a_date_range(semantic_db, tmp_path):
    rows = mf_query(
        semantic_db,
        tmp_path,
        "credited_revenue,credited_profit,credited_units,credited_orders,spend,"
        "roas,cpa",
        "campaign",
    )
    metrics = {int(row["campaign"]): row for row in rows}
    marts = pg.query(
        semantic_db,
        """
        with credited as (
            select campaign_id, sum(revenue) as revenue, sum(profit) as profit,
                sum(units) as units, sum(orders) as orders
            from marts.agg_campaign_daily
            where credit_mode = 'SPLIT' and sale_date between %(s)s and %(e)s
            group by campaign_id
        ),
        spent as (
            select campaign_id, sum(spend) as spend
            from marts.fct_campaign_budget_pacing
            where spend_date between %(s)s and %(e)s
            group by campaign_id
        )
        select campaign_id, revenue, profit, units, orders, spend
        from credited full join spent using (campaign_id)
        order by campaign_id
        """,
        {"s": START, "e": END},
    )
    assert sorted(metrics) == [campaign_id for campaign_id, *_ in marts] == [1, 2]
    for campaign_id, revenue, profit, units, orders, spend in marts:
        got = metrics[campaign_id]
        assert _number(got["credited_revenue"]) == revenue
        assert _number(got["credited_profit"]) == profit
        assert _number(got["credited_units"]) == units
        assert int(got["credited_orders"]) == orders
        assert _number(got["spend"]) == spend
        assert float(got["roas"]) == pytest.approx(float(revenue / spend))
        assert float(got["cpa"]) == pytest.approx(float(spend / orders))
    # campaign 1: half of the 20.00 sale for 8 + 12 of spend; the refunded
    # sale and the 5th of April are not counted
    assert float(metrics[1]["roas"]) == pytest.approx(0.5)


def test_totals_never_double_count_and_the_attribution_rate_is_the_health_mart(
    semantic_db, tmp_path
):
    [row] = mf_query(
        semantic_db, tmp_path, "credited_revenue,spend,roas,attribution_rate"
    )
    [(attributed, revenue)] = pg.query(
        semantic_db,
        "select sum(attributed_revenue), sum(revenue)"
        " from marts.agg_attribution_health_daily"
        " where sale_date between %s and %s",
        (START, END),
    )
    # SPLIT: the shared sale counts once; 20.00 + 7.00 credited of 40.00 sold
    assert _number(row["credited_revenue"]) == attributed == Decimal("27.00")
    assert float(row["attribution_rate"]) == pytest.approx(float(attributed / revenue))
    assert float(row["roas"]) == pytest.approx(27 / 25)


def test_incremental_revenue_and_iroas_are_the_lift_mart(lift_db, tmp_path):
    from tests import lift_history as history

    out = tmp_path / "lift.csv"
    result = dbt_runner.run_mf(
        [
            "query",
            "--metrics",
            "incremental_revenue,incremental_revenue_low,iroas,iroas_low,iroas_high",
            "--group-by",
            "campaign",
            "--csv",
            str(out),
        ],
        lift_db,
        capture=True,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    with out.open() as handle:
        metrics = {int(row["campaign"]): row for row in csv.DictReader(handle)}
    marts = pg.rows(
        lift_db,
        "select campaign_id, incremental_revenue, incremental_revenue_low,"
        " iroas, iroas_low, iroas_high from marts.fct_campaign_lift"
        " where estimate_status = 'estimated'",
    )
    assert {row["campaign_id"] for row in marts} <= set(metrics)
    for row in marts:
        got = metrics[row["campaign_id"]]
        assert _number(got["incremental_revenue"]) == row["incremental_revenue"]
        assert (
            _number(got["incremental_revenue_low"]) == (row["incremental_revenue_low"])
        )
        for name in ("iroas", "iroas_low", "iroas_high"):
            if row[name] is None:  # no spend: no iROAS
                assert _number(got[name]) is None, name
            else:
                assert float(got[name]) == pytest.approx(float(row[name])), name
    assert metrics[history.WORKS]["iroas"] not in ("", "None")
