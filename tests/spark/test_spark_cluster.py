"""The same project on a Spark standalone cluster started on this machine (a
master and two workers, `python -m warehouse spark cluster start`), with the
Thrift server's driver planning and the workers' executors running every
task: the credits equal PostgreSQL's, so nothing assumes one process.

It costs a few minutes (three more JVMs, every dbt statement's tasks shipped
to executors), so it runs only when asked:
ATTRIBUTION_SPARK_CLUSTER=1 .venv/bin/python -m pytest tests/spark/test_spark_cluster.py
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from demo import data as demo_data
from tests.spark.test_spark_engine import postgres_marts, spark_marts
from tests.test_incremental_equals_full_refresh import ANCHOR
from warehouse import credentials, dbt_runner

spark = pytest.importorskip("warehouse.spark")

pytestmark = pytest.mark.skipif(
    os.environ.get("ATTRIBUTION_SPARK_CLUSTER") != "1",
    reason="a standalone cluster costs minutes: ATTRIBUTION_SPARK_CLUSTER=1",
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def cluster_env(spark_root) -> Iterator[dict[str, str]]:
    """A master, two workers and a Thrift server on them, in directories and
    on ports of their own."""
    env = {
        "SPARK_STATE_DIR": str(spark_root / "cluster-state"),
        "SPARK_WAREHOUSE_DIR": str(spark_root / "cluster-warehouse"),
        "SPARK_THRIFT_PORT": str(_free_port()),
        "SPARK_CLUSTER_PORT": str(_free_port()),
        "SPARK_CLUSTER_UI_PORT": str(_free_port()),
        "DBT_SPARK_THREADS": "2",
    }
    saved = {key: os.environ.get(key) for key in [*env, "SPARK_MASTER"]}
    os.environ.update(env)
    try:
        cluster = spark.cluster_start()
        os.environ["SPARK_MASTER"] = cluster.master_url
        spark.start_server(spark.server())
        yield env
    finally:
        spark.stop()
        spark.cluster_stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def test_the_project_on_a_standalone_cluster_gives_postgresqls_credits(
    cluster_env, tcp_pg_server, frequent_run, dbt_target_dir
):
    from tests import pg
    from warehouse import database

    params = pg.create_database(tcp_pg_server, prefix="cluster")
    try:
        demo_data.load(params, orders=100, seed=3, anchor=ANCHOR)
        frequent_run(params)
        thrift = spark.server()
        spark.create_sources(thrift, params.as_role(credentials.TRANSFORMER))
        result = dbt_runner.run_dbt(
            ["run", "--target", "spark"],
            params,
            env={
                **cluster_env,
                "DBT_TARGET_PATH": str(dbt_target_dir / "cluster"),
                "DBT_LOG_PATH": str(dbt_target_dir / "cluster-logs"),
            },
            capture=True,
        )
        assert result.returncode == 0, (result.stdout + result.stderr)[-6000:]
        on_spark, on_postgres = spark_marts(thrift), postgres_marts(params)
        assert on_spark["fct_order_item_campaign_credits"]
        assert on_spark == on_postgres

        # the work ran on the workers: the application has an executor on
        # each, and each ran tasks
        state = spark.cluster().state()
        assert len([w for w in state["workers"] if w["state"] == "ALIVE"]) == 2
        [app] = [a for a in state["activeapps"] if a["name"] == "attribution-thrift"]
        assert app["cores"] == 2
        used = [w for w in state["workers"] if w["coresused"] > 0]
        assert len(used) == 2, "the Thrift server's executors are not on both workers"
        state_dir = Path(cluster_env["SPARK_STATE_DIR"])
        for worker in ("worker-1", "worker-2"):
            logs = (state_dir / worker).glob(f"{app['id']}/*/stderr")
            assert any("Finished task" in log.read_text() for log in logs), (
                f"{worker}'s executor ran no task"
            )
    finally:
        database.drop_database(params)
