"""`make bench`: the cost of full and incremental runs, against baselines.

For each size asked for (``--items 1000000,10000000``) it generates a
database of its own in the server (set-based SQL, see bench_data.py), kept
for ``--reuse``, and measures in this run, on this machine:
  - the write floor: `create table as` of the credit fact's rows;
  - a full build of every model and snapshot from empty snapshots (the sum
    of dbt's per-node times, and wall time), and of the credit fact alone;
  - the frequent run as the change sensor starts it (the sources' marks,
    then `dbt build` of what the changed ones feed without the nightly
    tests, orchestration/jobs/changes.py) after no change, after a change of
    10,000 orders, after 1 % of the orders changed and after the change a
    real ERP makes most (1.2 % of the orders, spread over the last 180 days,
    cancelled or confirmed, and 2,000 new orders): models and snapshots
    by dbt's per-node times as a share of the full build, and wall time
    including the marks and the frequent tests;
  - the leaderboard query (one month, SPLIT, all campaigns), p50 / p95;
  - the original plan's per-item algorithm on a sample, scaled up;
  - the campaign lift estimate, `python -m measurement lift` in a new
    process as an outside check runs it, against the full build's wall time;
  - the database's peak memory: the sum of the proportional set sizes (PSS,
    shared buffers counted once) of the server's processes, sampled every
    0.2 s during each size's run (embedded server only).
It prints one table, a column per size, every target beside its figure.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import psycopg

from benchmark import data as bench_data
from orchestration.jobs import changes
from warehouse import database, dbt_runner, dbt_vars, migrate, paths

FACT = "fct_order_item_campaign_credits"
# A server tuned for analytics on this 24 GiB machine; the builds and the
# write floor run under the same settings. The embedded server's defaults
# (128MB of shared buffers) suit a laptop demo, not a million-item fact.
SETTINGS = {"work_mem": "256MB", "maintenance_work_mem": "1GB"}
SERVER_SETTINGS = {"shared_buffers": "4GB", "effective_cache_size": "16GB"}
BUILT_TYPES = ("model", "snapshot")
SAME_SIZE_CHANGE = 10_000  # orders, at every size
# the most common change of a real ERP: old orders cancelled or confirmed,
# spread over 180 days, beside new sales
STATUS_SHARE = 0.012
STATUS_NEW_ORDERS = 2_000
# targets (issue 7)
NO_CHANGE_TARGET = 0.02
ONE_PERCENT_TARGET = 0.05
FULL_TARGET = 4.0
FACT_TARGET = 3.0
SCALING_TARGET = 1.5
LEADERBOARD_TARGET = 0.200
PLAN_TARGET = 50
# --explain: the plans, with actual times and buffers, of the frequent runs'
# slow statements, written to the server's log by auto_explain
EXPLAIN_SETTINGS = {
    "session_preload_libraries": "auto_explain",
    "auto_explain.log_analyze": "on",
    "auto_explain.log_buffers": "on",
    "auto_explain.log_nested_statements": "on",
}


def progress(message: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {message}", flush=True)


class DbtRun:
    """One dbt invocation: wall seconds and dbt's time per node."""

    times: dict[str, float]

    def __init__(self, params: database.ConnectionParams, *args: str) -> None:
        target = Path(tempfile.mkdtemp(prefix="attribution-bench-"))
        started = time.perf_counter()
        result = dbt_runner.run_dbt(
            [*args, "--quiet"],
            params,
            env={"DBT_TARGET_PATH": str(target)},
            capture=True,
        )
        self.wall = time.perf_counter() - started
        if result.returncode != 0:
            raise SystemExit(
                f"dbt {' '.join(args)} failed:\n{result.stdout[-4000:]}"
                f"{result.stderr[-2000:]}"
            )
        run_results = json.loads((target / "run_results.json").read_text())
        self.times = {
            row["unique_id"]: row["execution_time"] for row in run_results["results"]
        }

    def built(self) -> float:
        """Seconds dbt spent on models and snapshots."""
        return sum(
            seconds
            for unique_id, seconds in self.times.items()
            if unique_id.split(".")[0] in BUILT_TYPES
        )

    def node(self, name: str) -> float:
        return next(
            seconds
            for unique_id, seconds in self.times.items()
            if unique_id.split(".")[2] == name
        )

    def slowest(self, count: int = 3) -> str:
        if not self.times:
            return "no node ran"
        ranked = sorted(self.times.items(), key=lambda item: -item[1])[:count]
        # unique ids: type.project.name[.hash]
        return ", ".join(
            f"{unique_id.split('.')[2]} {seconds:.2f} s"
            for unique_id, seconds in ranked
        )


