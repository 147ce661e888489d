"""A run whose worker and code server die (kill -9) does not stop the pipeline.

A real ``dagster dev`` (webserver, daemon, code server) in its own process
group, on free ports, with a throw-away DAGSTER_HOME: the change sensor
starts a run; part-way through its dbt step the run's worker and its code
server are killed with SIGKILL, then the rest of Dagster too (a crash or a
reboot). Dagster starts again: the orphaned run is failed and alerted, and
the next run, started by the sensor for an order written meanwhile, credits
that order. Every wait is bounded; the process group is killed at the end.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TypeVar

from dagster import DagsterEventType, DagsterInstance, DagsterRunStatus, RunsFilter

from demo import stack
from orchestration.launch import DBT_OP, INCREMENTAL
from orchestration.operations import runs
from orchestration.operations.instance import ensure_dagster_home
from tests import pg
from warehouse import dbt_runner

T = TypeVar("T")
NEVER = "0 0 1 1 *"  # keep the schedules out of the way


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(what: str, probe: Callable[[], T | None], seconds: float) -> T:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(1)
    raise AssertionError(f"gave up after {seconds:.0f} s waiting for {what}")


def _group_pids(pgid: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if os.getpgid(int(entry.name)) == pgid:
                pids.append(int(entry.name))
        except OSError:
            continue
    return pids


def _parent(pid: int) -> int:
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat.rsplit(")", 1)[-1].split()[1])


@contextmanager
def _dagster_dev(env: dict[str, str], log: Path) -> Iterator[subprocess.Popen]:
    with open(log, "ab") as out:
        process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "dagster"),
                "dev",
                "-m",
                "orchestration.definitions",
                "-h",
                "127.0.0.1",
                "-p",
                str(_free_port()),
            ],
            cwd=dbt_runner.PROJECT_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    try:
        yield process
    finally:
        # a crash, not a shutdown: nothing gets to clean up after itself
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        _wait(
            "the process group to end",
            lambda: not [p for p in _group_pids(process.pid) if runs.process_alive(p)],
            30,
        )


def _latest_run(instance: DagsterInstance, statuses=None):
    records = instance.get_run_records(
        RunsFilter(job_name=INCREMENTAL, statuses=statuses or []), limit=1
    )
    return records[0].dagster_run if records else None


def _dbt_step_started(instance: DagsterInstance, run_id: str) -> bool:
    return any(
        record.event_log_entry.step_key == DBT_OP
        for record in instance.get_records_for_run(
            run_id, of_type=DagsterEventType.STEP_START
        ).records
    )


def test_a_killed_worker_and_code_server_do_not_stop_the_pipeline(built_db, tmp_path):
    home = tmp_path / "dagster"
    ensure_dagster_home(home)
    env = {
        **os.environ,
        **dbt_runner.dbt_env(built_db),
        "DAGSTER_HOME": str(home),
        "DAGSTER_DISABLE_TELEMETRY": "1",
        "ATTRIBUTION_AUTOMATION": "running",
        "ATTRIBUTION_SENSOR_INTERVAL_SECONDS": "2",
        "ATTRIBUTION_OPERATIONS_INTERVAL_SECONDS": "2",
        "ATTRIBUTION_INCREMENTAL_CRON": NEVER,
        "ATTRIBUTION_NIGHTLY_CRON": NEVER,
        "ATTRIBUTION_MONITOR_CRON": NEVER,
        "ATTRIBUTION_ALERT_WEBHOOK_URL": "",
    }
    log = tmp_path / "dagster.log"
    instance = DagsterInstance.from_config(str(home))

    with _dagster_dev(env, log):
        # the change sensor's first look starts a run; wait for its dbt step
        first = _wait(
            "an incremental run's dbt step",
            lambda: (
                (run := _latest_run(instance, [DagsterRunStatus.STARTED]))
                and _dbt_step_started(instance, run.run_id)
                and run
            ),
            300,
        )
        worker = runs.worker_pid(instance, first.run_id)
        assert worker is not None and runs.process_alive(worker)
        code_server = _parent(worker)
        os.kill(worker, signal.SIGKILL)
        os.kill(code_server, signal.SIGKILL)
    # ... and the rest of Dagster went with them: nobody reports the run
    assert instance.get_run_by_id(first.run_id).status == DagsterRunStatus.STARTED

    order_id = stack.write_order(built_db)
    with _dagster_dev(env, log):
        failed = _wait(
            "the orphaned run to be failed",
            lambda: (
                instance.get_run_by_id(first.run_id).status == DagsterRunStatus.FAILURE
            ),
            240,
        )
        assert failed
        # the sweep alerts before it fails the run: the alert is there already
        assert pg.query(
            built_db,
            "select severity, job_name from ops.alerts where source = 'orphaned_run'"
            " and run_id = %s",
            (first.run_id,),
        ) == [("error", INCREMENTAL)]
        assert instance.get_run_by_id(first.run_id).tags.get(runs.ORPHANED_TAG)
        # the sensor no longer waits behind it: the next run credits the order
        second = _wait(
            "the next incremental run to succeed",
            lambda: (
                (run := _latest_run(instance, [DagsterRunStatus.SUCCESS]))
                and run.run_id != first.run_id
                and run
            ),
            300,
        )
        assert second.run_id != first.run_id
    credits = pg.scalar(
        built_db,
        "select count(*) from marts.fct_order_item_campaign_credits"
        " where order_id = %s",
        (order_id,),
    )
    assert credits > 0
    instance.dispose()
