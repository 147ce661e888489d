"""Every page of the app, for every role, as a user sees it (Streamlit AppTest)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.data import campaigns
from dashboard.data.campaigns import CampaignInput
from dashboard.data.users import User
from tests import pg
from tests.dashboard.conftest import (
    PASSWORD,
    app_as,
    no_errors,
    page_as,
    sign_in,
    texts,
)
from tests.dashboard.fake_dagster import fake_dagster

REPORT_PAGES = {
    "leaderboard.py": "Leaderboard",
    "campaign.py": "Campaign",
    "health.py": "Attribution health",
}


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label.startswith(label))


def section(at: AppTest, name: str, key: str = "manage_section") -> AppTest:
    return at.segmented_control(key=key).set_value(name).run()


@pytest.fixture(scope="module")
def manage_db(users_db):
    """This module's database: products and a user per role."""
    return users_db


def test_sign_in_with_a_wrong_then_the_right_password(reports_db, app_env):
    app_env(reports_db)
    at = app_as(None).run()
    assert texts(at, "title") == ["Campaign attribution"]
    sign_in(at, "marketer", "wrong password")
    assert texts(at, "error") == ["Wrong user name or password."]
    assert "user" not in at.session_state
    sign_in(at, "marketer", PASSWORD)
    no_errors(at)
    assert at.session_state["user"] == User("marketer", "marketer")
    assert texts(at, "title") == ["Leaderboard"]


@pytest.mark.parametrize("role", ["viewer", "marketer", "admin"])
@pytest.mark.parametrize("page", list(REPORT_PAGES))
def test_every_role_sees_the_reports(reports_db, app_env, role, page):
    app_env(reports_db)
    at = app_as(role).run()
    at.switch_page(f"app_pages/{page}").run()
    no_errors(at)
    assert texts(at, "title") == [REPORT_PAGES[page]]
    assert at.get("download_button") or page == "health.py"


@pytest.mark.parametrize(
    ("page", "needed", "roles"),
    [
        ("manage.py", "marketer", ["viewer"]),
        ("admin.py", "admin", ["viewer", "marketer"]),
    ],
)
def test_pages_refuse_roles_without_access(manage_db, app_env, page, needed, roles):
    app_env(manage_db)
    for role in roles:
        at = page_as(page, role).run()
        assert texts(at, "error") == [
            f"This page needs the {needed} role; you are a {role}."
        ]
        assert not at.button


def test_navigation_offers_only_the_pages_of_the_role(manage_db, app_env):
    app_env(manage_db)
    offered = {
        "viewer": [],
        "marketer": ["manage.py"],
        "admin": ["manage.py", "admin.py"],
    }
    for role, pages in offered.items():
        for page in ("manage.py", "admin.py"):
            at = app_as(role).run()
            if page in pages:
                at.switch_page(f"app_pages/{page}").run()
                no_errors(at)
            else:
                with pytest.raises(ValueError, match="Could not find a navigation"):
                    at.switch_page(f"app_pages/{page}")


def test_leaderboard_modes_sort_and_filters(reports_db, app_env):
    app_env(reports_db)
    at = app_as("viewer").run()
    board = at.dataframe[0].value
    assert len(board) > 0
    assert list(board["revenue"]) == sorted(board["revenue"], reverse=True)
    assert any("totals add up to real sales" in c for c in texts(at, "caption"))
    at.radio(key="leaderboard_mode").set_value("FULL").run()
    assert any("inflated" in c for c in texts(at, "caption"))
    at.selectbox(key="leaderboard_sort").set_value("orders").run()
    board = at.dataframe[0].value
    assert list(board["orders"]) == sorted(board["orders"], reverse=True)
    platform = board["platform"].iloc[0]
    at.multiselect(key="leaderboard_platforms").set_value([platform]).run()
    assert set(at.dataframe[0].value["platform"]) == {platform}
    no_errors(at)


def test_campaign_page_shows_kpis_and_reversed_orders(reports_db, app_env):
    app_env(reports_db)
    [(campaign_id,)] = pg.query(
        reports_db,
        "select min(campaign_id) from marts.fct_order_item_campaign_credits"
        " where is_reversed",
    )
    at = app_as("viewer").run()
    at.switch_page("app_pages/campaign.py").run()
    at.selectbox(key="campaign_id").set_value(campaign_id).run()
    at.date_input(key=f"campaign_dates_{campaign_id}").set_value(
        (datetime(2000, 1, 1).date(), datetime.now(UTC).date())
    ).run()
    no_errors(at)
    # then the pacing, which depends on the campaign's budget
    assert [m.label for m in at.metric][:10] == [
        "Units",
        "Revenue",
        "Profit",
        "Orders",
        "Items",
        "AOV",
        "Spend",
        "ROAS",
        "Profit ROAS",
        "CPA",
    ]
    orders = at.dataframe[-1].value
    if hasattr(orders, "data"):  # a Styler: the rows are its data
        orders = orders.data
    assert "REVERSED" in set(orders["credit"])
    assert "counted" in set(orders["credit"])
    assert any("Reversed orders" in c for c in texts(at, "caption"))