class FrequentRun(DbtRun):
    """The frequent run as the change sensor starts it: the sources' marks,
    the groups that moved since ``base`` and `dbt build` of what they feed
    (orchestration/jobs/changes.py), or nothing. Wall time includes the marks."""

    def __init__(
        self, params: database.ConnectionParams, base: changes.Marks | None
    ) -> None:
        started = time.perf_counter()
        with psycopg.connect(params.conninfo()) as conn:
            self.marks = changes.source_marks(conn)
        self.marks_seconds = time.perf_counter() - started
        self.changed = changes.changed_groups(base, self.marks)
        args = changes.frequent_build_args(
            self.changed, dbt_runner.parsed_manifest(params)
        )
        self.times = {}
        if args is not None:
            super().__init__(params, *args)
        self.wall = time.perf_counter() - started

    def describe(self) -> str:
        return (
            f"changed: {', '.join(self.changed) or 'nothing'};"
            f" {len(self.times)} nodes; marks {self.marks_seconds * 1000:.0f} ms;"
            f" {self.slowest(10)}"
        )


def change_orders(
    conn: psycopg.Connection, count: int, seed: int, now: datetime
) -> int:
    """``count`` orders change as an ERP changes them, set-based: mostly
    status moves, some items added or deleted, some sale dates corrected.
    Every changed order gets ``updated_at = now``."""
    rng = random.Random(seed)
    last = conn.execute("select max(id) from erp.orders").fetchone()[0]
    chosen = rng.sample(range(1, last + 1), count)
    kinds: dict[str, list[int]] = {"status": [], "add": [], "delete": [], "date": []}
    for order_id in chosen:
        roll = rng.random()
        kind = (
            "status"
            if roll < 0.7
            else "add"
            if roll < 0.8
            else "delete"
            if roll < 0.9
            else "date"
        )
        kinds[kind].append(order_id)
    conn.execute(
        """
        update erp.orders set
            status = case
                when random() < 0.15 then 'cancelled'
                else case status
                    when 'pending' then 'confirmed'
                    when 'confirmed' then 'processing'
                    when 'processing' then 'delivered'
                    when 'delivered' then 'completed'
                    when 'completed' then 'refunded'
                    when 'cancelled' then 'confirmed'
                    when 'refunded' then 'delivered'
                    else 'confirmed'
                end
            end,
            updated_at = %(now)s
        where id = any(%(ids)s)
        """,
        {"now": now, "ids": kinds["status"]},
    )
    conn.execute(
        "insert into erp.order_items (id, order_id, product_id, quantity,"
        " unit_price, created_at, updated_at)"
        " select (select max(id) from erp.order_items) + row_number() over (),"
        " order_id, 1 + floor(random() * (select max(id) from erp.products)),"
        " 1, 9.99, %(now)s, %(now)s from unnest(%(ids)s::bigint[]) as order_id",
        {"now": now, "ids": kinds["add"]},
    )
    conn.execute(
        "delete from erp.order_items where id in (select min(id) from"
        " erp.order_items where order_id = any(%(ids)s) group by order_id)",
        {"ids": kinds["delete"]},
    )
    conn.execute(
        "update erp.orders set order_date = coalesce(order_date, created_at)"
        " + interval '3 hours' where id = any(%(ids)s)",
        {"ids": kinds["date"]},
    )
    conn.execute(
        "update erp.orders set updated_at = %(now)s where id = any(%(ids)s)",
        {"now": now, "ids": kinds["add"] + kinds["delete"] + kinds["date"]},
    )
    return len(chosen)


