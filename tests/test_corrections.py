"""Nothing rewrites reported credits without a reason, whoever writes.

Each test attacks the database as a review from outside did: with the app's
database role (or the admin connection), straight SQL, no app code in the
way. docs/rules.md, "What the database refuses".
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from tests import pg
from tests.sources import Sources
from warehouse import credentials

NOW = datetime.now(UTC).replace(microsecond=0)
T0 = NOW - timedelta(days=40)
REASON = "the platform paused it on the 10th; nobody recorded it"


def at(day: float) -> datetime:
    return T0 + timedelta(days=day)


def _as(db, role: str | None) -> psycopg.Connection:
    """A connection as `role` (None: the admin connection, a superuser)."""
    params = db if role is None else db.as_role(role)
    return psycopg.connect(params.conninfo(), autocommit=True)


def _ran(db, campaign_id: int = 1) -> Sources:
    """A campaign launched 39 days ago and running since, targeting product 7."""
    src = Sources(db)
    src.campaign(campaign_id, at(0), events=(("DRAFT", at(0)), ("RUNNING", at(1))))
    src.target(campaign_id, 7, at(1))
    return src


def _events(db, campaign_id: int = 1) -> list[tuple]:
    return pg.query(
        db,
        "select to_status, changed_at, reason from marketing.ad_campaign_status_events"
        " where campaign_id = %s order by changed_at, id",
        (campaign_id,),
    )


def _recorded(db) -> list[tuple]:
    return pg.query(
        db,
        "select actor, campaign_id, reason, details ->> 'table',"
        " details ->> 'operation', details ->> 'database_role'"
        " from app.audit_log where action = 'correction.recorded' order by id",
    )


def _with_reason(conn: psycopg.Connection, reason: str) -> None:
    conn.execute(
        "select set_config('attribution.correction_reason', %s, false)", (reason,)
    )


BACKDATED_PAUSE = (
    "insert into marketing.ad_campaign_status_events (campaign_id, from_status,"
    " to_status, changed_at, changed_by, created_at) values (1, 'RUNNING', 'PAUSED',"
    " %(at)s, 'mallory', %(at)s)"
)


def test_the_app_role_cannot_backdate_a_pause_into_reported_credits(fresh_db):
    """A PAUSE 30 days ago, in the middle of a campaign that ran, would move the
    credits already reported; claiming it was recorded then changes nothing."""
    _ran(fresh_db)
    before = _events(fresh_db)
    with _as(fresh_db, credentials.APP) as conn:
        with pytest.raises(psycopg.errors.CheckViolation, match="needs a reason"):
            conn.execute(BACKDATED_PAUSE, {"at": at(10)})
        # a blank reason is no reason
        _with_reason(conn, " \t")
        with pytest.raises(psycopg.errors.CheckViolation, match="needs a reason"):
            conn.execute(BACKDATED_PAUSE, {"at": at(10)})
    assert _events(fresh_db) == before
    assert _recorded(fresh_db) == []


def test_a_backdated_event_with_a_reason_is_recorded_with_its_database_user(
    fresh_db,
):
    _ran(fresh_db)
    with _as(fresh_db, credentials.APP) as conn:
        _with_reason(conn, REASON)
        conn.execute(BACKDATED_PAUSE, {"at": at(10)})
    assert _events(fresh_db)[-1] == ("PAUSED", at(10), REASON)
    # the writer said "mallory"; the database records who connected
    assert _recorded(fresh_db) == [
        (
            credentials.APP,
            1,
            REASON,
            "ad_campaign_status_events",
            "INSERT",
            credentials.APP,
        )
    ]


def test_the_admin_connection_is_held_to_the_rule_and_the_owner_is_not(fresh_db):
    """The superuser is not the owner: it names a reason (or sets its role to
    the owner's, on purpose) like every other writer."""
    _ran(fresh_db)
    with (
        _as(fresh_db, None) as conn,
        pytest.raises(psycopg.errors.CheckViolation, match="needs a reason"),
    ):
        conn.execute(BACKDATED_PAUSE, {"at": at(10)})
    with _as(fresh_db, credentials.OWNER) as conn:
        conn.execute(BACKDATED_PAUSE, {"at": at(10)})
    assert [status for status, *_ in _events(fresh_db)] == [
        "DRAFT",
        "RUNNING",
        "PAUSED",
    ]
    # the owner named no reason: there is none to record
    assert _recorded(fresh_db) == []


@pytest.mark.parametrize(
    ("statement", "args"),
    [
        # a window opened in the past
        (
            "insert into marketing.ad_campaign_products (campaign_id, product_id,"
            " effective_from, created_at) values (1, 8, %(past)s, %(past)s)",
            {},
        ),
        # the running window ended in the past
        (
            "update marketing.ad_campaign_products set effective_to = %(past)s"
            " where product_id = 7",
            {},
        ),
        # the running window moved to start later
        (
            "update marketing.ad_campaign_products set effective_from = %(past)s"
            " where product_id = 7",
            {},
        ),
        # the window handed to another product
        (
            "update marketing.ad_campaign_products set product_id = 9"
            " where product_id = 7",
            {},
        ),
    ],
    ids=["insert", "end", "move", "retarget"],
)
def test_the_app_role_cannot_rewrite_past_targeting(fresh_db, statement, args):
    _ran(fresh_db)
    windows = "select * from marketing.ad_campaign_products order by id"
    before = pg.query(fresh_db, windows)
    with (
        _as(fresh_db, credentials.APP) as conn,
        pytest.raises(psycopg.errors.CheckViolation, match="needs a reason"),
    ):
        conn.execute(statement, {"past": at(20), **args})
    assert pg.query(fresh_db, windows) == before
    with _as(fresh_db, credentials.APP) as conn:
        _with_reason(conn, "targeted by hand on the platform")
        conn.execute(statement, {"past": at(20), **args})
    [(actor, campaign_id, reason, table, _operation, role)] = _recorded(fresh_db)
    assert (actor, campaign_id, reason, table, role) == (
        credentials.APP,
        1,
        "targeted by hand on the platform",
        "ad_campaign_products",
        credentials.APP,
    )


def test_deleting_a_past_window_needs_a_reason_even_from_the_admin_connection(
    fresh_db,
):
    _ran(fresh_db)
    with _as(fresh_db, None) as conn:
        with pytest.raises(psycopg.errors.CheckViolation, match="needs a reason"):
            conn.execute("delete from marketing.ad_campaign_products")
        _with_reason(conn, "the window was a mistake")
        conn.execute("delete from marketing.ad_campaign_products")
    assert [row[0] for row in _recorded(fresh_db)] == [credentials.SUPERUSER]


def test_what_changes_no_reported_credit_needs_no_reason(fresh_db):
    """Windows and events from now on, and anything of a campaign that never
    left DRAFT, are ordinary edits."""
    _ran(fresh_db)
    Sources(fresh_db).campaign(2, at(0), events=(("DRAFT", at(0)),))
    with _as(fresh_db, credentials.APP) as conn:
        conn.execute(
            "insert into marketing.ad_campaign_products (campaign_id, product_id,"
            " effective_from) values (1, 8, now()), (2, 8, %s)",
            (at(5),),
        )
        conn.execute(
            "update marketing.ad_campaign_products set effective_to = now()"
            " where campaign_id = 1 and product_id = 7"
        )
        conn.execute(
            "insert into marketing.ad_campaign_status_events (campaign_id,"
            " to_status, changed_at) values (1, 'PAUSED', now())"
        )
    assert _recorded(fresh_db) == []


@pytest.mark.parametrize("role", [credentials.APP, credentials.OWNER])
def test_status_events_years_ahead_are_refused(fresh_db, role):
    _ran(fresh_db)
    with _as(fresh_db, role) as conn:
        _with_reason(conn, "scheduled")
        with pytest.raises(psycopg.errors.CheckViolation, match="ahead"):
            conn.execute(
                "insert into marketing.ad_campaign_status_events (campaign_id,"
                " to_status, changed_at) values (1, 'ENDED', now() + interval"
                " '5 years')"
            )
        # next month is a plan, not a mistake
        conn.execute(
            "insert into marketing.ad_campaign_status_events (campaign_id,"
            " to_status, changed_at) values (1, 'ENDED', now() + interval '30 days')"
        )
    assert _events(fresh_db)[-1][0] == "ENDED"


def test_an_event_inserted_in_the_past_must_fit_before_the_next_one(fresh_db):
    src = _ran(fresh_db)
    src.status_event(1, "RUNNING", "ENDED", at(30))
    with _as(fresh_db, credentials.APP) as conn:
        _with_reason(conn, REASON)
        # the END at day 30 says it came from RUNNING: a pause before it alone
        # would leave that a lie
        with pytest.raises(psycopg.errors.CheckViolation, match="does not fit"):
            conn.execute(BACKDATED_PAUSE, {"at": at(10)})
        # and nothing moves into an END from an END
        with pytest.raises(psycopg.errors.CheckViolation):
            conn.execute(
                "insert into marketing.ad_campaign_status_events (campaign_id,"
                " to_status, changed_at) values (1, 'ENDED', %s)",
                (at(20),),
            )
        # a pause and its resume, in one transaction, fit
        with conn.transaction():
            conn.execute(BACKDATED_PAUSE, {"at": at(10)})
            conn.execute(
                "insert into marketing.ad_campaign_status_events (campaign_id,"
                " from_status, to_status, changed_at) values (1, 'PAUSED',"
                " 'RUNNING', %s)",
                (at(12),),
            )
    assert [status for status, *_ in _events(fresh_db)] == [
        "DRAFT",
        "RUNNING",
        "PAUSED",
        "RUNNING",
        "ENDED",
    ]
    assert len(_recorded(fresh_db)) == 2


def test_a_flight_correction_is_recorded_with_its_database_user(fresh_db):
    _ran(fresh_db)
    with _as(fresh_db, credentials.APP) as conn:
        _with_reason(conn, "the ads went live a day late")
        conn.execute("update marketing.ad_campaigns set starts_at = %s", (at(1),))
    assert _recorded(fresh_db) == [
        (
            credentials.APP,
            1,
            "the ads went live a day late",
            "ad_campaigns",
            "UPDATE",
            credentials.APP,
        )
    ]


def test_nobody_writes_correction_records_by_hand(fresh_db):
    with (
        _as(fresh_db, credentials.APP) as conn,
        pytest.raises(psycopg.errors.InsufficientPrivilege, match="triggers"),
    ):
        conn.execute(
            "select marketing.record_correction('attribution_owner',"
            " 'ad_campaigns', 'UPDATE', 1, null, 'forged', '{}')"
        )
