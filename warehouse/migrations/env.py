"""Alembic environment: the URL comes from the project's database settings."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool

from warehouse import database

config = context.config


def run_migrations_online() -> None:
    url = config.attributes.get("url") or database.resolve().url("psycopg")
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            version_table="alembic_version",
            version_table_schema="marketing",
            transaction_per_migration=True,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run `make migrate`")
run_migrations_online()
