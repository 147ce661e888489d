"""Every write of the data layer, fed anything: it writes a valid row or
raises the layer's own validation error, never anything else, never half."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.data import campaigns
from dashboard.data import users as accounts
from dashboard.data.campaigns import CampaignInput, ValidationError
from dashboard.data.users import SignInThrottled, User
from marketing import rules
from tests import pg

NOW = datetime.now(UTC).replace(microsecond=0)
MARKETER = User("marketer", "marketer")
ADMIN = User("admin", "admin")

PROPERTY = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    database=None,
)

# text as people paste it: anything, plus the classics of breaking things
texts = st.one_of(
    st.none(),
    st.text(max_size=300),
    st.sampled_from(
        [
            "",
            "   ",
            "a\x00b",
            "**bold** [x](javascript:alert(1))",
            "'; drop table marketing.ad_campaigns; --",
            "n" * 256,
            "\u202eevil",
        ]
    ),
)
moments = st.one_of(
    st.none(),
    st.datetimes(
        min_value=datetime(1, 1, 2),
        max_value=datetime(9999, 12, 30),
        timezones=st.just(UTC),
    ),
    st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)
    ),  # naive: read as UTC
    st.sampled_from([NOW, NOW - timedelta(days=3), NOW + timedelta(days=3)]),
)
amounts = st.one_of(
    st.none(),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.decimals(min_value=-10, max_value=10**11, places=2),
)
campaign_inputs = st.builds(
    CampaignInput,
    name=texts,
    platform=st.one_of(st.sampled_from(rules.PLATFORMS), st.text(max_size=12)),
    starts_at=moments,
    ends_at=moments,
    budget_type=st.one_of(
        st.sampled_from((None, *rules.BUDGET_TYPES)), st.text(max_size=9)
    ),
    budget_amount=amounts,
    notes=texts,
)
statuses = st.one_of(st.sampled_from(tuple(rules.TRANSITIONS)), st.text(max_size=8))


@pytest.fixture(scope="module")
def db(users_db):
    """This module's database: products and a user per role."""
    return users_db


def state(db) -> list[tuple]:
    """Everything a write may touch, to show that a refusal changed nothing."""
    return pg.query(
        db,
        "select (select coalesce(jsonb_agg(c order by c.id), '[]') from"
        " marketing.ad_campaigns as c),"
        " (select count(*) from marketing.ad_campaign_status_events),"
        " (select coalesce(jsonb_agg(t order by t.id), '[]') from"
        " marketing.ad_campaign_products as t),"
        " (select count(*) from app.audit_log),"
        " (select coalesce(jsonb_agg(u order by u.id), '[]') from app.users as u)",
    )


def a_campaign(url: str, launched: bool) -> tuple[int, datetime]:
    campaign_id = campaigns.create_campaign(
        url,
        MARKETER,
        CampaignInput("Property", "google", starts_at=NOW - timedelta(days=30)),
    )
    if launched:
        campaigns.change_status(url, MARKETER, campaign_id, "RUNNING", None)
    return campaign_id, campaigns.get_campaign(url, campaign_id)["updated_at"]


@PROPERTY
@given(data=campaign_inputs)
def test_create_writes_a_valid_draft_or_refuses_cleanly(db, data):
    url = db.url("psycopg")
    before = state(db)
    try:
        campaign_id = campaigns.create_campaign(url, MARKETER, data)
    except ValidationError as refused:
        assert refused.errors
        assert state(db) == before
        return
    row = campaigns.get_campaign(url, campaign_id)
    assert row["name"] == data.name and row["name"].strip()
    assert row["platform"] in rules.PLATFORMS and row["status"] == "DRAFT"
    assert row["ends_at"] is None or row["ends_at"] > row["starts_at"]


@PROPERTY
@given(data=campaign_inputs, reason=texts, launched=st.booleans())
def test_update_saves_or_refuses_cleanly(db, data, reason, launched):
    url = db.url("psycopg")
    campaign_id, token = a_campaign(url, launched)
    before = state(db)
    try:
        campaigns.update_campaign(url, ADMIN, campaign_id, data, token, reason=reason)
    except ValidationError:
        assert state(db) == before
        return
    row = campaigns.get_campaign(url, campaign_id)
    assert row["name"] == data.name
    assert row["ends_at"] is None or row["ends_at"] > row["starts_at"]


