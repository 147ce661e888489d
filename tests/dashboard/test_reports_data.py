"""Report and debug queries against marts built by dbt from demo data."""

from __future__ import annotations

from datetime import date

import pytest

from dashboard.data import debug, reports
from tests import pg

ALL_TIME = (date(2000, 1, 1), date(2100, 1, 1))


@pytest.fixture(scope="module")
def url(reports_db) -> str:
    return reports_db.url("psycopg")


@pytest.mark.parametrize("mode", ["FULL", "SPLIT"])
def test_leaderboard_totals_equal_the_credit_fact(reports_db, url, mode):
    board = reports.leaderboard(url, *ALL_TIME, mode)
    [(revenue, orders, units)] = pg.query(
        reports_db,
        "select sum(credited_revenue), count(distinct (campaign_id, order_id)),"
        " sum(credited_qty) from marts.fct_order_item_campaign_credits"
        " where credit_mode = %s and not is_reversed",
        (mode,),
    )
    assert board["revenue"].sum() == pytest.approx(float(revenue))
    assert board["orders"].sum() == orders
    assert board["units"].sum() == pytest.approx(float(units))
    row = board.iloc[0]
    assert row["average_order_value"] == pytest.approx(
        row["revenue"] / row["orders"], abs=0.01
    )


def test_split_totals_equal_attributed_sales_and_full_inflates(reports_db, url):
    split = reports.leaderboard(url, *ALL_TIME, "SPLIT")["revenue"].sum()
    full = reports.leaderboard(url, *ALL_TIME, "FULL")["revenue"].sum()
    health = reports.health_totals(reports.health_daily(url, *ALL_TIME))
    assert split == pytest.approx(health["attributed_revenue"])
    assert full > split


@pytest.mark.parametrize("sort", ["revenue", "profit", "units", "orders"])
def test_leaderboard_sorts_descending(url, sort):
    values = reports.leaderboard(url, *ALL_TIME, "SPLIT", sort=sort)[sort].dropna()
    assert list(values) == sorted(values, reverse=True)


def test_leaderboard_filters_platforms_and_refuses_unknown_sort(url):
    board = reports.leaderboard(url, *ALL_TIME, "FULL")
    platform = board["platform"].iloc[0]
    only = reports.leaderboard(url, *ALL_TIME, "FULL", (platform,))
    assert set(only["platform"]) == {platform}
    assert len(only) == (board["platform"] == platform).sum()
    with pytest.raises(ValueError):
        reports.leaderboard(url, *ALL_TIME, "FULL", sort="revenue; drop table x")
    with pytest.raises(ValueError):
        reports.leaderboard(url, *ALL_TIME, "HALF")


