"""The spend inbox loads dropped exports through the app's validation path,
and the spend checks warn about overspending and unexplained spend."""

from __future__ import annotations

import dataclasses
import shutil
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
from dagster import (
    AssetSelection,
    DagsterInstance,
    DagsterInvalidConfigError,
    Definitions,
    RunRequest,
    SkipReason,
    build_sensor_context,
    define_asset_job,
)

from demo import data as demo_data
from demo import spend as demo_spend
from orchestration.assets import build_dbt_assets
from orchestration.checks.spend import build_spend_checks
from orchestration.jobs.spend_inbox import (
    LOADED_BY,
    SPEND_INBOX_JOB,
    build_spend_inbox_sensor,
)
from orchestration.project import build_project
from orchestration.resources import AttributionDatabase, build_resources
from orchestration.settings import Settings
from tests import pg
from tests.dbt_in_process import BUILD
from tests.orchestration import support
from tests.sources import Sources
from warehouse import database

FILES = Path(__file__).resolve().parents[1] / "fixtures" / "spend"
ANCHOR = datetime(2026, 6, 1, tzinfo=UTC)


@pytest.fixture
def demo_db(fresh_db):
    counts = demo_data.load(fresh_db, orders=300, anchor=ANCHOR)
    assert counts["spend_days"] > 0
    return fresh_db


def _settings(folder: Path) -> Settings:
    return dataclasses.replace(Settings.from_env(), spend_inbox=folder)


def _sensor(folder: Path):
    return build_spend_inbox_sensor(_settings(folder))


def _evaluate(folder: Path):
    return _sensor(folder)(build_sensor_context(instance=DagsterInstance.ephemeral()))


def _run(params, request: RunRequest, folder: Path):
    """The run the sensor asked for, with the inbox the sensor watched."""
    return support.run_job(
        params,
        SPEND_INBOX_JOB,
        run_config=request.run_config,
        settings=_settings(folder),
    )


def test_demo_spend_is_realistic_and_stops_before_the_reporting_delay(demo_db):
    [(days, campaigns, last_day, negative, ids)] = pg.query(
        demo_db,
        "select count(*), count(distinct campaign_id), max(spend_date),"
        " count(*) filter (where spend < 0 or clicks > impressions),"
        " (select count(external_campaign_id) from marketing.ad_campaigns)"
        " from marketing.ad_spend_daily",
    )
    assert days > 100 and campaigns > 5 and negative == 0 and ids > 0
    assert last_day == ANCHOR.date() - timedelta(days=3)


def test_a_dropped_export_is_loaded_once_and_moved_aside(demo_db, tmp_path):
    inbox = tmp_path / "inbox"
    assert isinstance(_evaluate(inbox), SkipReason)  # no folder yet: nothing to do
    with database.connect(demo_db, autocommit=True) as conn:
        revenue = demo_spend.daily_revenue(conn)
        dropped = demo_spend.drop_inbox_file(conn, inbox, revenue, anchor=ANCHOR)
    assert dropped is not None
    result = _evaluate(inbox)
    [request] = result.run_requests
    run = _run(demo_db, request, inbox)
    assert run.success
    [(rows, first, last, who)] = pg.query(
        demo_db,
        "select count(*), min(spend_date), max(spend_date), min(loaded_by)"
        " from marketing.ad_spend_daily where spend_date >= %s",
        (ANCHOR.date() - timedelta(days=2),),
    )
    assert rows > 0 and who == LOADED_BY
    assert (first, last) == (
        ANCHOR.date() - timedelta(days=2),
        ANCHOR.date() - timedelta(days=1),
    )
    assert (inbox / "loaded" / dropped.name).exists()
    assert isinstance(_evaluate(inbox), SkipReason)
    assert pg.query(
        demo_db,
        "select actor, details->>'file' from app.audit_log"
        " where action = 'spend.loaded'",
    ) == [(LOADED_BY, dropped.name)]


def test_a_bad_file_fails_its_run_with_the_row_errors_and_writes_nothing(
    demo_db, tmp_path
):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(FILES / "google_ads_bad.csv", inbox / "google_ads_bad.csv")
    before = pg.query(demo_db, "select count(*) from marketing.ad_spend_daily")
    [request] = _evaluate(inbox).run_requests
    run = _run(demo_db, request, inbox)
    assert not run.success
    [failure] = run.get_step_failure_events()
    message = failure.step_failure_data.user_failure_data.description
    # the demo has no campaign with the file's external ids: every row says so
    assert "google_ads_bad.csv: 7 problem(s), nothing was loaded" in message
    assert (
        "line 2, campaign: no campaign with external id 9876543210 on google, youtube"
        in message
    )
    assert "line 4, spend: spend cannot be negative" in message
    assert pg.query(demo_db, "select count(*) from marketing.ad_spend_daily") == (
        before
    )
    assert (inbox / "failed" / "google_ads_bad.csv").exists()
    assert isinstance(_evaluate(inbox), SkipReason)


def _spend_rows(params) -> list[tuple]:
    return pg.query(params, "select * from marketing.ad_spend_daily order by id")


def _launch(params, folder: Path, run_config: dict):
    """The job as a Dagster UI visitor launches it, with their own run config."""
    return support.run_job(
        params, SPEND_INBOX_JOB, run_config=run_config, settings=_settings(folder)
    )


def _file_config(path: object) -> dict:
    return {"ops": {"load_spend_file": {"config": {"path": str(path)}}}}


