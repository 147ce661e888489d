"""`make demo` and `make stop`: the whole stack on one machine.

`up` starts the database, migrates, loads demo data, runs the pipeline,
fails the Dagster runs a previous stop or crash left without a process
(orchestration/operations/runs.py), then starts the long-running services
(Dagster, the Streamlit app and a generator that keeps the ERP moving), each
in its own process group with a log under .local/logs, and prints where
everything is. `down` first cancels the queued runs and stops the running
ones, then stops the services.

With ``--engine spark`` (``ENGINE=spark make demo``) the same stack runs the
pipeline on Spark: the embedded PostgreSQL also listens on TCP (Spark reads
the sources over JDBC), a local Spark Thrift server starts
(``python -m warehouse spark start``), the marts are built with dbt's spark
target after PostgreSQL's first build (which the campaigns' lift estimate
still reads), and Dagster's dbt runs and the app's reports use Spark
(``DBT_TARGET=spark``, ``ATTRIBUTION_ENGINE=spark``). ``down`` stops the
Thrift server too.

`freshness` measures, with the demo running, the time from an order being
written to its credits being in marts.fct_order_item_campaign_credits.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from demo import data as demo_data
from demo import spend as demo_spend
from marketing import spend
from measurement import lift
from warehouse import credentials, database, dbt_runner, migrate, spark

ROOT = database.PROJECT_ROOT


@dataclass(frozen=True)
class Service:
    name: str
    command: list[str]
    url: str | None = None


def _bin(name: str) -> str:
    return str(Path(sys.executable).parent / name)


def services(
    host: str, dagster_port: int, app_port: int, interval: int, docs_port: int = 8580
) -> list[Service]:
    return [
        Service(
            "dagster",
            [
                _bin("dagster"),
                "dev",
                "-m",
                "orchestration.definitions",
                "-h",
                host,
                "-p",
                str(dagster_port),
            ],
            f"http://{host}:{dagster_port}",
        ),
        Service(
            "app",
            [
                _bin("streamlit"),
                "run",
                str(ROOT / "dashboard" / "app.py"),
                "--server.address",
                host,
                "--server.port",
                str(app_port),
                "--server.headless",
                "true",
                "--browser.gatherUsageStats",
                "false",
                "--client.toolbarMode",
                "minimal",
            ],
            f"http://{host}:{app_port}",
        ),
        Service(
            "docs",
            [
                _bin("dbt"),
                "docs",
                "serve",
                "--host",
                host,
                "--port",
                str(docs_port),
                "--no-browser",
                "--project-dir",
                str(ROOT),
            ],
            f"http://{host}:{docs_port}",
        ),
        Service(
            "generator",
            [
                sys.executable,
                "-m",
                "demo",
                "advance",
                "--steps",
                "0",
                "--interval",
                str(interval),
            ],
        ),
    ]


def _run_dir() -> Path:
    path = database.local_dir() / "run"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def _dagster_home() -> Path:
    return database.local_dir() / "dagster"


def _log_dir() -> Path:
    path = database.local_dir() / "logs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _pid_file(name: str) -> Path:
    return _run_dir() / f"{name}.pid"


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


def start(service: Service, env: dict[str, str]) -> int:
    pid_file = _pid_file(service.name)
    if pid_file.exists() and _running(int(pid_file.read_text())):
        return int(pid_file.read_text())
    log = open(_log_dir() / f"{service.name}.log", "ab")  # noqa: SIM115 (child keeps it)
    # its own session: `dagster dev` ignores SIGTERM, so `down` kills the group
    process = subprocess.Popen(
        service.command,
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    pid_file.write_text(str(process.pid))
    return process.pid


def stop(name: str) -> bool:
    pid_file = _pid_file(name)
    if not pid_file.exists():
        return False
    pid = int(pid_file.read_text())
    pid_file.unlink()
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            return True
        for _ in range(50):
            if not _running(pid):
                return True
            time.sleep(0.1)
    return True


def wait_for(url: str, seconds: float = 90) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status < 500:
                    return True
        except OSError:
            time.sleep(1)
    return False


def prepare(params: database.ConnectionParams, orders: int) -> None:
    """Migrate, load the demo data once, and run the pipeline twice.

    The second run follows a few steps of life (cancellations, refunds,
    campaign edits), so the first screens already show reversed credits.
    """
    migrate.upgrade(params)
    with database.connect(params, autocommit=True) as conn:
        demo_data.create_erp_schema(conn)
        loaded = conn.execute("select exists (select from erp.orders)").fetchone()[0]
    if not loaded:
        counts = demo_data.load(params, orders=orders)
        print("demo data: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
        # the platforms' last days arrive as a file for the inbox sensor
        with (
            demo_data.connect_as(params, credentials.APP) as app,
            demo_data.connect_as(params, credentials.ERP_REPLICA) as erp,
        ):
            dropped = demo_spend.drop_inbox_file(
                app, spend.inbox_folder(), demo_spend.daily_revenue(erp)
            )
        if dropped is not None:
            print(f"demo spend export for the inbox: {dropped}")
    if dbt_runner.run_dbt(["build"], params).returncode != 0:
        raise SystemExit("dbt build failed: see the output above")
    if dbt_runner.generate_docs(params) != 0:
        print("dbt docs generate failed: the docs site is not served")
    if not loaded:
        for step in range(3):
            demo_data.advance(
                params,
                seed=step,
                now=datetime.now(UTC),
                new_orders=30,
                changes=orders // 50,
            )
        if dbt_runner.run_dbt(["build"], params).returncode != 0:
            raise SystemExit("dbt build failed: see the output above")
    # what the campaigns caused: the nightly job's estimate, made now so the
    # campaign page shows it from the start
    transformer = database.role_params(credentials.TRANSFORMER, params)
    with database.connect(transformer) as conn:
        print(lift.rebuild(conn).describe())


def seed_users(env: dict[str, str]) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "dashboard.user_admin", "seed-demo"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        return f"(could not seed app users: {result.stderr.strip()[-500:]})"
    return result.stdout.strip()


def prepare_spark(params: database.ConnectionParams) -> spark.ThriftServer:
    """The Thrift server over the demo's sources, and the marts built on it."""
    thrift = spark.start()
    print(f"Spark Thrift server on {thrift.host}:{thrift.port}")
    if dbt_runner.run_dbt(["build", "--target", "spark"], params).returncode != 0:
        raise SystemExit("dbt build on Spark failed: see the output above")
    return thrift


