"""A random but valid history of changes (the one
tests/test_incremental_equals_full_refresh.py builds on PostgreSQL), built on
both engines step by step: after every Spark run its credits equal
PostgreSQL's, at the end every mart does, a full refresh on Spark reproduces
the incremental marts, and the app's reports read the same rows from Spark
as from PostgreSQL.

Spark runs the whole project each time (`dbt run --target spark`, as an
outside check does); PostgreSQL the frequent run. The changes only the
nightly full observation repairs (a hard delete, a change that reaches the
replica a day late) are made in the last step, and both engines build that
step with `observe_all`: Spark runs four times in all.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

import pandas as pd
import pytest

from dashboard.data import connection, reports
from demo import data as demo_data
from tests.dashboard.conftest import add_role_users, app_as, no_errors, texts
from tests.dashboard.test_app_pages import REPORT_PAGES
from tests.spark.conftest import spark_database
from tests.spark.test_spark_engine import postgres_marts, spark_marts
from tests.test_incremental_equals_full_refresh import (
    ANCHOR,
    KINDS,
    NIGHTLY_OBSERVATION,
    make_changes,
)
from warehouse import credentials, database, spark

CREDITS = "fct_order_item_campaign_credits"
ALL_TIME = (date(2000, 1, 1), date(2100, 1, 1))


@dataclass
class History:
    params: database.ConnectionParams
    made: Counter[str] = field(default_factory=Counter)
    # after each Spark run: (when, Spark's marts, PostgreSQL's marts)
    runs: list[tuple[str, dict, dict]] = field(default_factory=list)


@pytest.fixture(scope="module")
def history(
    thrift, tcp_pg_server, frequent_run, run_dbt, run_spark_dbt
) -> Iterator[History]:
    with spark_database(thrift, tcp_pg_server) as params:
        found = History(params)
        # the PostgreSQL test's sizes: they make every kind of change
        demo_data.load(params, orders=300, seed=7, anchor=ANCHOR)

        def spark_run(when: str, *args: str) -> None:
            run_spark_dbt(params, "run", *args)
            found.runs.append((when, spark_marts(thrift), postgres_marts(params)))

        frequent_run(params)
        spark_run("after the first build")
        rng = random.Random(2026)
        emptied = None
        for step in (1, 2):
            counts, emptied = make_changes(params, step, rng, emptied)
            found.made.update(counts)
            assert frequent_run(params), f"step {step}: PostgreSQL saw no change"
            if step == 1:
                spark_run("after step 1")
            else:
                run_dbt(params, "build", *NIGHTLY_OBSERVATION)
                spark_run("after step 2 (deletes, a late change)", *NIGHTLY_OBSERVATION)
        yield found
        connection.dispose()


def test_spark_credits_equal_postgresql_after_every_run(history):
    for when, on_spark, on_postgres in history.runs:
        assert on_spark[CREDITS], f"no credits {when}"
        assert on_spark[CREDITS] == on_postgres[CREDITS], (
            f"credits on Spark differ from PostgreSQL's {when}"
        )
    _, on_spark, on_postgres = history.runs[-1]
    assert any(row[10] for row in on_spark[CREDITS]), "no reversed credits"
    assert on_spark == on_postgres, "a mart on Spark differs from PostgreSQL's"
    # the history is only a test if it made every kind of change
    assert {kind: history.made[kind] for kind in KINDS if not history.made[kind]} == {}


def test_the_apps_reports_read_the_same_rows_from_spark(history, thrift):
    """The app's report queries (dashboard/data) through the Thrift server
    return what they return from PostgreSQL, row for row."""
    on_postgres = history.params.as_role(credentials.APP).url("psycopg")
    on_spark = thrift.url()
    assert connection.is_spark(on_spark) and not connection.is_spark(on_postgres)

    def same(read, *args) -> None:
        expected = read(on_postgres, *args)
        found = read(on_spark, *args)
        assert len(expected), f"{read.__name__}{args}: no rows to compare"
        # the same values (a missing one is NaN on both); PostgreSQL's
        # instants are in Etc/UTC, Spark's in UTC: the same zone
        pd.testing.assert_frame_equal(
            _in_utc(found), _in_utc(expected), check_dtype=False, obj=read.__name__
        )

    bounds = reports.sale_date_bounds(on_postgres)
    assert reports.sale_date_bounds(on_spark) == bounds
    for mode in reports.CREDIT_MODES:
        same(reports.leaderboard, *bounds, mode)
        same(reports.leaderboard, *ALL_TIME, mode, (), "cpa")
    board = reports.leaderboard(on_postgres, *ALL_TIME, "FULL")
    same(reports.leaderboard, *ALL_TIME, "FULL", (board["platform"].iloc[0],))
    same(reports.health_daily, *bounds)
    campaign = int(board["campaign_id"].iloc[0])
    for read in (reports.campaign_daily, reports.campaign_products):
        same(read, campaign, *ALL_TIME, "SPLIT")
    pd.testing.assert_series_equal(
        pd.Series(reports.campaign_kpis(on_spark, campaign, *ALL_TIME, "SPLIT")),
        pd.Series(reports.campaign_kpis(on_postgres, campaign, *ALL_TIME, "SPLIT")),
        check_dtype=False,
    )
    same(reports.campaign_orders_all, campaign, *ALL_TIME, "FULL")


def test_the_report_pages_render_from_sparks_marts(history, thrift, monkeypatch):
    """The app with ATTRIBUTION_ENGINE=spark: every report page renders from
    the marts on the Thrift server (sign-in and users stay on PostgreSQL)."""
    add_role_users(history.params)
    for key in ("PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE"):
        monkeypatch.delenv(key, raising=False)
    for key, value in history.params.env().items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv(spark.ENGINE_VARIABLE, "spark")
    assert connection.is_spark(connection.marts_url())
    for page, title in REPORT_PAGES.items():
        at = app_as("viewer").run()
        at.switch_page(f"app_pages/{page}").run()
        no_errors(at)
        assert texts(at, "title") == [title]


def _in_utc(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    for column in frame.columns:
        if isinstance(frame[column].dtype, pd.DatetimeTZDtype):
            frame[column] = frame[column].dt.tz_convert("UTC")
    return frame


def test_a_full_refresh_on_spark_reproduces_the_incremental_marts(
    history, thrift, run_spark_dbt
):
    _, incremental, _ = history.runs[-1]
    run_spark_dbt(history.params, "run", "--full-refresh", "--select", "tag:marts")
    assert spark_marts(thrift) == incremental
