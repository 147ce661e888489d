"""The dbt documentation site: built from the database, naming who reads what."""

from __future__ import annotations

import functools
import json
import re
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests import pg
from tests.dbt_in_process import BUILD

CHROMIUM = Path("/usr/bin/chromium")
EXPOSURES = {
    "app_leaderboard",
    "app_campaign",
    "app_attribution_health",
    "dagster_attribution_jobs",
    "bi_reader",
}


@pytest.fixture(scope="module")
def docs_site(pg_server, run_dbt, dbt_target_dir):
    from warehouse import database

    params = pg.create_database(pg_server, prefix="docs")
    run_dbt(params, *BUILD)
    run_dbt(params, "docs", "generate")
    yield dbt_target_dir
    database.drop_database(params)


def test_docs_name_the_readers_and_document_the_spend_marts(docs_site):
    manifest = json.loads((docs_site / "manifest.json").read_text())
    exposures = {node["name"]: node for node in manifest["exposures"].values()}
    assert set(exposures) >= EXPOSURES
    leaderboard = exposures["app_leaderboard"]["depends_on"]["nodes"]
    assert "model.campaign_attribution.fct_campaign_budget_pacing" in leaderboard
    catalog = json.loads((docs_site / "catalog.json").read_text())
    performance = catalog["nodes"][
        "model.campaign_attribution.agg_campaign_performance"
    ]
    assert performance["metadata"]["schema"] == "marts"
    assert {"roas", "cpa", "ctr"} <= set(performance["columns"])


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is missing")
def test_the_docs_site_opens_in_a_browser(docs_site):
    from playwright.sync_api import expect, sync_playwright

    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(docs_site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox"]
            )
            page = browser.new_page()
            page.set_default_timeout(30_000)
            page.goto(
                f"{url}/#!/exposure/exposure.campaign_attribution.app_leaderboard"
            )
            expect(
                page.get_by_text(re.compile("App — Leaderboard")).first
            ).to_be_visible()
            expect(page.get_by_text("fct_campaign_budget_pacing").first).to_be_visible()
            # the site opens on the project's rules (docs/rules.md)
            page.goto(f"{url}/#!/overview")
            expect(
                page.get_by_text("The rules of campaign attribution").first
            ).to_be_visible()
            expect(page.get_by_text("33.34 (id 3)").first).to_be_visible()
            browser.close()
    finally:
        server.shutdown()
