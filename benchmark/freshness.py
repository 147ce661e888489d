"""Order to marts: how long a sale takes to show as a credit, with `make demo`
running.

    make demo                                   # in another terminal
    python -m benchmark.freshness               # 10 orders
    python -m benchmark.freshness --orders 20 --home .local/dagster

One order at a time, each of one item of a product a running campaign
targets now, written as the ERP writes it (``demo.stack.write_order``, whose
``python -m demo.stack freshness`` times one), then timed until its credit
is in ``marts``. The demo's Dagster
(its daemon and the change sensor) does the rest. Each order's time is
split by the run that credited it, from Dagster's run records in
DAGSTER_HOME (``make demo``'s by default):

  notice   written -> the run's creation (the sensor's interval and its tick)
  start    created -> started (the run queue, the launch and the run
           process's start-up: Python, imports, loading the definitions)
  run      started -> the credit seen in marts (the dbt step up to the
           credit fact's commit, and whatever runs before it)

and the dbt step's whole duration is shown beside them. A run that was
already created (or started) when the order was written, and still read
it, counts from the write. It prints each
order's figures, then p50 and p95 of every column.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg
from dagster import DagsterInstance, RunsFilter

from benchmark.pipeline import percentile
from demo import stack
from orchestration import launch
from orchestration.operations.instance import default_home
from warehouse import database

CREDITED = "select 1 from marts.fct_order_item_campaign_credits where order_id = %s"
# the demo's generator changes random orders, new ones too: an order it
# cancelled before the pipeline saw it confirmed is never credited
STATUS = "select status from erp.orders where id = %s"
PHASES = ("total", "notice", "start", "run", "dbt step")


@dataclass(frozen=True)
class Timing:
    order_id: int
    total: float
    notice: float
    start: float
    run: float
    dbt_step: float

    def cells(self) -> tuple[float, ...]:
        return (self.total, self.notice, self.start, self.run, self.dbt_step)


def wait_for_credit(
    params: database.ConnectionParams, order_id: int, timeout: float
) -> float | None:
    """The epoch second the order's credit is first seen in marts; None when
    something else changed the order's status first."""
    deadline = time.time() + timeout
    with psycopg.connect(params.conninfo(), autocommit=True) as conn:
        while time.time() < deadline:
            if conn.execute(CREDITED, (order_id,)).fetchone():
                return time.time()
            if conn.execute(STATUS, (order_id,)).fetchone() != ("confirmed",):
                return None
            time.sleep(0.1)
    raise SystemExit(
        f"order {order_id} not credited within {timeout:.0f} s: is `make demo`"
        " running, with its change sensor on?"
    )


def crediting_run(home: Path, seen: float) -> tuple[float, float, float, float]:
    """(created, started, dbt step start, dbt step end) of the frequent run
    that was running when the credit was first seen."""
    with DagsterInstance.from_config(str(home)) as instance:
        records = instance.get_run_records(
            RunsFilter(job_name=launch.INCREMENTAL), limit=20
        )
        for record in records:  # newest first
            if record.start_time is None or record.start_time > seen:
                continue
            if record.end_time is not None and record.end_time < seen - 1:
                break
            stats = instance.get_run_step_stats(record.dagster_run.run_id)
            dbt = next((s for s in stats if s.step_key == launch.DBT_OP), None)
            if dbt is None or dbt.start_time is None:
                continue
            return (
                record.create_timestamp.timestamp(),
                record.start_time,
                dbt.start_time,
                dbt.end_time or seen,
            )
    raise SystemExit(f"no {launch.INCREMENTAL} run was running in {home}")


def measure(
    params: database.ConnectionParams, home: Path, orders: int, timeout: float
) -> list[Timing]:
    timings: list[Timing] = []
    while len(timings) < orders:
        written = time.time()
        order_id = stack.write_order(params)
        seen = wait_for_credit(params, order_id, timeout)
        if seen is None:
            print(f"order {order_id}: its status changed before its credit; another")
            continue
        created, started, dbt_start, dbt_end = crediting_run(home, seen)
        # a run created (or started) before the write that still read it
        # counts from the write
        created, started = max(created, written), max(started, written)
        timing = Timing(
            order_id,
            total=seen - written,
            notice=created - written,
            start=started - created,
            run=seen - started,
            dbt_step=dbt_end - dbt_start,
        )
        print(
            f"order {order_id}: "
            + ", ".join(
                f"{name} {value:.1f} s"
                for name, value in zip(PHASES, timing.cells(), strict=True)
            ),
            flush=True,
        )
        timings.append(timing)
    return timings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmark.freshness")
    parser.add_argument("--orders", type=int, default=10)
    parser.add_argument(
        "--home", type=Path, default=None, help="DAGSTER_HOME (make demo's)"
    )
    parser.add_argument(
        "--timeout", type=float, default=300, help="seconds to wait per order"
    )
    args = parser.parse_args(argv)
    timings = measure(
        database.resolve(), args.home or default_home(), args.orders, args.timeout
    )
    print()
    print(f"{'':>6}" + "".join(f"{name:>10}" for name in PHASES))
    for pct in (50, 95):
        columns = zip(*(timing.cells() for timing in timings), strict=True)
        print(
            f"{'p' + str(pct):>6}"
            + "".join(f"{percentile(list(c), pct):9.1f}s" for c in columns)
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
