"""Test databases on a real PostgreSQL: embedded by default, PGHOST when set."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
from psycopg.rows import dict_row

from demo import data as demo_data
from warehouse import database, migrate


@contextmanager
def server() -> Iterator[database.ConnectionParams]:
    """Connection parameters of a server the tests may create databases on."""
    if database.uses_external_server():
        yield database.params_from_env().with_database("postgres")
        return
    root = Path(tempfile.mkdtemp(prefix="attribution-test-"))
    os.environ.setdefault("XDG_RUNTIME_DIR", str(root / "run"))
    instance = database.start_embedded(root / "pgdata", keep_running=True)
    try:
        yield database.embedded_params(instance, dbname="postgres")
    finally:
        database.stop_embedded(root / "pgdata")
        shutil.rmtree(root, ignore_errors=True)


def create_database(
    server_params: database.ConnectionParams, prefix: str = "t"
) -> database.ConnectionParams:
    """A new empty database with the project's migrations and the ERP tables."""
    params = server_params.with_database(f"{prefix}_{uuid.uuid4().hex[:12]}")
    database.ensure_database(params)
    migrate.upgrade(params)
    with psycopg.connect(params.conninfo(), autocommit=True) as conn:
        demo_data.create_erp_schema(conn)
    return params


def query(
    params: database.ConnectionParams, sql: str, args: tuple | dict = ()
) -> list[tuple]:
    with psycopg.connect(params.conninfo()) as conn:
        return conn.execute(sql, args).fetchall()


def rows(
    params: database.ConnectionParams, sql: str, args: tuple | dict = ()
) -> list[dict[str, Any]]:
    """The query's rows, each read by column name."""
    with psycopg.connect(params.conninfo(), row_factory=dict_row) as conn:
        return conn.execute(sql, args).fetchall()


def scalar(params: database.ConnectionParams, sql: str, args: tuple | dict = ()) -> Any:
    """The one value of a query of one row and one column."""
    (row,) = rows(params, sql, args)
    (value,) = row.values()
    return value


def execute(
    params: database.ConnectionParams,
    sql: str,
    args: tuple | dict = (),
    role: str | None = None,
) -> None:
    """One statement, committed; as `role` when given (e.g. the owner, who
    sets up a campaign's past without a correction reason)."""
    if role is not None:
        params = params.as_role(role)
    with psycopg.connect(params.conninfo(), autocommit=True) as conn:
        conn.execute(sql, args)


def empty_marketing(params: database.ConnectionParams) -> None:
    """Every campaign and its history, spend and audit rows gone: as the
    owner, the one role the history tables let truncate."""
    execute(
        params,
        "set role attribution_owner;"
        " truncate marketing.ad_spend_daily, marketing.ad_campaign_status_events,"
        " marketing.ad_campaign_products, marketing.ad_campaigns, app.audit_log;"
        " reset role",
    )
