"""End to end in headless Chromium: a viewer picks the day she last looked
at the leaderboard and reads what has moved its figures since, and the
admin's correction behind it with its reason (the history of
test_restatements_page: a cancellation and a backdated end of targeting)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest

from dashboard import ui
from dashboard.data import connection, reports
from tests.dashboard.conftest import PASSWORD
from tests.dashboard.test_browser import (  # noqa: F401  (fixtures)
    page,
    pytestmark,
    serve_app,
    shot,
)
from tests.dashboard.test_restatements_page import restated_db  # noqa: F401
from warehouse.dbt_vars import reporting_zone


@pytest.fixture(scope="module")
def app_url(restated_db) -> Iterator[str]:  # noqa: F811
    params, _, _ = restated_db
    with serve_app(params) as url:
        yield url
    connection.dispose(params.url("psycopg"))


def _type_date(page, label: str, day) -> None:  # noqa: F811
    """Types a day into a Streamlit date field, segment by segment."""
    for part, value in (
        ("year", f"{day:%Y}"),
        ("month", f"{day:%m}"),
        ("day", f"{day:%d}"),
    ):
        page.get_by_role("spinbutton", name=f"{part}, {label}", exact=True).click()
        page.keyboard.type(value)
    page.keyboard.press("Enter")
    # the app takes the date when the field loses the focus
    page.get_by_role("heading", name="Leaderboard").click()


def test_viewer_reads_what_changed_since_she_last_looked(page, app_url, restated_db):  # noqa: F811
    from playwright.sync_api import expect

    params, _, _ = restated_db
    url = params.url("psycopg")
    first, last = reports.sale_date_bounds(url)
    as_of = datetime.now(reporting_zone()).date() - timedelta(days=2)
    restated = reports.restatements(url, first, last, "SPLIT", as_of)
    moved = restated[restated["change"] != 0]
    assert not moved.empty

    page.goto(app_url)
    page.get_by_label("User name").fill("viewer")
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Leaderboard")).to_be_visible()
    zone = reporting_zone().key
    _type_date(page, f"Sale dates ({zone}) start date", first)
    _type_date(page, f"Sale dates ({zone}) end date", last)
    expect(
        page.get_by_text(f"campaigns, {first} – {last}, SPLIT credit")
    ).to_be_visible()
    expect(page.get_by_role("heading", name="What changed since")).to_be_visible()
    _type_date(page, f"As of the end of ({zone})", as_of)

    summary = (
        f"{len(moved)} of {len(restated)} campaigns moved since the end of {as_of}:"
        f" {ui.money(float(moved['change'].sum()))} of revenue, SPLIT credit"
    )
    expect(page.get_by_text(summary)).to_be_visible()
    expect(page.get_by_text("Corrections behind these changes")).to_be_visible()
    page.get_by_text("Corrections behind these changes").scroll_into_view_if_needed()
    shot(page, "restatements_01_what_changed_since")
