"""The Spark tier: one Thrift server per test session, reading a PostgreSQL
server of its own over JDBC (pgJDBC needs TCP), as `python -m warehouse
spark start` runs them. `make install-spark` installs what it needs."""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests import pg
from warehouse import credentials, database, dbt_runner

spark = pytest.importorskip(
    "warehouse.spark", reason="the Spark tier needs `make install-spark`"
)
pytest.importorskip("pyspark", reason="the Spark tier needs `make install-spark`")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def spark_root() -> Iterator[Path]:
    root = Path(tempfile.mkdtemp(prefix="attribution-spark-"))
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def tcp_pg_server(spark_root) -> Iterator[database.ConnectionParams]:
    """An embedded PostgreSQL listening on 127.0.0.1 too."""
    data_dir = spark_root / "pgdata"
    os.environ.setdefault("XDG_RUNTIME_DIR", str(spark_root / "run"))
    params = database.listen_on_tcp(data_dir).with_database("postgres")
    try:
        yield params
    finally:
        pg.drop_templates(params)
        database.stop_embedded(data_dir)


@pytest.fixture(scope="session")
def spark_env(spark_root) -> dict[str, str]:
    """What dbt's spark target and warehouse.spark read."""
    return {
        "SPARK_THRIFT_PORT": str(_free_port()),
        "SPARK_WAREHOUSE_DIR": str(spark_root / "warehouse"),
        "SPARK_STATE_DIR": str(spark_root / "state"),
        # two dbt threads: each its own Thrift session
        "DBT_SPARK_THREADS": "2",
    }


@pytest.fixture(scope="session")
def thrift(spark_env, tcp_pg_server) -> Iterator:
    """One Thrift server for the session; its sources point at a database
    with `point_sources_at`."""
    saved = {key: os.environ.get(key) for key in spark_env}
    os.environ.update(spark_env)
    server = spark.server()
    spark.start_server(server)
    try:
        yield server
    finally:
        spark.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@contextmanager
def spark_database(thrift, tcp_pg_server) -> Iterator[database.ConnectionParams]:
    """A new migrated database whose tables are Spark's sources, and a Spark
    warehouse without what an earlier test built (one per session)."""
    params = pg.create_database(tcp_pg_server, prefix="spark")
    with thrift.connect() as conn:
        cursor = conn.cursor()
        for schema in ("staging", "intermediate", "snapshots", "marts"):
            cursor.execute(f"drop database if exists {schema} cascade")
    spark.create_sources(thrift, params.as_role(credentials.TRANSFORMER))
    try:
        yield params
    finally:
        database.drop_database(params)


@pytest.fixture
def spark_db(thrift, tcp_pg_server) -> Iterator[database.ConnectionParams]:
    with spark_database(thrift, tcp_pg_server) as params:
        yield params


def failure_summary(output: str) -> str:
    """dbt's own summary of what failed (model and the exception's first
    lines: the Java stack after them runs to thousands of lines), then the
    output's end."""
    start = output.find("Completed with")
    summary = output[start : start + 4000] if start >= 0 else ""
    return f"{summary}\n[...]\n{output[-3000:]}"


@pytest.fixture(scope="session")
def run_spark_dbt(spark_env, dbt_target_dir) -> Callable[..., str]:
    """run_spark_dbt(params, "run", ...): dbt with the spark target."""

    def run(params: database.ConnectionParams, *args: str) -> str:
        result = dbt_runner.run_dbt(
            [*args, "--target", "spark"],
            params,
            env={
                **spark_env,
                "DBT_TARGET_PATH": str(dbt_target_dir / "spark"),
                "DBT_LOG_PATH": str(dbt_target_dir / "spark-logs"),
            },
            capture=True,
        )
        output = result.stdout + result.stderr
        if result.returncode != 0:
            raise AssertionError(
                f"dbt {' '.join(args)} on Spark failed:\n{failure_summary(output)}"
            )
        return output

    return run
