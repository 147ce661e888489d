"""How the run-log lookups of every frequent run scale with the log's size.

Each incremental model reads ``max(watermark)`` of its own builds, and
Dagster and the app read the credit fact's last build time. The log gains a
row per model per run, so these must stay index lookups. This copies the
project's log table (the incremental engine's ``ensure_run_log``, with and
without its indexes) into a scratch schema, fills it with ``--rows`` builds
of six models, and prints the median time of each lookup both ways.

    python -m benchmark.run_log --rows 1000000
"""

from __future__ import annotations

import argparse
import statistics
import time

from warehouse import database, dbt_runner

MODELS = (
    "fct_order_item_campaign_credits",
    "fct_order_item_attribution",
    "agg_campaign_daily",
    "agg_attribution_health_daily",
    "int_orders_observed",
    "snap_erp__orders",
)
LOOKUPS = {
    "a model's watermark": "select max(watermark) from {log}"
    " where model_name = 'agg_campaign_daily'",
    "the credit fact's last build": "select max(built_at) from {log}"
    " where model_name = 'fct_order_item_campaign_credits'",
}


def _median_ms(conn, query: str, repeats: int = 20) -> float:
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        conn.execute(query).fetchall()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


def measure(params: database.ConnectionParams, rows: int) -> dict[str, tuple]:
    """{lookup: (ms without the log's indexes, ms with them)}."""
    # the log's own staging view: its on-run-start hook creates the log
    created = dbt_runner.run_dbt(
        ["run", "--select", "stg_pipeline__attribution_runs", "--quiet"],
        params,
        capture=True,
    )
    if created.returncode != 0:
        raise SystemExit(f"dbt run failed:\n{created.stdout[-2000:]}")
    results: dict[str, list[float]] = {name: [] for name in LOOKUPS}
    with database.connect(params, autocommit=True) as conn:
        for including in ("including defaults", "including all"):
            conn.execute("drop schema if exists run_log_bench cascade")
            conn.execute("create schema run_log_bench")
            conn.execute(
                "create table run_log_bench.attribution_runs"
                f" (like intermediate.attribution_runs {including})"
            )
            conn.execute(
                """
                insert into run_log_bench.attribution_runs
                    (run_id, model_name, watermark, built_at, is_full_build)
                overriding system value
                select
                    i,
                    (%s::text[])[1 + i %% 6],
                    now() - (%s - i) * interval '2 seconds',
                    now() - (%s - i) * interval '2 seconds',
                    i %% 500 = 0
                from generate_series(1, %s) as i
                """,
                (list(MODELS), rows, rows, rows),
            )
            conn.execute("analyze run_log_bench.attribution_runs")
            for name, query in LOOKUPS.items():
                log = "run_log_bench.attribution_runs"
                results[name].append(_median_ms(conn, query.format(log=log)))
        conn.execute("drop schema run_log_bench cascade")
    return {name: tuple(times) for name, times in results.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmark.run_log")
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    for name, (without, with_) in measure(database.resolve(), args.rows).items():
        print(
            f"log of {args.rows:,} builds, {name}: {without:.2f} ms without"
            f" the indexes, {with_:.2f} ms with ({without / with_:.0f} x)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
