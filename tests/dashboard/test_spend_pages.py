"""Spend in the app: the upload page, and spend, ROAS, CPA and pacing in the
reports, as a marketer sees them (Streamlit AppTest)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from dashboard.data import connection
from tests import pg
from tests.dashboard.conftest import (
    add_role_users,
    app_as,
    no_errors,
    page_as,
    texts,
)
from tests.dbt_in_process import BUILD
from tests.sources import Sources
from warehouse import credentials, database

FILES = Path(__file__).resolve().parents[1] / "fixtures" / "spend"
T0 = datetime(2026, 4, 1, tzinfo=UTC)
D1, D2 = date(2026, 4, 2), date(2026, 4, 3)
WHOLE_RANGE = (date(2026, 4, 1), date(2026, 4, 30))


def _campaign(params, campaign_id, platform, external_id, budget=None):
    budget_type, budget_amount = budget or (None, None)
    pg.execute(
        params,
        "insert into marketing.ad_campaigns (id, name, platform, status, starts_at,"
        " external_campaign_id, budget_type, budget_amount)"
        " values (%s, %s, %s, 'RUNNING', %s, %s, %s, %s)",
        (
            campaign_id,
            f"Campaign {campaign_id}",
            platform,
            T0,
            external_id,
            budget_type,
            budget_amount and Decimal(budget_amount),
        ),
    )
    pg.execute(
        params,
        "insert into marketing.ad_campaign_status_events (campaign_id, from_status,"
        " to_status, changed_at, created_at) values (%s, null, 'RUNNING', %s, %s)",
        (campaign_id, T0, T0),
        role=credentials.OWNER,  # the campaign's past, set up before the test
    )


@pytest.fixture
def upload_db(fresh_db):
    add_role_users(fresh_db)
    _campaign(fresh_db, 1, "google", "9876543210")
    _campaign(fresh_db, 2, "google", "5550001111")
    yield fresh_db
    connection.dispose(fresh_db.url("psycopg"))


def _spend_rows(params):
    return pg.query(
        params,
        "select campaign_id, spend_date, spend from marketing.ad_spend_daily"
        " order by 1, 2",
    )


def test_marketer_previews_and_loads_a_google_ads_export(upload_db, app_env):
    app_env(upload_db)
    at = page_as("upload.py", "marketer").run()
    no_errors(at)
    at.file_uploader(key="spend_file").upload(
        "google_ads.csv", (FILES / "google_ads.csv").read_bytes(), "text/csv"
    ).run()
    no_errors(at)
    preview = at.dataframe[0].value
    assert list(preview["campaign_id"]) == [1, 1, 1, 2]
    assert _spend_rows(upload_db) == []  # a preview writes nothing
    next(b for b in at.button if b.label == "Load 4 rows").click().run()
    no_errors(at)
    assert (
        "Loaded 4 days of spend for 2 campaign(s) (4 new, 0 replaced)"
        in (texts(at, "success")[0])
    )
    assert len(_spend_rows(upload_db)) == 4
    assert pg.query(
        upload_db, "select actor from app.audit_log where action = 'spend.loaded'"
    ) == [("marketer",)]


def test_a_bad_file_lists_its_rows_and_offers_no_load(upload_db, app_env):
    app_env(upload_db)
    at = page_as("upload.py", "marketer").run()
    at.file_uploader(key="spend_file").upload(
        "bad.csv", (FILES / "google_ads_bad.csv").read_bytes(), "text/csv"
    ).run()
    assert not at.exception
    assert texts(at, "error") == [
        "6 problem(s) in this file: nothing will be loaded. Fix the rows below and"
        " upload it again."
    ]
    problems = at.dataframe[1].value
    assert list(problems["line"]) == [3, 4, 5, 6, 7, 8]
    assert not [b for b in at.button if b.label.startswith("Load")]
    assert _spend_rows(upload_db) == []


def test_a_generic_file_is_mapped_column_by_column(upload_db, app_env):
    app_env(upload_db)
    at = page_as("upload.py", "admin").run()
    at.selectbox(key="spend_preset").set_value("generic").run()
    at.file_uploader(key="spend_file").upload(
        "generic.csv", (FILES / "generic.csv").read_bytes(), "text/csv"
    ).run()
    for field, header in (
        ("campaign", "campaign"),
        ("spend_date", "date"),
        ("spend", "amount"),
        ("clicks", "taps"),
    ):
        at.selectbox(key=f"spend_map_{field}").set_value(header).run()
    no_errors(at)
    next(b for b in at.button if b.label == "Load 2 rows").click().run()
    no_errors(at)
    assert _spend_rows(upload_db) == [
        (1, D1, Decimal("15.00")),
        (1, D2, Decimal("5.00")),
    ]


def test_viewers_cannot_upload(upload_db, app_env):
    app_env(upload_db)
    at = page_as("upload.py", "viewer").run()
    assert texts(at, "error") == [
        "This page needs the marketer role; you are a viewer."
    ]
    assert not at.file_uploader


@pytest.fixture(scope="module")
def spend_reports_db(pg_server, run_dbt):
    """Campaign 1 sells and spends, 2 spends and sells nothing, 3 sells with
    no spend recorded; campaign 1 overspends its daily budget on D2."""
    params = pg.create_database(pg_server, prefix="dashspend")
    add_role_users(params)
    src = Sources(params)
    for product_id in (1, 3):
        src.product(product_id, cost="2.00")
    _campaign(params, 1, "google", "111", ("DAILY", "50.00"))
    _campaign(params, 2, "google", "222")
    _campaign(params, 3, "facebook", "333")
    src.target(1, 1, T0)
    src.target(3, 3, T0)
    src.order(
        1, "confirmed", datetime(2026, 4, 2, 12, tzinfo=UTC), ((11, 1, "4", "25.00"),)
    )
    src.order(
        2, "confirmed", datetime(2026, 4, 3, 12, tzinfo=UTC), ((21, 3, "1", "30.00"),)
    )
    for campaign_id, day, amount in ((1, D1, "40.00"), (1, D2, "60.00"), (2, D1, "9")):
        pg.execute(
            params,
            "insert into marketing.ad_spend_daily (campaign_id, spend_date, source,"
            " spend) values (%s, %s, 'manual', %s)",
            (campaign_id, day, Decimal(amount)),
        )
    run_dbt(params, *BUILD)
    yield params
    connection.dispose(params.url("psycopg"))
    database.drop_database(params)


def test_leaderboard_shows_spend_roas_and_cpa_split_by_default(
    spend_reports_db, app_env
):
    app_env(spend_reports_db)
    at = app_as("marketer").run()
    at.date_input(key="leaderboard_dates").set_value(WHOLE_RANGE).run()
    no_errors(at)
    assert at.radio(key="leaderboard_mode").value == "SPLIT"
    board = at.dataframe[0].value.set_index("campaign_id")
    # 100 revenue for 100 spend; 9 spent for nothing; 30 sold with no spend
    assert board.loc[1, ["revenue", "spend", "roas", "cpa"]].tolist() == [
        100.0,
        100.0,
        1.0,
        100.0,
    ]
    assert board.loc[2, ["revenue", "spend", "roas"]].tolist() == [0.0, 9.0, 0.0]
    assert board.loc[3, ["revenue", "spend"]].tolist()[0] == 30.0
    assert board.loc[3, "roas"] != board.loc[3, "roas"]  # no spend: no ROAS
    at.selectbox(key="leaderboard_sort").set_value("roas").run()
    assert list(at.dataframe[0].value["campaign_id"]) == [1, 2, 3]
    at.selectbox(key="leaderboard_sort").set_value("cpa").run()
    assert list(at.dataframe[0].value["campaign_id"])[0] == 1
    no_errors(at)


def test_campaign_page_shows_spend_against_revenue_and_pacing(
    spend_reports_db, app_env
):
    app_env(spend_reports_db)
    at = app_as("viewer").run()
    at.switch_page("app_pages/campaign.py").run()
    at.selectbox(key="campaign_id").set_value(1).run()
    at.date_input(key="campaign_dates_1").set_value(WHOLE_RANGE).run()
    no_errors(at)
    metrics = {m.label: m.value for m in at.metric}
    assert (metrics["Spend"], metrics["ROAS"], metrics["CPA"]) == (
        "100.00",
        "1",
        "100.00",
    )
    assert metrics["Spent so far"] == "100.00"
    assert any("Over pace" in w for w in texts(at, "warning"))
    assert at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")


def test_health_page_lists_spend_without_sales_and_sales_without_spend(
    spend_reports_db, app_env
):
    app_env(spend_reports_db)
    at = app_as("viewer").run()
    at.switch_page("app_pages/health.py").run()
    at.date_input(key="health_dates").set_value(WHOLE_RANGE).run()
    no_errors(at)
    markdown = texts(at, "markdown")
    assert "**Spend with no credited sales**" in markdown
    frames = [frame.value for frame in at.dataframe]
    spend_only = next(f for f in frames if "spend" in f.columns)
    sales_only = next(f for f in frames if "revenue" in f.columns)
    assert list(spend_only["campaign_id"]) == [2]
    assert list(sales_only["campaign_id"]) == [3]
