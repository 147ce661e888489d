"""The debug page's explanations, on a world built so that every kind of
non-match occurs once: each row's reason and amounts, against the credit
fact and the rules of docs/rules.md."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from dashboard.data import connection, debug
from tests import pg
from tests.dbt_in_process import BUILD
from tests.sources import Sources
from warehouse import database

D = Decimal
DAY0 = datetime(2026, 3, 1, tzinfo=UTC)
SALE = datetime(2026, 3, 10, 9, tzinfo=UTC)
BEFORE_SALE = SALE - timedelta(days=1)
RUNNING = (("RUNNING", DAY0),)
MARTS_YML = (
    Path(__file__).resolve().parents[2]
    / "models"
    / "marts"
    / "attribution"
    / "_attribution__models.yml"
)

# order 100 sells product 1, which these campaigns target or targeted
MATCHING = (3, 7, 9)  # flight, running and targeted at the sale
OUT_OF_FLIGHT = 4  # its flight ended the day before
PAUSED = 5  # paused the day before
UNTARGETED = 6  # product 1 removed the day before
TARGETED_AFTER_BUILD = 8  # product 1 added once the pipeline had run


@pytest.fixture(scope="module")
def world(pg_server, run_dbt):
    params = pg.create_database(pg_server, prefix="debug")
    src = Sources(params)
    src.product(1, cost="60.00")
    src.product(2, cost="1.00")
    for campaign_id in MATCHING:
        src.campaign(campaign_id, DAY0, events=RUNNING)
        src.target(campaign_id, 1, DAY0)
    src.campaign(OUT_OF_FLIGHT, DAY0, ends_at=BEFORE_SALE, events=RUNNING)
    src.target(OUT_OF_FLIGHT, 1, DAY0)
    src.campaign(PAUSED, DAY0, events=(("RUNNING", DAY0), ("PAUSED", BEFORE_SALE)))
    src.target(PAUSED, 1, DAY0)
    src.campaign(UNTARGETED, DAY0, events=RUNNING)
    src.target(UNTARGETED, 1, DAY0, effective_to=BEFORE_SALE)
    src.campaign(TARGETED_AFTER_BUILD, DAY0, events=RUNNING)
    # product 99 has no ERP row, but a campaign targets it
    src.target(3, 99, DAY0)
    src.order(
        100,
        "confirmed",
        SALE,
        items=(
            (1000, 1, "1", "100.00"),  # the matched item
            (1001, 1, "0", "100.00"),  # quantity 0
            (1002, 1, "1", "-5.00"),  # negative price
            (1003, 99, "1", "10.00"),  # missing product
            (1004, 2, "1", "10.00"),  # product nobody targets
        ),
    )
    # first observed cancelled: never countable
    src.order(200, "cancelled", SALE, items=((2000, 1, "1", "100.00"),))
    run_dbt(params, *BUILD)
    src.target(TARGETED_AFTER_BUILD, 1, DAY0)
    yield params
    connection.dispose(params.url("psycopg"))
    database.drop_database(params)


def _rows(world, order_id: int) -> dict[tuple[int, int | None], dict]:
    explained = debug.explain(world.url("psycopg"), order_id)
    explained = explained.astype(object).where(explained.notna(), None)
    return {
        (int(row["order_item_id"]), row["campaign_id"]): row.to_dict()
        for _, row in explained.iterrows()
    }


def test_every_kind_of_non_match_occurs_and_is_true(world):
    rows = {**_rows(world, 100), **_rows(world, 200)}
    reasons = {row["explanation"] for row in rows.values()}
    # every code the page knows, and every one the mart may emit, occurs
    assert reasons == set(debug.LABELS) == set(_accepted_explanations())
    assert all(
        row["reason"] == debug.LABELS[row["explanation"]] for row in rows.values()
    )

    by_campaign = {
        campaign: rows[(1000, campaign)] for item, campaign in rows if item == 1000
    }
    assert {c for c, row in by_campaign.items() if row["is_matched"]} == set(MATCHING)
    flight = by_campaign[OUT_OF_FLIGHT]
    assert (flight["explanation"], flight["is_in_flight"]) == ("outside_flight", False)
    assert flight["is_running_at_sale"] and flight["is_targeted_at_sale"]
    paused = by_campaign[PAUSED]
    assert (paused["explanation"], paused["is_running_at_sale"]) == (
        "not_running",
        False,
    )
    assert paused["is_in_flight"] and paused["is_targeted_at_sale"]
    removed = by_campaign[UNTARGETED]
    assert (removed["explanation"], removed["is_targeted_at_sale"]) == (
        "not_targeted",
        False,
    )
    assert removed["is_in_flight"] and removed["is_running_at_sale"]
    # every window holds the sale, but the windows the pipeline built do not
    late = by_campaign[TARGETED_AFTER_BUILD]
    assert late["explanation"] == "changed_since_build" and not late["is_matched"]
    assert late["is_in_flight"] and late["is_running_at_sale"]
    assert late["is_targeted_at_sale"]

    # the bad items and the uncountable order: every candidate campaign
    # says so, and none is credited
    for item, reason in (
        (1001, "non_positive_quantity"),
        (1002, "negative_unit_price"),
        (1003, "missing_product"),
        (2000, "order_not_countable"),
    ):
        candidates = [row for (i, _), row in rows.items() if i == item]
        assert candidates and {row["explanation"] for row in candidates} == {reason}
        assert not any(row["is_matched"] for row in candidates)
        assert all(row["split_revenue"] is None for row in candidates)
    assert [row["campaign_id"] for (i, _), row in rows.items() if i == 1003] == [3]
    [never] = [row for (i, _), row in rows.items() if i == 1004]
    assert never["explanation"] == "never_targeted" and never["campaign_id"] is None


def test_matches_carry_the_credit_facts_exact_amounts(world):
    rows = _rows(world, 100)
    matched = sorted(
        (row for row in rows.values() if row["is_matched"]),
        key=lambda row: row["campaign_id"],
    )
    # docs/rules.md §4: 100.00 among 3, the extra cent to the lowest id;
    # profit 40.00 likewise
    assert [row["campaign_id"] for row in matched] == [3, 7, 9]
    assert [row["split_revenue"] for row in matched] == [
        D("33.34"),
        D("33.33"),
        D("33.33"),
    ]
    assert [row["split_qty"] for row in matched] == [
        D("0.3334"),
        D("0.3333"),
        D("0.3333"),
    ]
    assert [row["split_profit"] for row in matched] == [
        D("13.34"),
        D("13.33"),
        D("13.33"),
    ]
    assert {row["full_revenue"] for row in matched} == {D("100.00")}
    assert {row["full_profit"] for row in matched} == {D("40.00")}
    assert {row["matched_campaigns_count"] for row in matched} == {3}
    # the same figures as the credit fact, row for row
    fact = pg.query(
        world,
        "select campaign_id, credit_mode, credited_qty, credited_revenue,"
        " credited_profit from marts.fct_order_item_campaign_credits"
        " where order_item_id = 1000 order by campaign_id, credit_mode",
    )
    explained = [
        (
            row["campaign_id"],
            mode,
            row[f"{prefix}_qty"],
            row[f"{prefix}_revenue"],
            row[f"{prefix}_profit"],
        )
        for row in matched
        for mode, prefix in (("FULL", "full"), ("SPLIT", "split"))
    ]
    assert explained == fact
    unmatched = [row for row in rows.values() if not row["is_matched"]]
    assert all(
        row[column] is None
        for row in unmatched
        for column in ("full_revenue", "split_revenue", "split_qty")
    )


@pytest.mark.parametrize("role", ["attribution_app", "bi_reader"])
def test_readers_of_marts_read_the_explanations_and_no_intermediate_model(world, role):
    reader = world.as_role(role)
    assert pg.query(
        reader,
        "select count(*) from marts.fct_order_item_campaign_explanations"
        " where order_id = 100",
    ) == [(len(_rows(world, 100)),)]
    with pytest.raises(Exception, match="permission denied"):
        pg.query(reader, "select 1 from intermediate.int_order_items_evaluated")


def _accepted_explanations() -> list[str]:
    models = yaml.safe_load(MARTS_YML.read_text())["models"]
    [model] = [m for m in models if m["name"] == "fct_order_item_campaign_explanations"]
    [column] = [c for c in model["columns"] if c["name"] == "explanation"]
    [test] = [t for t in column["data_tests"] if "accepted_values" in t]
    return test["accepted_values"]["arguments"]["values"]