@PROPERTY
@given(moves=st.lists(st.tuples(statuses, moments, texts), min_size=1, max_size=4))
def test_status_changes_keep_a_valid_history_or_refuse_cleanly(db, moves):
    url = db.url("psycopg")
    campaign_id, _ = a_campaign(url, launched=False)
    for to_status, changed_at, reason in moves:
        before = state(db)
        try:
            campaigns.change_status(
                url, ADMIN, campaign_id, to_status, None, changed_at, reason
            )
        except ValidationError:
            assert state(db) == before
    # whatever happened, the history is a path of the graph from DRAFT and
    # the campaign's status is its latest event
    events = pg.query(
        db,
        "select to_status from marketing.ad_campaign_status_events"
        " where campaign_id = %s order by changed_at, id",
        (campaign_id,),
    )
    path = [status for (status,) in events]
    assert path[0] == "DRAFT"
    for before_, after in zip(path, path[1:], strict=False):
        assert after in rules.TRANSITIONS[before_]
    assert campaigns.get_campaign(url, campaign_id)["status"] == path[-1]


@PROPERTY
@given(
    product_ids=st.one_of(
        st.lists(st.integers(), max_size=4),
        st.lists(st.integers(min_value=1, max_value=7), max_size=4),
        st.lists(st.text(max_size=4), max_size=2),
    ),
    effective_from=moments,
    effective_to=moments,
    reason=texts,
    remove=st.one_of(st.integers(), st.integers(min_value=1, max_value=5)),
)
def test_targeting_writes_windows_or_refuses_cleanly(
    db, product_ids, effective_from, effective_to, reason, remove
):
    url = db.url("psycopg")
    campaign_id, _ = a_campaign(url, launched=True)
    before = state(db)
    try:
        campaigns.add_products(
            url, ADMIN, campaign_id, product_ids, effective_from, effective_to, reason
        )
    except ValidationError:
        assert state(db) == before
    before = state(db)
    try:
        campaigns.remove_product(url, ADMIN, campaign_id, remove)
    except ValidationError:
        assert state(db) == before
    assert not pg.query(
        db,
        "select 1 from marketing.ad_campaign_products where campaign_id = %s"
        " and (effective_to <= effective_from"
        " or effective_from < (select starts_at from marketing.ad_campaigns"
        " where id = %s))",
        (campaign_id, campaign_id),
    )


@PROPERTY
@given(launched=st.booleans())
def test_delete_removes_a_draft_whole_or_refuses_cleanly(db, launched):
    url = db.url("psycopg")
    campaign_id, token = a_campaign(url, launched)
    before = state(db)
    try:
        campaigns.delete_campaign(url, MARKETER, campaign_id, token)
    except ValidationError:
        assert launched
        assert state(db) == before
        return
    assert not launched
    assert pg.query(
        db,
        "select (select count(*) from marketing.ad_campaign_status_events"
        " where campaign_id = %s), (select count(*) from marketing.ad_campaigns"
        " where id = %s)",
        (campaign_id, campaign_id),
    ) == [(0, 0)]


@PROPERTY
@given(
    username=st.one_of(st.text(max_size=80), st.just("someone")),
    password=st.one_of(st.text(max_size=100), st.just("é" * 40)),
    role=st.one_of(st.sampled_from(accounts.ROLES), st.text(max_size=6)),
)
def test_user_writes_and_sign_ins_never_fail_otherwise(db, username, password, role):
    url = db.url("psycopg")
    before = state(db)
    try:
        accounts.add_user(url, username, password, role, created_by="property")
    except ValueError:
        assert state(db) == before
    before = state(db)
    try:
        accounts.set_password(url, username, password, role, actor="property")
    except ValueError:
        assert state(db) == before
    try:
        user = accounts.authenticate(url, username, password)
    except SignInThrottled:
        return
    assert user is None or user.role in accounts.ROLES
