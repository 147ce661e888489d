"""The campaign page beside the credits: what the campaign caused, in words,
on the generated history with known truth (tests/lift_history.py)."""

from __future__ import annotations

from dashboard.incrementality import amount, ratio
from tests import lift_history as history
from tests import pg
from tests.dashboard.conftest import app_as, no_errors, texts


def _campaign_page(lift_db, app_env, campaign_id: int):
    app_env(lift_db)
    at = app_as("viewer").run()
    at.switch_page("app_pages/campaign.py").run()
    at.selectbox(key="campaign_id").set_value(campaign_id).run()
    no_errors(at)
    return at


def test_an_ended_campaign_opens_on_its_own_life(lift_db, app_env):
    at = _campaign_page(lift_db, app_env, history.WORKS)
    assert at.date_input(key=f"campaign_dates_{history.WORKS}").value == (
        history.day(42),
        history.day(62),
    )
    metrics = {metric.label: metric.value for metric in at.metric}
    # every unit the campaign's products sold while it ran was credited to it
    assert metrics["Units"] != "0"


def test_the_campaign_page_sets_what_it_caused_beside_what_it_was_credited(
    lift_db, app_env
):
    (lift,) = pg.rows(
        lift_db,
        "select * from marts.fct_campaign_lift where campaign_id = %s",
        (history.WORKS,),
    )
    credited = pg.scalar(
        lift_db,
        "select sum(revenue) from marts.agg_campaign_daily where campaign_id = %s"
        " and credit_mode = 'SPLIT' and sale_date between %s and %s",
        (history.WORKS, lift["post_start"], lift["post_end"]),
    )
    at = _campaign_page(lift_db, app_env, history.WORKS)
    metrics = {metric.label: metric.value for metric in at.metric}
    # the page shows floats: so does the test
    lift = {
        key: float(value) if hasattr(value, "as_tuple") else value
        for key, value in lift.items()
    }
    credited = float(credited)
    assert metrics["Credited revenue"] == f"{credited:,.2f}"
    assert metrics["Incremental revenue"] == f"{lift['incremental_revenue']:,.2f}"
    assert metrics["ROAS (credited)"] == f"{credited / lift['spend']:,.2f}"
    assert metrics["iROAS (incremental)"] == f"{lift['iroas']:,.2f}"
    words = " ".join(texts(at, "markdown"))
    assert (
        "We are 95 % sure the campaign caused between"
        f" {amount(lift['incremental_revenue_low'])} and"
        f" {amount(lift['incremental_revenue_high'])} of the {amount(credited)}"
        " credited"
    ) in words
    assert f"between {ratio(lift['iroas_low'])} and {ratio(lift['iroas_high'])}" in (
        words
    )
    assert any(text.startswith("Reliable") for text in texts(at, "success"))
    # the ended campaign spent 18 % of its lifetime budget
    assert (
        "Under-delivered: the campaign ended having spent 18% of its lifetime budget"
        in texts(at, "warning")
    )
    assert "On pace" not in texts(at, "success")


def test_unreliable_and_missing_estimates_say_why(lift_db, app_env):
    at = _campaign_page(lift_db, app_env, history.TRENDED)
    assert any(
        "Not reliable: before launch the targeted products were already moving" in text
        for text in texts(at, "warning")
    )
    at = _campaign_page(lift_db, app_env, history.NO_CONTROLS)
    assert any(
        text.startswith("No estimate of what this campaign caused. Only 0 products")
        for text in texts(at, "info")
    )
    assert "Incremental revenue" not in [metric.label for metric in at.metric]