def change_old_statuses(
    conn: psycopg.Connection, share: float, new_orders: int, seed: int, now: datetime
) -> int:
    """The change a real ERP makes most: a ``share`` of the orders sold in the
    last 180 days, spread over them, cancelled (or, when cancelled or
    pending, confirmed) as refunds and cancellations arrive days to weeks
    after the sale; plus ``new_orders`` new orders. Returns orders changed."""
    conn.execute("select setseed(%s)", (seed / 1000,))
    changed = conn.execute(
        """
        with window_orders as (
            select id from erp.orders
            where coalesce(order_date, created_at) >= (
                select max(coalesce(order_date, created_at)) from erp.orders
            ) - interval '180 days'
        ),
        chosen as (
            select id from window_orders
            where random() < %(share)s * (select count(*) from erp.orders)
                / greatest(1, (select count(*) from window_orders))
        )
        update erp.orders set
            status = case
                when status in ('cancelled', 'pending') then 'confirmed'
                else 'cancelled'
            end,
            updated_at = %(now)s
        where id in (select chosen.id from chosen)
        """,
        {"share": share, "now": now},
    ).rowcount
    bench_data.add_orders(conn, new_orders, now)
    return changed + new_orders


LEADERBOARD = """
    select
        campaigns.campaign_id,
        campaigns.name,
        campaigns.platform,
        sum(daily.units) as units,
        sum(daily.revenue) as revenue,
        sum(daily.profit) as profit,
        sum(daily.orders) as orders
    from marts.agg_campaign_daily as daily
    inner join marts.dim_campaigns as campaigns
        on daily.campaign_id = campaigns.campaign_id
    where daily.credit_mode = 'SPLIT' and daily.sale_date between %s and %s
    group by campaigns.campaign_id, campaigns.name, campaigns.platform
    order by revenue desc
"""


def leaderboard_timings(conn: psycopg.Connection, runs: int) -> list[float]:
    last = conn.execute(
        "select max(sale_date) from marts.agg_campaign_daily"
    ).fetchone()[0]
    first = last - timedelta(days=30)
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        conn.execute(LEADERBOARD, (first, last)).fetchall()
        timings.append(time.perf_counter() - started)
    return timings


# The original plan's AdAttributionService::computeCreditsForOrderItem,
# faithfully per item, with the contract's matching rules (status history).
PLAN_MATCH = """
    select campaigns.id
    from marketing.ad_campaigns as campaigns
    where campaigns.starts_at <= %(t)s
      and (campaigns.ends_at is null or %(t)s <= campaigns.ends_at)
      and (select events.to_status from marketing.ad_campaign_status_events as events
           where events.campaign_id = campaigns.id and events.changed_at <= %(t)s
           order by events.changed_at desc, events.id desc limit 1) = 'RUNNING'
      and exists (
        select 1 from marketing.ad_campaign_products as targets
        where targets.campaign_id = campaigns.id and targets.product_id = %(p)s
          and targets.effective_from <= %(t)s
          and (targets.effective_to is null or %(t)s < targets.effective_to))
    order by campaigns.id
"""


def per_item_plan(
    conn: psycopg.Connection, sample: int, seed: int
) -> tuple[float, int]:
    """Seconds per item of the plan's algorithm; items processed."""
    conn.execute("drop table if exists bench_plan_credits")
    conn.execute(
        "create table bench_plan_credits (like"
        " marts.fct_order_item_campaign_credits including indexes)"
    )
    conn.commit()
    items = conn.execute(
        "select order_item_id, order_id, product_id, sale_time, quantity,"
        " item_revenue, item_profit from intermediate.int_order_items_evaluated"
        " where has_been_observed_countable and bad_reason is null"
        " order by md5(order_item_id::text || %s) limit %s",
        (str(seed), sample),
    ).fetchall()
    started = time.perf_counter()
    for item_id, order_id, product_id, sale_time, qty, revenue, profit in items:
        with conn.transaction():
            campaigns = [
                row[0]
                for row in conn.execute(
                    PLAN_MATCH, {"t": sale_time, "p": product_id}
                ).fetchall()
            ]
            if not campaigns:
                continue
            k = len(campaigns)
            # the plan eager-loads each matched campaign's targeted products
            conn.execute(
                "select * from marketing.ad_campaign_products"
                " where campaign_id = any(%s)",
                (campaigns,),
            ).fetchall()
            conn.execute(
                "delete from bench_plan_credits where order_item_id = %s", (item_id,)
            )
            for rank, campaign_id in enumerate(campaigns, start=1):
                for mode in dbt_vars.credit_modes():
                    amounts = _amounts(mode, (qty, revenue, profit), k, rank)
                    conn.execute(
                        "insert into bench_plan_credits values"
                        " (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, false, null)",
                        (
                            item_id,
                            campaign_id,
                            mode,
                            order_id,
                            product_id,
                            sale_time,
                            *amounts,
                            k,
                        ),
                    )
    elapsed = time.perf_counter() - started
    conn.execute("drop table bench_plan_credits")
    conn.commit()
    return elapsed / len(items), len(items)