def up(args: argparse.Namespace) -> int:
    on_spark = args.engine == "spark"
    if on_spark and not database.uses_external_server():
        # before anything connects: pgJDBC needs TCP, and this restarts it
        database.listen_on_tcp()
    params = database.resolve()
    prepare(params, args.orders)
    env = dbt_runner.dbt_env(params)
    thrift = prepare_spark(params) if on_spark else None
    if thrift is not None:
        # Dagster's dbt runs build Spark's marts; the app reads them there
        env.update(DBT_TARGET="spark")
        env[spark.ENGINE_VARIABLE] = "spark"
    env["DAGSTER_HOME"] = str(_dagster_home())
    # telemetry off, one dbt run at a time, run monitoring
    from orchestration.operations import runs
    from orchestration.operations.instance import ensure_dagster_home
    from orchestration.settings import Settings

    ensure_dagster_home(_dagster_home())
    for run_id in runs.sweep(_dagster_home(), params, Settings.from_env()):
        print(f"failed Dagster run {run_id}: no process owned it (alert raised)")
    users = seed_users(env)
    started = services(
        args.host, args.dagster_port, args.app_port, args.interval, args.docs_port
    )
    # every service connects as its own roles: dbt and Dagster as the
    # transformer, the app as the app, the generator as the ERP's replica and
    # the app (demo/data.py); none gets the admin connection
    for service in started:
        start(service, env)
    for service in started:
        if service.url and not wait_for(service.url):
            print(
                f"{service.name} did not answer at {service.url}; see "
                f"{_log_dir() / (service.name + '.log')}"
            )
    bi = params.with_database(params.dbname)
    print()
    print("Campaign attribution demo is up")
    print(f"  Marketers' app    {started[1].url}")
    print(f"  Dagster           {started[0].url}")
    print(f"  dbt docs          {started[2].url}")
    print(f"  PostgreSQL        {bi.display_url()}")
    if thrift is not None:
        print(
            f"  Spark (marts)     {thrift.url()} (HiveServer2, no authentication);"
            f" files in {spark.warehouse_dir()}/marts.db"
        )
    print(
        "  BI (read marts)   user bi_reader, same host and db; password in "
        f"{credentials.secrets_file()} (BI_READER_PASSWORD)"
    )
    print(
        f'  psql              eval "$({sys.executable} -m warehouse db env'
        ' --show-password)" && psql'
    )
    print("  App users:")
    for line in users.splitlines():
        print(f"    {line}")
    print(f"  Logs              {_log_dir()}")
    print("  Stop everything   make stop")
    return 0