def test_health_page_shows_rates_distribution_and_freshness(reports_db, app_env):
    """Over the whole sale range, the cards count the item fact's items."""
    (items,) = pg.rows(
        reports_db,
        "select"
        " count(*) filter (where not is_reversed) as items,"
        " count(*) filter (where not is_reversed and matched_campaigns_count > 0)"
        "  as attributed,"
        " count(*) filter (where not is_reversed and matched_campaigns_count = 0)"
        "  as k0,"
        " count(*) filter (where not is_reversed and matched_campaigns_count = 1)"
        "  as k1,"
        " count(*) filter (where not is_reversed and matched_campaigns_count = 2)"
        "  as k2,"
        " count(*) filter (where not is_reversed and matched_campaigns_count >= 3)"
        "  as k3,"
        " count(*) filter (where is_reversed) as reversed"
        " from marts.fct_order_item_attribution",
    )
    assert items["reversed"] > 0 and 0 < items["attributed"] < items["items"]
    last_build = pg.scalar(
        reports_db,
        "select max(built_at) from marts.fct_attribution_builds"
        " where model_name = 'fct_order_item_campaign_credits'",
    )
    app_env(reports_db)
    at = app_as("viewer").run()
    at.switch_page("app_pages/health.py").run()
    (sale_dates,) = pg.rows(
        reports_db,
        "select min(sale_date) as first, max(sale_date) as last"
        " from marts.agg_attribution_health_daily",
    )
    whole_range = (sale_dates["first"], sale_dates["last"])
    at.date_input(key="health_dates").set_value(whole_range).run()
    no_errors(at)
    metrics = {m.label: m for m in at.metric}
    rate = items["attributed"] / items["items"]
    assert metrics["Items attributed"].value == f"{rate:.1%}"
    # what a share is "of" is said beside it, never as a change with an arrow
    assert f"{items['attributed']:,} of {items['items']:,} items" in texts(
        at, "caption"
    )
    assert all(metric.delta in (None, "") for metric in at.metric)
    assert metrics["Reversed items"].value == f"{items['reversed']:,}"
    for label, key in (
        ("0 campaigns", "k0"),
        ("1 campaign", "k1"),
        ("2 campaigns", "k2"),
        ("3+ campaigns", "k3"),
    ):
        assert metrics[label].value == f"{items[key]:,}", label
    assert metrics["Credit fact last built"].value == (
        f"{last_build.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
    )


def _open_manage(role: str = "marketer") -> AppTest:
    at = app_as(role).run()
    at.switch_page("app_pages/manage.py").run()
    return at


def test_create_refuses_invalid_input_next_to_the_fields(manage_db, app_env):
    app_env(manage_db)
    before = pg.query(manage_db, "select count(*) from marketing.ad_campaigns")
    at = _open_manage()
    at.text_input(key="create_name").input("")
    at.datetime_input(key="create_ends_at").set_value(datetime(2024, 1, 1))
    # the budget cannot even be typed out of bounds (a negative one or 1e300
    # used to reach the page's code)
    budget = at.number_input(key="create_budget_amount")
    assert budget.min == 0 and budget.max < 1e10
    button(at, "Create campaign").click().run()
    assert set(texts(at, "error")) == {
        "Name is required.",
        "The end must be after the start.",
    }
    assert pg.query(manage_db, "select count(*) from marketing.ad_campaigns") == before


def test_marketer_creates_edits_launches_targets_and_reads_history(manage_db, app_env):
    app_env(manage_db)
    at = _open_manage()
    name = 'Summer \'26 "launch"; drop table x; --'
    at.text_input(key="create_name").input(name)
    at.selectbox(key="create_platform").set_value("tiktok")
    at.datetime_input(key="create_starts_at").set_value(
        datetime.now() - timedelta(hours=1)
    )
    button(at, "Create campaign").click().run()
    no_errors(at)
    assert any("created as DRAFT" in s for s in texts(at, "success"))
    [(campaign_id, stored, created_by)] = pg.query(
        manage_db,
        "select id, name, created_by from marketing.ad_campaigns where name = %s",
        (name,),
    )
    assert (stored, created_by) == (name, "marketer")
    assert at.selectbox(key="manage_selected").value == campaign_id

    section(at, "Status")
    button(at, "Launch").click().run()
    no_errors(at)
    assert any("is now RUNNING" in s for s in texts(at, "success"))

    section(at, "Products")
    at.text_input(key=f"search_{campaign_id}").input("sku-3").run()
    at.multiselect(key=f"chosen_{campaign_id}").set_value([3]).run()
    button(at, "Add products").click().run()
    assert any("Targeted 1 product" in s for s in texts(at, "success"))
    button(at, "Add products").click().run()
    assert any("Already targeted, skipped: 3" in s for s in texts(at, "info"))

    button(at, "Remove product").click().run()
    no_errors(at)
    assert pg.query(
        manage_db,
        "select effective_to is not null from"
        " marketing.ad_campaign_products where campaign_id"
        " = %s",
        (campaign_id,),
    ) == [(True,)]
    section(at, "History")
    history = at.dataframe[-1].value
    assert {"campaign created", "status DRAFT → RUNNING", "product 3 removed"} <= set(
        history["change"]
    )


