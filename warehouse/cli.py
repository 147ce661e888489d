"""The warehouse's command line: the database, Spark, migrations, dbt, docs, mf.

``python -m warehouse --help``; the demo world has its own (``python -m demo``).
"""

from __future__ import annotations

import argparse
import shlex

from warehouse import credentials, database
from warehouse.dbt_runner import PROJECT_ROOT, generate_docs, run_dbt, run_mf


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
    from warehouse import migrate

    params = database.resolve()
    migrate.upgrade(params)
    print(f"migrations applied to {params.dbname}")
    return 0


def _spark(args: argparse.Namespace) -> int:
    # pyspark and PyHive: only here (`make install-spark`)
    from warehouse import spark

    if args.action == "cluster":
        return _spark_cluster(spark, args.cluster_action)
    if args.action == "start":
        thrift = spark.start()
        print(
            f"Spark Thrift server on {thrift.host}:{thrift.port}, warehouse"
            f" {spark.warehouse_dir()}; sources read over JDBC"
        )
    elif args.action == "stop":
        print("stopped" if spark.stop() else "the Spark Thrift server was not running")
    elif args.action == "status":
        thrift = spark.server()
        listening = thrift.is_listening()
        print(
            f"Spark Thrift server on {thrift.host}:{thrift.port}:"
            f" {'listening' if listening else 'not listening'}"
        )
        return 0 if listening else 1
    return 0


def _spark_cluster(spark, action: str | None) -> int:
    """`spark cluster start|stop`: a standalone master and workers here."""
    if action == "start":
        cluster = spark.cluster_start()
        print(
            f"Spark master {cluster.master_url} with {cluster.workers} workers"
            f" ({cluster.worker_cores} core, {cluster.worker_memory} each), UI"
            f" http://{cluster.host}:{cluster.ui_port}; run the Thrift server on"
            f" it: SPARK_MASTER={cluster.master_url} python -m warehouse spark start"
        )
    elif action == "stop":
        stopped = spark.cluster_stop()
        print(f"stopped {', '.join(stopped)}" if stopped else "no cluster was running")
    else:
        raise SystemExit("usage: python -m warehouse spark cluster start|stop")
    return 0


def _dbt(args: argparse.Namespace) -> int:
    return run_dbt(args.dbt_args).returncode


def _docs(_args: argparse.Namespace) -> int:
    code = generate_docs()
    if code == 0:
        print(f"dbt docs: {PROJECT_ROOT / 'target' / 'index.html'}")
    return code


def _mf(args: argparse.Namespace) -> int:
    return run_mf(args.mf_args).returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m warehouse")
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

    spark_cmd = sub.add_parser("spark", help="manage the local Spark Thrift server")
    spark_cmd.add_argument("action", choices=["start", "stop", "status", "cluster"])
    spark_cmd.add_argument(
        "cluster_action",
        nargs="?",
        choices=["start", "stop"],
        help="with `cluster`: a standalone master and workers on this machine",
    )
    spark_cmd.set_defaults(func=_spark)

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
