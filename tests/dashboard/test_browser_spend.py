"""End to end in headless Chromium: a marketer uploads a Google Ads export,
the pipeline runs, and the leaderboard shows the campaign's ROAS."""

from __future__ import annotations

from decimal import Decimal

from tests import pg
from tests.dashboard.conftest import PASSWORD
from tests.dashboard.test_browser import (  # noqa: F401  (fixtures)
    ARTIFACTS,
    app_url,
    e2e_db,
    page,
    pytestmark,
    shot,
)
from tests.dbt_in_process import BUILD

EXTERNAL_ID = "4400112233"


def _google_ads_export(rows: list[tuple[str, str]]) -> str:
    lines = [
        "Campaign report",
        '"All time"',
        "Campaign,Campaign ID,Day,Currency code,Cost,Impr.,Clicks",
    ]
    lines += [f'E2E,{EXTERNAL_ID},{day},EUR,"{cost}",1000,25' for day, cost in rows]
    lines.append("Total: Account,--,--,EUR,--,--,--")
    return "\n".join(lines) + "\n"


def test_marketer_uploads_a_google_ads_export_and_sees_roas(
    page,  # noqa: F811
    app_url,  # noqa: F811
    e2e_db,  # noqa: F811
    run_dbt,
    tmp_path,
):
    from playwright.sync_api import expect

    # the demo campaign with the most SPLIT revenue runs on Google Ads
    [(campaign_id, first_day, last_day)] = pg.query(
        e2e_db,
        "select campaign_id, min(sale_date), max(sale_date)"
        " from marts.agg_campaign_daily where credit_mode = 'SPLIT'"
        " group by campaign_id order by sum(revenue) desc limit 1",
    )
    # a new ad account: no spend recorded yet (the demo writes some)
    pg.execute(e2e_db, "delete from marketing.ad_spend_daily")
    pg.execute(
        e2e_db,
        "update marketing.ad_campaigns set platform = 'google',"
        " external_campaign_id = %s where id = %s",
        (EXTERNAL_ID, campaign_id),
    )
    # spend on the last three sale days of the reports
    [(day_1, day_2, day_3)] = pg.query(
        e2e_db,
        "select max(sale_date) - 2, max(sale_date) - 1, max(sale_date)"
        " from marts.agg_attribution_health_daily",
    )
    export = tmp_path / "google_ads_campaigns.csv"
    export.write_text(
        _google_ads_export(
            [(str(day_1), "1,200.00"), (str(day_2), "300.50"), (str(day_3), "99.50")]
        )
    )

    page.goto(app_url)
    page.get_by_label("User name").fill("marketer")
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Leaderboard")).to_be_visible()

    page.get_by_role("link", name="Upload spend").click()
    expect(page.get_by_role("heading", name="Upload spend")).to_be_visible()
    page.locator("input[type=file]").set_input_files(str(export))
    expect(
        page.get_by_text("3 rows read from google_ads_campaigns.csv")
    ).to_be_visible()
    shot(page, "11_spend_preview")
    page.get_by_role("button", name="Load 3 rows").click()
    expect(page.get_by_text("Loaded 3 days of spend for 1 campaign(s)")).to_be_visible()
    shot(page, "12_spend_loaded")
    assert pg.query(
        e2e_db,
        "select sum(spend), min(loaded_by) from marketing.ad_spend_daily"
        " where campaign_id = %s",
        (campaign_id,),
    ) == [(Decimal("1600.00"), "marketer")]

    run_dbt(e2e_db, *BUILD)

    page.get_by_role("link", name="Leaderboard").click()
    expect(page.get_by_role("heading", name="Leaderboard")).to_be_visible()
    # the default range (the last 30 days) holds the three days of spend and
    # only this campaign spent: the total ROAS is this campaign's
    [(range_revenue,)] = pg.query(
        e2e_db,
        "select sum(revenue) from marts.agg_campaign_daily"
        " where campaign_id = %s and credit_mode = 'SPLIT'"
        " and sale_date between %s - 29 and %s",
        (campaign_id, day_3, day_3),
    )
    expected = f"{float(range_revenue / Decimal('1600.00')):,.2f}"
    roas_metric = page.get_by_test_id("stMetric").filter(has_text="ROAS")
    expect(roas_metric).to_contain_text(expected.rstrip("0").rstrip("."))
    expect(page.get_by_test_id("stDataFrame")).to_be_visible()
    shot(page, "13_leaderboard_roas")
