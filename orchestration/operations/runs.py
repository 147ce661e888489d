"""Runs no living process can own: found, failed and alerted; and stopping runs.

The default run launcher cannot tell whether a STARTED run's worker lives
(Dagster's run monitoring checks that only for launchers with health
checks), so a worker that died together with its code server (kill -9, OOM,
reboot, a stop in the middle of a run) left its run STARTED for ever, and
the one-dbt-build-at-a-time queue behind it. The worker's pid is in the
run's event log (the RUN_START event is written by the worker; before it,
the code server's "Started process for run" event names the child): a pid
that no longer runs on this machine means no process can finish the run, so
it is failed, an ``orphaned_run`` alert raised, and the queue moves on; the
next incremental run recomputes whatever the failed one would have. A
STARTING run with no worker yet is run monitoring's (``start_timeout_seconds``).

This assumes the run workers run on this machine (the default run launcher
with local code servers, as ``dagster dev`` and ``make demo`` have them).
Light on imports: ``make stop`` uses it without loading the definitions.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dagster import (
    DagsterEventType,
    DagsterInstance,
    DagsterRun,
    DagsterRunStatus,
    RunsFilter,
)

from orchestration.operations import alerts
from orchestration.settings import Settings
from warehouse import database

# set on runs failed here, so the run-failure sensor does not alert twice
ORPHANED_TAG = "attribution/orphaned"
# a process owns these; QUEUED and NOT_STARTED wait for the daemon
OWNED = [DagsterRunStatus.STARTING, DagsterRunStatus.STARTED]
WAITING = [DagsterRunStatus.QUEUED, DagsterRunStatus.NOT_STARTED]
IN_FLIGHT = [*WAITING, *OWNED, DagsterRunStatus.CANCELING]

Raise = Callable[[alerts.Alert], Any]


def process_alive(pid: int) -> bool:
    """A process with this pid runs on this machine (zombies do not count)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # no /proc: trust the signal
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def worker_pid(instance: DagsterInstance, run_id: str) -> int | None:
    """The pid of the process executing the run, from its event log."""
    started = instance.get_records_for_run(
        run_id, of_type=DagsterEventType.RUN_START, limit=1
    ).records
    if started and started[0].event_log_entry.dagster_event:
        pid = started[0].event_log_entry.dagster_event.pid
        if pid:
            return int(pid)
    for record in instance.get_records_for_run(
        run_id, of_type=DagsterEventType.ENGINE_EVENT
    ).records:
        event = record.event_log_entry.dagster_event
        data = event.engine_event_data if event else None
        value = (data.metadata or {}).get("pid") if data else None
        if value is not None:
            return int(getattr(value, "value", value))
    return None


@dataclass(frozen=True)
class Orphan:
    run: DagsterRun
    pid: int


def orphaned_runs(instance: DagsterInstance) -> list[Orphan]:
    """STARTING/STARTED runs whose worker process no longer exists.

    A STARTING run with no worker pid yet is left to run monitoring's
    ``start_timeout_seconds``.
    """
    found = []
    for record in instance.get_run_records(RunsFilter(statuses=OWNED)):
        pid = worker_pid(instance, record.dagster_run.run_id)
        if pid is not None and not process_alive(pid):
            found.append(Orphan(record.dagster_run, pid))
    return found


def fail_orphaned_runs(instance: DagsterInstance, raise_: Raise) -> list[str]:
    """Fails every orphaned run and raises an alert for each; their run ids."""
    failed = []
    for orphan in orphaned_runs(instance):
        run = orphan.run
        instance.add_run_tags(run.run_id, {ORPHANED_TAG: "true"})
        message = (
            f"No process owns this run: its worker (pid {orphan.pid}) is gone."
            " Failed so that the runs queued behind it can start; the next"
            " incremental run recomputes its changes."
        )
        # alerted before it is failed: whoever sees it failed finds the alert
        raise_(
            alerts.Alert(
                severity="error",
                source="orphaned_run",
                title=f"{run.job_name} run {run.run_id[:8]} lost its worker",
                message=message,
                job_name=run.job_name,
                run_id=run.run_id,
                details={"pid": orphan.pid, "status": run.status.value},
            )
        )
        instance.report_run_failed(run, message=message)
        failed.append(run.run_id)
    return failed


def sweep(
    home: Path, params: database.ConnectionParams, settings: Settings
) -> list[str]:
    """Fails the runs of ``home`` whose worker is gone (before Dagster starts)."""
    if not (home / "dagster.yaml").exists():
        return []
    with DagsterInstance.from_config(str(home)) as instance:
        return fail_orphaned_runs(
            instance,
            lambda alert: alerts.raise_alert(
                params, alert, webhook_url=settings.alert_webhook_url
            ),
        )


def stop_runs(home: Path, timeout: float = 60.0) -> dict[str, str]:
    """Cancels queued runs and terminates running ones (``make stop``).

    Waits up to ``timeout`` seconds for the running ones to end; whatever is
    still in flight then is marked cancelled, so that no run is left for the
    next start to wait behind. Returns run id -> final status.
    """
    if not (home / "dagster.yaml").exists():
        return {}
    reason = "Stopped by `make stop` (python -m demo.stack down)."
    with DagsterInstance.from_config(str(home)) as instance:
        records = list(instance.get_run_records(RunsFilter(statuses=IN_FLIGHT)))
        for record in records:
            run = record.dagster_run
            if run.status in (*WAITING, DagsterRunStatus.STARTING):
                # nothing executes yet: a STARTING worker that finds its run
                # cancelled exits without running a step
                instance.report_run_canceled(run, message=reason)
                continue
            try:
                instance.run_launcher.terminate(run.run_id)
            except Exception as error:  # noqa: BLE001 (its code server may be gone)
                instance.report_engine_event(
                    f"could not ask the code server to stop the run: {error}", run
                )
        deadline = time.monotonic() + timeout
        run_ids = [record.dagster_run.run_id for record in records]
        while time.monotonic() < deadline:
            runs = [instance.get_run_by_id(run_id) for run_id in run_ids]
            if all(run is None or run.is_finished for run in runs):
                break
            time.sleep(1)
        final = {}
        for run_id in run_ids:
            run = instance.get_run_by_id(run_id)
            if run is None:
                continue
            if not run.is_finished:
                instance.report_run_canceled(run, message=f"{reason} Not stopped.")
                run = instance.get_run_by_id(run_id) or run
            final[run_id] = run.status.value
        return final
