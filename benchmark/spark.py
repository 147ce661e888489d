"""`make bench ENGINE=spark`: the same generated data built on PostgreSQL and
on Spark (a local Thrift server over it, `warehouse/spark.py`), in one run:

  - a full build (PostgreSQL: every model and snapshot from nothing, as
    `make bench`; Spark: `dbt run --full-refresh` of every model);
  - a run after no change (PostgreSQL: the frequent run; Spark: `dbt run`);
  - a run after 1 % of the orders changed (the benchmark's ERP changes);
  - a run after orders of one sale day changed: with the 1 % run, what
    rewriting one more `sale_date` partition of the credit fact costs;
  - the leaderboard query (one month, SPLIT), p50 / p95, on PostgreSQL and
    through the Thrift server.

It prints one table, the two engines side by side, and the credit fact's
per-partition figures the cluster projection in docs/spark.md rests on.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg

from benchmark import pipeline
from orchestration.jobs import changes
from warehouse import credentials, database, dbt_runner, spark

FACT = pipeline.FACT


class SparkRun:
    """One `dbt ... --target spark`: wall seconds and dbt's time per node."""

    def __init__(self, params: database.ConnectionParams, *args: str) -> None:
        target = Path(tempfile.mkdtemp(prefix="attribution-bench-spark-"))
        started = time.perf_counter()
        result = dbt_runner.run_dbt(
            [*args, "--target", "spark", "--quiet"],
            params,
            env={"DBT_TARGET_PATH": str(target), "DBT_LOG_PATH": str(target)},
            capture=True,
        )
        self.wall = time.perf_counter() - started
        if result.returncode != 0:
            raise SystemExit(
                f"dbt {' '.join(args)} on Spark failed:\n{result.stdout[-4000:]}"
            )
        results = json.loads((target / "run_results.json").read_text())["results"]
        self.times = {row["unique_id"]: row["execution_time"] for row in results}

    def node(self, name: str) -> float:
        return next(
            seconds
            for unique_id, seconds in self.times.items()
            if unique_id.split(".")[2] == name
        )


def spark_leaderboard(thrift: spark.ThriftServer, runs: int) -> list[float]:
    """The benchmark's leaderboard query, the same SQL, through PyHive."""
    with thrift.connect() as conn:
        cursor = conn.cursor()
        cursor.execute("select max(sale_date) from marts.agg_campaign_daily")
        last = datetime.strptime(str(cursor.fetchone()[0]), "%Y-%m-%d").date()
        first = last - timedelta(days=30)
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            cursor.execute(pipeline.LEADERBOARD, (first, last))
            cursor.fetchall()
            timings.append(time.perf_counter() - started)
    return timings


def change_one_day(conn: psycopg.Connection, count: int, now: datetime) -> int:
    """``count`` orders of one sale day move one status on: their credits
    all live in one partition. Returns how many changed."""
    return conn.execute(
        """
        update erp.orders set status = case status
                when 'pending' then 'confirmed'
                when 'confirmed' then 'processing'
                when 'processing' then 'delivered'
                else 'completed' end,
            updated_at = %(now)s
        where id in (
            select id from erp.orders
            where order_date >= (select max(order_date) from erp.orders)
                - interval '3 days'
                and order_date < (select max(order_date) from erp.orders)
                - interval '2 days'
            order by id limit %(count)s)
        """,
        {"now": now, "count": count},
    ).rowcount


def partitions_touched(conn: psycopg.Connection, now: datetime) -> int:
    """Sale days (the credit fact's partitions) of the orders changed at ``now``."""
    return conn.execute(
        "select count(distinct sale_date) from marts.fct_order_item_campaign_credits"
        " where order_id in (select id from erp.orders where updated_at = %s)",
        (now,),
    ).fetchone()[0]


def start_thrift(params: database.ConnectionParams) -> spark.ThriftServer:
    """A Thrift server of the benchmark's own (.local/bench/spark) over the
    benchmark database."""
    root = database.local_dir() / "bench" / "spark"
    os.environ.setdefault("SPARK_STATE_DIR", str(root))
    os.environ.setdefault("SPARK_WAREHOUSE_DIR", str(root / "warehouse"))
    os.environ.setdefault("SPARK_THRIFT_PORT", "10001")
    thrift = spark.server()
    spark.start_server(thrift)
    spark.create_sources(thrift, params.as_role(credentials.TRANSFORMER))
    return thrift


