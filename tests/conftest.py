"""Shared fixtures: a real PostgreSQL server and fresh databases on it."""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from demo import data as demo_data
from orchestration.jobs import changes
from tests import dbt_in_process, lift_history, pg
from warehouse import database, dbt_runner

os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")


@pytest.fixture(scope="session")
def pg_server() -> Iterator[database.ConnectionParams]:
    with pg.server() as params:
        yield params
        pg.drop_templates()


@pytest.fixture
def fresh_db(pg_server) -> Iterator[database.ConnectionParams]:
    """An empty migrated database (marketing + erp schemas), dropped afterwards."""
    params = pg.create_database(pg_server)
    yield params
    database.drop_database(params)


@pytest.fixture(scope="session")
def dbt_target_dir() -> Path:
    # one target dir per test session: parallel sessions do not share state
    return Path(tempfile.mkdtemp(prefix="attribution-dbt-target-"))


@pytest.fixture(scope="session")
def run_dbt(dbt_target_dir) -> Callable[..., str]:
    """run_dbt(params, "build", "--select", ...) -> dbt's output; fails loudly.

    In this process, the project parsed once (tests/dbt_in_process.py);
    through `dbt` processes when ATTRIBUTION_TEST_DBT=cli."""
    if dbt_in_process.cli_requested():
        return functools.partial(dbt_in_process.run_cli, dbt_target_dir)
    return dbt_in_process.InProcessDbt(dbt_target_dir).run


@pytest.fixture(scope="session")
def demo_marts(pg_server, run_dbt) -> Iterator[database.ConnectionParams]:
    """300 demo orders with every mart built, once per session; a test takes
    its own copy (pg.clone), never this database itself."""
    params = pg.create_database(pg_server, prefix="demo_marts")
    demo_data.load(params, orders=300)
    run_dbt(params, *dbt_in_process.BUILD)
    yield params
    database.drop_database(params)


@pytest.fixture(scope="session")
def frequent_run(run_dbt) -> Callable[..., list[str]]:
    """frequent_run(params) -> the source groups that changed since the last
    frequent run on that database; builds what they feed, as the change
    sensor's runs do (orchestration/jobs/changes.py), or nothing at all."""
    bases: dict[str, changes.Marks] = {}

    def run(params: database.ConnectionParams) -> list[str]:
        with database.connect(params) as conn:
            marks = changes.source_marks(conn)
        changed = changes.changed_groups(bases.get(params.dbname), marks)
        args = changes.frequent_build_args(changed, dbt_runner.parsed_manifest(params))
        if args is not None:
            run_dbt(params, *args)
        bases[params.dbname] = marks
        return changed

    return run


def run_lift_command(params: database.ConnectionParams) -> subprocess.CompletedProcess:
    """`python -m measurement lift` in the project's venv, against the
    database the PG* variables name, as an outside check calls it."""
    return subprocess.run(
        [sys.executable, "-m", "measurement", "lift"],
        env={**os.environ, **params.env()},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="session")
def lift_db(pg_server, run_dbt) -> Iterator[database.ConnectionParams]:
    """The generated history of tests/lift_history.py with the marts built
    (no dbt tests: a few seconds) and the lift estimated; read-only."""
    params = pg.create_database(pg_server, prefix="lift")
    lift_history.load(params)
    run_dbt(params, "run")
    done = run_lift_command(params)
    assert done.returncode == 0, done.stderr
    assert "campaign lift: 7 campaigns" in done.stdout, done.stdout
    yield params
    database.drop_database(params)


# The longest modules, longest first: `make test` spreads the modules over
# both cores (pytest-xdist, --dist loadfile) and the rest fill in around them.
# xdist keeps this order only with --no-loadscope-reorder (pyproject's
# addopts); by default it starts the modules with the most tests first, which
# left the Spark tier's few long tests to the end, alone on one core.
LONG_POLES = (
    "tests/spark/test_spark_history.py",
    "tests/spark/test_spark_engine.py",
    "tests/orchestration/test_stuck_runs.py",
    "tests/orchestration/test_jobs.py",
    "tests/orchestration/test_sensors_and_alerts.py",
    "tests/test_incremental_equals_full_refresh.py",
    "tests/orchestration/test_operations.py",
    "tests/test_frequent_runs.py",
    "tests/test_semantic_layer.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    first = {path: rank for rank, path in enumerate(LONG_POLES)}
    items.sort(key=lambda item: first.get(item.nodeid.split("::")[0], len(first)))
