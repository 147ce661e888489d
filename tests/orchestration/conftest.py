"""The orchestration tests' databases, and dbt processes that parse partially.

The jobs run dbt as deployed: dagster-dbt starts a `dbt` process per step.
Such a process parses the whole project again (seconds) unless the
partial-parse file it starts from was written for the same connection
(host, port, user, database: dbt's profile hash). So every database these
tests run jobs on takes one name per test process (`ORCHESTRATED`), one test
at a time, and that file is written once for it, in a target directory of
the session's own (`DBT_TARGET_PATH`, where dagster-dbt looks for it).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from demo import data as demo_data
from tests import pg
from warehouse import database, dbt_runner

# one name per test process: xdist's workers may share an external server
ORCHESTRATED = f"attribution_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"


@pytest.fixture(scope="package", autouse=True)
def partial_parse(pg_server, tmp_path_factory) -> Iterator[None]:
    """dbt's partial-parse file for ORCHESTRATED, where dagster-dbt finds it."""
    target = tmp_path_factory.mktemp("dagster-dbt-target")
    parsed = dbt_runner.run_dbt(
        ["parse", "--quiet"],
        pg_server.with_database(ORCHESTRATED),
        env={"DBT_TARGET_PATH": str(target)},
        capture=True,
    )
    assert parsed.returncode == 0, parsed.stdout[-4000:]
    # dagster-dbt's dbt processes start from it; the code location finds
    # the manifest beside it fresh (orchestration/project.py)
    pointed = {
        "DBT_TARGET_PATH": str(target),
        "ATTRIBUTION_DBT_TARGET_PATH": str(target),
    }
    saved = {key: os.environ.get(key) for key in pointed}
    os.environ.update(pointed)
    yield
    for key, value in saved.items():
        if value is None:
            del os.environ[key]
        else:
            os.environ[key] = value


@pytest.fixture
def fresh_db(pg_server) -> Iterator[database.ConnectionParams]:
    """An empty migrated database named ORCHESTRATED, dropped afterwards."""
    params = pg.create_database(pg_server, name=ORCHESTRATED)
    yield params
    database.drop_database(params)


@pytest.fixture
def demo_db(pg_server) -> Iterator[database.ConnectionParams]:
    """300 demo orders (the demo's seed), nothing built yet."""
    params = pg.create_database(pg_server, name=ORCHESTRATED)
    demo_data.load(params, orders=300)
    yield params
    database.drop_database(params)


@pytest.fixture
def built_db(pg_server, demo_marts) -> Iterator[database.ConnectionParams]:
    """A private copy of the session's built demo database (the same 300
    orders), named ORCHESTRATED."""
    params = pg.clone(pg_server, demo_marts, name=ORCHESTRATED)
    yield params
    database.drop_database(params)
