"""Flight corrections, sign-in throttling and bad input, through the data layer."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from dashboard import user_admin
from dashboard.data import campaigns
from dashboard.data import users as accounts
from dashboard.data.campaigns import CampaignInput, ValidationError
from dashboard.data.users import SignInThrottled
from tests import pg
from tests.dashboard.conftest import PASSWORD

NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def db(users_db):
    pg.empty_marketing(users_db)
    pg.execute(users_db, "update app.users set role = username, is_active = true")
    return users_db


@pytest.fixture
def url(db) -> str:
    return db.url("psycopg")


def a_campaign(**overrides) -> CampaignInput:
    values = dict(
        name="Autumn sale",
        platform="google",
        starts_at=NOW - timedelta(days=10),
        ends_at=None,
        budget_type=None,
        budget_amount=None,
        notes=None,
    )
    values.update(overrides)
    return CampaignInput(**values)


def token(url: str, campaign_id: int) -> datetime:
    return campaigns.get_campaign(url, campaign_id)["updated_at"]


def launched(url: str, users_: dict) -> int:
    campaign_id = campaigns.create_campaign(url, users_["marketer"], a_campaign())
    campaigns.change_status(
        url, users_["marketer"], campaign_id, "RUNNING", token(url, campaign_id)
    )
    return campaign_id


# -- flight edits after launch are corrections --------------------------------


def test_a_marketer_cannot_move_a_launched_start_to_now(db, url, users):
    """Moving campaign 6's start to now erased its past credits, untraced."""
    campaign_id = launched(url, users)
    before = campaigns.get_campaign(url, campaign_id)
    with pytest.raises(PermissionError, match="correction"):
        campaigns.update_campaign(
            url,
            users["marketer"],
            campaign_id,
            a_campaign(starts_at=NOW),
            before["updated_at"],
            reason="because",
        )
    with pytest.raises(PermissionError, match="correction"):
        campaigns.update_campaign(
            url,
            users["marketer"],
            campaign_id,
            a_campaign(ends_at=NOW - timedelta(days=2)),
            before["updated_at"],
        )
    assert campaigns.get_campaign(url, campaign_id) == before


def test_an_admin_corrects_with_a_reason_shown_in_the_history(db, url, users):
    campaign_id = launched(url, users)
    admin = users["admin"]
    with pytest.raises(ValidationError) as refused:
        campaigns.update_campaign(
            url, admin, campaign_id, a_campaign(starts_at=NOW), token(url, campaign_id)
        )
    assert "reason" in refused.value.errors
    campaigns.update_campaign(
        url,
        admin,
        campaign_id,
        a_campaign(starts_at=NOW - timedelta(days=5)),
        token(url, campaign_id),
        reason="ads went live five days late",
    )
    assert pg.query(
        db,
        "select actor, reason from app.audit_log where action = 'campaign.corrected'",
    ) == [("admin", "ads went live five days late")]
    history = campaigns.history(url, campaign_id)
    corrected = history[history["change"].str.startswith("corrected: ")]
    assert list(corrected["reason"]) == ["ads went live five days late"]
    assert "starts_at" in corrected["change"].iloc[0]


def test_future_only_edits_of_a_launched_campaign_stay_with_marketers(db, url, users):
    campaign_id = launched(url, users)
    end = NOW + timedelta(days=30)
    campaigns.update_campaign(
        url,
        users["marketer"],
        campaign_id,
        a_campaign(ends_at=end, name="Autumn sale, extended"),
        token(url, campaign_id),
    )
    row = campaigns.get_campaign(url, campaign_id)
    assert (row["ends_at"], row["name"]) == (end, "Autumn sale, extended")
    assert pg.query(
        db, "select count(*) from app.audit_log where action = 'campaign.corrected'"
    ) == [(0,)]


def test_a_draft_moves_freely(db, url, users):
    campaign_id = campaigns.create_campaign(url, users["marketer"], a_campaign())
    campaigns.update_campaign(
        url,
        users["marketer"],
        campaign_id,
        a_campaign(starts_at=NOW - timedelta(days=40)),
        token(url, campaign_id),
    )


# -- sign-in ------------------------------------------------------------------


def sign_ins(db) -> list[tuple[str, str]]:
    return pg.query(
        db,
        "select action, details ->> 'username' from app.audit_log"
        " where action like 'sign_in.%%' order by id",
    )


def test_repeated_failures_slow_down_the_next_try_and_are_recorded(db, url):
    for _ in range(accounts.FREE_FAILURES):
        assert accounts.authenticate(url, "Marketer", "wrong password") is None
    # the next try waits, even with the right password
    with pytest.raises(SignInThrottled, match="try again in"):
        accounts.authenticate(url, "marketer", PASSWORD)
    assert sign_ins(db) == [("sign_in.failed", "marketer")] * accounts.FREE_FAILURES + [
        ("sign_in.throttled", "marketer")
    ]
    # other names are not held back
    assert accounts.authenticate(url, "admin", PASSWORD).role == "admin"
    assert sign_ins(db)[-1] == ("sign_in.succeeded", "admin")