def measure(params: database.ConnectionParams, args: argparse.Namespace, items: int):
    progress = pipeline.progress
    progress(f"size {items:,}: database {params.dbname}")
    pipeline.prepare(params, args, items)
    thrift = start_thrift(params)
    found: dict[str, tuple] = {}
    with psycopg.connect(params.conninfo(), autocommit=True) as conn:
        orders = conn.execute("select count(*) from erp.orders").fetchone()[0]
        progress("PostgreSQL: full build")
        pg_full = pipeline.full_build(params)
        base = changes.source_marks(conn)
        progress("Spark: full build")
        with thrift.connect() as spark_conn:
            cursor = spark_conn.cursor()
            for schema in ("staging", "intermediate", "snapshots", "marts"):
                cursor.execute(f"drop database if exists {schema} cascade")
        spark_full = SparkRun(params, "run", "--full-refresh")
        partitions = conn.execute(
            f"select count(distinct sale_date) from marts.{FACT}"
        ).fetchone()[0]
        found["full build (wall)"] = (pg_full.wall, spark_full.wall)
        found[f"full build: {FACT}"] = (pg_full.node(FACT), spark_full.node(FACT))

        progress("no change")
        pg_none = pipeline.FrequentRun(params, base)
        spark_none = SparkRun(params, "run")
        found["no change (wall)"] = (pg_none.wall, spark_none.wall)
        found[f"no change: {FACT}"] = (
            pg_none.times and pg_none.node(FACT) or 0.0,
            spark_none.node(FACT),
        )

        progress("orders of one sale day change")
        now = datetime.now(UTC)
        day_orders = change_one_day(conn, max(1, orders // 1000), now)
        pg_day = pipeline.FrequentRun(params, pg_none.marks)
        day_partitions = partitions_touched(conn, now)
        spark_day = SparkRun(params, "run")
        found[f"{day_orders} orders of one day (wall)"] = (pg_day.wall, spark_day.wall)
        found[f"  {FACT}, {day_partitions} partitions"] = (
            pg_day.node(FACT),
            spark_day.node(FACT),
        )

        progress("1 % of the orders change")
        now = datetime.now(UTC)
        changed = pipeline.change_orders(conn, max(1, orders // 100), 7, now)
        pg_one = pipeline.FrequentRun(params, pg_day.marks)
        one_partitions = partitions_touched(conn, now)
        spark_one = SparkRun(params, "run")
        found[f"1 % ({changed} orders) (wall)"] = (pg_one.wall, spark_one.wall)
        found[f"  {FACT}, {one_partitions} partitions"] = (
            pg_one.node(FACT),
            spark_one.node(FACT),
        )

        progress("leaderboard")
        pg_board = pipeline.leaderboard_timings(conn, args.queries)
        spark_board = spark_leaderboard(thrift, args.queries)
        for pct in (50, 95):
            found[f"leaderboard p{pct}"] = (
                pipeline.percentile(pg_board, pct),
                pipeline.percentile(spark_board, pct),
            )
    # the credit fact on Spark: a fixed cost per run (no change) and a cost
    # per partition rewritten (the 1 % run against the one-day run)
    per_partition = (spark_one.node(FACT) - spark_day.node(FACT)) / max(
        1, one_partitions - day_partitions
    )
    return {
        "items": items,
        "orders": orders,
        "partitions": partitions,
        "rows": found,
        "spark_fact_fixed": spark_none.node(FACT),
        "spark_fact_per_partition": per_partition,
        "spark_fact_full_per_partition": spark_full.node(FACT) / max(1, partitions),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmark.spark")
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--products", type=int, default=20_000)
    parser.add_argument("--campaigns", type=int, default=400)
    parser.add_argument("--queries", type=int, default=20)
    parser.add_argument("--database", default="attribution_bench_spark")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument(
        "--keep-server", action="store_true", help="leave the Thrift server running"
    )
    args = parser.parse_args(argv)
    server = pipeline.bench_server()
    if not database.uses_external_server():
        # pgJDBC needs TCP: the benchmark's server listens on 127.0.0.1 too
        server = database.listen_on_tcp(
            database.local_dir() / "bench" / "pgdata"
        ).with_database("postgres")
    started = time.perf_counter()
    try:
        result = measure(
            server.with_database(f"{args.database}_{args.items}"), args, args.items
        )
    finally:
        if not args.keep_server:
            spark.stop()
    print()
    print(
        f"{result['items']:,} items, {result['orders']:,} orders,"
        f" {result['partitions']} sale days; {time.perf_counter() - started:.0f} s"
    )
    width = max(len(name) for name in result["rows"])
    print(f"{'':{width}}  PostgreSQL      Spark")
    for name, (on_pg, on_spark) in result["rows"].items():
        print(f"{name:{width}}  {on_pg:8.3f} s  {on_spark:8.3f} s")
    print(
        f"Spark, {FACT}: {result['spark_fact_fixed']:.2f} s per run without"
        f" change, {result['spark_fact_per_partition']:.3f} s per further"
        f" partition rewritten, {result['spark_fact_full_per_partition']:.3f} s"
        " per partition in a full build"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
