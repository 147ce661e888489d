"""End to end in headless Chromium: a viewer opens an ended campaign and
reads what it caused beside what it was credited (the generated history of
tests/lift_history.py, estimated by `python -m measurement lift`)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from dashboard.data import connection
from dashboard.incrementality import amount
from tests import lift_history as history
from tests import pg
from tests.dashboard.conftest import PASSWORD, add_role_users
from tests.dashboard.test_browser import (  # noqa: F401  (fixtures)
    page,
    pytestmark,
    serve_app,
    shot,
)


@pytest.fixture(scope="module")
def app_url(lift_db) -> Iterator[str]:
    add_role_users(lift_db)
    with serve_app(lift_db) as url:
        yield url
    connection.dispose(lift_db.url("psycopg"))


def test_viewer_reads_the_lift_of_an_ended_campaign(page, app_url, lift_db):  # noqa: F811
    from playwright.sync_api import expect

    (lift,) = pg.rows(
        lift_db,
        "select * from marts.fct_campaign_lift where campaign_id = %s",
        (history.WORKS,),
    )
    page.goto(app_url)
    page.get_by_label("User name").fill("viewer")
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Leaderboard")).to_be_visible()
    page.get_by_role("link", name="Campaign", exact=True).click()
    expect(page.get_by_role("heading", name="Campaign", exact=True)).to_be_visible()
    # the newest campaign is shown first: pick the one that worked
    page.get_by_test_id("stSelectbox").first.click()
    page.get_by_role(
        "option", name=f"{history.WORKS} — Campaign {history.WORKS}"
    ).click()
    sentence = page.get_by_text("We are 95 % sure the campaign caused between")
    expect(sentence).to_be_visible()
    sentence.scroll_into_view_if_needed()
    shot(page, "lift_01_campaign_caused")
    words = sentence.inner_text()
    low, high = re.search(r"between ([\d,]+) and ([\d,]+) of the", words).groups()
    assert (low, high) == (
        amount(float(lift["incremental_revenue_low"])),
        amount(float(lift["incremental_revenue_high"])),
    )
    # the truth planted in the history lies inside what the page says
    number = float(low.replace(",", "")), float(high.replace(",", ""))
    assert number[0] <= history.TRUE_REVENUE <= number[1]
    expect(page.get_by_text("Reliable: before launch")).to_be_visible()
    expect(page.get_by_text("Under-delivered")).to_be_visible()
    # the chart of targeted against counterfactual sales is drawn
    expect(page.get_by_test_id("stVegaLiteChart").first).to_be_visible()
