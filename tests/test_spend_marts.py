"""What a campaign returned for what it cost, and how fast it spends."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import psycopg

from marketing.campaigns.corrections import name_correction_reason
from tests import pg
from tests.dbt_in_process import BUILD
from tests.sources import Sources

T0 = datetime(2026, 4, 1, tzinfo=UTC)
D1, D2, D3 = date(2026, 4, 2), date(2026, 4, 3), date(2026, 4, 4)


def _at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def _spend(params, campaign_id, day, amount, impressions=None, clicks=None):
    pg.execute(
        params,
        "insert into marketing.ad_spend_daily (campaign_id, spend_date, source,"
        " spend, impressions, clicks) values (%s, %s, 'manual', %s, %s, %s)",
        (campaign_id, day, Decimal(amount), impressions, clicks),
    )


def _budget(params, campaign_id, budget_type, amount, ends_at=None):
    # the flights are set up in the past: a correction, which needs a reason
    with psycopg.connect(params.conninfo()) as conn:
        name_correction_reason(conn, "test set-up")
        conn.execute(
            "update marketing.ad_campaigns set budget_type = %s, budget_amount = %s,"
            " ends_at = %s where id = %s",
            (budget_type, Decimal(amount), ends_at, campaign_id),
        )


PERFORMANCE = (
    "revenue",
    "orders",
    "spend",
    "impressions",
    "clicks",
    "roas",
    "profit_roas",
    "cpa",
    "cpc",
    "ctr",
)


def _performance(params, campaign_id, mode="SPLIT"):
    (row,) = pg.query(
        params,
        f"select {', '.join(PERFORMANCE)} from marts.agg_campaign_performance"
        " where campaign_id = %s and credit_mode = %s",
        (campaign_id, mode),
    )
    return dict(
        zip(
            PERFORMANCE,
            row,
            strict=True,
        )
    )


def test_ratios_are_ratios_of_sums_and_spend_without_sales_counts(fresh_db, run_dbt):
    src = Sources(fresh_db)
    src.product(1, cost="4.00")
    src.campaign(1, T0, events=(("RUNNING", T0),))
    src.campaign(2, T0, events=(("RUNNING", T0),))  # shares product 1
    src.campaign(3, T0, events=(("RUNNING", T0),))  # spends, sells nothing
    src.campaign(4, T0, events=(("RUNNING", T0),))  # sells, no spend recorded
    for campaign_id in (1, 2):
        src.target(campaign_id, 1, T0)
    src.product(2)
    src.target(4, 2, T0)
    src.order(1, "confirmed", _at(D1), items=((11, 1, "2", "10.00"),))
    # a sale on D2 that was then cancelled: never credited
    src.order(2, "confirmed", _at(D2), items=((21, 1, "5", "10.00"),))
    src.order(3, "confirmed", _at(D1), items=((31, 2, "1", "7.00"),))
    run_dbt(fresh_db, *BUILD)
    src.set_order_status(2, "cancelled", _at(D2, 18))
    _spend(fresh_db, 1, D1, "10.00", 1000, 40)
    _spend(fresh_db, 1, D2, "30.00", 3000, 20)  # no credited sale that day
    _spend(fresh_db, 1, D3, "5.00")  # no impressions or clicks reported
    _spend(fresh_db, 3, D1, "8.00")
    run_dbt(fresh_db, *BUILD)

    split = _performance(fresh_db, 1)
    # SPLIT: the 20.00 sale is shared by campaigns 1 and 2
    assert split["revenue"] == Decimal("10.00")
    assert split["spend"] == Decimal("45.00")
    # 10 / 45, not the average of the daily ratios (1.0, 0, 0)
    assert split["roas"] == Decimal("0.2222")
    assert split["profit_roas"] == Decimal("0.1333")  # (20 - 2 x 4) / 2 / 45
    assert split["cpa"] == Decimal("45.0000")  # one order
    assert split["cpc"] == Decimal("0.7500")  # 45 / 60 clicks
    assert split["ctr"] == Decimal("0.015000")  # 60 / 4000
    assert _performance(fresh_db, 1, "FULL")["roas"] == Decimal("0.4444")

    nothing_sold = _performance(fresh_db, 3)
    assert (nothing_sold["revenue"], nothing_sold["spend"]) == (0, Decimal("8.00"))
    assert nothing_sold["roas"] == 0
    assert nothing_sold["cpa"] is None  # no order: no cost per order
    no_spend = _performance(fresh_db, 4)
    assert no_spend["revenue"] == Decimal("7.00")
    assert (no_spend["spend"], no_spend["roas"], no_spend["cpa"]) == (None,) * 3


def test_pacing_runs_daily_to_today_and_projects_lifetime_budgets(fresh_db, run_dbt):
    src = Sources(fresh_db)
    src.campaign(1, T0, events=(("RUNNING", T0),))
    src.campaign(2, T0, events=(("RUNNING", T0),))
    src.campaign(3, T0, events=(("RUNNING", T0),))
    _budget(fresh_db, 1, "DAILY", "100.00")
    # a LIFETIME budget of 100 over a flight ending 8 days after D2
    _budget(fresh_db, 2, "LIFETIME", "100.00", _at(D2 + timedelta(days=8), 0))
    _budget(fresh_db, 3, "LIFETIME", "100.00")  # open-ended
    _spend(fresh_db, 1, D1, "30.00")
    _spend(fresh_db, 1, D3, "120.00")  # nothing on D2
    _spend(fresh_db, 2, D1, "20.00")
    _spend(fresh_db, 2, D2, "20.00")
    _spend(fresh_db, 3, D1, "50.00")
    run_dbt(fresh_db, *BUILD)

    daily = pg.query(
        fresh_db,
        "select spend_date, spend, cumulative_spend, daily_pacing, is_over_pace"
        " from marts.fct_campaign_budget_pacing where campaign_id = 1"
        " and spend_date <= %s order by spend_date",
        (D3,),
    )
    assert daily == [
        (D1, Decimal("30.00"), Decimal("30.00"), Decimal("0.3000"), False),
        (D2, Decimal("0.00"), Decimal("30.00"), Decimal("0.0000"), False),
        (D3, Decimal("120.00"), Decimal("150.00"), Decimal("1.2000"), True),
    ]
    ((first, last, days),) = pg.query(
        fresh_db,
        "select min(spend_date), max(spend_date), count(*)"
        " from marts.fct_campaign_budget_pacing where campaign_id = 1",
    )
    today = datetime.now(UTC).date()
    assert (first, last, days) == (D1, today, (today - D1).days + 1)

    ((consumed, projected, over),) = pg.query(
        fresh_db,
        "select lifetime_consumed, projected_lifetime_spend, is_over_pace"
        " from marts.fct_campaign_budget_pacing"
        " where campaign_id = 2 and spend_date = %s",
        (D2,),
    )
    # 40 spent in 2 days: 20 a day for 8 more days -> 200 of a budget of 100
    assert (consumed, projected, over) == (
        Decimal("0.4000"),
        Decimal("200.00"),
        True,
    )
    ((projected_open, ratio_open),) = pg.query(
        fresh_db,
        "select projected_lifetime_spend, pacing_ratio"
        " from marts.fct_campaign_budget_pacing"
        " where campaign_id = 3 and spend_date = %s",
        (D1,),
    )
    assert (projected_open, ratio_open) == (None, Decimal("0.5000"))


def test_fivetran_ad_reporting_spend_joins_by_external_id(fresh_db, run_dbt):
    src = Sources(fresh_db)
    src.campaign(1, T0, events=(("RUNNING", T0),))
    pg.execute(
        fresh_db,
        "update marketing.ad_campaigns set platform = 'google',"
        " external_campaign_id = '111' where id = 1",
    )
    _spend(fresh_db, 1, D1, "10.00", 100, 4)  # an upload of the same campaign
    pg.execute(fresh_db, "create schema ad_reporting")
    # Fivetran's schema is not the project's: its admin lets the transformer read
    pg.execute(
        fresh_db,
        "alter default privileges in schema ad_reporting"
        " grant select on tables to attribution_transformer;"
        " grant usage on schema ad_reporting to attribution_transformer",
    )
    pg.execute(
        fresh_db,
        "create table ad_reporting.ad_reporting__campaign_report (source_relation"
        " text, date_day date, platform text, account_id text, campaign_id text,"
        " campaign_name text, clicks bigint, impressions bigint, spend float)",
    )
    pg.execute(
        fresh_db,
        "insert into ad_reporting.ad_reporting__campaign_report (date_day, platform,"
        " campaign_id, campaign_name, clicks, impressions, spend) values"
        " (%s, 'google_ads', '111', 'Shoes', 6, 900, 20.5),"
        " (%s, 'google_ads', '111', 'Shoes', 2, 300, 4.5),"
        # the same id on another platform, and an id no campaign has
        " (%s, 'facebook_ads', '111', 'Other', 1, 10, 99),"
        " (%s, 'google_ads', '999', 'Unknown', 1, 10, 7)",
        (D1, D2, D1, D1),
    )
    run_dbt(
        fresh_db,
        "build",
        "--vars",
        "{fivetran_campaign_report: ad_reporting.ad_reporting__campaign_report}",
    )
    performance = _performance(fresh_db, 1)
    assert (
        performance["spend"],
        performance["impressions"],
        performance["clicks"],
    ) == (Decimal("35.00"), 1300, 12)
    assert pg.query(
        fresh_db,
        "select ad_platform, external_campaign_id, spend"
        " from intermediate.int_fivetran_spend_matched where campaign_id is null"
        " order by 1",
    ) == [
        ("facebook_ads", "111", Decimal("99.00")),
        ("google_ads", "999", Decimal("7.00")),
    ]
