"""Campaign writes against a real database: validation, roles, the status
graph, targeting rules, optimistic concurrency and hostile text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from dashboard.data import campaigns
from dashboard.data.campaigns import (
    CampaignInput,
    ConcurrencyError,
    ValidationError,
)
from dashboard.data.users import User, add_user, authenticate
from tests import pg
from tests.dashboard.conftest import PASSWORD
from warehouse import credentials

HOSTILE = [
    "x'); drop table marketing.ad_campaigns; --",
    "Robert'); DROP TABLE app.users;--",
    "%_\\' or 1=1 --",
    "$$; delete from erp.products; $$",
]


@pytest.fixture
def db(users_db):
    """The shared database, emptied of campaigns and back to one user per role."""
    pg.empty_marketing(users_db)
    pg.execute(
        users_db,
        "delete from erp.products where id > 5;"
        " delete from app.users where username not in"
        " ('viewer', 'marketer', 'admin');"
        " update app.users set role = username, is_active = true",
    )
    return users_db


@pytest.fixture
def url(db) -> str:
    """The app's data layer as deployed: the app's own database role."""
    return db.as_role(credentials.APP).url("psycopg")


# a fixed start: two saves of "the same form" must compare equal
START = (datetime.now(UTC) - timedelta(days=1)).replace(microsecond=0)


def a_campaign(**overrides) -> CampaignInput:
    values = dict(
        name="Spring sale",
        platform="google",
        starts_at=START,
        ends_at=None,
        budget_type="DAILY",
        budget_amount=Decimal("50.00"),
        notes=None,
    )
    values.update(overrides)
    return CampaignInput(**values)


def counts(db) -> tuple[int, int, int]:
    return pg.query(
        db,
        "select (select count(*) from marketing.ad_campaigns),"
        " (select count(*) from marketing.ad_campaign_status_events),"
        " (select count(*) from marketing.ad_campaign_products)",
    )[0]


def token(url: str, campaign_id: int) -> datetime:
    return campaigns.get_campaign(url, campaign_id)["updated_at"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "n" * 256}, "name"),
        ({"platform": "myspace"}, "platform"),
        ({"starts_at": None}, "starts_at"),
        ({"ends_at": datetime(2000, 1, 1, tzinfo=UTC)}, "ends_at"),
        ({"budget_amount": Decimal("-0.01")}, "budget_amount"),
        ({"budget_type": "WEEKLY"}, "budget_type"),
    ],
)
def test_invalid_campaign_is_refused_per_field_and_nothing_written(
    db, url, users, overrides, field
):
    with pytest.raises(ValidationError) as refused:
        campaigns.create_campaign(url, users["marketer"], a_campaign(**overrides))
    assert field in refused.value.errors
    assert counts(db) == (0, 0, 0)


def test_boundary_values_are_accepted(db, url, users):
    start = datetime(2030, 1, 1, tzinfo=UTC)
    campaign_id = campaigns.create_campaign(
        url,
        users["marketer"],
        a_campaign(
            name="n" * 255,
            budget_amount=Decimal("0"),
            starts_at=start,
            ends_at=start + timedelta(seconds=1),
        ),
    )
    assert campaigns.get_campaign(url, campaign_id)["name"] == "n" * 255


def test_create_records_the_user_and_a_first_draft_event(db, url, users):
    campaign_id = campaigns.create_campaign(url, users["marketer"], a_campaign())
    row = campaigns.get_campaign(url, campaign_id)
    assert (row["status"], row["created_by"], row["updated_by"]) == (
        "DRAFT",
        "marketer",
        "marketer",
    )
    assert pg.query(
        db,
        "select from_status, to_status, changed_by"
        " from marketing.ad_campaign_status_events where campaign_id = %s",
        (campaign_id,),
    ) == [(None, "DRAFT", "marketer")]


def test_viewer_cannot_write_anything(db, url, users):
    marketer = campaigns.create_campaign(url, users["marketer"], a_campaign())
    viewer = users["viewer"]
    attempts = [
        lambda: campaigns.create_campaign(url, viewer, a_campaign()),
        lambda: campaigns.update_campaign(
            url, viewer, marketer, a_campaign(name="hijacked"), token(url, marketer)
        ),
        lambda: campaigns.change_status(
            url, viewer, marketer, "RUNNING", token(url, marketer)
        ),
        lambda: campaigns.delete_campaign(url, viewer, marketer, None),
        lambda: campaigns.add_products(url, viewer, marketer, [1]),
        lambda: campaigns.remove_product(url, viewer, marketer, 1),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionError, match="marketer role"):
            attempt()
    assert counts(db) == (1, 1, 0)
    assert campaigns.get_campaign(url, marketer)["name"] == "Spring sale"


def test_the_role_in_the_database_decides_not_the_session(db, url, users):
    pg.execute(db, "update app.users set role = 'viewer' where username = 'marketer'")
    with pytest.raises(PermissionError):
        campaigns.create_campaign(url, users["marketer"], a_campaign())
    pg.execute(db, "update app.users set is_active = false where username = 'admin'")
    with pytest.raises(PermissionError, match="not an active user"):
        campaigns.create_campaign(url, users["admin"], a_campaign())
    with pytest.raises(PermissionError):
        campaigns.create_campaign(url, User("nobody", "admin"), a_campaign())


def test_status_moves_only_along_the_graph_with_its_event(db, url, users):
    marketer = users["marketer"]
    campaign_id = campaigns.create_campaign(url, marketer, a_campaign())
    for refused in ("PAUSED", "ENDED", "DRAFT"):
        with pytest.raises(ValidationError, match="not allowed"):
            campaigns.change_status(
                url, marketer, campaign_id, refused, token(url, campaign_id)
            )
    for target in ("RUNNING", "PAUSED", "RUNNING", "ENDED"):
        campaigns.change_status(
            url, marketer, campaign_id, target, token(url, campaign_id)
        )
        assert campaigns.get_campaign(url, campaign_id)["status"] == target
    with pytest.raises(ValidationError, match="final"):
        campaigns.change_status(
            url, marketer, campaign_id, "RUNNING", token(url, campaign_id)
        )
    events = pg.query(
        db,
        "select from_status, to_status, changed_by from"
        " marketing.ad_campaign_status_events where campaign_id = %s"
        " order by changed_at, id",
        (campaign_id,),
    )
    assert events == [
        (None, "DRAFT", "marketer"),
        ("DRAFT", "RUNNING", "marketer"),
        ("RUNNING", "PAUSED", "marketer"),
        ("PAUSED", "RUNNING", "marketer"),
        ("RUNNING", "ENDED", "marketer"),
    ]


def test_status_change_and_event_are_one_transaction(db, url, users):
    campaign_id = campaigns.create_campaign(url, users["marketer"], a_campaign())
    # an event the database refuses must leave the campaign's status alone
    pg.execute(
        db,
        "alter table marketing.ad_campaign_status_events add constraint"
        " refuse_all check (false) not valid",
    )
    try:
        with pytest.raises(ValidationError):
            campaigns.change_status(
                url, users["marketer"], campaign_id, "RUNNING", token(url, campaign_id)
            )
    finally:
        pg.execute(
            db,
            "alter table marketing.ad_campaign_status_events"
            " drop constraint refuse_all",
        )
    assert campaigns.get_campaign(url, campaign_id)["status"] == "DRAFT"


def test_second_save_of_the_same_version_is_refused(db, url, users):
    campaign_id = campaigns.create_campaign(url, users["marketer"], a_campaign())
    opened = token(url, campaign_id)  # both people open the same version
    campaigns.update_campaign(
        url, users["marketer"], campaign_id, a_campaign(name="First"), opened
    )
    with pytest.raises(ConcurrencyError, match="changed by marketer"):
        campaigns.update_campaign(
            url, users["admin"], campaign_id, a_campaign(name="Second"), opened
        )
    with pytest.raises(ConcurrencyError):
        campaigns.change_status(url, users["admin"], campaign_id, "RUNNING", opened)
    with pytest.raises(ConcurrencyError):
        campaigns.delete_campaign(url, users["admin"], campaign_id, opened)
    row = campaigns.get_campaign(url, campaign_id)
    assert (row["name"], row["status"]) == ("First", "DRAFT")


def test_only_drafts_can_be_deleted(db, url, users):
    marketer = users["marketer"]
    draft = campaigns.create_campaign(url, marketer, a_campaign())
    running = campaigns.create_campaign(url, marketer, a_campaign())
    campaigns.change_status(url, marketer, running, "RUNNING", token(url, running))
    with pytest.raises(ValidationError, match="Only DRAFT"):
        campaigns.delete_campaign(url, marketer, running, token(url, running))
    campaigns.delete_campaign(url, marketer, draft, token(url, draft))
    assert campaigns.get_campaign(url, draft) is None
    assert campaigns.get_campaign(url, running) is not None
    assert pg.query(
        db, "select actor from app.audit_log where action = 'campaign.deleted'"
    ) == [("marketer",)]


def test_adding_products_defaults_to_now_skips_targeted_ones(db, url, users):
    marketer = users["marketer"]
    campaign_id = campaigns.create_campaign(url, marketer, a_campaign())
    first = campaigns.add_products(url, marketer, campaign_id, [1, 2])
    assert (first.added, first.already_targeted) == ([1, 2], [])
    second = campaigns.add_products(url, marketer, campaign_id, [2, 3])
    assert (second.added, second.already_targeted) == ([3], [2])
    rows = pg.query(
        db,
        "select product_id, effective_from > now() - interval '1"
        " minute', effective_to, created_by from"
        " marketing.ad_campaign_products order by product_id",
    )
    assert rows == [
        (1, True, None, "marketer"),
        (2, True, None, "marketer"),
        (3, True, None, "marketer"),
    ]


def test_targeting_may_not_precede_the_campaign_start(db, url, users):
    start = datetime.now(UTC) + timedelta(days=2)
    campaign_id = campaigns.create_campaign(
        url, users["marketer"], a_campaign(starts_at=start)
    )
    with pytest.raises(ValidationError) as refused:
        campaigns.add_products(url, users["marketer"], campaign_id, [1])
    assert "effective_from" in refused.value.errors
    result = campaigns.add_products(
        url, users["marketer"], campaign_id, [1], effective_from=start
    )
    assert result.added == [1]
    with pytest.raises(ValidationError, match="Unknown product"):
        campaigns.add_products(
            url, users["marketer"], campaign_id, [999], effective_from=start
        )


def test_removing_a_product_ends_its_window_and_keeps_the_row(db, url, users):
    marketer = users["marketer"]
    campaign_id = campaigns.create_campaign(url, marketer, a_campaign())
    pg.execute(
        db,
        "insert into marketing.ad_campaign_products (campaign_id,"
        " product_id, effective_from) values (%s, 1, now() - interval"
        " '1 hour')",
        (campaign_id,),
    )
    campaigns.remove_product(url, marketer, campaign_id, 1)
    rows = pg.query(
        db,
        "select effective_to is not null,"
        " effective_to > now() - interval '1 minute'"
        " from marketing.ad_campaign_products",
    )
    assert rows == [(True, True)]
    with pytest.raises(ValidationError, match="not targeted now"):
        campaigns.remove_product(url, marketer, campaign_id, 1)
    # re-adding starts a new window; the old one stays in the history
    assert campaigns.add_products(url, marketer, campaign_id, [1]).added == [1]
    assert len(campaigns.targeted_products(url, campaign_id)) == 2
    changes = campaigns.history(url, campaign_id)["change"].tolist()
    assert "product 1 removed" in changes


def test_backdated_corrections_need_an_admin_and_a_reason(db, url, users):
    marketer, admin = users["marketer"], users["admin"]
    start = datetime.now(UTC) - timedelta(days=10)
    # a campaign created and launched ten days ago
    campaign_id = pg.scalar(
        db,
        "insert into marketing.ad_campaigns (name, platform, status, starts_at)"
        " values ('Old', 'google', 'RUNNING', %s) returning id",
        (start,),
    )
    pg.execute(
        db,
        "insert into marketing.ad_campaign_status_events (campaign_id,"
        " from_status, to_status, changed_at) values (%s, null, 'DRAFT',"
        " %s), (%s, 'DRAFT', 'RUNNING', %s)",
        (campaign_id, start, campaign_id, start),
        role=credentials.OWNER,  # its past, set up before the test
    )
    last_week = datetime.now(UTC) - timedelta(days=7)
    with pytest.raises(PermissionError):
        campaigns.change_status(
            url,
            marketer,
            campaign_id,
            "PAUSED",
            None,
            changed_at=last_week,
            reason="forgot",
        )
    with pytest.raises(ValidationError, match="reason"):
        campaigns.change_status(
            url, admin, campaign_id, "PAUSED", None, changed_at=last_week, reason=" "
        )
    campaigns.change_status(
        url,
        admin,
        campaign_id,
        "PAUSED",
        None,
        changed_at=last_week,
        reason="paused on Google",
    )
    assert pg.query(
        db,
        "select from_status, to_status, changed_by, reason,"
        " created_at > changed_at from marketing.ad_campaign_status_events"
        " where reason is not null",
    ) == [("RUNNING", "PAUSED", "admin", "paused on Google", True)]
    # the history stays a path of the graph: ENDED cannot precede a later event
    with pytest.raises(ValidationError, match="contradicts"):
        campaigns.change_status(
            url,
            admin,
            campaign_id,
            "ENDED",
            None,
            changed_at=last_week - timedelta(days=1),
            reason="x",
        )
    with pytest.raises(PermissionError):
        campaigns.add_products(
            url, marketer, campaign_id, [4], effective_from=last_week, reason="late"
        )
    with pytest.raises(ValidationError, match="reason"):
        campaigns.add_products(url, admin, campaign_id, [4], effective_from=last_week)
    campaigns.add_products(
        url,
        admin,
        campaign_id,
        [4],
        effective_from=last_week,
        effective_to=last_week + timedelta(days=1),
        reason="targeted by hand",
    )
    assert pg.query(
        db, "select created_by, reason from marketing.ad_campaign_products"
    ) == [("admin", "targeted by hand")]
    # the database recorded both corrections, with the role that wrote them
    assert pg.query(
        db,
        "select actor, details ->> 'table', reason from app.audit_log"
        " where action = 'correction.recorded' order by id",
    ) == [
        (credentials.APP, "ad_campaign_status_events", "paused on Google"),
        (credentials.APP, "ad_campaign_products", "targeted by hand"),
    ]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_is_stored_verbatim_and_harmless(db, url, users, text):
    admin = users["admin"]
    campaign_id = campaigns.create_campaign(
        url, admin, a_campaign(name=text, notes=text)
    )
    campaigns.update_campaign(
        url,
        admin,
        campaign_id,
        a_campaign(name=text + "!", notes=text),
        token(url, campaign_id),
    )
    row = campaigns.get_campaign(url, campaign_id)
    assert (row["name"], row["notes"]) == (text + "!", text)
    campaigns.change_status(url, admin, campaign_id, "RUNNING", None, reason=text)
    assert campaigns.search_products(url, text).empty
    assert len(campaigns.search_products(url, "sku-")) == 5
    add_user(url, text[:60], PASSWORD, "viewer", created_by="tests")
    assert authenticate(url, text[:60], PASSWORD) == User(text[:60], "viewer")
    assert authenticate(url, "admin' --", "x") is None
    assert pg.query(db, "select count(*) from erp.products") == [(5,)]
    assert pg.query(db, "select count(*) from app.users") == [(4,)]
    assert pg.query(
        db,
        "select reason from marketing.ad_campaign_status_events"
        " where reason is not null",
    ) == [(text,)]


def test_search_treats_wildcards_as_letters(db, url):
    pg.execute(
        db,
        "insert into erp.products (id, name, sku, created_at,"
        " updated_at) values (50, %s, 'TS_1', now(), now())",
        ("100% cotton",),
    )
    assert campaigns.search_products(url, "100%")["product_id"].tolist() == [50]
    assert campaigns.search_products(url, "S_1")["product_id"].tolist() == [50]
    assert campaigns.search_products(url, "%").shape[0] == 1


def test_history_shows_every_change_with_who(db, url, users):
    marketer = users["marketer"]
    campaign_id = campaigns.create_campaign(url, marketer, a_campaign())
    campaigns.update_campaign(
        url, marketer, campaign_id, a_campaign(name="Renamed"), token(url, campaign_id)
    )
    campaigns.add_products(url, marketer, campaign_id, [2])
    campaigns.change_status(
        url, marketer, campaign_id, "RUNNING", token(url, campaign_id)
    )
    history = campaigns.history(url, campaign_id)
    changes = history["change"].tolist()
    assert "campaign created" in changes
    assert "edited: name Spring sale → Renamed" in changes
    assert "status DRAFT → RUNNING" in changes
    assert any(
        change.startswith("product 2 (SKU-2) targeted from") for change in changes
    )
    assert set(history["changed_by"]) == {"marketer"}
