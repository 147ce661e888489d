"""Operations alerts: orphaned runs, waiting work, failures per hour, stale
credits, the recompute budget; and stopping the runs on `make stop`."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import time
from collections.abc import Iterator

import pytest
from dagster import (
    DagsterEvent,
    DagsterEventType,
    DagsterInstance,
    DagsterRunStatus,
)

from orchestration import launch
from orchestration.operations import runs, thresholds
from orchestration.operations.instance import ensure_dagster_home
from orchestration.resources import AttributionDatabase
from orchestration.settings import Settings
from tests import pg
from tests.orchestration import support

# the test plays the pipeline: it ages the run log the models write
AGE_RUN_LOG = "update intermediate.attribution_runs set built_at = now() - %s::interval"


@pytest.fixture
def instance(tmp_path) -> Iterator[DagsterInstance]:
    """A Dagster instance on disk, configured as `make demo` configures it."""
    ensure_dagster_home(tmp_path)
    with DagsterInstance.from_config(str(tmp_path)) as instance:
        yield instance


def _settings(**overrides) -> Settings:
    return dataclasses.replace(Settings.from_env(), alert_webhook_url=None, **overrides)


def _run(instance: DagsterInstance, params, job: str = "attribution_incremental"):
    job_def = support.definitions(params).resolve_job_def(job)
    return instance.create_run_for_job(job_def, run_config={})


def _started_by(instance: DagsterInstance, run, pid: int) -> None:
    """The run's worker (process ``pid``) reports that it started the run."""
    instance.report_dagster_event(
        DagsterEvent(DagsterEventType.RUN_START.value, job_name=run.job_name, pid=pid),
        run.run_id,
    )


def _dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def _alerts(params, source: str) -> list[tuple]:
    return pg.query(
        params,
        "select severity, title, run_id from ops.alerts where source = %s order by id",
        (source,),
    )


def _tick(instance, params, settings, cursor=None, now=None):
    return thresholds.operations_tick(
        instance, AttributionDatabase.from_params(params), settings, cursor, now
    )


def test_a_run_whose_worker_is_gone_is_failed_and_alerted(built_db, instance):
    orphan, alive = _run(instance, built_db), _run(instance, built_db)
    _started_by(instance, orphan, _dead_pid())
    _started_by(instance, alive, os.getpid())
    assert instance.get_run_by_id(orphan.run_id).status == DagsterRunStatus.STARTED

    cursor, raised = _tick(instance, built_db, _settings())

    assert instance.get_run_by_id(orphan.run_id).status == DagsterRunStatus.FAILURE
    assert instance.get_run_by_id(orphan.run_id).tags[runs.ORPHANED_TAG] == "true"
    # a worker that still runs keeps its run
    assert instance.get_run_by_id(alive.run_id).status == DagsterRunStatus.STARTED
    assert [(s, r) for s, _, r in _alerts(built_db, "orphaned_run")] == [
        ("error", orphan.run_id)
    ]
    _tick(instance, built_db, _settings(), cursor)
    assert len(_alerts(built_db, "orphaned_run")) == 1


def test_work_waiting_longer_than_the_schedule_interval_warns_once(built_db, instance):
    settings = _settings(incremental_cron="*/15 * * * *")
    waiting = _run(instance, built_db)  # NOT_STARTED: waiting for the daemon
    cursor, _ = _tick(instance, built_db, settings)
    assert _alerts(built_db, "queue_wait") == []

    # 16 minutes later it still waits: longer than the 15-minute interval
    later = time.time() + 16 * 60
    cursor, _ = _tick(instance, built_db, settings, cursor, later)
    cursor, _ = _tick(instance, built_db, settings, cursor, later + 60)
    ((severity, title, _),) = _alerts(built_db, "queue_wait")
    assert severity == "warning" and title.startswith("1 run(s) waiting")
    assert waiting.run_id in cursor


def test_more_than_ten_failed_runs_in_an_hour_is_critical(built_db, instance):
    settings = _settings(failed_runs_per_hour=10)
    for _ in range(10):
        instance.report_run_failed(_run(instance, built_db), message="broken")
    cursor, _ = _tick(instance, built_db, settings)
    assert _alerts(built_db, "failed_runs") == []

    instance.report_run_failed(_run(instance, built_db), message="broken")
    cursor, _ = _tick(instance, built_db, settings, cursor)
    cursor, _ = _tick(instance, built_db, settings, cursor)
    assert [(s, t) for s, t, _ in _alerts(built_db, "failed_runs")] == [
        ("critical", "11 failed runs in the past hour")
    ]


def test_stale_credits_alert_without_any_failed_run(built_db, instance):
    settings = _settings(credits_max_age_minutes=60)
    cursor, _ = _tick(instance, built_db, settings)
    assert _alerts(built_db, "credits_stale") == []

    # no run has built the credits for two hours, and none failed (the
    # pipeline's run log ages; marts.fct_attribution_builds shows it)
    pg.execute(built_db, AGE_RUN_LOG, ("2 hours",))
    cursor, _ = _tick(instance, built_db, settings, cursor)
    cursor, _ = _tick(instance, built_db, settings, cursor)
    ((severity, title, _),) = _alerts(built_db, "credits_stale")
    assert severity == "warning" and title == "credits in marts are stale"
    assert not any(
        r.dagster_run.status == DagsterRunStatus.FAILURE
        for r in instance.get_run_records()
    )

    # fresh again, then stale again: a second alert
    pg.execute(built_db, AGE_RUN_LOG, ("0",))
    cursor, _ = _tick(instance, built_db, settings, cursor)
    pg.execute(built_db, AGE_RUN_LOG, ("2 hours",))
    _tick(instance, built_db, settings, cursor)
    assert len(_alerts(built_db, "credits_stale")) == 2


def test_a_recompute_over_its_budget_warns(built_db):
    order_id = pg.scalar(
        built_db, "select min(order_id) from marts.fct_order_item_campaign_credits"
    )
    instance = DagsterInstance.ephemeral()
    result = support.run_job(
        built_db,
        "attribution_recompute_order",
        run_config=launch.recompute_orders_config([order_id]),
        instance=instance,
    )
    assert result.success
    assert thresholds.recomputed_orders(result.dagster_run) == [order_id]
    record = instance.get_run_record_by_id(result.run_id)
    seconds = record.end_time - record.start_time

    generous = _settings(recompute_order_budget_seconds=seconds + 60)
    assert (
        thresholds.recompute_budget_alert(instance, result.dagster_run, generous)
        is None
    )
    tight = _settings(recompute_order_budget_seconds=seconds / 2)
    alert = thresholds.recompute_budget_alert(instance, result.dagster_run, tight)
    assert alert is not None and alert.severity == "warning"
    assert alert.source == "recompute_budget" and alert.details["orders"] == [order_id]


def test_stop_cancels_waiting_runs_and_those_without_a_process(
    built_db, instance, tmp_path
):
    waiting = _run(instance, built_db)
    orphan = _run(instance, built_db)
    _started_by(instance, orphan, _dead_pid())

    final = runs.stop_runs(tmp_path, timeout=0)

    assert final == {waiting.run_id: "CANCELED", orphan.run_id: "CANCELED"}
    assert runs.stop_runs(tmp_path, timeout=0) == {}
