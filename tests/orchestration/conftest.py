"""A demo database built once by attribution_incremental; tests get copies."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from demo import data as demo_data
from tests import pg
from tests.orchestration import support
from warehouse import database


@pytest.fixture(scope="package")
def built_base(pg_server) -> Iterator[tuple[database.ConnectionParams, object]]:
    """300 demo orders, built by the attribution_incremental job."""
    params = pg.create_database(pg_server, prefix="orch_base")
    demo_data.load(params, orders=300)
    result = support.run_job(params, "attribution_incremental")
    assert result.success
    yield params, result
    database.drop_database(params)


@pytest.fixture
def built_db(pg_server, built_base) -> Iterator[database.ConnectionParams]:
    """A private copy of the built demo database, dropped afterwards."""
    params = support.clone(pg_server, built_base[0], f"orch_{uuid.uuid4().hex[:12]}")
    yield params
    database.drop_database(params)