def down(_args: argparse.Namespace) -> int:
    from orchestration.operations import runs

    if stop("generator"):
        print("stopped generator")
    if _dagster_home().joinpath("dagster.yaml").exists():
        # before the processes go: a run killed with them would stay STARTED
        for run_id, status in runs.stop_runs(_dagster_home()).items():
            print(f"Dagster run {run_id}: {status}")
    for service in ("docs", "app", "dagster"):
        if stop(service):
            print(f"stopped {service}")
    if _dagster_home().joinpath("dagster.yaml").exists():
        # anything launched in the meantime has no process left either
        for run_id, status in runs.stop_runs(_dagster_home(), 0).items():
            print(f"Dagster run {run_id}: {status}")
    if spark.stop():
        print("stopped the Spark Thrift server")
    if not database.uses_external_server() and database.stop_embedded():
        print("stopped the embedded database")
    return 0


# a product that a running campaign targets now: the new order earns credits
_TARGETED_PRODUCT_SQL = """
select products.id, coalesce(products.cost_price, 10.00)
from marketing.ad_campaign_products as targets
inner join marketing.ad_campaigns as campaigns on targets.campaign_id = campaigns.id
inner join erp.products as products on targets.product_id = products.id
where campaigns.status = 'RUNNING'
    and campaigns.starts_at <= now()
    and (campaigns.ends_at is null or campaigns.ends_at > now())
    and targets.effective_from <= now()
    and (targets.effective_to is null or targets.effective_to > now())
order by products.id
limit 1
"""


def write_order(params: database.ConnectionParams) -> int:
    """One confirmed order of one targeted item, as the ERP writes it: its id."""
    with database.connect(params, autocommit=False) as conn:
        product = conn.execute(_TARGETED_PRODUCT_SQL).fetchone()
        if product is None:
            raise SystemExit("no running campaign targets a product: nothing to time")
        product_id, cost = product
        order_id, item_id = conn.execute(
            "select coalesce((select max(id) from erp.orders), 0) + 1,"
            " coalesce((select max(id) from erp.order_items), 0) + 1"
        ).fetchone()
        now = datetime.now(UTC)
        conn.execute(
            "insert into erp.orders (id, order_number, status, order_date,"
            " created_at, updated_at) values (%s, %s, 'confirmed', %s, %s, %s)",
            (order_id, f"SO-{order_id:08d}", now, now, now),
        )
        conn.execute(
            "insert into erp.order_items (id, order_id, product_id, quantity,"
            " unit_price, created_at, updated_at) values (%s, %s, %s, 1, %s, %s, %s)",
            (item_id, order_id, product_id, round(cost * 2, 2), now, now),
        )
        conn.commit()
    return order_id


def freshness(args: argparse.Namespace) -> int:
    """Writes an order and waits for its credits in marts: the seconds it took."""
    params = database.resolve()
    order_id = write_order(params)
    started = time.monotonic()
    print(f"wrote order {order_id}; waiting for its credits in marts", flush=True)
    while time.monotonic() - started < args.timeout:
        with database.connect(params, autocommit=True) as conn:
            (credits,) = conn.execute(
                "select count(*) from marts.fct_order_item_campaign_credits"
                " where order_id = %s",
                (order_id,),
            ).fetchone()
        if credits:
            seconds = time.monotonic() - started
            print(
                f"order {order_id}: {credits} credit rows in marts"
                f" after {seconds:.0f} s"
            )
            return 0
        time.sleep(1)
    print(f"order {order_id}: no credits in marts after {args.timeout:.0f} s")
    return 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m demo.stack")
    sub = parser.add_subparsers(dest="command", required=True)
    up_parser = sub.add_parser("up")
    up_parser.add_argument("--orders", type=int, default=5000)
    up_parser.add_argument(
        "--engine",
        choices=("postgres", "spark"),
        default=os.environ.get("ENGINE") or "postgres",
        help="where the pipeline builds the marts the app reads",
    )
    up_parser.add_argument("--host", default="127.0.0.1")
    up_parser.add_argument("--dagster-port", type=int, default=3000)
    up_parser.add_argument("--app-port", type=int, default=8501)
    up_parser.add_argument("--docs-port", type=int, default=8580)
    up_parser.add_argument(
        "--interval", type=int, default=60, help="seconds between generated changes"
    )
    up_parser.set_defaults(func=up)
    sub.add_parser("down").set_defaults(func=down)
    fresh = sub.add_parser(
        "freshness", help="seconds from an order written to its credits in marts"
    )
    fresh.add_argument("--timeout", type=float, default=600)
    fresh.set_defaults(func=freshness)
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
