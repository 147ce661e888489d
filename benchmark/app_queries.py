"""Time each page's data-access queries against the project's database.

    python -m benchmark.app_queries [--iterations 20]

Reads bypass the app's cache (every call reaches PostgreSQL), with the
pages' default inputs: the last 30 (leaderboard) or 90 days, SPLIT credit,
the leaderboard's top campaign, the order of the item with the most
matching campaigns. Prints p50/p95 per
query and per page (the sum of its queries in one iteration).
"""

from __future__ import annotations

import argparse
import logging
import statistics
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from dashboard.data import campaigns, connection, debug, reports


def _raw(func: Callable[..., Any]) -> Callable[..., Any]:
    # the cached reads keep the plain function underneath
    return getattr(func, "__wrapped__", func)


def page_queries(url: str, mode: str) -> dict[str, list[tuple[str, Callable[[], Any]]]]:
    first, last = _raw(reports.sale_date_bounds)(url)
    if first is None:
        raise SystemExit("the marts are not built: run the pipeline first")
    month = (max(first, last - timedelta(days=29)), last)
    quarter = (max(first, last - timedelta(days=89)), last)
    board = _raw(reports.leaderboard)(url, *month, mode)
    campaign_id = int(board["campaign_id"].iloc[0]) if not board.empty else 1
    # the order of the item with the most matching campaigns
    order_id = connection.scalar(
        url,
        "select order_id from marts.fct_order_item_attribution"
        " order by matched_campaigns_count desc, order_item_id limit 1",
    )
    latest = connection.scalar(url, "select max(id) from marketing.ad_campaigns")
    return {
        "leaderboard": [
            ("sale_date_bounds", lambda: _raw(reports.sale_date_bounds)(url)),
            ("leaderboard", lambda: _raw(reports.leaderboard)(url, *month, mode)),
        ],
        "campaign": [
            ("campaign_options", lambda: _raw(reports.campaign_options)(url)),
            (
                "campaign_header",
                lambda: _raw(reports.campaign_header)(url, campaign_id),
            ),
            (
                "campaign_kpis",
                lambda: _raw(reports.campaign_kpis)(url, campaign_id, *quarter, mode),
            ),
            (
                "campaign_daily",
                lambda: _raw(reports.campaign_daily)(url, campaign_id, *quarter, mode),
            ),
            (
                "campaign_products",
                lambda: _raw(reports.campaign_products)(
                    url, campaign_id, *quarter, mode
                ),
            ),
            (
                "campaign_orders (page 1)",
                lambda: _raw(reports.campaign_orders)(
                    url, campaign_id, *quarter, mode, 1, 50
                ),
            ),
            (
                "campaign_orders_all (CSV)",
                lambda: _raw(reports.campaign_orders_all)(
                    url, campaign_id, *quarter, mode
                ),
            ),
        ],
        "campaign CSV": [
            # built when the user clicks the download, not on page render
            (
                "campaign_orders_all",
                lambda: _raw(reports.campaign_orders_all)(
                    url, campaign_id, *quarter, mode
                ),
            ),
        ],
        "health": [
            ("health_daily", lambda: _raw(reports.health_daily)(url, *quarter)),
            ("freshness", lambda: _raw(reports.freshness)(url)),
        ],
        "manage": [
            ("list_campaigns", lambda: campaigns.list_campaigns(url)),
            ("get_campaign", lambda: campaigns.get_campaign(url, latest)),
            ("targeted_products", lambda: campaigns.targeted_products(url, latest)),
            ("search_products", lambda: campaigns.search_products(url, "SKU-0001")),
            ("history", lambda: campaigns.history(url, latest)),
        ],
        "admin": [
            ("debug.explain", lambda: debug.explain(url, order_id)),
        ],
    }


def _percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def run(url: str, iterations: int, mode: str) -> list[tuple[str, str, float, float]]:
    rows = []
    for page, queries in page_queries(url, mode).items():
        totals = [0.0] * iterations
        for name, query in queries:
            query()  # warm the connection pool and PostgreSQL's caches
            samples = []
            for i in range(iterations):
                started = time.perf_counter()
                query()
                elapsed = (time.perf_counter() - started) * 1000
                samples.append(elapsed)
                totals[i] += elapsed
            rows.append(
                (page, name, statistics.median(samples), _percentile(samples, 0.95))
            )
        rows.append(
            (page, "= page total", statistics.median(totals), _percentile(totals, 0.95))
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmark.app_queries")
    parser.add_argument("--iterations", type=int, default=20)
    parser.add_argument(
        "--mode", choices=reports.CREDIT_MODES, default=reports.DEFAULT_MODE
    )
    args = parser.parse_args(argv)
    # the cached reads warn that no Streamlit runtime is running: expected here
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    url = connection.current_url()
    items = connection.scalar(
        url, "select count(*) from marts.fct_order_item_attribution"
    )
    print(
        f"{items} attributed-fact items, {args.iterations} iterations, "
        f"{args.mode} credit"
    )
    print(f"{'page':<12} {'query':<28} {'p50 ms':>9} {'p95 ms':>9}")
    for page, name, p50, p95 in run(url, args.iterations, args.mode):
        print(f"{page:<12} {name:<28} {p50:>9.1f} {p95:>9.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