def test_delays_grow_then_the_name_is_locked(db, url):
    delays = [accounts.delay_after(n) for n in range(accounts.LOCKOUT_FAILURES + 1)]
    assert delays[: accounts.FREE_FAILURES] == [timedelta(0)] * accounts.FREE_FAILURES
    growing = delays[accounts.FREE_FAILURES : accounts.LOCKOUT_FAILURES]
    assert growing == sorted(growing) and growing[0] < growing[-1]
    assert delays[-1] == accounts.LOCKOUT
    # ten failures recorded (as the log would hold them): the name is locked
    pg.execute(
        db,
        "insert into app.audit_log (actor, action, details)"
        " select 'viewer', 'sign_in.failed',"
        ' \'{"username": "viewer", "client": "local"}\''
        " from generate_series(1, %s)",
        (accounts.LOCKOUT_FAILURES,),
    )
    with pytest.raises(SignInThrottled, match="locked") as locked:
        accounts.authenticate(url, "viewer", PASSWORD)
    assert locked.value.locked and locked.value.wait > timedelta(minutes=10)


ATTACKER, ADMIN_DESK = "203.0.113.66", "198.51.100.7"


def test_nobody_locks_the_admin_out_from_another_client(db, url):
    for _ in range(accounts.LOCKOUT_FAILURES + 2):
        with contextlib.suppress(SignInThrottled):
            accounts.authenticate(url, "admin", "guess", client=ATTACKER)
    # the attacker's client is locked out of the name...
    with pytest.raises(SignInThrottled):
        accounts.authenticate(url, "admin", PASSWORD, client=ATTACKER)
    # ...the admin's own is not
    assert accounts.authenticate(url, "admin", PASSWORD, client=ADMIN_DESK).role == (
        "admin"
    )


def test_a_client_guessing_many_names_is_throttled(db, url):
    for number in range(accounts.CLIENT_FREE_FAILURES):
        assert (
            accounts.authenticate(url, f"name{number}", "guess", client=ATTACKER)
            is None
        )
    with pytest.raises(SignInThrottled):
        accounts.authenticate(url, "viewer", PASSWORD, client=ATTACKER)
    assert accounts.authenticate(url, "viewer", PASSWORD, client=ADMIN_DESK)


def test_repeated_throttled_attempts_write_one_row_not_one_each(db, url):
    for _ in range(accounts.LOCKOUT_FAILURES):
        with contextlib.suppress(SignInThrottled):
            accounts.authenticate(url, "admin", "guess")
    before = pg.scalar(db, "select count(*) from app.audit_log")
    for _ in range(200):
        with pytest.raises(SignInThrottled):
            accounts.authenticate(url, "admin", "guess")
    assert pg.scalar(db, "select count(*) from app.audit_log") <= before + 1


def test_the_cli_unlocks_a_locked_name_and_client(db, url, app_env, capsys):
    pg.execute(
        db,
        "insert into app.audit_log (actor, action, details)"
        " select 'admin', 'sign_in.failed', jsonb_build_object('username', 'admin',"
        " 'client', %s::text) from generate_series(1, %s)",
        (ADMIN_DESK, accounts.CLIENT_LOCKOUT_FAILURES),
    )
    with pytest.raises(SignInThrottled, match="locked"):
        accounts.authenticate(url, "admin", PASSWORD, client=ADMIN_DESK)
    app_env(db)
    assert user_admin.main(["unlock", "admin", "--client", ADMIN_DESK]) == 0
    assert "unlocked user admin and client" in capsys.readouterr().out
    assert accounts.authenticate(url, "admin", PASSWORD, client=ADMIN_DESK)


def test_unknown_names_and_oversized_passwords_fail_quietly(db, url):
    assert accounts.authenticate(url, "nobody", "whatever") is None
    assert accounts.authenticate(url, "admin", "p" * 100) is None
    assert accounts.authenticate(url, "ad\x00min", PASSWORD) is None
    assert accounts.authenticate(url, "x" * 500, PASSWORD) is None
    actions = [action for action, _ in sign_ins(db)]
    assert actions == ["sign_in.failed"] * 4
    with pytest.raises(ValueError, match="72 bytes"):
        accounts.add_user(url, "long", "é" * 40, "viewer", created_by="tests")


def test_a_role_change_reaches_an_open_session_on_refresh(db, url):
    user = accounts.authenticate(url, "marketer", PASSWORD)
    pg.execute(db, "update app.users set role = 'viewer' where username = 'marketer'")
    assert accounts.refresh(url, user).role == "viewer"
    pg.execute(db, "update app.users set is_active = false where username = 'marketer'")
    assert accounts.refresh(url, user) is None


# -- bad input is a field message, never a database error ----------------------


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": "nul\x00byte"}, "name"),
        ({"notes": "nul\x00byte"}, "notes"),
        ({"notes": "n" * (campaigns.MAX_NOTES_LENGTH + 1)}, "notes"),
        ({"budget_amount": Decimal("1e300")}, "budget_amount"),
        ({"budget_amount": Decimal("NaN")}, "budget_amount"),
        ({"starts_at": "yesterday"}, "starts_at"),
    ],
)
def test_out_of_bounds_input_is_a_field_message(db, url, users, overrides, field):
    with pytest.raises(ValidationError) as refused:
        campaigns.create_campaign(url, users["marketer"], a_campaign(**overrides))
    assert field in refused.value.errors
    assert pg.query(db, "select count(*) from marketing.ad_campaigns") == [(0,)]


def test_nul_in_a_reason_is_a_field_message(db, url, users):
    campaign_id = launched(url, users)
    with pytest.raises(ValidationError) as refused:
        campaigns.change_status(
            url,
            users["admin"],
            campaign_id,
            "PAUSED",
            token(url, campaign_id),
            changed_at=NOW - timedelta(days=1),
            reason="bad\x00reason",
        )
    assert "reason" in refused.value.errors
