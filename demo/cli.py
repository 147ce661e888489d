"""The demo world's command line: ``python -m demo load|advance``."""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime

from demo import data as demo_data
from warehouse import database


def _demo(args: argparse.Namespace) -> int:
    # the admin connection's server and database; the demo writes as the
    # project's roles (demo/data.py)
    params = database.resolve(create=args.action == "load")
    if args.action == "load":
        with database.connect(params) as conn:
            has_rows = conn.execute(
                "select to_regclass('erp.orders') is not null"
            ).fetchone()[0]
            if (
                has_rows
                and conn.execute("select count(*) from erp.orders").fetchone()[0]
            ):
                print("demo data already loaded; nothing to do")
                return 0
        counts = demo_data.load(
            params,
            orders=args.orders,
            seed=args.seed,
            products=args.products,
            campaigns=args.campaigns,
        )
        print("loaded " + ", ".join(f"{v} {k}" for k, v in counts.items()))
        return 0
    step = 0
    while args.steps == 0 or step < args.steps:
        now = datetime.now(UTC)
        counts = demo_data.advance(
            params,
            seed=args.seed * 1_000_003 + int(now.timestamp()),
            now=now,
            new_orders=args.new_orders,
            changes=args.changes,
        )
        print(
            f"{now:%H:%M:%S} " + ", ".join(f"{v} {k}" for k, v in counts.items()),
            flush=True,
        )
        step += 1
        if args.steps == 0 or step < args.steps:
            time.sleep(args.interval)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m demo", description="generate demo ERP and campaign data"
    )
    parser.add_argument("action", choices=["load", "advance"])
    parser.add_argument("--orders", type=int, default=5000)
    parser.add_argument("--products", type=int)
    parser.add_argument("--campaigns", type=int)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--steps",
        type=int,
        default=1,
        help="advance: how many steps (0 = until stopped)",
    )
    parser.add_argument(
        "--interval", type=float, default=60.0, help="advance: seconds between steps"
    )
    parser.add_argument("--new-orders", type=int, default=20)
    parser.add_argument("--changes", type=int, default=15)

    return _demo(parser.parse_args(argv))
