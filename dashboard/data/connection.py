"""How the app reaches the database: the project's PG* settings, one engine per URL.

Nothing connects at import time; the first query creates the engine. The URL
is part of every cached read's key, so two databases never share a cache.

The reports read the marts at ``marts_url()``: the app's database, or with
``ATTRIBUTION_ENGINE=spark`` the Spark Thrift server (``hive://``), read
through PyHive as BI tools read it. The same SQL runs on both where the two
dialects agree; ``spark_sql`` says once how the few PostgreSQL spellings
the reports use are written on Spark, and the readers dispatch on
``is_spark(url)`` where a query needs more. Writes always go to PostgreSQL.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, create_engine, text

from warehouse import credentials, database, dbt_vars, spark


def current_url() -> str:
    """The URL of the project's database as the app's own role (psycopg 3).

    The server and database come from the PG* variables (or the embedded
    server); the user is always ``attribution_app``, whatever PGUSER says.
    """
    if database.uses_external_server():
        # no connection needed: PG* variables say everything
        return database.params_from_env().as_role(credentials.APP).url("psycopg")
    return _embedded_url()


@functools.cache
def _embedded_url() -> str:
    return database.role_params(credentials.APP).url("psycopg")


def marts_url() -> str:
    """Where the reports read the marts: the app's database, or the Spark
    Thrift server when the pipeline runs on Spark (``ATTRIBUTION_ENGINE``)."""
    if spark.selected():
        return spark.server().url()
    return current_url()


def is_spark(url: str) -> bool:
    return url.startswith(spark.URL_SCHEME + "://")


# PostgreSQL spellings the reports use and how Spark writes them
_SPARK_SPELLINGS = ((re.compile(r"::float8\b"), "::double"),)
# a bound parameter (:name), not a cast (::type)
_BIND = re.compile(r"(?<![:\w]):(\w+)")


def spark_sql(sql: str) -> str:
    """A report's SQL for Spark: PostgreSQL's spellings replaced, binds in
    PyHive's style (``%(name)s``), a literal ``%`` doubled."""
    for pattern, spelling in _SPARK_SPELLINGS:
        sql = pattern.sub(spelling, sql)
    return _BIND.sub(r"%(\1)s", sql.replace("%", "%%"))


def day_start(url: str, day_sql: str) -> str:
    """The instant a reporting day (``day_sql``, a date) starts, as the
    database at ``url`` spells it."""
    return dbt_vars.day_start_sql(day_sql, spark=is_spark(url))


def local_date(url: str, instant_sql: str) -> str:
    """The reporting day of an instant, as the database at ``url`` spells it."""
    return dbt_vars.reporting_day_sql(instant_sql, spark=is_spark(url))


_SPARK_READERS = {
    "DATE_TYPE": lambda v: date.fromisoformat(v) if isinstance(v, str) else v,
    "TIMESTAMP_TYPE": lambda v: v.replace(tzinfo=UTC) if v.tzinfo is None else v,
}


def _spark_fetch(url: str, sql: str, params: dict[str, Any]) -> tuple[list, list]:
    """(column names, rows) of a read on the Spark Thrift server, typed as
    PostgreSQL's: HiveServer2 sends dates as text and instants without their
    zone (Spark's session zone, UTC)."""
    with _spark_connection(url) as conn:
        cursor = conn.cursor()
        cursor.execute(spark_sql(sql), _spark_params(params))
        description = cursor.description or []
        rows = cursor.fetchall()
    readers = {
        i: _SPARK_READERS[column[1]]
        for i, column in enumerate(description)
        if column[1] in _SPARK_READERS
    }
    if readers:
        rows = [
            tuple(
                readers[i](v) if i in readers and v is not None else v
                for i, v in enumerate(found)
            )
            for found in rows
        ]
    return [column[0] for column in description], rows


def _spark_params(params: dict[str, Any]) -> dict[str, Any]:
    # PyHive writes a tuple as a parenthesised list: `x in :values`
    return {
        key: tuple(value) if isinstance(value, list) else value
        for key, value in params.items()
    }


@contextmanager
def _spark_connection(url: str):
    host, port = url.removeprefix(spark.URL_SCHEME + "://").split("/")[0].split(":")
    conn = spark.ThriftServer(host, int(port)).connect()
    try:
        yield conn
    finally:
        conn.close()


def has_tables(url: str, *tables: str) -> bool:
    """Whether every ``schema.table`` exists (the reports' marts are built)."""
    if is_spark(url):
        with _spark_connection(url) as conn:
            cursor = conn.cursor()
            for table in tables:
                schema, name = table.split(".")
                # before the first build there is no database to look in
                cursor.execute(f"show databases like '{schema}'")
                if not cursor.fetchall():
                    return False
                cursor.execute(f"show tables in {schema} like '{name}'")
                if not cursor.fetchall():
                    return False
        return True
    checks = " and ".join(f"to_regclass(:t{i}) is not null" for i in range(len(tables)))
    return bool(
        scalar(url, f"select {checks}", **{f"t{i}": t for i, t in enumerate(tables)})
    )


_ENGINES: dict[str, Engine] = {}


def engine(url: str) -> Engine:
    if url not in _ENGINES:
        _ENGINES[url] = create_engine(
            url, pool_pre_ping=True, pool_size=5, max_overflow=5
        )
    return _ENGINES[url]


@contextmanager
def transaction(url: str) -> Iterator[Connection]:
    """One transaction: committed on success, rolled back on any error."""
    with engine(url).begin() as conn:
        yield conn


def frame(url: str, sql: str, **params: Any) -> pd.DataFrame:
    """Run a read query with bound parameters; the result as a DataFrame."""
    if is_spark(url):
        columns, rows = _spark_fetch(url, sql, params)
        return pd.DataFrame(rows, columns=columns)
    with engine(url).connect() as conn:
        result = conn.execute(text(sql), params)
        return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


def row(url: str, sql: str, **params: Any) -> dict[str, Any] | None:
    """The first row as plain Python values (exact types, unlike a DataFrame)."""
    if is_spark(url):
        columns, rows = _spark_fetch(url, sql, params)
        return dict(zip(columns, rows[0], strict=True)) if rows else None
    with engine(url).connect() as conn:
        found = conn.execute(text(sql), params).first()
        return None if found is None else dict(found._mapping)


def scalar(url: str, sql: str, **params: Any) -> Any:
    if is_spark(url):
        _, rows = _spark_fetch(url, sql, params)
        return rows[0][0] if rows else None
    with engine(url).connect() as conn:
        return conn.execute(text(sql), params).scalar()


def dispose(url: str | None = None) -> None:
    """Close pooled connections (tests drop their databases afterwards)."""
    for key in [url] if url else list(_ENGINES):
        eng = _ENGINES.pop(key, None)
        if eng is not None:
            eng.dispose()
