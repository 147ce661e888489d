"""A local Spark Thrift server: the pipeline's second engine.

``python -m warehouse spark start|stop|status`` manages it like the embedded
database. It runs pyspark's own Thrift server (HiveServer2 protocol, the
endpoint dbt-spark, the app and BI tools connect to) with:

* the warehouse directory ``SPARK_WAREHOUSE_DIR`` (default
  ``.local/spark/warehouse``): each database a folder, each table a folder of
  parquet files (``marts.db/fct_order_item_campaign_credits/sale_date=.../``),
  timestamps written in microseconds;
* its metastore (Derby) and log under ``.local/spark``;
* one time zone, UTC, for the JVM, the Spark session and the JDBC sessions;
* the sources: each ``erp`` and ``marketing`` table the pipeline reads, as a
  JDBC table over PostgreSQL (Debian's ``libpostgresql-jdbc-java``), created
  again at every start from the PG* variables of the transformer role. A
  lake deployment points the same databases at replicated tables instead
  (``create table erp.orders using parquet location '...'``): the models
  read ``erp.orders`` whatever it is.

Settings (environment): ``SPARK_THRIFT_HOST`` (127.0.0.1),
``SPARK_THRIFT_PORT`` (10000), ``SPARK_MASTER`` (``local[2]``; a standalone
cluster's ``spark://host:7077`` works the same), ``SPARK_DRIVER_MEMORY``
(2g), ``SPARK_JDBC_DRIVER`` (/usr/share/java/postgresql.jar).
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from warehouse import credentials, database, dbt_vars

JDBC_DRIVER_JAR = Path("/usr/share/java/postgresql.jar")
# hive-llap-common's one class Hive's FunctionRegistry needs (see the file)
LLAP_STUB_SOURCE = Path(__file__).parent / "jvm" / "LlapSigner.java"
# What the models read, by dbt source schema (dbt_project.yml vars name them).
SOURCE_TABLES = {
    "erp_schema": ("products", "product_batches", "orders", "order_items"),
    "marketing_schema": (
        "ad_campaigns",
        "ad_campaign_products",
        "ad_campaign_status_events",
        "ad_spend_daily",
    ),
}
# What `python -m measurement lift` writes into PostgreSQL; the models read
# it as the `measurement` source, whose schema is fixed.
ESTIMATE_TABLES = {"measurement": ("campaign_lift", "campaign_lift_daily")}
TIME_ZONE = "UTC"
START_TIMEOUT_SECONDS = 180
# which engine builds and serves the marts: postgres (default) or spark
ENGINE_VARIABLE = "ATTRIBUTION_ENGINE"
URL_SCHEME = "hive"


def selected() -> bool:
    """Whether the marts are Spark's (``ATTRIBUTION_ENGINE=spark``)."""
    return os.environ.get(ENGINE_VARIABLE, "postgres").strip().lower() == "spark"


@dataclass(frozen=True)
class ThriftServer:
    host: str
    port: int

    def is_listening(self) -> bool:
        with socket.socket() as probe:
            probe.settimeout(1)
            return probe.connect_ex((self.host, self.port)) == 0

    def connect(self):
        """A DB-API connection (PyHive), as dbt-spark's thrift method makes."""
        from pyhive import hive

        return hive.connect(host=self.host, port=self.port, auth="NOSASL")

    def url(self) -> str:
        """The marts' address as the app names it (HiveServer2 protocol)."""
        return f"{URL_SCHEME}://{self.host}:{self.port}/marts"


def server() -> ThriftServer:
    return ThriftServer(
        host=os.environ.get("SPARK_THRIFT_HOST", "127.0.0.1"),
        port=int(os.environ.get("SPARK_THRIFT_PORT", "10000")),
    )


def spark_dir() -> Path:
    """The metastore, the log and the pid file (``SPARK_STATE_DIR``)."""
    return Path(os.environ.get("SPARK_STATE_DIR", database.local_dir() / "spark"))


def warehouse_dir() -> Path:
    return Path(
        os.environ.get("SPARK_WAREHOUSE_DIR", spark_dir() / "warehouse")
    ).resolve()


def _pid_file() -> Path:
    return spark_dir() / "thrift.pid"


def spark_home() -> Path:
    import pyspark

    return Path(pyspark.__file__).resolve().parent


