"""The project's command line: database, migrations, demo data, dbt."""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from attribution import credentials, database, demo_data

PROJECT_ROOT = database.PROJECT_ROOT


def _db(args: argparse.Namespace) -> int:
    if args.action == "start":
        if database.uses_external_server():
            print("PGHOST is set: using that server, nothing to start")
        params = database.resolve()
        print(f"database ready: {params.display_url()}")
    elif args.action == "stop":
        stopped = database.stop_embedded()
        print("stopped" if stopped else "the embedded server was not running")
    elif args.action == "status":
        if database.uses_external_server():
            print(f"external server: {database.params_from_env().display_url()}")
            return 0
        status = database.embedded_status()
        print(
            f"embedded server at {status['data_dir']}: "
            f"{'running' if status['running'] else 'stopped'}"
        )
        return 0 if status["running"] else 1
    elif args.action == "url":
        params = _as(args)
        print(params.url(args.driver, show_password=args.show_password))
    elif args.action == "env":
        for key, value in _as(args).env().items():
            if key == "PGPASSWORD" and not args.show_password:
                # the password stays in the secrets file
                print(f"# {key} not printed (--show-password prints it)")
                continue
            print(f"export {key}={shlex.quote(value)}")
    return 0


def _as(args: argparse.Namespace) -> database.ConnectionParams:
    params = database.resolve()
    return params.as_role(args.role) if args.role else params


def _migrate(_args: argparse.Namespace) -> int:
    # alembic only here: every Dagster run process imports this module
    from attribution import migrate

    params = database.resolve()
    migrate.upgrade(params)
    print(f"migrations applied to {params.dbname}")
    return 0


def _demo(args: argparse.Namespace) -> int:
    params = database.resolve()
    with database.connect(params) as conn:
        if args.action == "load":
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
                conn,
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
        with database.connect(params) as conn:
            counts = demo_data.advance(
                conn,
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


def _dbt(args: argparse.Namespace) -> int:
    return run_dbt(args.dbt_args).returncode


def dbt_profiles_dir() -> Path:
    """A profiles directory holding profiles.example.yml as profiles.yml."""
    target = database.local_dir() / "dbt"
    target.mkdir(parents=True, exist_ok=True)
    example = (PROJECT_ROOT / "profiles.example.yml").read_text()
    profile = target / "profiles.yml"
    if not profile.exists() or profile.read_text() != example:
        profile.write_text(example)
    return target


def dbt_env(params: database.ConnectionParams | None = None) -> dict[str, str]:
    """dbt's environment: the database as the transformer role."""
    params = database.role_params(credentials.TRANSFORMER, params)
    env = database.libpq_env(params)
    # snapshots stamp versions with local timestamps: one zone for every run
    env.setdefault("PGOPTIONS", "-c TimeZone=UTC")
    if not (PROJECT_ROOT / "profiles.yml").exists():
        env.setdefault("DBT_PROFILES_DIR", str(dbt_profiles_dir()))
    return env


def dbt_executable() -> str:
    return os.path.join(os.path.dirname(sys.executable), "dbt")


def run_dbt(
    dbt_args: list[str],
    params: database.ConnectionParams | None = None,
    env: dict[str, str] | None = None,
    capture: bool = False,
) -> subprocess.CompletedProcess:
    """Run dbt in this project against the given (or the project's) database."""
    full_env = dbt_env(params)
    full_env.update(env or {})
    return subprocess.run(
        [dbt_executable(), *dbt_args, "--project-dir", str(PROJECT_ROOT)],
        env=full_env,
        cwd=PROJECT_ROOT,
        text=True,
        capture_output=capture,
        check=False,
    )


def generate_docs(params: database.ConnectionParams | None = None) -> int:
    """`dbt docs generate` into target/ (the catalog reads the database)."""
    from attribution import migrate

    params = params or database.resolve()
    migrate.upgrade(params)
    return run_dbt(["docs", "generate", "--quiet"], params).returncode


def _docs(_args: argparse.Namespace) -> int:
    code = generate_docs()
    if code == 0:
        print(f"dbt docs: {PROJECT_ROOT / 'target' / 'index.html'}")
    return code


def mf_executable() -> str:
    return os.path.join(os.path.dirname(sys.executable), "mf")


def run_mf(
    mf_args: list[str],
    params: database.ConnectionParams | None = None,
    env: dict[str, str] | None = None,
    capture: bool = False,
) -> subprocess.CompletedProcess:
    """Run MetricFlow's `mf` in this project against the given database.

    mf reads the semantic manifest that `dbt parse` writes, whose relations
    name the database parsed against: parse first, for this database.
    """
    full_env = dbt_env(params)
    full_env.update(env or {})
    parsed = run_dbt(["parse", "--quiet"], params, env, capture=capture)
    if parsed.returncode != 0:
        return parsed
    return subprocess.run(
        [mf_executable(), *mf_args],
        env=full_env,
        cwd=PROJECT_ROOT,
        text=True,
        capture_output=capture,
        check=False,
    )


def _mf(args: argparse.Namespace) -> int:
    return run_mf(args.mf_args).returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m attribution")
    sub = parser.add_subparsers(dest="command", required=True)

    db = sub.add_parser("db", help="manage the embedded PostgreSQL server")
    db.add_argument("action", choices=["start", "stop", "status", "url", "env"])
    db.add_argument(
        "--driver",
        default="psycopg",
        help="SQLAlchemy driver for `url` ('' for a plain libpq URL)",
    )
    db.add_argument(
        "--role",
        choices=credentials.ROLES,
        help="url/env: as this role (default: the admin connection)",
    )
    db.add_argument(
        "--show-password",
        action="store_true",
        help="url/env: include the password (it is otherwise masked)",
    )
    db.set_defaults(func=_db)

    mig = sub.add_parser("migrate", help="create or upgrade the marketing schema")
    mig.set_defaults(func=_migrate)

    demo = sub.add_parser("demo", help="generate demo ERP and campaign data")
    demo.add_argument("action", choices=["load", "advance"])
    demo.add_argument("--orders", type=int, default=5000)
    demo.add_argument("--products", type=int)
    demo.add_argument("--campaigns", type=int)
    demo.add_argument("--seed", type=int, default=42)
    demo.add_argument(
        "--steps",
        type=int,
        default=1,
        help="advance: how many steps (0 = until stopped)",
    )
    demo.add_argument(
        "--interval", type=float, default=60.0, help="advance: seconds between steps"
    )
    demo.add_argument("--new-orders", type=int, default=20)
    demo.add_argument("--changes", type=int, default=15)
    demo.set_defaults(func=_demo)

    dbt = sub.add_parser("dbt", help="run dbt against the project's database")
    dbt.add_argument("dbt_args", nargs=argparse.REMAINDER)
    dbt.set_defaults(func=_dbt)

    docs = sub.add_parser("docs", help="generate the dbt documentation site")
    docs.set_defaults(func=_docs)

    mf = sub.add_parser("mf", help="query the semantic layer (MetricFlow)")
    mf.add_argument("mf_args", nargs=argparse.REMAINDER)
    mf.set_defaults(func=_mf)

    args = parser.parse_args(argv)
    return int(args.func(args) or 0)


__all__ = ["main", "run_dbt"]