def test_date_range_is_inclusive_on_sale_dates(url):
    first, last = reports.sale_date_bounds(url)
    whole = reports.leaderboard(url, first, last, "SPLIT")["revenue"].sum()
    days = reports.health_daily(url, first, last)
    middle = days["sale_date"].iloc[len(days) // 2]
    left = reports.leaderboard(url, first, middle, "SPLIT")["revenue"].sum()
    right_start = days["sale_date"].iloc[len(days) // 2 + 1]
    right = reports.leaderboard(url, right_start, last, "SPLIT")["revenue"].sum()
    assert left + right == pytest.approx(whole)


def test_campaign_reports_agree_with_each_other(reports_db, url):
    campaign_id = int(
        reports.leaderboard(url, *ALL_TIME, "SPLIT")["campaign_id"].iloc[0]
    )
    kpis = reports.campaign_kpis(url, campaign_id, *ALL_TIME, "SPLIT")
    daily = reports.campaign_daily(url, campaign_id, *ALL_TIME, "SPLIT")
    products = reports.campaign_products(url, campaign_id, *ALL_TIME, "SPLIT")
    assert daily["revenue"].sum() == pytest.approx(kpis["revenue"])
    assert products["revenue"].sum() == pytest.approx(kpis["revenue"])
    orders, total = reports.campaign_orders(
        url, campaign_id, *ALL_TIME, "SPLIT", page=1, page_size=5
    )
    everything = reports.campaign_orders_all(url, campaign_id, *ALL_TIME, "SPLIT")
    assert len(orders) == min(5, total) and len(everything) == total
    counted = everything[~everything["is_reversed"]]
    assert len(counted) == kpis["orders"]
    assert counted["revenue"].sum() == pytest.approx(kpis["revenue"])
    last_page = -(-total // 5)
    tail, _ = reports.campaign_orders(
        url, campaign_id, *ALL_TIME, "SPLIT", page=last_page, page_size=5
    )
    assert list(tail["order_id"]) == list(
        everything["order_id"].iloc[(last_page - 1) * 5 :]
    )


def test_reversed_credits_are_listed_but_not_counted(reports_db, url):
    reversed_rows = pg.query(
        reports_db,
        "select campaign_id, order_id from marts.fct_order_item_campaign_credits"
        " where is_reversed and credit_mode = 'SPLIT' limit 1",
    )
    if not reversed_rows:
        pytest.skip("the demo data has no reversed credit")
    campaign_id, order_id = reversed_rows[0]
    orders = reports.campaign_orders_all(url, campaign_id, *ALL_TIME, "SPLIT")
    assert orders.set_index("order_id").at[order_id, "is_reversed"]


def test_health_rates_are_sums_over_sums(reports_db, url):
    daily = reports.health_daily(url, *ALL_TIME)
    totals = reports.health_totals(daily)
    [(items, attributed)] = pg.query(
        reports_db,
        "select count(*), count(*) filter (where is_attributed)"
        " from marts.fct_order_item_attribution where not is_reversed",
    )
    assert (totals["items"], totals["attributed_items"]) == (items, attributed)
    assert totals["item_rate"] == pytest.approx(attributed / items)
    assert sum(totals[f"items_k{k}"] for k in ("0", "1", "2", "3_plus")) == items
    assert totals["unattributed_revenue"] == pytest.approx(
        totals["revenue"] - totals["attributed_revenue"]
    )


def test_freshness_reports_the_last_build_of_the_credit_fact(url):
    builds = reports.freshness(url)
    assert not builds.empty
    assert builds["built_at"].is_monotonic_decreasing


def test_debug_agrees_with_the_credit_fact(reports_db, url):
    # the orders of the items with the most matching campaigns
    order_ids = [
        row[0]
        for row in pg.query(
            reports_db,
            "select order_id from marts.fct_order_item_attribution"
            " order by matched_campaigns_count desc, order_item_id limit 3",
        )
    ]
    for order_id in order_ids:
        explained = debug.explain(url, order_id)
        matched = explained[explained["is_matched"]]
        credits = pg.query(
            reports_db,
            "select order_item_id, campaign_id, credit_mode, credited_qty,"
            " credited_revenue, credited_profit, matched_campaigns_count"
            " from marts.fct_order_item_campaign_credits where order_id = %s"
            " order by order_item_id, campaign_id, credit_mode",
            (order_id,),
        )
        assert credits
        assert [
            (
                row.order_item_id,
                row.campaign_id,
                mode,
                getattr(row, f"{prefix}_qty"),
                getattr(row, f"{prefix}_revenue"),
                getattr(row, f"{prefix}_profit"),
                row.matched_campaigns_count,
            )
            for row in matched.sort_values(["order_item_id", "campaign_id"]).itertuples(
                index=False
            )
            for mode, prefix in (("FULL", "full"), ("SPLIT", "split"))
        ] == credits
        # a campaign that did not match says why, and earns nothing
        unmatched = explained[~explained["is_matched"]]
        assert "matched" not in set(unmatched["explanation"])
        assert unmatched["split_revenue"].isna().all()