def _a_draft(params, name: str = "Draft") -> int:
    return campaigns.create_campaign(
        params.url("psycopg"),
        User("marketer", "marketer"),
        CampaignInput(
            name=name,
            platform="google",
            starts_at=datetime.now(UTC) - timedelta(days=1),
        ),
    )


def test_second_editor_is_refused_and_nothing_is_overwritten(manage_db, app_env):
    app_env(manage_db)
    campaign_id = _a_draft(manage_db, "Shared")
    first, second = _open_manage("marketer"), _open_manage("admin")
    for at in (first, second):
        at.selectbox(key="manage_selected").set_value(campaign_id).run()
    version = next(
        t.key for t in first.text_input if t.key and t.key.startswith("edit_")
    )
    first.text_input(key=version).input("Renamed by the marketer")
    button(first, "Save changes").click().run()
    no_errors(first)
    second.text_input(key=version).input("Renamed by the admin")
    button(second, "Save changes").click().run()
    [refusal] = texts(second, "error")
    assert "changed by marketer" in refusal and "Nothing was saved" in refusal
    assert pg.query(
        manage_db,
        "select name from marketing.ad_campaigns where id = %s",
        (campaign_id,),
    ) == [("Renamed by the marketer",)]


def test_refused_write_when_the_role_was_revoked(manage_db, app_env):
    app_env(manage_db)
    campaign_id = _a_draft(manage_db)
    at = _open_manage()
    at.selectbox(key="manage_selected").set_value(campaign_id).run()
    section(at, "Status")
    pg.execute(
        manage_db, "update app.users set role = 'viewer' where username = 'marketer'"
    )
    try:
        button(at, "Launch").click().run()
    finally:
        pg.execute(
            manage_db,
            "update app.users set role = 'marketer' where username = 'marketer'",
        )
    assert any("Not allowed" in e and "marketer role" in e for e in texts(at, "error"))
    assert pg.query(
        manage_db,
        "select status from marketing.ad_campaigns where id = %s",
        (campaign_id,),
    ) == [("DRAFT",)]


def test_delete_only_a_draft(manage_db, app_env):
    app_env(manage_db)
    campaign_id = _a_draft(manage_db, "To delete")
    at = _open_manage()
    at.selectbox(key="manage_selected").set_value(campaign_id).run()
    section(at, "Status")
    delete = button(at, "Delete draft")
    assert delete.disabled
    next(c for c in at.checkbox if c.label.startswith("Yes, delete")).check().run()
    button(at, "Delete draft").click().run()
    no_errors(at)
    assert pg.query(
        manage_db,
        "select count(*) from marketing.ad_campaigns where id = %s",
        (campaign_id,),
    ) == [(0,)]
    running = _a_draft(manage_db, "Running")
    at.run()
    at.selectbox(key="manage_selected").set_value(running).run()
    button(at, "Launch").click().run()
    assert not [b for b in at.button if b.label == "Delete draft"]


def test_admin_debugs_an_order_with_exact_split(reports_db, app_env):
    app_env(reports_db)
    # the item with the most matching campaigns, and its order
    [(order_id, order_item_id, k, revenue)] = pg.query(
        reports_db,
        "select order_id, order_item_id, matched_campaigns_count, item_revenue"
        " from marts.fct_order_item_attribution"
        " order by matched_campaigns_count desc, order_item_id limit 1",
    )
    at = app_as("admin").run()
    at.switch_page("app_pages/admin.py").run()
    at.number_input(key="debug_order").set_value(order_id).run()
    no_errors(at)
    table = at.dataframe[0].value
    item = table[table["order_item_id"] == order_item_id]
    matched = item[item["matched_campaigns_count"].notna()]
    assert len(matched) == k
    # SPLIT adds up to the item's revenue to the cent; FULL gives each all
    assert sum(matched["split_revenue"]) == revenue
    assert set(matched["full_revenue"]) == {revenue}


def test_admin_corrections_need_a_reason_and_recompute_reports_runs(
    manage_db, app_env, monkeypatch
):
    app_env(manage_db)
    campaign_id = _a_draft(manage_db, "Corrected")
    at = app_as("admin").run()
    at.switch_page("app_pages/admin.py").run()
    section(at, "Backdated corrections", key="admin_section")
    at.selectbox(key="correction_campaign").set_value(campaign_id).run()
    button(at, "Record status correction").click().run()
    assert any("needs a reason" in e for e in texts(at, "error"))

    with fake_dagster() as fake:
        monkeypatch.setenv("DAGSTER_GRAPHQL_URL", fake.url)
        section(at, "Recompute", key="admin_section")
        at.number_input[0].set_value(7)
        button(at, "Recompute this order").click().run()
        no_errors(at)
        assert any("run-1 launched" in s for s in texts(at, "success"))
        assert any("SUCCESS" in m for m in texts(at, "markdown"))
    assert fake.launches[0]["runConfigData"]["ops"]["attribution_dbt_assets"][
        "config"
    ] == {"order_ids": [7]}
