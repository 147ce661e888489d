"""Platform exports in, spend rows out: every row checked, all or nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from marketing import spend
from tests import pg

FILES = Path(__file__).resolve().parent / "fixtures" / "spend"
T0 = datetime(2026, 4, 1, tzinfo=UTC)


@pytest.fixture
def db(fresh_db):
    for campaign_id, platform, external_id in (
        (1, "google", "9876543210"),
        (2, "google", "5550001111"),
        (3, "facebook", "23850000000001"),
        (4, "facebook", "9876543210"),  # the same id on another platform
    ):
        pg.execute(
            fresh_db,
            "insert into marketing.ad_campaigns (id, name, platform, status,"
            " starts_at, external_campaign_id)"
            " values (%s, %s, %s, 'RUNNING', %s, %s)",
            (campaign_id, f"Campaign {campaign_id}", platform, T0, external_id),
        )
    engine = create_engine(fresh_db.url("psycopg"))
    yield fresh_db, engine
    engine.dispose()


def _load(engine, name: str, preset: str, mapping=None) -> spend.LoadResult:
    parsed = spend.parse(
        (FILES / name).read_bytes(), preset=preset, mapping=mapping, name=name
    )
    with engine.begin() as conn:
        return spend.load(conn, parsed, loaded_by="marketer")


def _rows(params):
    return pg.query(
        params,
        "select campaign_id, spend_date, source, spend, impressions, clicks"
        " from marketing.ad_spend_daily order by campaign_id, spend_date",
    )


def test_a_google_ads_export_loads_by_external_id_and_a_reload_replaces(db):
    params, engine = db
    result = _load(engine, "google_ads.csv", "google_ads")
    assert (result.rows, result.inserted, result.campaigns) == (4, 4, 2)
    expected = [
        (1, date(2026, 4, 2), "google_ads_csv", Decimal("1234.50"), 12000, 340),
        (1, date(2026, 4, 3), "google_ads_csv", Decimal("80.25"), 2100, 61),
        (1, date(2026, 4, 4), "google_ads_csv", Decimal("0.00"), 0, 0),
        # "--" is no figure, not zero
        (2, date(2026, 4, 2), "google_ads_csv", Decimal("12.30"), 450, None),
    ]
    assert _rows(params) == expected

    again = _load(engine, "google_ads.csv", "google_ads")
    assert (again.inserted, again.replaced) == (0, 4)
    assert _rows(params) == expected
    audit = pg.query(
        params,
        "select actor, details->>'file', details->>'rows', details->>'replaced'"
        " from app.audit_log where action = 'spend.loaded' order by id",
    )
    assert audit == [
        ("marketer", "google_ads.csv", "4", "0"),
        ("marketer", "google_ads.csv", "4", "4"),
    ]


def test_a_meta_ads_export_matches_facebook_campaigns_only(db):
    params, engine = db
    _load(engine, "meta_ads.csv", "meta_ads")
    assert _rows(params) == [
        (3, date(2026, 4, 2), "meta_ads_csv", Decimal("45.10"), 5000, None),
        (3, date(2026, 4, 3), "meta_ads_csv", Decimal("39.90"), 4400, 52),
    ]


def test_a_bad_file_writes_nothing_and_names_every_bad_row(db):
    params, engine = db
    parsed = spend.parse((FILES / "google_ads_bad.csv").read_bytes(), "google_ads")
    with pytest.raises(spend.SpendFileError) as raised, engine.begin() as conn:
        spend.load(conn, parsed, loaded_by="marketer")
    problems = [(e.line, e.column) for e in raised.value.errors]
    assert problems == [
        (3, "spend_date"),  # April 31st
        (4, "spend"),  # negative
        (5, "spend"),  # "ten"
        (6, "campaign"),  # no campaign has that external id
        (7, "spend_date"),  # the same campaign and day as line 2
        (8, "clicks"),  # 2.5 clicks
    ]
    assert "line 4, spend: spend cannot be negative" in str(raised.value)
    assert "no campaign with external id 1111111111 on google" in str(raised.value)
    assert _rows(params) == []
    assert pg.query(params, "select count(*) from app.audit_log") == [(0,)]


def test_a_file_without_the_columns_says_which_it_needs():
    parsed = spend.parse((FILES / "meta_ads.csv").read_bytes(), "google_ads")
    assert [str(error) for error in parsed.errors] == [
        "file: no header line with the columns 'Campaign ID'; 'Day' or 'Date'; 'Cost'"
    ]


def test_a_generic_file_maps_its_own_columns_to_our_campaign_ids(db):
    params, engine = db
    mapping = spend.Mapping(
        columns={
            "campaign": "campaign",
            "spend_date": "date",
            "spend": "amount",
            "impressions": "views",
            "clicks": "taps",
        }
    )
    _load(engine, "generic.csv", spend.GENERIC, mapping)
    assert _rows(params) == [
        (1, date(2026, 4, 2), "manual", Decimal("15.00"), 300, 9),
        (1, date(2026, 4, 3), "manual", Decimal("5.00"), None, None),
    ]


def test_the_preset_is_recognised_from_the_headers():
    assert spend.detect_preset((FILES / "google_ads.csv").read_bytes()) == (
        "google_ads"
    )
    assert spend.detect_preset((FILES / "meta_ads.csv").read_bytes()) == "meta_ads"
    assert spend.detect_preset((FILES / "generic.csv").read_bytes()) is None


def _generic(text: str, name: str = "upload.csv") -> spend.SpendFile:
    mapping = spend.Mapping(
        columns={"campaign": "campaign", "spend_date": "date", "spend": "amount"}
    )
    return spend.parse(text.encode(), spend.GENERIC, mapping, name=name)


def test_days_outside_a_campaigns_life_and_drafts_are_row_errors(db):
    params, engine = db
    pg.execute(
        params,
        "insert into marketing.ad_campaigns (id, name, platform, starts_at)"
        " values (5, 'Not launched', 'google', %s)",
        (T0,),
    )
    parsed = _generic(
        "campaign,date,amount\n"
        "1,1900-01-01,1.00\n"
        "1,2026-04-02,2.00\n"
        "1,2999-01-01,3.00\n"
        "5,2026-04-02,4.00\n"
    )
    with pytest.raises(spend.SpendFileError) as raised, engine.begin() as conn:
        spend.load(conn, parsed, loaded_by="marketer")
    assert [str(error) for error in raised.value.errors] == [
        "line 2, spend_date: 1900-01-01 is outside campaign 1's life (2026-03-31"
        f" to {datetime.now(UTC).date() + timedelta(days=1)})",
        "line 4, spend_date: 2999-01-01 is outside campaign 1's life (2026-03-31"
        f" to {datetime.now(UTC).date() + timedelta(days=1)})",
        "line 5, campaign: campaign 5 is a DRAFT: it has not launched, so it has no"
        " spend (launch it, backdated if it ran, then load again)",
    ]
    assert _rows(params) == []


def test_a_field_longer_than_the_csv_limit_is_a_clear_error_not_a_crash():
    parsed = _generic(
        'campaign,date,amount\n1,2026-04-02,1.00\n1,2026-04-03,"'
        + "9" * 200_000
        + '"\n',
        name="huge.csv",
    )
    assert [str(error) for error in parsed.errors] == [
        "line 3: a field is longer than 131,072 characters: not a spend export"
        " (check the delimiter and the quotes)"
    ]
    assert spend.header_candidates(b'a,b,c\n"' + b"x" * 200_000 + b'"\n') == [
        "a",
        "b",
        "c",
    ]