def test_a_path_outside_the_inbox_is_refused_and_nothing_moves(demo_db, tmp_path):
    inbox, elsewhere = tmp_path / "inbox", tmp_path / "elsewhere"
    inbox.mkdir()
    with database.connect(demo_db, autocommit=True) as conn:
        revenue = demo_spend.daily_revenue(conn)
        victim = demo_spend.drop_inbox_file(conn, elsewhere, revenue, anchor=ANCHOR)
    assert victim is not None
    (inbox / "link.csv").symlink_to(victim)
    (inbox / "notes.md").write_text("not an export")
    before = _spend_rows(demo_db)
    for named in (
        victim,  # an absolute path anywhere
        f"../elsewhere/{victim.name}",  # out of the inbox by name
        inbox / ".." / "elsewhere" / victim.name,
        "link.csv",  # a link in the inbox that leads out
        inbox / "notes.md",  # not an export's name
        "/etc/passwd",
    ):
        run = _launch(demo_db, inbox, _file_config(named))
        assert not run.success, named
        [failure] = run.get_step_failure_events()
        message = failure.step_failure_data.user_failure_data.description
        assert message.startswith("refused:") and "not a file waiting" in message
    assert victim.exists() and not (elsewhere / "loaded").exists()
    assert not (inbox / "failed").exists() and not (inbox / "loaded").exists()
    assert _spend_rows(demo_db) == before


@contextmanager
def _listener() -> Iterator[tuple[int, list[str]]]:
    """A port on this machine that notes every connection made to it (and
    hangs up): where a hostile run config would send the job."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    seen: list[str] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                client, address = server.accept()
            except TimeoutError:
                continue
            seen.append(f"{address[0]}:{address[1]}")
            client.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1], seen
    finally:
        stop.set()
        thread.join()
        server.close()


@pytest.mark.parametrize(
    "resources",
    [
        lambda port: {
            "database": {
                "config": {
                    "host": "127.0.0.1",
                    "port": port,
                    "user": "attribution_app",
                    "dbname": "attribution",
                }
            }
        },
        lambda port: {"dbt": {"config": {"dbt_executable": "/bin/false"}}},
        lambda port: {"settings": {"config": {"spend_inbox": "/"}}},
    ],
    ids=["database", "dbt", "settings"],
)
def test_run_config_cannot_repoint_the_jobs_resources(demo_db, tmp_path, resources):
    inbox = tmp_path / "inbox"
    with database.connect(demo_db, autocommit=True) as conn:
        revenue = demo_spend.daily_revenue(conn)
        dropped = demo_spend.drop_inbox_file(conn, inbox, revenue, anchor=ANCHOR)
    before = _spend_rows(demo_db)
    with _listener() as (port, seen):
        hostile = {**_file_config(dropped), "resources": resources(port)}
        with pytest.raises(DagsterInvalidConfigError, match="unexpected config"):
            _launch(demo_db, inbox, hostile)
    assert seen == []
    assert dropped.exists() and not (inbox / "loaded").exists()
    assert _spend_rows(demo_db) == before


def _run_spend_checks(params):
    settings = Settings.from_env()
    project = build_project(settings)
    dbt_assets_def = build_dbt_assets(project)
    spend_checks = build_spend_checks(dbt_assets_def)
    defs = Definitions(
        assets=[dbt_assets_def],
        asset_checks=list(spend_checks),
        jobs=[
            define_asset_job(
                "spend_checks_only", selection=AssetSelection.checks(*spend_checks)
            )
        ],
        resources=build_resources(
            project, settings, AttributionDatabase.from_params(params)
        ),
    )
    result = defs.resolve_job_def("spend_checks_only").execute_in_process(
        instance=DagsterInstance.ephemeral(), raise_on_error=False
    )
    return {name: data for (_, name), data in support.check_results(result).items()}


def test_checks_warn_about_overspending_and_spend_no_campaign_explains(
    fresh_db, run_dbt
):
    t0 = datetime(2026, 4, 1, tzinfo=UTC)
    src = Sources(fresh_db)
    src.campaign(1, t0, events=(("RUNNING", t0),))
    src.campaign(2, t0, events=(("RUNNING", t0),))
    src.campaign(3, t0)  # a draft: never ran
    pg.execute(
        fresh_db,
        "update marketing.ad_campaigns set budget_type = 'DAILY',"
        " budget_amount = 50 where id in (1, 2)",
    )
    for campaign_id, day, amount in (
        (1, date(2026, 4, 2), "40"),
        (1, date(2026, 4, 3), "56"),  # 112 % of the daily budget
        (2, date(2026, 4, 3), "54"),  # 108 %: within the 110 % allowed
        (3, date(2026, 4, 3), "5"),
    ):
        with psycopg.connect(fresh_db.conninfo(), autocommit=True) as conn:
            if campaign_id == 3:
                # the database refuses spend for a draft since migration 0009:
                # this is spend loaded before, the rules' triggers off
                conn.execute("set session_replication_role = replica")
            conn.execute(
                "insert into marketing.ad_spend_daily (campaign_id, spend_date,"
                " source, spend) values (%s, %s, 'manual', %s)",
                (campaign_id, day, Decimal(amount)),
            )
    run_dbt(fresh_db, *BUILD)
    checks = _run_spend_checks(fresh_db)
    pacing, unexplained = checks["budget_pacing"], checks["spend_matches_campaigns"]
    assert not pacing.passed
    assert pacing.severity.value == "WARN"
    assert pacing.description == "1 campaign(s) over pace: 1 (112%)"
    assert not unexplained.passed
    assert unexplained.description == (
        "1 unexplained spend group(s): 3 (campaign never ran)"
    )

    pg.execute(fresh_db, "delete from marketing.ad_spend_daily where campaign_id = 3")
    pg.execute(
        fresh_db,
        "update marketing.ad_spend_daily set spend = 50 where campaign_id = 1",
    )
    run_dbt(fresh_db, *BUILD)
    checks = _run_spend_checks(fresh_db)
    assert checks["budget_pacing"].passed
    assert checks["spend_matches_campaigns"].passed
