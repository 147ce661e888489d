"""History the database keeps, whoever writes: only the owner rewrites it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from marketing.campaigns.corrections import name_correction_reason
from tests import pg
from tests.sources import Sources
from warehouse import credentials

NOW = datetime.now(UTC).replace(microsecond=0)
T0 = NOW - timedelta(days=20)


def at(day: int) -> datetime:
    return T0 + timedelta(days=day)


def _launched(db, campaign_id: int = 1) -> Sources:
    src = Sources(db)
    src.campaign(campaign_id, at(0), events=(("DRAFT", at(0)), ("RUNNING", at(1))))
    src.target(campaign_id, 7, at(1))
    return src


def _as(db, role: str) -> psycopg.Connection:
    return psycopg.connect(db.as_role(role).conninfo(), autocommit=True)


@pytest.mark.parametrize(
    "statement",
    [
        "update marketing.ad_campaign_status_events set reason = 'x'",
        "delete from marketing.ad_campaign_status_events",
        "truncate marketing.ad_campaign_status_events cascade",
        "update app.audit_log set actor = 'x'",
        "delete from app.audit_log",
        "truncate app.audit_log",
    ],
)
def test_history_refuses_rewrites_even_from_a_superuser(fresh_db, statement):
    _launched(fresh_db)
    pg.execute(
        fresh_db, "insert into app.audit_log (actor, action) values ('a', 'test')"
    )
    with pytest.raises(psycopg.errors.RestrictViolation, match="append-only"):
        pg.execute(fresh_db, statement)
    assert pg.query(
        fresh_db,
        "select (select count(*) from marketing.ad_campaign_status_events),"
        " (select count(*) from app.audit_log)",
    ) == [(2, 1)]
    # the owner, and only the owner, may (e.g. to empty a test database)
    with _as(fresh_db, credentials.OWNER) as conn:
        conn.execute(statement)


def test_a_launched_campaign_is_never_deleted_and_nothing_cascades(fresh_db):
    _launched(fresh_db)
    for statement in (
        "delete from marketing.ad_campaigns where id = 1",
        "select marketing.delete_draft_campaign(1)",
    ):
        with pytest.raises(psycopg.errors.RestrictViolation, match="left DRAFT"):
            pg.execute(fresh_db, statement)
    assert pg.query(
        fresh_db,
        "select (select count(*) from marketing.ad_campaign_status_events),"
        " (select count(*) from marketing.ad_campaign_products)",
    ) == [(2, 1)]


def test_a_draft_goes_with_its_rows_only_through_the_database_door(fresh_db):
    src = Sources(fresh_db)
    src.campaign(2, at(0), events=(("DRAFT", at(0)),))
    src.target(2, 7, at(3))
    # a plain delete no longer cascades over the draft's rows
    with pytest.raises(psycopg.errors.RestrictViolation, match="foreign key"):
        pg.execute(fresh_db, "delete from marketing.ad_campaigns where id = 2")
    with _as(fresh_db, credentials.APP) as conn:
        assert conn.execute("select marketing.delete_draft_campaign(2)").fetchone() == (
            True,
        )
    assert pg.query(
        fresh_db,
        "select (select count(*) from marketing.ad_campaigns),"
        " (select count(*) from marketing.ad_campaign_status_events),"
        " (select count(*) from marketing.ad_campaign_products)",
    ) == [(0, 0, 0)]


@pytest.mark.parametrize("name", [" ", "   ", "\t\n"])
def test_blank_names_are_refused(fresh_db, name):
    with pytest.raises(psycopg.errors.CheckViolation, match="name_not_blank"):
        pg.execute(
            fresh_db,
            "insert into marketing.ad_campaigns (name, platform, starts_at)"
            " values (%s, 'google', now())",
            (name,),
        )


def test_a_campaign_has_one_first_event(fresh_db):
    src = _launched(fresh_db)
    with pytest.raises(psycopg.errors.CheckViolation, match="first event"):
        src.status_event(1, None, "DRAFT", at(-1))
    with pytest.raises(psycopg.errors.CheckViolation):
        src.status_event(1, None, "DRAFT", at(2))
    src.campaign(3, at(0))
    with pytest.raises(psycopg.errors.CheckViolation):
        src.status_event(3, None, "PAUSED", at(0))


def test_each_event_follows_the_event_before_it_in_time(fresh_db):
    src = _launched(fresh_db)
    src.status_event(1, "RUNNING", "ENDED", at(10))
    # after ENDED nothing follows, whatever the writer says it comes from
    with pytest.raises(psycopg.errors.CheckViolation, match="not an allowed move"):
        src.status_event(1, None, "RUNNING", at(11))
    # a backdated insert is checked against the event just before it
    with pytest.raises(psycopg.errors.CheckViolation, match="not an allowed move"):
        src.status_event(1, None, "RUNNING", at(5), recorded_at=NOW)
    # a from_status that contradicts that event
    with pytest.raises(psycopg.errors.CheckViolation, match="contradicts"):
        src.status_event(1, "PAUSED", "ENDED", at(12))
    assert pg.query(
        fresh_db, "select count(*) from marketing.ad_campaign_status_events"
    ) == [(3,)]


def test_a_contract_writer_backdates_a_pause_and_its_resume_separately(fresh_db):
    """The sources' writer (docs/rules.md): from_status left null, one
    transaction each."""
    src = _launched(fresh_db)
    src.status_event(1, None, "PAUSED", at(4), recorded_at=NOW)
    src.status_event(1, None, "RUNNING", at(6), recorded_at=NOW)
    # and the first event may be the launch from the DRAFT a campaign starts in
    src.campaign(5, at(0), events=(("RUNNING", at(0)),))
    assert pg.query(
        fresh_db,
        "select campaign_id, to_status from marketing.ad_campaign_status_events"
        " order by campaign_id, changed_at",
    ) == [
        (1, "DRAFT"),
        (1, "RUNNING"),
        (1, "PAUSED"),
        (1, "RUNNING"),
        (5, "RUNNING"),
    ]


def test_moving_a_launched_flight_across_the_past_needs_a_reason(fresh_db):
    _launched(fresh_db)
    with _as(fresh_db, credentials.APP) as conn:
        with pytest.raises(psycopg.errors.CheckViolation, match="needs a reason"):
            conn.execute("update marketing.ad_campaigns set starts_at = now()")
        with pytest.raises(psycopg.errors.CheckViolation, match="needs a reason"):
            conn.execute("update marketing.ad_campaigns set ends_at = %s", (at(5),))
        # a future-only change is an ordinary edit
        conn.execute(
            "update marketing.ad_campaigns set ends_at = %s",
            (NOW + timedelta(days=30),),
        )
        with conn.transaction():
            name_correction_reason(conn, "started late: the ads went live at noon")
            conn.execute("update marketing.ad_campaigns set starts_at = %s", (at(1),))
    assert pg.query(fresh_db, "select starts_at from marketing.ad_campaigns") == [
        (at(1),)
    ]
