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
from psycopg import sql
from psycopg.rows import dict_row

from demo import data as demo_data
from warehouse import database, migrate, roles


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
    server_params: database.ConnectionParams, prefix: str = "t", name: str | None = None
) -> database.ConnectionParams:
    """A new empty database with the project's migrations and the ERP tables:
    a copy of one migrated once per server and process. Named `name`, or
    `prefix` and a random suffix."""
    return clone(server_params, _migrated_template(server_params), prefix, name)


# server (host, port) -> the database migrated once, copied for every test
_MIGRATED: dict[tuple[str, int], database.ConnectionParams] = {}


def _migrated_template(
    server_params: database.ConnectionParams,
) -> database.ConnectionParams:
    key = (server_params.host, server_params.port)
    if key not in _MIGRATED:
        params = server_params.with_database(f"template_{uuid.uuid4().hex[:12]}")
        database.ensure_database(params)
        migrate.upgrade(params)
        with psycopg.connect(params.conninfo(), autocommit=True) as conn:
            demo_data.create_erp_schema(conn)
        _MIGRATED[key] = params
    return _MIGRATED[key]


def clone(
    server_params: database.ConnectionParams,
    template: database.ConnectionParams,
    prefix: str = "t",
    name: str | None = None,
) -> database.ConnectionParams:
    """A copy of `template` under a new name (PostgreSQL copies a database
    file by file: a few hundredths of a second at these sizes, where
    migrating or building it again costs seconds). Nothing may be connected
    to the template while it is copied."""
    params = server_params.with_database(name or f"{prefix}_{uuid.uuid4().hex[:12]}")
    with psycopg.connect(
        server_params.with_database("postgres").conninfo(), autocommit=True
    ) as conn:
        conn.execute(
            sql.SQL("create database {} template {}").format(
                sql.Identifier(params.dbname), sql.Identifier(template.dbname)
            )
        )
    # a copy carries the objects and their grants, not the database's own
    with psycopg.connect(params.conninfo()) as conn:
        roles.apply(conn)
        if conn.execute("select to_regnamespace('erp')").fetchone()[0]:
            demo_data.create_erp_schema(conn)  # and the ERP replica's
    return params


def rename(params: database.ConnectionParams, prefix: str) -> database.ConnectionParams:
    """The database under a new name, `prefix` and a random suffix (nothing
    may be connected to it)."""
    renamed = params.with_database(f"{prefix}_{uuid.uuid4().hex[:12]}")
    with psycopg.connect(
        params.with_database("postgres").conninfo(), autocommit=True
    ) as conn:
        conn.execute(
            sql.SQL("alter database {} rename to {}").format(
                sql.Identifier(params.dbname), sql.Identifier(renamed.dbname)
            )
        )
    return renamed


def drop_templates(server_params: database.ConnectionParams | None = None) -> None:
    """The templates this process made (on that server, or on all), dropped:
    at the end of the session, or before a server of its own stops."""
    for key in list(_MIGRATED):
        if server_params is None or key == (server_params.host, server_params.port):
            database.drop_database(_MIGRATED.pop(key))


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
