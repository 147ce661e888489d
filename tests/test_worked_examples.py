"""docs/rules.md §5, end to end: source rows in, `dbt build`, marts out.

One database holds every example on its own product, so the whole story
(confirmation, cancellation, refund, reinstatement, a removal and a
backdated correction) runs through four frequent runs, each building what
the changed sources feed (orchestration/jobs/changes.py), and the last one is
checked against a full refresh.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from tests import pg
from tests.sources import Sources
from warehouse import credentials

D = Decimal
DAY0 = datetime(2026, 3, 1, tzinfo=UTC)
SALE_DAY = datetime(2026, 3, 10, tzinfo=UTC)


def at(hour: int, minute: int = 0, day: datetime = SALE_DAY) -> datetime:
    return day + timedelta(hours=hour, minutes=minute)


def credits(params, order_item_id: int, mode: str | None = None) -> list[dict]:
    """An item's credit rows (in one mode or both), by mode and campaign."""
    return pg.rows(
        params,
        "select * from marts.fct_order_item_campaign_credits where order_item_id = %s"
        " and (%s::text is null or credit_mode = %s) order by credit_mode, campaign_id",
        (order_item_id, mode, mode),
    )


def attribution(params, order_item_id: int) -> dict | None:
    """The item's row in the attribution fact, if it has one."""
    rows = pg.rows(
        params,
        "select * from marts.fct_order_item_attribution where order_item_id = %s",
        (order_item_id,),
    )
    return rows[0] if rows else None


def pick(rows: list[dict], *columns: str) -> list[tuple]:
    """The named columns of each row, in order."""
    return [tuple(row[column] for column in columns) for row in rows]


def of_item(rows: list[dict], order_item_id: int) -> list[dict]:
    return [row for row in rows if row["order_item_id"] == order_item_id]


