"""The database holds every writer of spend to the rules of
docs/rules.md ("The sources")."""

from __future__ import annotations

from datetime import UTC, date, datetime

import psycopg
import pytest

from tests import pg
from tests.sources import Sources
from warehouse import credentials, migrate

T0 = datetime(2026, 4, 1, tzinfo=UTC)
DAY = date(2026, 4, 2)

INSERT = (
    "insert into marketing.ad_spend_daily (campaign_id, spend_date, source, spend,"
    " impressions, clicks) values (%s, %s, %s, %s, %s, %s)"
)


@pytest.fixture
def campaign(fresh_db):
    """Campaign 1, launched at T0 and running."""
    Sources(fresh_db).campaign(1, T0, events=(("RUNNING", T0),))
    return 1


def _as_app(params) -> psycopg.Connection:
    return psycopg.connect(params.as_role(credentials.APP).conninfo(), autocommit=True)


@pytest.mark.parametrize(
    ("row", "constraint"),
    [
        ((1, DAY, "manual", "-0.01", None, None), "spend_not_negative"),
        ((1, DAY, "manual", "1.00", -1, None), "impressions_not_negative"),
        ((1, DAY, "manual", "1.00", None, -1), "clicks_not_negative"),
        ((1, DAY, "", "1.00", None, None), "source_named"),
    ],
)
def test_database_refuses_invalid_spend(fresh_db, campaign, row, constraint):
    with pytest.raises(psycopg.errors.CheckViolation, match=constraint):
        pg.execute(fresh_db, INSERT, row)
    assert pg.query(fresh_db, "select count(*) from marketing.ad_spend_daily") == [(0,)]


def test_spend_needs_a_known_campaign_a_day_and_an_amount(fresh_db, campaign):
    with pytest.raises(psycopg.errors.ForeignKeyViolation):
        pg.execute(fresh_db, INSERT, (2, DAY, "manual", "1.00", None, None))
    with pytest.raises(psycopg.errors.NotNullViolation):
        pg.execute(fresh_db, INSERT, (1, None, "manual", "1.00", None, None))
    with pytest.raises(psycopg.errors.NotNullViolation):
        pg.execute(fresh_db, INSERT, (1, DAY, "manual", None, None, None))


def test_one_row_per_campaign_day_and_source_and_a_replace_moves_loaded_at(
    fresh_db, campaign
):
    pg.execute(fresh_db, INSERT, (1, DAY, "google_ads_csv", "10.00", 100, 5))
    pg.execute(fresh_db, INSERT, (1, DAY, "manual", "2.00", None, None))  # fine
    with pytest.raises(psycopg.errors.UniqueViolation, match="day_key"):
        pg.execute(fresh_db, INSERT, (1, DAY, "google_ads_csv", "11.00", 1, 1))
    ((first,),) = pg.query(
        fresh_db,
        "select loaded_at from marketing.ad_spend_daily"
        " where source = 'google_ads_csv'",
    )
    pg.execute(
        fresh_db,
        INSERT + " on conflict (campaign_id, spend_date, source)"
        " do update set spend = excluded.spend",
        (1, DAY, "google_ads_csv", "12.00", 100, 5),
    )
    assert pg.query(
        fresh_db,
        "select spend::text, loaded_at > %s from marketing.ad_spend_daily"
        " where source = 'google_ads_csv'",
        (first,),
    ) == [("12.00", True)]


def test_external_campaign_id_is_unique_per_platform(fresh_db):
    insert = (
        "insert into marketing.ad_campaigns (name, platform, starts_at,"
        " external_campaign_id) values ('x', %s, %s, %s)"
    )
    pg.execute(fresh_db, insert, ("google", T0, "123"))
    pg.execute(fresh_db, insert, ("facebook", T0, "123"))  # another platform
    pg.execute(fresh_db, insert, ("google", T0, None))  # unset: any number
    pg.execute(fresh_db, insert, ("google", T0, None))
    with pytest.raises(psycopg.errors.UniqueViolation, match="external_id_key"):
        pg.execute(fresh_db, insert, ("google", T0, "123"))


def test_spend_migration_is_idempotent_and_keeps_the_data(fresh_db, campaign):
    pg.execute(fresh_db, INSERT, (1, DAY, "manual", "3.50", None, None))
    migrate.upgrade(fresh_db)
    assert pg.query(fresh_db, "select spend::text from marketing.ad_spend_daily") == [
        ("3.50",)
    ]


@pytest.mark.parametrize(
    "day",
    [
        date(1900, 1, 1),  # once made the pacing mart generate a century of days
        date(2026, 3, 30),  # two days before the launch
        date(2026, 4, 12),  # two days after the end
    ],
)
def test_spend_outside_the_campaigns_life_is_refused_from_the_app_role(fresh_db, day):
    Sources(fresh_db).campaign(
        1, T0, datetime(2026, 4, 10, 12, tzinfo=UTC), events=(("RUNNING", T0),)
    )
    with (
        _as_app(fresh_db) as conn,
        pytest.raises(psycopg.errors.CheckViolation, match="outside campaign 1's life"),
    ):
        conn.execute(INSERT, (1, day, "manual", "1.00", None, None))
    with _as_app(fresh_db) as conn:
        # the day before the start and after the end: another time zone's days
        for edge in (date(2026, 3, 31), date(2026, 4, 11)):
            conn.execute(INSERT, (1, edge, "manual", "1.00", None, None))
    assert pg.query(fresh_db, "select count(*) from marketing.ad_spend_daily") == [(2,)]


def test_spend_of_days_not_yet_over_is_refused(fresh_db, campaign):
    with (
        _as_app(fresh_db) as conn,
        pytest.raises(psycopg.errors.CheckViolation, match="outside"),
    ):
        conn.execute(
            "insert into marketing.ad_spend_daily (campaign_id, spend_date, source,"
            " spend) values (1, current_date + 5, 'manual', 1)"
        )


def test_spend_for_a_campaign_that_never_launched_is_refused(fresh_db):
    Sources(fresh_db).campaign(2, T0)  # a DRAFT
    with (
        _as_app(fresh_db) as conn,
        pytest.raises(psycopg.errors.CheckViolation, match="DRAFT"),
    ):
        conn.execute(INSERT, (2, DAY, "manual", "1.00", None, None))
    assert pg.query(fresh_db, "select count(*) from marketing.ad_spend_daily") == [(0,)]


def test_deleting_a_draft_never_takes_its_spend_with_it(fresh_db):
    Sources(fresh_db).campaign(2, T0)  # a DRAFT
    # spend loaded before the database refused spend for drafts: the rules'
    # triggers off, as a superuser restoring old data would have it
    with psycopg.connect(fresh_db.conninfo(), autocommit=True) as conn:
        conn.execute("set session_replication_role = replica")
        conn.execute(INSERT, (2, DAY, "manual", "4.00", None, None))
    with (
        _as_app(fresh_db) as conn,
        pytest.raises(psycopg.errors.RestrictViolation, match="spend was loaded"),
    ):
        conn.execute("select marketing.delete_draft_campaign(2)")
    with pytest.raises(psycopg.errors.RestrictViolation, match="ad_spend_daily"):
        pg.execute(
            fresh_db,
            "delete from marketing.ad_campaigns where id = 2",
            role=credentials.OWNER,
        )
    assert pg.query(
        fresh_db,
        "select (select count(*) from marketing.ad_campaigns),"
        " (select spend::text from marketing.ad_spend_daily)",
    ) == [(1, "4.00")]
