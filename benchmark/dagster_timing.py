"""What Dagster adds to dbt: a job's wall time against its dbt step's.

    python -m benchmark.dagster_timing                  # attribution_incremental
    python -m benchmark.dagster_timing --runs 3 --compare-dbt
    python -m benchmark.dagster_timing --recent 10 --home .local/dagster

Each run first advances the demo ERP one step (new orders and changes, as
the generator of ``make demo`` does), then runs the job through ``dagster
job execute`` in a fresh process and prints: the process's wall time (what a
person waits, Python start-up and loading the definitions included), the
run's own duration, and the dbt step inside it. ``--compare-dbt`` advances
once more and times a plain ``dbt build`` of the same change, for the
"dbt's own time" side. ``--recent N`` only reports the latest N successful
runs of the job in a DAGSTER_HOME (``make demo``'s: launched by the sensor):
from creation to start (queue, launch, the worker's start-up), the run, and
its dbt step. Runs against the project's database (PG* variables
or the embedded server) with a throw-away DAGSTER_HOME unless one is given.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from dagster import DagsterInstance, DagsterRunStatus, RunsFilter

from demo import data as demo_data
from orchestration import launch
from orchestration.operations.instance import default_home, ensure_dagster_home
from warehouse import database, dbt_runner


def advance(params: database.ConnectionParams, seed: int, orders: int) -> None:
    demo_data.advance(
        params, seed=seed, now=datetime.now(UTC), new_orders=orders, changes=orders
    )


def run_job(job: str, home: Path, env: dict[str, str]) -> tuple[float, float, float]:
    """(process wall s, run duration s, dbt step s) of one ``dagster job execute``."""
    started = time.monotonic()
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "dagster"),
            "job",
            "execute",
            "-m",
            "orchestration.definitions",
            "-j",
            job,
        ],
        cwd=dbt_runner.PROJECT_ROOT,
        env={**env, "DAGSTER_HOME": str(home)},
        capture_output=True,
        text=True,
    )
    wall = time.monotonic() - started
    if result.returncode != 0:
        raise SystemExit(
            f"{job} failed:\n{result.stdout[-3000:]}{result.stderr[-3000:]}"
        )
    with DagsterInstance.from_config(str(home)) as instance:
        (record,) = instance.get_run_records(RunsFilter(job_name=job), limit=1)
        stats = instance.get_run_step_stats(record.dagster_run.run_id)
    dbt_step = next(s for s in stats if s.step_key == launch.DBT_OP)
    assert record.start_time and record.end_time
    assert dbt_step.start_time and dbt_step.end_time
    return (
        wall,
        record.end_time - record.start_time,
        dbt_step.end_time - dbt_step.start_time,
    )


def recent_runs(job: str, home: Path, count: int) -> None:
    """Creation to start, run and dbt step of the latest successful runs."""
    print(f"{'run':>8} {'to start s':>10} {'run s':>8} {'dbt step s':>11}")
    with DagsterInstance.from_config(str(home)) as instance:
        records = instance.get_run_records(
            RunsFilter(job_name=job, statuses=[DagsterRunStatus.SUCCESS]),
            limit=count,
        )
        for record in reversed(list(records)):
            run_id = record.dagster_run.run_id
            stats = instance.get_run_step_stats(run_id)
            dbt = next(s for s in stats if s.step_key == launch.DBT_OP)
            assert record.start_time and record.end_time
            assert dbt.start_time and dbt.end_time
            waited = record.start_time - record.create_timestamp.timestamp()
            print(
                f"{run_id[:8]:>8} {waited:10.1f}"
                f" {record.end_time - record.start_time:8.1f}"
                f" {dbt.end_time - dbt.start_time:11.1f}"
            )


def time_dbt_build(params: database.ConnectionParams) -> float:
    started = time.monotonic()
    if dbt_runner.run_dbt(["build", "--quiet"], params).returncode != 0:
        raise SystemExit("dbt build failed")
    return time.monotonic() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmark.dagster_timing")
    parser.add_argument("--job", default=launch.INCREMENTAL)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument(
        "--orders", type=int, default=20, help="new orders (and changes) per step"
    )
    parser.add_argument("--compare-dbt", action="store_true")
    parser.add_argument("--home", type=Path, default=None, help="DAGSTER_HOME")
    parser.add_argument(
        "--recent", type=int, default=0, help="only report the latest N runs in --home"
    )
    args = parser.parse_args(argv)
    if args.recent:
        recent_runs(args.job, args.home or default_home(), args.recent)
        return 0

    params = database.resolve()
    env = {**os.environ, **dbt_runner.dbt_env(params), "DAGSTER_DISABLE_TELEMETRY": "1"}
    home = args.home or Path(tempfile.mkdtemp(prefix="dagster-timing-"))
    ensure_dagster_home(home)
    print(
        f"{'run':>4} {'wall s':>8} {'run s':>8} {'dbt step s':>11} {'wall-dbt s':>11}"
    )
    for run in range(1, args.runs + 1):
        advance(params, seed=run, orders=args.orders)
        wall, duration, dbt = run_job(args.job, home, env)
        print(f"{run:>4} {wall:8.1f} {duration:8.1f} {dbt:11.1f} {wall - dbt:11.1f}")
    if args.compare_dbt:
        advance(params, seed=args.runs + 1, orders=args.orders)
        print(f"plain dbt build of the same change: {time_dbt_build(params):.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
