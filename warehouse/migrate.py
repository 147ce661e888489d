"""Apply the project's migrations (``make migrate``)."""

from __future__ import annotations

from pathlib import Path

import psycopg
from alembic import command
from alembic.config import Config

from warehouse import database, roles

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(params: database.ConnectionParams) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["url"] = params.url("psycopg")
    return config


def upgrade(params: database.ConnectionParams | None = None) -> None:
    params = params or database.resolve()
    # The version table lives in the schema the migrations own.
    with psycopg.connect(params.conninfo(), autocommit=True) as conn:
        conn.execute("create schema if not exists marketing")
    command.upgrade(alembic_config(params), "head")
    # tables added since, schemas dbt made before the roles, passwords changed
    # in the environment: every migrate brings the grants into line
    with psycopg.connect(params.conninfo()) as conn:
        roles.apply(conn)
        roles.set_passwords(conn)
