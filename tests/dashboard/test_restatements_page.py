"""The leaderboard's "as of" date: the figures as they stood then, what has
changed since by cause, and who made each correction with the reason."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from dashboard.data import campaigns, reports
from dashboard.data.users import User
from tests import pg
from tests.dashboard.conftest import add_role_users, no_errors, page_as
from tests.dbt_in_process import BUILD
from warehouse import database
from warehouse.dbt_vars import reporting_zone

REASON = "The ad was off since Monday: the platform paused it"


@pytest.fixture(scope="module")
def restated_db(pg_server, demo_marts, run_dbt):
    """The demo's credits as reported three days ago, then a cancellation
    and an admin's backdated end of a targeting window, built since."""
    params = pg.clone(pg_server, demo_marts, "restated")
    # the first build's records are from three days ago (the only rewrite of
    # the restatements here: it stands for the time that passed)
    pg.execute(
        params,
        "update marts.fct_credit_changes"
        " set recorded_at = recorded_at - interval '3 days'",
    )
    users = add_role_users(params)
    cancelled = pg.scalar(
        params,
        "select min(order_id) from marts.fct_order_item_campaign_credits"
        " where credit_mode = 'SPLIT' and not is_reversed and credited_revenue > 0",
    )
    pg.execute(
        params,
        "update erp.orders set status = 'cancelled', updated_at = now() where id = %s",
        (cancelled,),
    )
    window = pg.rows(
        params,
        "select credits.campaign_id, credits.product_id, max(credits.sale_time)"
        " as last_sale from marts.fct_order_item_campaign_credits as credits"
        " join marketing.ad_campaign_products as targeting"
        "   on targeting.campaign_id = credits.campaign_id"
        "   and targeting.product_id = credits.product_id"
        "   and targeting.effective_to is null"
        " where not credits.is_reversed and credits.order_id != %s"
        " group by 1, 2 having count(distinct credits.sale_time) > 1"
        " order by 1, 2 limit 1",
        (cancelled,),
    )[0]
    campaigns.remove_product(
        params.url("psycopg"),
        users["admin"],
        window["campaign_id"],
        window["product_id"],
        ended_at=window["last_sale"],
        reason=REASON,
    )
    run_dbt(params, *BUILD)
    yield params, cancelled, window
    database.drop_database(params)


def test_the_figures_as_they_stood_and_what_changed_since(restated_db, app_env):
    params, cancelled, window = restated_db
    url = params.url("psycopg")
    today = datetime.now(reporting_zone()).date()
    everything = reports.sale_date_bounds(url)
    then = reports.restatements(url, *everything, "SPLIT", today - timedelta(days=2))
    now = reports.leaderboard(url, *everything, "SPLIT")
    # "now" is the leaderboard itself
    assert dict(zip(then["campaign_id"], then["revenue_now"], strict=True)) == (
        pytest.approx(
            {row.campaign_id: row.revenue for row in now.itertuples() if row.revenue}
        )
    )
    moved = then[then["change"] != 0].set_index("campaign_id")
    cancelled_campaigns = {
        row["campaign_id"]
        for row in pg.rows(
            params,
            "select campaign_id from marts.fct_order_item_campaign_credits"
            " where order_id = %s and credit_mode = 'SPLIT'",
            (cancelled,),
        )
    }
    assert set(moved.index) == cancelled_campaigns | {window["campaign_id"]}
    assert (moved["reversal"] <= 0).all() and moved["reversal"].sum() < 0
    assert moved.at[window["campaign_id"], "correction"] < 0
    assert (moved["change"] == moved[list(reports.CHANGE_CAUSES)].sum(axis=1)).all()
    assert (
        (moved["revenue_now"] - moved["revenue_then"])
        .round(2)
        .equals(moved["change"].round(2))
    )

    app_env(params)
    at = page_as("leaderboard.py", "viewer").run()
    no_errors(at)
    at.date_input(key="leaderboard_dates").set_value(everything).run()
    at.date_input(key="leaderboard_as_of").set_value(today - timedelta(days=2)).run()
    no_errors(at)
    table = at.dataframe[-2].value
    assert set(table["campaign_id"]) == set(moved.index)
    corrections = at.dataframe[-1].value
    assert list(corrections["reason"]) == [REASON]
    assert list(corrections["changed_by"]) == [User("admin", "admin").username]
    assert list(corrections["campaign_id"]) == [window["campaign_id"]]

    # as of today nothing has changed since
    at.date_input(key="leaderboard_as_of").set_value(today).run()
    no_errors(at)
    assert any("Nothing has changed" in message.value for message in at.success)