def _amounts(mode: str, totals: tuple, k: int, rank: int) -> tuple:
    if mode == "FULL":
        return totals
    return tuple(
        None if total is None else _split(total, scale, k, rank)
        for total, scale in zip(totals, (10_000, 100, 100), strict=True)
    )


def _split(total: Decimal, scale: int, k: int, rank: int) -> Decimal:
    q, r = divmod(int(total * scale), k)
    return Decimal(q + (1 if rank <= r else 0)) / scale


def bench_server() -> database.ConnectionParams:
    """The PGHOST server as it is, or an embedded one of the benchmark's own
    under .local/bench, tuned and restarted once."""
    if database.uses_external_server():
        return database.params_from_env()
    data_dir = paths.local_dir() / "bench" / "pgdata"
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    params = database.embedded_params(database.start_embedded(data_dir), "postgres")
    with psycopg.connect(params.conninfo(), autocommit=True) as conn:
        current = {
            name: conn.execute(f"show {name}").fetchone()[0] for name in SERVER_SETTINGS
        }
        if current == SERVER_SETTINGS:
            return params
        for name, value in SERVER_SETTINGS.items():
            conn.execute(f"alter system set {name} = '{value}'")
    database.restart_embedded(data_dir)
    return params


def settle(params: database.ConnectionParams) -> None:
    """Start (a) and (e) alike: statistics fresh, no dirty pages pending."""
    with psycopg.connect(params.conninfo(), autocommit=True) as conn:
        conn.execute("vacuum analyze")
        # not a superuser on an external server: no checkpoint, still fair
        with contextlib.suppress(psycopg.errors.InsufficientPrivilege):
            conn.execute("checkpoint")


def write_floor(conn: psycopg.Connection) -> float:
    conn.execute("drop table if exists bench_write_floor")
    conn.commit()
    started = time.perf_counter()
    conn.execute(f"create table bench_write_floor as select * from marts.{FACT}")
    conn.commit()
    elapsed = time.perf_counter() - started
    conn.execute("drop table bench_write_floor")
    conn.commit()
    return elapsed


class PeakMemory:
    """Peak of the server processes' summed PSS, sampled in a thread."""

    def __init__(self, postmaster_pid: int | None) -> None:
        self.postmaster_pid = postmaster_pid
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> PeakMemory:
        if self.postmaster_pid is not None:
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _sample(self) -> None:
        while not self._stop.wait(0.2):
            self.peak = max(self.peak, self.current())

    def current(self) -> int:
        pids = [self.postmaster_pid]
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, ValueError, IndexError):
                # the parent pid follows the parenthesised command name
                fields = stat.read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == self.postmaster_pid:
                    pids.append(int(stat.parent.name))
        total = 0
        for pid in pids:
            with contextlib.suppress(OSError):
                for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                    if line.startswith("Pss:"):
                        total += int(line.split()[1]) * 1024
        return total


def postmaster_pid() -> int | None:
    if database.uses_external_server():
        return None
    pid_file = paths.local_dir() / "bench" / "pgdata" / "postmaster.pid"
    try:
        return int(pid_file.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))
    return ordered[index]