def tell_story(params, build) -> dict[str, dict[str, list[dict]]]:
    """Every example's source rows, then today's changes, each state built
    by ``build(params)``; the marts after each build, by state."""
    src = Sources(params)
    running = (("RUNNING", DAY0),)

    # 1. one campaign, 2 x 100.00
    src.product(1, cost="60.00")
    src.campaign(1, DAY0, events=running)
    src.target(1, 1, DAY0)
    src.order(101, "confirmed", at(9), items=((1001, 1, "2", "100.00"),))

    # 2, 3, 10. three campaigns (ids 7, 3, 9) on product 2
    src.product(2, cost="20.00")
    for campaign_id in (7, 3, 9):
        src.campaign(campaign_id, DAY0, events=running)
        src.target(campaign_id, 2, DAY0)
    src.order(102, "confirmed", at(9), items=((1002, 2, "3", "300.00"),))
    src.order(103, "completed", at(9), items=((1003, 2, "1", "100.00"),))
    # unit price 10.00 at cost 20.00: profit -10.00
    src.order(110, "delivered", at(9), items=((1010, 2, "1", "10.00"),))

    # 4. paused at 10:00, resumed at 11:00
    src.product(4, cost="1.00")
    src.campaign(
        4, DAY0, events=(("RUNNING", DAY0), ("PAUSED", at(10)), ("RUNNING", at(11)))
    )
    src.target(4, 4, DAY0)
    src.order(1041, "confirmed", at(10, 30), items=((10410, 4, "1", "10.00"),))
    src.order(1042, "confirmed", at(11), items=((10420, 4, "1", "10.00"),))

    # 5. product removed at 12:00; a sale yesterday must keep its credit
    src.product(5, cost="1.00")
    src.campaign(5, DAY0, events=running)
    target_5 = src.target(5, 5, DAY0)
    src.order(
        1050, "confirmed", at(12) - timedelta(days=1), items=((10500, 5, "1", "10.00"),)
    )

    # 6. confirmed, then cancelled, refunded, reinstated
    src.product(6, cost="1.00")
    src.campaign(6, DAY0, events=running)
    src.target(6, 6, DAY0)
    src.order(106, "confirmed", at(9), items=((1060, 6, "1", "10.00"),))

    # 7. pending, then cancelled without ever being observed countable
    src.order(107, "pending", at(9), items=((1070, 6, "1", "10.00"),))

    # 8. a campaign whose sales last week are later found to have been paused
    src.product(8, cost="1.00")
    src.campaign(8, DAY0, events=running)
    src.target(8, 8, DAY0)
    src.order(
        108, "confirmed", SALE_DAY - timedelta(days=7), items=((1080, 8, "1", "10.00"),)
    )

    # 9. discount 10.00 on 3 x 19.99 with a batch cost of 12.50
    src.product(9, cost="15.00")
    src.batch(90, 9, "12.50")
    src.campaign(9_0, DAY0, events=running)
    src.target(9_0, 9, DAY0)
    src.order(109, "confirmed", at(9), items=((1090, 9, "3", "19.99", "10.00", 90),))

    states = {}
    build(params)
    states["built"] = _snapshot(params)

    # today's changes: cancel 106 at 15:00, 107 cancelled from pending,
    # remove product 5 at 12:00 today, pause campaign 8 as of last week
    src.set_order_status(106, "cancelled", at(15))
    src.set_order_status(107, "cancelled", at(15))
    # the story's "today" is the database's past: written as the owner, like
    # the rest of the story's history (tests/sources.py)
    pg.execute(
        params,
        "update marketing.ad_campaign_products set effective_to = %s where id = %s",
        (at(12), target_5),
        role=credentials.OWNER,
    )
    src.order(1051, "confirmed", at(11, 59), items=((10510, 5, "1", "10.00"),))
    src.order(1052, "confirmed", at(12), items=((10520, 5, "1", "10.00"),))
    src.status_event(8, "RUNNING", "PAUSED", SALE_DAY - timedelta(days=8))
    build(params)
    states["cancelled"] = _snapshot(params)

    src.set_order_status(106, "refunded", at(16))
    build(params)
    states["refunded"] = _snapshot(params)

    src.set_order_status(106, "delivered", at(17))
    build(params)
    states["reinstated"] = _snapshot(params)
    return states


@pytest.fixture(scope="module")
def story(pg_server, frequent_run):
    params = pg.create_database(pg_server, prefix="examples")
    yield params, tell_story(params, frequent_run)
    from warehouse import database

    database.drop_database(params)


def _snapshot(params) -> dict[str, list[dict]]:
    return {
        "credits": pg.rows(
            params,
            "select * from marts.fct_order_item_campaign_credits"
            " order by order_item_id, campaign_id, credit_mode",
        ),
        "items": pg.rows(
            params,
            "select * from marts.fct_order_item_attribution order by order_item_id",
        ),
    }


def test_example_1_one_campaign_gets_the_whole_item_in_both_modes(story):
    params, _ = story
    columns = (
        "campaign_id",
        "credit_mode",
        "credited_qty",
        "credited_revenue",
        "credited_profit",
        "matched_campaigns_count",
    )
    assert pick(credits(params, 1001), *columns) == [
        (1, "FULL", D("2.0000"), D("200.00"), D("80.00"), 1),
        (1, "SPLIT", D("2.0000"), D("200.00"), D("80.00"), 1),
    ]


def test_example_2_full_inflates_split_divides(story):
    params, _ = story
    full = credits(params, 1002, "FULL")
    split = credits(params, 1002, "SPLIT")
    columns = ("campaign_id", "credited_qty", "credited_revenue")
    assert pick(full, *columns, "matched_campaigns_count") == [
        (3, D("3.0000"), D("900.00"), 3),
        (7, D("3.0000"), D("900.00"), 3),
        (9, D("3.0000"), D("900.00"), 3),
    ]
    assert pick(split, *columns) == [
        (3, D("1.0000"), D("300.00")),
        (7, D("1.0000"), D("300.00")),
        (9, D("1.0000"), D("300.00")),
    ]


