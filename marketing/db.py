"""How the marketing writer talks to PostgreSQL: in the caller's transaction.

Every writer takes the caller's open connection and never commits: the app
passes its SQLAlchemy connection, the demo generator and the benchmark their
psycopg one. Both reach the same psycopg connection here, so a write and
the caller's other statements are one transaction. SQL is written with
psycopg's named placeholders, ``%(name)s``.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd
import psycopg
from sqlalchemy import Connection as SqlAlchemyConnection

from warehouse import copy

# what a caller may hand in
AnyConnection = SqlAlchemyConnection | psycopg.Connection


def driver(conn: AnyConnection) -> psycopg.Connection:
    """The psycopg connection (and so the transaction) under `conn`."""
    if isinstance(conn, SqlAlchemyConnection):
        return conn.connection.driver_connection  # type: ignore[return-value]
    return conn


def rows(
    conn: AnyConnection, sql: str, params: Mapping[str, Any] | None = None
) -> list[Any]:
    """Every row, each readable by column name (``row.updated_at``)."""
    with driver(conn).cursor() as cursor:
        cursor.execute(sql, params)
        if cursor.description is None:
            return []
        names = [column.name for column in cursor.description]
        row_type = namedtuple("Row", names, rename=True)  # type: ignore[misc]
        return [row_type(*row) for row in cursor.fetchall()]


def frame(
    conn: AnyConnection, sql: str, params: Mapping[str, Any] | None = None
) -> pd.DataFrame:
    """The rows as a DataFrame with the query's columns (even when empty)."""
    with driver(conn).cursor() as cursor:
        cursor.execute(sql, params)
        columns = [column.name for column in cursor.description or ()]
        return pd.DataFrame(cursor.fetchall(), columns=columns)


def first(
    conn: AnyConnection, sql: str, params: Mapping[str, Any] | None = None
) -> Any | None:
    found = rows(conn, sql, params)
    return found[0] if found else None


def scalar(
    conn: AnyConnection, sql: str, params: Mapping[str, Any] | None = None
) -> Any:
    """The first column of the first row; None when there is no row."""
    found = first(conn, sql, params)
    return None if found is None else found[0]


def execute(
    conn: AnyConnection, sql: str, params: Mapping[str, Any] | None = None
) -> int:
    """Run one statement; the number of rows it touched."""
    with driver(conn).cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def copy_rows(
    conn: AnyConnection, table: str, columns: tuple[str, ...], values: Iterable[tuple]
) -> int:
    """Bulk-insert rows with COPY, in the caller's transaction; their count."""
    return copy.copy_rows(driver(conn), table, columns, values)
