"""How the app reaches the database: the project's PG* settings, one engine per URL.

Nothing connects at import time; the first query creates the engine. The URL
is part of every cached read's key, so two databases never share a cache.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, create_engine, text

from warehouse import credentials, database


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
    with engine(url).connect() as conn:
        result = conn.execute(text(sql), params)
        return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


def row(url: str, sql: str, **params: Any) -> dict[str, Any] | None:
    """The first row as plain Python values (exact types, unlike a DataFrame)."""
    with engine(url).connect() as conn:
        found = conn.execute(text(sql), params).first()
        return None if found is None else dict(found._mapping)


def scalar(url: str, sql: str, **params: Any) -> Any:
    with engine(url).connect() as conn:
        return conn.execute(text(sql), params).scalar()


def dispose(url: str | None = None) -> None:
    """Close pooled connections (tests drop their databases afterwards)."""
    for key in [url] if url else list(_ENGINES):
        eng = _ENGINES.pop(key, None)
        if eng is not None:
            eng.dispose()
