"""End to end in headless Chromium: a marketer signs in, creates a campaign,
targets a product, launches it and sees the leaderboard."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from dashboard.data import connection
from tests import pg
from tests.dashboard.conftest import (
    APP,
    PASSWORD,
    add_role_users,
)
from warehouse import database

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
ROOT = APP.parents[1]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="/usr/bin/chromium is missing (apt-get install chromium)",
    ),
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def e2e_db(pg_server, demo_marts) -> Iterator[database.ConnectionParams]:
    params = pg.clone(pg_server, demo_marts, "dashe2e")
    add_role_users(params)
    yield params
    connection.dispose(params.url("psycopg"))
    database.drop_database(params)


@contextmanager
def serve_app(params: database.ConnectionParams) -> Iterator[str]:
    """`streamlit run` of the app against `params`; yields its URL."""
    port = _free_port()
    env = {
        **os.environ,
        **params.env(),
        "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(APP),
            "--server.address",
            "127.0.0.1",
            "--server.port",
            str(port),
            "--server.headless",
            "true",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                    break
            except OSError as error:
                if server.poll() is not None or time.monotonic() > deadline:
                    output = server.stdout.read().decode() if server.stdout else ""
                    raise RuntimeError(f"streamlit did not start:\n{output}") from error
                time.sleep(0.3)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


@pytest.fixture(scope="module")
def app_url(e2e_db) -> Iterator[str]:
    with serve_app(e2e_db) as url:
        yield url


@pytest.fixture
def page(app_url):
    from playwright.sync_api import expect, sync_playwright

    # what a page shows after a database write may take seconds on a
    # machine running the rest of the suite beside it
    expect.set_options(timeout=30_000)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
            ],
        )
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.set_default_timeout(30_000)
        try:
            yield page
        finally:
            context.close()
            browser.close()


def settled(page) -> None:
    """Wait until the app's script has finished its run: a click or a fill
    while a run still draws the page can land on an element the run then
    replaces, and is lost (seen as a form submitted with no effect on a
    loaded machine)."""
    page.wait_for_selector(
        '[data-testid="stApp"][data-test-script-state="notRunning"]', state="attached"
    )


def shot(page, name: str) -> None:
    page.wait_for_timeout(500)  # let charts finish drawing
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_marketer_creates_targets_launches_and_sees_the_leaderboard(
    page, app_url, e2e_db
):
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import expect

    page.goto(app_url)
    page.get_by_label("User name").fill("marketer")
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    shot(page, "01_sign_in")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Leaderboard")).to_be_visible()

    page.get_by_role("link", name="Manage campaigns").click()
    expect(page.get_by_role("heading", name="Manage campaigns")).to_be_visible()
    settled(page)
    page.get_by_text("New campaign").click()
    form = page.get_by_test_id("stForm").first
    form.get_by_label("Name").fill("E2E spring launch")
    settled(page)
    form.get_by_role("button", name="Create campaign").click()
    expect(page.get_by_text("created as DRAFT")).to_be_visible()
    shot(page, "02_campaign_created")
    [(campaign_id, status)] = pg.query(
        e2e_db,
        "select id, status from marketing.ad_campaigns"
        " where name = 'E2E spring launch' and created_by = 'marketer'",
    )
    assert status == "DRAFT"

    page.get_by_test_id("stButtonGroup").get_by_text("Products", exact=True).click()
    page.get_by_label("Search products by name or SKU").fill("SKU-000001")
    page.get_by_label("Search products by name or SKU").press("Enter")
    page.get_by_text("Products to target").wait_for()
    # the label is there before the search's rerun has filled the options:
    # on a loaded machine the first look at the list may still be empty
    for _ in range(10):
        page.get_by_test_id("stMultiSelect").click()
        try:
            page.get_by_role("option").first.wait_for(timeout=3000)
            break
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
    page.get_by_role("option").first.click()
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Add products").click()
    expect(page.get_by_text("Targeted 1 product")).to_be_visible()
    shot(page, "03_product_targeted")

    page.get_by_test_id("stButtonGroup").get_by_text("Status", exact=True).click()
    page.get_by_role("button", name="Launch (→ RUNNING)").click()
    expect(page.get_by_text(f"Campaign {campaign_id} is now RUNNING")).to_be_visible()
    shot(page, "04_campaign_launched")
    assert pg.query(
        e2e_db,
        "select status, updated_by from marketing.ad_campaigns where id = %s",
        (campaign_id,),
    ) == [("RUNNING", "marketer")]
    assert pg.query(
        e2e_db,
        "select count(*) from marketing.ad_campaign_products"
        " where campaign_id = %s and created_by = 'marketer'",
        (campaign_id,),
    ) == [(1,)]

    page.get_by_role("link", name="Leaderboard").click()
    expect(page.get_by_role("heading", name="Leaderboard")).to_be_visible()
    expect(page.get_by_test_id("stDataFrame")).to_be_visible()
    expect(page.get_by_role("button", name="Download CSV")).to_be_visible()
    shot(page, "05_leaderboard")

    for link, heading, name in [
        ("Campaign", "Campaign", "06_campaign"),
        ("Attribution health", "Attribution health", "07_health"),
    ]:
        page.get_by_role("link", name=link, exact=True).click()
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
        shot(page, name)
    assert not page.get_by_role("link", name="Admin").count()
