"""What a campaign caused, on a generated history whose truth is known
(tests/lift_history.py): `python -m measurement lift` run as an outside
check runs it (the `lift_db` fixture), read back from marts.fct_campaign_lift."""

from __future__ import annotations

from decimal import Decimal

import psycopg
import pytest

from measurement import estimate, lift
from tests import lift_history as history
from tests import pg
from warehouse import credentials, database


def lift_row(params: database.ConnectionParams, campaign_id: int) -> dict:
    (row,) = pg.rows(
        params,
        "select * from marts.fct_campaign_lift where campaign_id = %s",
        (campaign_id,),
    )
    return row


def test_a_planted_effect_lies_inside_its_interval(lift_db):
    row = lift_row(lift_db, history.WORKS)
    assert row["estimate_status"] == "estimated"
    assert row["method"] == "did"
    assert (row["pre_start"], row["post_start"], row["post_end"]) == (
        history.day(21),  # as many whole weeks before launch as it ran
        history.day(42),
        history.day(62),
    )
    assert (row["treated_products"], row["control_products"]) == (8, 16)
    truth = Decimal(str(history.TRUE_REVENUE))
    assert row["incremental_revenue_low"] <= truth <= row["incremental_revenue_high"]
    # and the campaign is seen to have worked: zero is outside
    assert row["incremental_revenue_low"] > 0
    assert (
        row["incremental_units_low"]
        <= history.TRUE_UNITS
        <= row["incremental_units_high"]
    )
    assert (
        row["actual_revenue"] - row["counterfactual_revenue"]
        == (row["incremental_revenue"])
    )
    # iROAS: what the campaign caused per unit of spend, with its interval
    assert row["spend"] == history.WORKS_SPEND
    assert row["iroas"] == pytest.approx(
        row["incremental_revenue"] / history.WORKS_SPEND, abs=Decimal("0.0001")
    )
    assert row["iroas_low"] <= Decimal(history.TRUE_REVENUE) / 1000 <= row["iroas_high"]
    assert row["is_reliable"], row["reliability_reason"]
    assert row["pre_trend_p_value"] >= Decimal("0.05")


def test_a_campaign_without_effect_has_zero_inside_its_interval(lift_db):
    row = lift_row(lift_db, history.NO_EFFECT)
    assert row["estimate_status"] == "estimated"
    assert row["incremental_revenue_low"] <= 0 <= row["incremental_revenue_high"]
    assert row["incremental_units_low"] <= 0 <= row["incremental_units_high"]
    # no spend recorded: no iROAS, not a zero
    assert row["spend"] == 0
    assert row["iroas"] is None and row["iroas_low"] is None


def test_products_trending_up_before_launch_make_the_estimate_unreliable(lift_db):
    row = lift_row(lift_db, history.TRENDED)
    assert row["estimate_status"] == "estimated"
    assert row["pre_trend_p_value"] < Decimal("0.05")
    assert row["is_reliable"] is False
    assert "before launch" in row["reliability_reason"]


@pytest.mark.parametrize(
    ("campaign_id", "status", "words"),
    [
        (history.TOO_SHORT, "too_short", "ran 4 days"),
        (history.NO_PRE_PERIOD, "no_pre_period", "5 days before launch"),
        (history.NOTHING_TARGETED, "not_started", "targeted no product"),
        (history.NO_CONTROLS, "no_controls", "Only 0 products"),
    ],
)
def test_no_estimate_where_none_is_honest(lift_db, campaign_id, status, words):
    row = lift_row(lift_db, campaign_id)
    assert row["estimate_status"] == status
    assert words in row["status_reason"]
    assert row["incremental_revenue"] is None and row["iroas"] is None
    assert row["method"] is None
    assert row["is_reliable"] is False


def test_every_campaign_that_left_draft_has_one_row(lift_db):
    ids = pg.query(
        lift_db, "select campaign_id from marts.fct_campaign_lift order by 1"
    )
    assert [campaign_id for (campaign_id,) in ids] == sorted(history.CAMPAIGNS)


def test_the_daily_series_adds_up_and_the_readers_see_it(lift_db, run_dbt):
    daily = pg.rows(
        lift_db,
        "select * from marts.fct_campaign_lift_daily where campaign_id = %s"
        " order by sale_date",
        (history.WORKS,),
    )
    assert daily[0]["sale_date"] == history.day(21)
    assert daily[-1]["sale_date"] == history.day(62)
    launched = [day for day in daily if day["is_post_period"]]
    assert launched[0]["sale_date"] == history.day(42)
    row = lift_row(lift_db, history.WORKS)
    assert sum(day["actual_revenue"] for day in launched) == row["actual_revenue"]
    # the dbt tests of the lift marts, consistency with the series included
    run_dbt(lift_db, "test", "--select", "fct_campaign_lift fct_campaign_lift_daily")
    for role in (credentials.APP, credentials.BI_READER):
        with psycopg.connect(lift_db.as_role(role).conninfo()) as conn:
            (count,) = conn.execute(
                "select count(*) from marts.fct_campaign_lift"
            ).fetchone()
            assert count == len(history.CAMPAIGNS)


def test_a_failed_run_keeps_the_previous_estimates(lift_db, monkeypatch):
    before = lift_row(lift_db, history.WORKS)

    def broken(plan, sales):
        raise estimate.EstimationError("no finite estimate")

    monkeypatch.setattr(lift, "estimate", broken)
    transformer = lift_db.as_role(credentials.TRANSFORMER)
    with (
        psycopg.connect(transformer.conninfo(), autocommit=True) as conn,
        pytest.raises(estimate.EstimationError),
    ):
        lift.rebuild(conn)
    assert lift_row(lift_db, history.WORKS) == before


def test_the_database_refuses_an_estimate_without_its_interval(lift_db):
    transformer = lift_db.as_role(credentials.TRANSFORMER)
    copy = (
        "insert into measurement.campaign_lift"
        " select 99, {status}, status_reason, method, pre_start, post_start,"
        " post_end, treated_products, control_products, actual_revenue,"
        " counterfactual_revenue, incremental_revenue, incremental_revenue_low,"
        " {high}, actual_units, incremental_units, incremental_units_low,"
        " incremental_units_high, lift_pct, spend, iroas, iroas_low, iroas_high,"
        " pre_trend_p_value, placebo_revenue, placebo_p_value, is_reliable,"
        " reliability_reason, estimated_at"
        " from measurement.campaign_lift where campaign_id = %s"
    )
    for status, high in [
        ("estimate_status", "incremental_revenue - 1"),  # outside its interval
        ("estimate_status", "null"),  # no interval
        ("'guessed'", "incremental_revenue_high"),  # a status nobody knows
    ]:
        with (
            psycopg.connect(transformer.conninfo()) as conn,
            pytest.raises(psycopg.errors.CheckViolation),
        ):
            conn.execute(copy.format(status=status, high=high), (history.WORKS,))
