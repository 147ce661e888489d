"""Each component connects as its own role and is refused everything else."""

from __future__ import annotations

import dataclasses
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime

import psycopg
import pytest

from dashboard.data import connection
from orchestration.resources import AttributionDatabase
from tests import pg
from tests.dbt_in_process import BUILD
from tests.sources import Sources
from warehouse import credentials, database, dbt_runner, migrate, paths, roles

T0 = datetime(2026, 4, 1, tzinfo=UTC)
REFUSED = (psycopg.errors.InsufficientPrivilege, psycopg.errors.RestrictViolation)


@pytest.fixture(scope="module")
def built_db(pg_server, run_dbt) -> Iterator[database.ConnectionParams]:
    """A database with sources and marts built by dbt (as the transformer)."""
    params = pg.create_database(pg_server, prefix="roles")
    src = Sources(params)
    src.product(1, cost="5.00")
    src.campaign(1, T0, events=(("RUNNING", T0),))
    src.target(1, 1, T0)
    src.order(1, "confirmed", T0, items=((11, 1, "1", "10.00"),))
    run_dbt(params, *BUILD)
    yield params
    database.drop_database(params)


def _as(params: database.ConnectionParams, role: str) -> psycopg.Connection:
    return psycopg.connect(params.as_role(role).conninfo(), autocommit=True)


def _refused(conn: psycopg.Connection, statement: str) -> None:
    with pytest.raises(REFUSED):
        conn.execute(statement)


def test_every_component_connects_as_its_own_role(built_db, monkeypatch):
    for key, value in built_db.env().items():
        monkeypatch.setenv(key, value)
    assert "//attribution_app:" in connection.current_url()
    assert dbt_runner.dbt_env(built_db)["PGUSER"] == credentials.TRANSFORMER
    assert AttributionDatabase().params().user == credentials.TRANSFORMER
    # dbt built the marts as the transformer, which owns them
    owners = pg.query(
        built_db,
        "select distinct tableowner from pg_tables where schemaname = 'marts'",
    )
    assert owners == [(credentials.TRANSFORMER,)]


def test_the_app_writes_campaigns_and_nothing_it_should_not(built_db):
    with _as(built_db, credentials.APP) as conn:
        # what it needs
        assert conn.execute("select count(*) from marts.dim_campaigns").fetchone()
        assert conn.execute("select count(*) from erp.products").fetchone() == (1,)
        conn.execute("insert into app.audit_log (actor, action) values ('t', 'test')")
        conn.execute("update marketing.ad_campaigns set notes = 'n' where id = 1")
        # what it must not do (each found possible before the roles)
        _refused(conn, "alter table erp.orders add column x int")
        _refused(conn, "select * from erp.customers")
        _refused(conn, "select * from erp.orders")
        _refused(conn, "drop table marts.dim_campaigns")
        _refused(conn, "truncate app.audit_log")
        _refused(conn, "delete from app.audit_log")
        _refused(conn, "update app.audit_log set actor = 'x'")
        _refused(conn, "delete from marketing.ad_campaign_status_events")
        _refused(conn, "delete from marketing.ad_campaigns")
        _refused(conn, "create table marketing.x (id int)")
        _refused(conn, "create schema x")
        _refused(conn, "alter table marketing.ad_campaigns disable trigger all")


def test_the_transformer_reads_sources_and_writes_only_derived_data(built_db):
    with _as(built_db, credentials.TRANSFORMER) as conn:
        assert conn.execute("select count(*) from erp.orders").fetchone() == (1,)
        conn.execute("create table marts.scratch (id int)")
        conn.execute("drop table marts.scratch")
        _refused(
            conn,
            "insert into marketing.ad_campaigns (name, platform,"
            " starts_at) values ('x', 'google', now())",
        )
        _refused(conn, "update erp.orders set status = 'cancelled'")
        # personal data no model reads
        _refused(conn, "select email from erp.customers")
        _refused(conn, "select name from erp.customers")
        _refused(conn, "select * from erp.stores")
        _refused(conn, "select * from app.users")
        _refused(conn, "insert into app.audit_log (actor, action) values ('t', 't')")
        _refused(conn, "alter table marketing.ad_campaigns add column x int")


def test_bi_reader_reads_marts_with_few_connections_and_short_statements(built_db):
    with _as(built_db, credentials.BI_READER) as conn:
        assert conn.execute("select count(*) from marts.dim_products").fetchone() == (
            1,
        )
        assert conn.execute("show statement_timeout").fetchone()[0] == "1min"
        for table in (
            "marketing.ad_campaigns",
            "erp.customers",
            "app.users",
            "intermediate.int_orders_observed",
        ):
            _refused(conn, f"select * from {table}")
        _refused(conn, "create table marts.x (id int)")
    assert pg.query(
        built_db, "select rolconnlimit from pg_roles where rolname = 'bi_reader'"
    ) == [(roles.BI_CONNECTION_LIMIT,)]


def test_only_the_owner_rewrites_history_and_it_is_no_superuser(built_db):
    assert pg.query(
        built_db,
        "select rolsuper, rolcreaterole from pg_roles where rolname = %s",
        (credentials.OWNER,),
    ) == [(False, False)]
    with _as(built_db, credentials.OWNER) as conn:
        conn.execute("begin")
        conn.execute("truncate app.audit_log")
        conn.execute("rollback")


def test_every_role_needs_its_password(built_db):
    for role in (*credentials.ROLES, credentials.SUPERUSER):
        params = built_db.as_role(role) if role != credentials.SUPERUSER else built_db
        for password in (None, "wrong-" + (params.password or "")):
            wrong = dataclasses.replace(params, password=password)
            with pytest.raises(psycopg.OperationalError, match="password"):
                psycopg.connect(wrong.conninfo()).close()


def test_passwords_follow_the_environment_at_the_next_migrate(built_db, monkeypatch):
    monkeypatch.setenv("BI_READER_PASSWORD", "changed in the environment")
    migrate.upgrade(built_db)
    try:
        with _as(built_db, credentials.BI_READER) as conn:
            assert conn.execute("select current_user").fetchone() == ("bi_reader",)
    finally:
        monkeypatch.delenv("BI_READER_PASSWORD")
        migrate.upgrade(built_db)
    with _as(built_db, credentials.BI_READER) as conn:
        assert conn.execute("select 1").fetchone() == (1,)


def test_secrets_stay_in_a_private_file_and_out_of_printed_urls(built_db):
    path = credentials.secrets_file()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    app = built_db.as_role(credentials.APP)
    assert app.password and app.password not in repr(app)
    assert app.password not in app.display_url()
    env = {**os.environ, **built_db.env()}
    printed = subprocess.run(
        [sys.executable, "-m", "warehouse", "db", "url", "--role", "attribution_app"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=paths.PROJECT_ROOT,
    ).stdout
    assert "attribution_app" in printed
    assert app.password not in printed


def test_a_secrets_file_left_readable_by_others_is_made_private(tmp_path, monkeypatch):
    """Copied from another machine or written by an older checkout with a
    wide mode, the file is private again before any password is read."""
    monkeypatch.setenv("ATTRIBUTION_LOCAL_DIR", str(tmp_path))
    for variable in credentials.PASSWORD_VARIABLES.values():
        monkeypatch.delenv(variable, raising=False)
    path = credentials.secrets_file()
    # complete: nothing to generate, so nothing rewrites it
    path.write_text(
        "".join(
            f"{variable}=from-another-machine\n"
            for variable in credentials.PASSWORD_VARIABLES.values()
        )
    )
    path.chmod(0o644)
    assert credentials.password(credentials.BI_READER) == "from-another-machine"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