def llap_stub_jar() -> Path:
    """The jar of ``LLAP_STUB_SOURCE``, compiled under ``spark_dir()`` when
    missing or older than its source (javac, from the JDK
    ``make install-spark`` installs)."""
    jar = spark_dir() / "llap-stub.jar"
    if jar.exists() and jar.stat().st_mtime >= LLAP_STUB_SOURCE.stat().st_mtime:
        return jar
    classes = spark_dir() / "llap-stub-classes"
    try:
        subprocess.run(
            ["javac", "--release", "17", "-d", str(classes), str(LLAP_STUB_SOURCE)],
            check=True,
            capture_output=True,
        )
        subprocess.run(
            ["jar", "cf", str(jar), "-C", str(classes), "."],
            check=True,
            capture_output=True,
        )
    except FileNotFoundError as missing:
        raise SystemExit(
            f"{missing.filename} not found: the Thrift server needs a JDK"
            " (`make install-spark` installs Debian's default-jdk-headless)"
        ) from None
    except subprocess.CalledProcessError as failed:
        raise SystemExit(
            f"compiling {LLAP_STUB_SOURCE.name} failed:\n{failed.stderr.decode()}"
        ) from None
    return jar


def submit_command(thrift: ThriftServer) -> list[str]:
    """spark-submit of the Thrift server (pip's pyspark ships its jar, not
    its start script)."""
    jar = Path(os.environ.get("SPARK_JDBC_DRIVER", JDBC_DRIVER_JAR))
    if not jar.exists():
        raise SystemExit(
            f"no PostgreSQL JDBC driver at {jar}: `make install-spark` installs"
            " Debian's libpostgresql-jdbc-java"
        )
    metastore = spark_dir() / "metastore_db"
    java_options = f"-Duser.timezone={TIME_ZONE} -Dderby.system.home={spark_dir()}"
    settings = {
        "spark.sql.warehouse.dir": str(warehouse_dir()),
        "spark.sql.session.timeZone": TIME_ZONE,
        "spark.driver.extraJavaOptions": java_options,
        "spark.executor.extraJavaOptions": java_options,
        "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
        "spark.executor.extraClassPath": str(jar),
        "spark.sql.sources.partitionOverwriteMode": "dynamic",
        # dbt's threads append to one table at once (the run log): with the
        # default committer every job stages under the same _temporary/0 and
        # the first to finish deletes the other's files mid-write. Tasks
        # commit straight to the table, and no job removes _temporary.
        "spark.hadoop.mapreduce.fileoutputcommitter.algorithm.version": "2",
        "spark.hadoop.mapreduce.fileoutputcommitter.cleanup.skipped": "true",
        "spark.hadoop.javax.jdo.option.ConnectionURL": (
            f"jdbc:derby:;databaseName={metastore};create=true"
        ),
        "spark.ui.enabled": "false",
        "spark.sql.shuffle.partitions": os.environ.get("SPARK_SHUFFLE_PARTITIONS", "8"),
    }
    command = [
        str(spark_home() / "bin" / "spark-submit"),
        "--master",
        os.environ.get("SPARK_MASTER", "local[2]"),
        "--class",
        "org.apache.spark.sql.hive.thriftserver.HiveThriftServer2",
        "--name",
        "attribution-thrift",
        "--driver-memory",
        os.environ.get("SPARK_DRIVER_MEMORY", "2g"),
        # on the driver's class path, not only --jars: the JDBC driver's own
        # classes are otherwise missing when Spark reads a table's metadata
        "--driver-class-path",
        f"{jar}{os.pathsep}{llap_stub_jar()}",
        "--jars",
        str(jar),
    ]
    for key, value in settings.items():
        command += ["--conf", f"{key}={value}"]
    for key, value in {
        "hive.server2.thrift.bind.host": thrift.host,
        "hive.server2.thrift.port": str(thrift.port),
        "hive.server2.authentication": "NOSASL",
    }.items():
        command += ["--hiveconf", f"{key}={value}"]
    return [*command, "spark-internal"]


def running_pid() -> int | None:
    try:
        pid = int(_pid_file().read_text())
    except (OSError, ValueError):
        return None
    try:
        # a server this process started stays a zombie, which signal 0
        # still finds, until it is reaped
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return None
    except ChildProcessError:
        pass  # started by another process: not ours to reap
    try:
        os.kill(pid, 0)
    except OSError:
        return None
    return pid


def start(thrift: ThriftServer | None = None) -> ThriftServer:
    """Start the Thrift server (or find it running) and (re)create the
    sources as JDBC tables over the project's PostgreSQL."""
    thrift = thrift or server()
    params = postgres_over_tcp()
    start_server(thrift)
    create_sources(thrift, params)
    return thrift