def test_example_3_split_cents_go_to_the_lowest_campaign_id(story):
    params, _ = story
    split = credits(params, 1003, "SPLIT")
    assert pick(split, "campaign_id", "credited_revenue") == [
        (3, D("33.34")),
        (7, D("33.33")),
        (9, D("33.33")),
    ]
    assert sum(r["credited_revenue"] for r in split) == D("100.00")


def test_example_4_pause_stops_credits_and_resume_counts_from_its_instant(story):
    params, _ = story
    assert credits(params, 10410) == []
    counted = attribution(params, 10410)  # counted, unattributed
    assert pick([counted], "matched_campaigns_count", "is_attributed") == [(0, False)]
    assert pick(credits(params, 10420), "campaign_id", "credit_mode") == [
        (4, "FULL"),
        (4, "SPLIT"),
    ]


def test_example_5_removal_is_half_open_and_never_rewrites_yesterday(story):
    params, states = story
    assert pick(credits(params, 10510), "campaign_id", "credit_mode") == [
        (5, "FULL"),
        (5, "SPLIT"),
    ]
    assert credits(params, 10520) == []
    yesterday_before = of_item(states["built"]["credits"], 10500)
    yesterday_after = of_item(states["cancelled"]["credits"], 10500)
    assert yesterday_before and yesterday_after == yesterday_before


def _reversal(state, item_id):
    return set(pick(of_item(state["credits"], item_id), "is_reversed", "reversed_at"))


def test_example_6_reversal_keeps_rows_flags_them_and_clears_on_reinstatement(story):
    _, states = story
    assert _reversal(states["built"], 1060) == {(False, None)}
    assert _reversal(states["cancelled"], 1060) == {(True, at(15))}
    assert _reversal(states["refunded"], 1060) == {(True, at(15))}
    assert _reversal(states["reinstated"], 1060) == {(False, None)}
    counts = {
        name: len(of_item(state["credits"], 1060)) for name, state in states.items()
    }
    assert counts == {"built": 2, "cancelled": 2, "refunded": 2, "reinstated": 2}


def test_example_7_never_countable_order_earns_nothing(story):
    params, states = story
    assert all(not of_item(state["credits"], 1070) for state in states.values())
    assert attribution(params, 1070) is None


def test_example_8_backdated_pause_changes_last_weeks_credits(story):
    params, states = story
    assert pick(
        of_item(states["built"]["credits"], 1080), "campaign_id", "credit_mode"
    ) == [(8, "FULL"), (8, "SPLIT")]
    assert credits(params, 1080) == []
    unattributed = attribution(params, 1080)
    assert pick([unattributed], "matched_campaigns_count", "is_attributed") == [
        (0, False)
    ]


def test_example_9_discount_and_batch_cost(story):
    params, _ = story
    figures = (D("49.97"), D("12.47"))
    item = attribution(params, 1090)
    assert pick([item], "item_revenue", "item_profit") == [figures]
    credited = pick(credits(params, 1090), "credited_revenue", "credited_profit")
    assert set(credited) == {figures}


def test_example_10_negative_profit_splits_exactly(story):
    params, _ = story
    split = credits(params, 1010, "SPLIT")
    # docs/rules.md example 10: divmod(-1000, 3) = (-334, 2); SPLIT profit
    # -3.33 (lowest id), -3.33, -3.34 (highest id), adding up to -10.00.
    assert pick(split, "campaign_id", "credited_profit") == [
        (3, D("-3.33")),
        (7, D("-3.33")),
        (9, D("-3.34")),
    ]
    profits = [r["credited_profit"] for r in split]
    assert sum(profits) == D("-10.00")


def test_incremental_story_equals_a_full_refresh(story, run_dbt):
    params, states = story
    run_dbt(params, "build", "--full-refresh", "--select", "tag:marts")
    assert _snapshot(params) == states["reinstated"]