def prepare(
    params: database.ConnectionParams, args: argparse.Namespace, items: int
) -> None:
    if not args.reuse:
        database.drop_database(params)
    database.ensure_database(params)
    migrate.upgrade(params)
    with psycopg.connect(params.conninfo(), autocommit=True) as conn:
        for setting, value in SETTINGS.items():
            conn.execute(f"alter database {params.dbname} set {setting} = '{value}'")
        loaded = conn.execute(
            "select to_regclass('erp.orders') is not null"
        ).fetchone()[0]
    if not loaded:
        bench_data.generate(
            params,
            items=items,
            products=args.products,
            campaigns=args.campaigns,
            anchor=datetime(2026, 11, 1, tzinfo=UTC),
            progress=progress,
        )


def full_build(params: database.ConnectionParams) -> DbtRun:
    """Every model and snapshot from nothing: snapshots start empty (what
    the pipeline observed is forgotten), models are fully refreshed."""
    with psycopg.connect(params.conninfo(), autocommit=True) as conn:
        conn.execute("drop schema if exists snapshots cascade")
    settle(params)
    return DbtRun(
        params,
        "build",
        "--full-refresh",
        *(arg for kind in BUILT_TYPES for arg in ("--resource-type", kind)),
    )


def measure(
    params: database.ConnectionParams, args: argparse.Namespace, items: int
) -> dict[str, object]:
    """Every figure of one size."""
    progress(f"size {items:,}: database {params.dbname}")
    prepare(params, args, items)
    figures: dict[str, object] = {}
    with PeakMemory(postmaster_pid()) as memory:
        progress("full build of every model and snapshot")
        full = full_build(params)
        figures["full"] = full
        progress(f"full build: {full.built():.1f} s of nodes, {full.wall:.1f} s wall")
        progress("the credit fact alone, fully refreshed")
        settle(params)
        fact = DbtRun(params, "run", "--full-refresh", "--select", FACT)
        figures["fact"] = fact.node(FACT)
        with psycopg.connect(params.conninfo()) as conn:
            figures["data"] = conn.execute(
                f"""
                select
                    (select count(*) from erp.order_items),
                    (select count(*) from marts.fct_order_item_attribution),
                    (select count(*) from marts.fct_order_item_attribution
                     where is_attributed),
                    (select count(*) from marts.{FACT}),
                    (select avg(matched_campaigns_count)
                     from marts.fct_order_item_attribution where is_attributed)
                """
            ).fetchone()
        # the median of three: one copy is short enough for a busy moment of
        # the machine to move it
        floors = []
        for _ in range(3):
            settle(params)
            with psycopg.connect(params.conninfo()) as conn:
                floors.append(write_floor(conn))
        figures["floor"] = sorted(floors)[1]
        progress(f"write floor {figures['floor']:.1f} s, fact {figures['fact']:.1f} s")

        progress("frequent run with no change")
        # the first frequent run after full refreshes has no marks to start
        # from and runs everything (the snapshots' first incremental step);
        # the measured one has nothing left to do
        base = FrequentRun(params, None).marks
        figures["none"] = FrequentRun(params, base)
        base = figures["none"].marks
        progress(f"no change: {figures['none'].describe()}")
        with psycopg.connect(params.conninfo()) as conn:
            total_orders = conn.execute("select count(*) from erp.orders").fetchone()[0]
        for name, count, seed in (
            ("same", min(SAME_SIZE_CHANGE, total_orders // 2), 1),
            ("percent", total_orders // 100, 2),
            ("statuses", None, 3),
        ):
            with psycopg.connect(params.conninfo()) as conn:
                if count is None:
                    count = change_old_statuses(
                        conn, STATUS_SHARE, STATUS_NEW_ORDERS, seed, datetime.now(UTC)
                    )
                else:
                    change_orders(conn, count, seed=seed, now=datetime.now(UTC))
                conn.commit()
            progress(f"frequent run after {count:,} orders changed")
            with explained(params, args.explain):
                run = FrequentRun(params, base)
            base = run.marks
            progress(f"{count:,} orders: {run.describe()}")
            with psycopg.connect(params.conninfo()) as conn:
                recomputed = conn.execute(
                    "select items_recomputed from marts.fct_attribution_builds"
                    " where model_name = %s order by build_id desc limit 1",
                    (FACT,),
                ).fetchone()[0]
            figures[name] = (run, count, recomputed)

        progress("leaderboard queries and the per-item plan")
        with psycopg.connect(params.conninfo()) as conn:
            figures["queries"] = leaderboard_timings(conn, args.queries)
            figures["plan"] = per_item_plan(conn, args.sample, seed=7)
        progress("campaign lift: python -m measurement lift")
        figures["lift"] = lift_run(params)
        progress(f"campaign lift: {figures['lift'][0]:.1f} s, {figures['lift'][1]}")
    figures["memory"] = memory.peak
    return figures


def lift_run(params: database.ConnectionParams) -> tuple[float, str]:
    """Wall seconds of `python -m measurement lift` as an outside check runs
    it (a new process against the PG* variables), and what it printed."""
    settle(params)
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "measurement", "lift"],
        env={**os.environ, **params.env()},
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.monotonic() - started
    if done.returncode != 0:
        raise RuntimeError(f"measurement lift failed:\n{done.stderr[-4000:]}")
    return wall, done.stdout.strip().splitlines()[-1]


@contextlib.contextmanager
def explained(params: database.ConnectionParams, seconds: float | None):
    """With `seconds`, the plans of statements slower than that, run by new
    sessions in the block, go to the server's log (actual times, buffers)."""
    if seconds is None:
        yield
        return
    settings = {**EXPLAIN_SETTINGS, "auto_explain.log_min_duration": f"{seconds}s"}
    with psycopg.connect(params.conninfo(), autocommit=True) as conn:
        for name, value in settings.items():
            conn.execute(f"alter database {params.dbname} set {name} = '{value}'")
    try:
        yield
    finally:
        with psycopg.connect(params.conninfo(), autocommit=True) as conn:
            for name in settings:
                conn.execute(f"alter database {params.dbname} reset {name}")
        if not database.uses_external_server():
            log = paths.local_dir() / "bench" / "pgdata" / "log"
            progress(f"plans of statements over {seconds} s: {log}")


def table(results: dict[int, dict[str, object]]) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = [
        ("", *(f"{items:,} items" for items in results), "target")
    ]

    def row(name: str, cell, target: str = "") -> None:
        rows.append((name, *(cell(figures) for figures in results.values()), target))

    def verdict(value: float, limit: float) -> str:
        return "met" if value <= limit else "NOT MET"

    row(
        "data: items / creditable / attributed / credit rows / avg k",
        lambda f: "{:,} / {:,} / {:,} / {:,} / {:.2f}".format(*f["data"]),
    )
    row(
        "write floor: create table as, the fact's rows", lambda f: f"{f['floor']:.1f} s"
    )
    row(
        "full build, models + snapshots (dbt node times; wall)",
        lambda f: (
            f"{f['full'].built():.1f} s = {f['full'].built() / f['floor']:.1f} x floor,"
            f" {verdict(f['full'].built() / f['floor'], FULL_TARGET)};"
            f" wall {f['full'].wall:.1f} s"
        ),
        f"<= {FULL_TARGET:g} x floor",
    )
    row(
        "full build, the credit fact alone",
        lambda f: (
            f"{f['fact']:.1f} s = {f['fact'] / f['floor']:.1f} x floor,"
            f" {verdict(f['fact'] / f['floor'], FACT_TARGET)}"
        ),
        f"<= {FACT_TARGET:g} x floor",
    )
    row("    slowest nodes of the full build", lambda f: f["full"].slowest())
    row(
        "no change: models + snapshots (share of full; wall)",
        lambda f: (
            f"{f['none'].built():.2f} s = {f['none'].built() / f['full'].built():.1%},"
            f" {verdict(f['none'].built() / f['full'].built(), NO_CHANGE_TARGET)};"
            f" wall {f['none'].wall:.1f} s"
        ),
        f"<= {NO_CHANGE_TARGET:.0%} of full",
    )
    row("    slowest nodes of the no-change run", lambda f: f["none"].slowest())
    for name, label, limit in (
        ("same", "change of 10,000 orders", None),
        ("percent", "1 % of orders changed", ONE_PERCENT_TARGET),
        (
            "statuses",
            f"{STATUS_SHARE:.1%} of orders cancelled/confirmed over 180 days"
            f" + {STATUS_NEW_ORDERS:,} new",
            ONE_PERCENT_TARGET,
        ),
    ):
        row(
            f"{label}: models + snapshots (share of full; wall)",
            lambda f, name=name, limit=limit: (
                f"{f[name][0].built():.2f} s"
                f" = {f[name][0].built() / f['full'].built():.1%}"
                + (
                    ""
                    if limit is None
                    else f", {verdict(f[name][0].built() / f['full'].built(), limit)}"
                )
                + f"; wall {f[name][0].wall:.1f} s;"
                f" {f[name][1]:,} orders, {f[name][2]:,} items recomputed,"
                f" credit fact {f[name][0].node(FACT):.2f} s"
            ),
            "" if limit is None else f"<= {limit:.0%} of full",
        )
    row(
        "leaderboard, one month, SPLIT: p50 / p95",
        lambda f: (
            f"{percentile(f['queries'], 50) * 1000:.1f} /"
            f" {percentile(f['queries'], 95) * 1000:.1f} ms,"
            f" {verdict(percentile(f['queries'], 95), LEADERBOARD_TARGET)}"
        ),
        f"p95 < {LEADERBOARD_TARGET * 1000:.0f} ms",
    )
    row(
        "original plan per item, scaled to the creditable items",
        lambda f: (
            f"{f['plan'][0] * 1000:.2f} ms/item ({f['plan'][1]:,} sampled),"
            f" full build {f['plan'][0] * f['data'][1] / f['fact']:.0f} x faster"
        ),
        f">= {PLAN_TARGET} x",
    )
    row(
        "campaign lift: python -m measurement lift (wall; share of the full build)",
        lambda f: (
            f"{f['lift'][0]:.1f} s = {f['lift'][0] / f['full'].wall:.1%} of the"
            f" full build's wall; {f['lift'][1]}"
        ),
    )
    row(
        "peak memory of the database (sum of PSS)",
        lambda f: f"{f['memory'] / 2**30:.2f} GiB" if f["memory"] else "n/a",
    )
    sizes = sorted(results)
    if len(sizes) > 1:
        small, large = results[sizes[0]], results[sizes[-1]]
        ratio = large["same"][0].built() / small["same"][0].built()
        wall_ratio = large["same"][0].wall / small["same"][0].wall
        rows.append(
            (
                f"10,000-order change at {sizes[-1]:,} vs {sizes[0]:,} items",
                f"{ratio:.2f} x (nodes), {wall_ratio:.2f} x (wall),"
                f" {verdict(ratio, SCALING_TARGET)}",
                *([""] * (len(sizes) - 1)),
                f"<= {SCALING_TARGET:g} x",
            )
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmark.pipeline")
    parser.add_argument(
        "--items",
        default="1000000",
        help="order items to generate (about); a comma-separated list runs"
        " each size and compares them",
    )
    parser.add_argument("--products", type=int, default=20_000)
    parser.add_argument("--campaigns", type=int, default=400)
    parser.add_argument(
        "--sample", type=int, default=2_000, help="items for the per-item baseline"
    )
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument(
        "--database",
        default="attribution_bench",
        help="database name prefix; the size is appended",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep an already generated benchmark database of the same size",
    )
    parser.add_argument(
        "--explain",
        type=float,
        metavar="SECONDS",
        help="log the plans (actual times, buffers) of the frequent runs'"
        " statements slower than this, through auto_explain; profiles, not"
        " figures: timing every plan node slows them",
    )
    args = parser.parse_args(argv)
    sizes = [int(size.replace("_", "")) for size in args.items.split(",")]

    server = bench_server()
    results = {
        items: measure(server.with_database(f"{args.database}_{items}"), args, items)
        for items in sizes
    }
    settings = (
        SETTINGS
        if database.uses_external_server()
        else {
            **SERVER_SETTINGS,
            **SETTINGS,
        }
    )
    print()
    print("server: " + ", ".join(f"{k} {v}" for k, v in settings.items()))
    rows = table(results)
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print(
            "  ".join(
                cell.ljust(width) for cell, width in zip(row, widths, strict=True)
            ).rstrip()
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