def _start_detached(
    command: list[str], log_name: str, **variables: str
) -> subprocess.Popen:
    """`command` in spark_dir(), in a session of its own (it outlives this
    process), with Spark's home, the time zone and `variables` in its
    environment, its output appended to the log `log_name` there."""
    env = dict(os.environ, SPARK_HOME=str(spark_home()), TZ=TIME_ZONE, **variables)
    with (spark_dir() / log_name).open("ab") as log:
        return subprocess.Popen(
            command,
            cwd=spark_dir(),
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def start_server(thrift: ThriftServer) -> None:
    """The Thrift server's process, unless one listens already."""
    if thrift.is_listening():
        return
    spark_dir().mkdir(parents=True, exist_ok=True)
    warehouse_dir().mkdir(parents=True, exist_ok=True)
    process = _start_detached(
        submit_command(thrift),
        "thrift.log",
        PYSPARK_PYTHON=os.environ.get("PYSPARK_PYTHON", sys.executable),
    )
    _pid_file().write_text(str(process.pid))
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while not thrift.is_listening():
        if process.poll() is not None or time.monotonic() > deadline:
            log_file = spark_dir() / "thrift.log"
            raise SystemExit(f"the Spark Thrift server did not start: {log_file}")
        time.sleep(1)


def stop() -> bool:
    pid = running_pid()
    if pid is None:
        return False
    os.killpg(pid, signal.SIGTERM)
    for _ in range(60):
        if running_pid() is None:
            break
        time.sleep(1)
    else:
        os.killpg(pid, signal.SIGKILL)
    _pid_file().unlink(missing_ok=True)
    return True


def postgres_over_tcp() -> database.ConnectionParams:
    """The project's database as the transformer role, reachable over TCP
    (pgJDBC has no Unix sockets): the PG* server as it is, or the embedded
    one listening on 127.0.0.1 too."""
    if database.uses_external_server():
        params = database.params_from_env()
        if params.is_socket:
            raise SystemExit(
                f"PGHOST={params.host} is a socket directory: Spark reads"
                " PostgreSQL over JDBC, which needs a host name"
            )
        # the PG* variables already name the role Spark reads as
        return params
    return database.listen_on_tcp().as_role(credentials.TRANSFORMER)


def jdbc_url(params: database.ConnectionParams) -> str:
    host = "127.0.0.1" if params.is_socket else params.host
    return f"jdbc:postgresql://{host}:{params.port}/{params.dbname}"


def _quoted(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def create_sources(thrift: ThriftServer, params: database.ConnectionParams) -> None:
    """Each source table as a JDBC table of the same name in Spark."""
    vars_ = dbt_vars.project_vars()
    statements = []
    by_schema = {str(vars_[var]): tables for var, tables in SOURCE_TABLES.items()}
    for schema, tables in (by_schema | ESTIMATE_TABLES).items():
        statements.append(f"create database if not exists {schema}")
        for table in tables:
            options = {
                "url": jdbc_url(params),
                "driver": "org.postgresql.Driver",
                "dbtable": f"{schema}.{table}",
                "user": params.user,
                "password": params.password or "",
                "fetchsize": "10000",
                "sessionInitStatement": f"set time zone '{TIME_ZONE}'",
            }
            statements += [
                f"drop table if exists {schema}.{table}",
                f"create table {schema}.{table} using org.apache.spark.sql.jdbc"
                " options ("
                + ", ".join(f"{key} {_quoted(value)}" for key, value in options.items())
                + ")",
            ]
    # PyHive logs every statement at INFO: these carry the role's password
    pyhive_log = logging.getLogger("pyhive.hive")
    level = pyhive_log.level
    pyhive_log.setLevel(max(level, logging.WARNING))
    try:
        with thrift.connect() as conn:
            cursor = conn.cursor()
            for statement in statements:
                cursor.execute(statement)
    finally:
        pyhive_log.setLevel(level)


# A standalone cluster on this machine: a master and workers from pyspark's
# own classes (`spark-class ...deploy.master.Master` / `...deploy.worker.Worker`),
# to show the project assumes no single process. The Thrift server then runs
# with SPARK_MASTER=spark://127.0.0.1:7077: its driver plans, the workers'
# executors run every task, reading PostgreSQL and writing the warehouse
# directory themselves (on one machine both are local; a real cluster needs
# the warehouse on storage every node reaches, e.g. s3a:// or HDFS).
CLUSTER_HOST = "127.0.0.1"


@dataclass(frozen=True)
class Cluster:
    host: str
    port: int
    ui_port: int
    workers: int
    worker_cores: int
    worker_memory: str

    @property
    def master_url(self) -> str:
        return f"spark://{self.host}:{self.port}"

    def state(self) -> dict:
        """The master's view (its web UI's JSON): workers, applications."""
        import json
        import urllib.request

        url = f"http://{self.host}:{self.ui_port}/json/"
        with urllib.request.urlopen(url, timeout=5) as response:
            return json.load(response)


def cluster() -> Cluster:
    """The cluster the settings name: ``SPARK_CLUSTER_PORT`` (7077),
    ``SPARK_CLUSTER_UI_PORT`` (8090), ``SPARK_CLUSTER_WORKERS`` (2), each
    ``SPARK_WORKER_CORES`` (1) and ``SPARK_WORKER_MEMORY`` (1g)."""
    return Cluster(
        host=CLUSTER_HOST,
        port=int(os.environ.get("SPARK_CLUSTER_PORT", "7077")),
        ui_port=int(os.environ.get("SPARK_CLUSTER_UI_PORT", "8090")),
        workers=int(os.environ.get("SPARK_CLUSTER_WORKERS", "2")),
        worker_cores=int(os.environ.get("SPARK_WORKER_CORES", "1")),
        worker_memory=os.environ.get("SPARK_WORKER_MEMORY", "1g"),
    )


def _cluster_pid_file(name: str) -> Path:
    return spark_dir() / f"cluster-{name}.pid"


def _spawn(name: str, arguments: list[str]) -> None:
    process = _start_detached(
        [str(spark_home() / "bin" / "spark-class"), *arguments],
        f"cluster-{name}.log",
        SPARK_LOG_DIR=str(spark_dir() / "logs"),
    )
    _cluster_pid_file(name).write_text(str(process.pid))


def cluster_start(spec: Cluster | None = None) -> Cluster:
    """Start the master and its workers (or find them running) and wait
    until every worker has registered."""
    spec = spec or cluster()
    spark_dir().mkdir(parents=True, exist_ok=True)
    master = ThriftServer(spec.host, spec.port)
    if not master.is_listening():
        _spawn(
            "master",
            [
                "org.apache.spark.deploy.master.Master",
                "--host",
                spec.host,
                "--port",
                str(spec.port),
                "--webui-port",
                str(spec.ui_port),
            ],
        )
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while not master.is_listening():
        if time.monotonic() > deadline:
            raise SystemExit(f"the Spark master did not start: {spark_dir()}")
        time.sleep(1)
    for number in range(1, spec.workers + 1):
        name = f"worker-{number}"
        pid_file = _cluster_pid_file(name)
        if pid_file.exists() and _alive(int(pid_file.read_text())):
            continue
        work_dir = spark_dir() / name
        work_dir.mkdir(exist_ok=True)
        _spawn(
            name,
            [
                "org.apache.spark.deploy.worker.Worker",
                "--host",
                spec.host,
                "--cores",
                str(spec.worker_cores),
                "--memory",
                spec.worker_memory,
                "--work-dir",
                str(work_dir),
                "--webui-port",
                "0",
                spec.master_url,
            ],
        )
    while True:
        try:
            alive = [w for w in spec.state()["workers"] if w["state"] == "ALIVE"]
        except OSError:
            alive = []
        if len(alive) >= spec.workers:
            return spec
        if time.monotonic() > deadline:
            raise SystemExit(
                f"{len(alive)} of {spec.workers} Spark workers registered: "
                f"{spark_dir()}/cluster-*.log"
            )
        time.sleep(1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


def _cluster_pid_files() -> list[Path]:
    return list(spark_dir().glob("cluster-*.pid"))


def cluster_stop() -> list[str]:
    """Stop the workers, then the master: the names stopped."""
    stopped = []
    names = sorted(
        (
            path.stem.removeprefix("cluster-")
            for path in spark_dir().glob("cluster-*.pid")
        ),
        key=lambda name: name == "master",
    )
    for name in names:
        pid_file = _cluster_pid_file(name)
        pid = int(pid_file.read_text())
        if _alive(pid):
            os.killpg(pid, signal.SIGTERM)
            for _ in range(30):
                if not _alive(pid):
                    break
                time.sleep(1)
            else:
                os.killpg(pid, signal.SIGKILL)
            stopped.append(name)
        pid_file.unlink(missing_ok=True)
    return stopped
