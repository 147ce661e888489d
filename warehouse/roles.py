"""Who may do what in the project's database: the roles and their grants.

One idempotent function, :func:`apply`, run by the migration that introduced
the roles and again after every ``migrate`` (so new tables, a password
changed in the environment, or a schema dbt made before the roles existed
all come into line). It needs a connection that may create roles (the
embedded superuser, or an external server's admin).

| role | may |
|---|---|
| attribution_owner | own ``marketing``, ``app``, ``ops``, ``measurement``; rewrite
  history |
| attribution_app | write ``marketing`` and ``app.users``; insert audit rows; read
  ``marts`` and ``erp.products`` |
| attribution_transformer | read the ``erp`` tables the models read, and
  ``marketing``; own the derived schemas (staging, intermediate, snapshots,
  marts); write ``ops`` and the estimates in ``measurement`` |
| bi_reader | read ``marts``; few connections, short statements |
"""

from __future__ import annotations

import psycopg
import yaml
from psycopg import sql

from warehouse import credentials
from warehouse.credentials import APP, BI_READER, OWNER, ROLES, TRANSFORMER
from warehouse.paths import PROJECT_ROOT

OWNED_SCHEMAS = ("marketing", "app", "ops", "measurement")
DERIVED_SCHEMAS = ("staging", "intermediate", "snapshots", "marts")
BI_CONNECTION_LIMIT = 10
BI_STATEMENT_TIMEOUT = "60s"
APP_STATEMENT_TIMEOUT = "30s"
ERP_SOURCES = PROJECT_ROOT / "models" / "staging" / "erp" / "_erp__sources.yml"


def apply(conn: psycopg.Connection) -> None:
    """Create the roles, set their passwords, and grant each its share."""
    run = _runner(conn)
    database = sql.Identifier(conn.execute("select current_database()").fetchone()[0])
    for role in ROLES:
        _ensure_role(conn, role)
    run(
        "alter role {} connection limit {}", BI_READER, sql.Literal(BI_CONNECTION_LIMIT)
    )
    run(
        "alter role {} set statement_timeout = {}",
        BI_READER,
        sql.Literal(BI_STATEMENT_TIMEOUT),
    )
    run(
        "alter role {} set statement_timeout = {}",
        APP,
        sql.Literal(APP_STATEMENT_TIMEOUT),
    )
    # the database: nobody by default; each role by name
    conn.execute(sql.SQL("revoke all on database {} from public").format(database))
    for role in ROLES:
        conn.execute(
            sql.SQL("grant connect on database {} to {}").format(
                database, sql.Identifier(role)
            )
        )
    conn.execute(
        sql.SQL("grant create, temporary on database {} to {}").format(
            database, sql.Identifier(TRANSFORMER)
        )
    )
    conn.execute("revoke create on schema public from public")

    for schema in (*OWNED_SCHEMAS, "erp"):
        run("create schema if not exists {}", schema)
    for schema in OWNED_SCHEMAS:
        _hand_over(conn, schema, OWNER)
    for schema in DERIVED_SCHEMAS:
        run("create schema if not exists {}", schema)
        _hand_over(conn, schema, TRANSFORMER)

    # marketing: the app writes campaigns and targeting; history is insert-only
    run("grant usage on schema marketing to {}, {}", APP, TRANSFORMER)
    run("grant select on all tables in schema marketing to {}", TRANSFORMER)
    conn.execute(
        "grant select, insert, update on marketing.ad_campaigns,"
        " marketing.ad_campaign_products to attribution_app"
    )
    conn.execute(
        "grant select, insert on marketing.ad_campaign_status_events to attribution_app"
    )
    # tables later migrations add: the transformer reads, the app writes
    for owner in (OWNER, _current_user(conn)):
        run(
            "alter default privileges for role {} in schema marketing"
            " grant select on tables to {}",
            owner,
            TRANSFORMER,
        )
        run(
            "alter default privileges for role {} in schema marketing"
            " grant select, insert, update on tables to {}",
            owner,
            APP,
        )

    # app: users and an insert-only audit log; nobody else reads them
    run("grant usage on schema app to {}", APP)
    conn.execute("grant select, insert, update on app.users to attribution_app")
    conn.execute("grant select, insert on app.audit_log to attribution_app")

    # ops: the pipeline's alerts and comparison copies
    run("grant usage, create on schema ops to {}", TRANSFORMER)
    conn.execute(
        "grant select, insert, update on ops.alerts to attribution_transformer"
    )

    # measurement: `python -m measurement lift` (run as the transformer, like
    # dbt) replaces the estimates; readers get them through marts views
    run("grant usage on schema measurement to {}", TRANSFORMER)
    run(
        "grant select, insert, delete on all tables in schema measurement to {}",
        TRANSFORMER,
    )

    # erp: the ERP's tables, read-only; the app needs the product list only
    grant_erp_reads(conn)

    # derived schemas: dbt (the transformer) makes them; readers get marts
    run("grant usage on schema marts to {}, {}", APP, BI_READER)
    run("grant select on all tables in schema marts to {}, {}", APP, BI_READER)
    run(
        "alter default privileges for role {} in schema marts"
        " grant select on tables to {}, {}",
        TRANSFORMER,
        APP,
        BI_READER,
    )
    # the app read intermediate for its debug page until the page got its
    # mart: databases migrated before then lose that read
    run("revoke select on all tables in schema intermediate from {}", APP)
    run("revoke usage on schema intermediate from {}", APP)
    run(
        "alter default privileges for role {} in schema intermediate"
        " revoke select on tables from {}",
        TRANSFORMER,
        APP,
    )


def erp_tables_read() -> tuple[str, ...]:
    """The ERP tables the dbt project reads: its ``erp`` source, declared once
    in the staging layer's sources file."""
    declared = yaml.safe_load(ERP_SOURCES.read_text())
    [erp] = [source for source in declared["sources"] if source["name"] == "erp"]
    return tuple(table["name"] for table in erp["tables"])


def grant_erp_reads(conn: psycopg.Connection) -> None:
    """The transformer reads the ERP tables the models read (not the
    customers' names and e-mails, which no model needs), the app only the
    product list. Tables a replica adds later get no grant until the next
    ``migrate``."""
    run = _runner(conn)
    known = conn.execute(
        "select count(*) from pg_roles where rolname in (%s, %s)", (TRANSFORMER, APP)
    ).fetchone()[0]
    if known < 2:
        return  # before the first migrate: that migrate grants these
    run("create schema if not exists erp")
    run("grant usage on schema erp to {}, {}", TRANSFORMER, APP)
    # databases migrated before granted every table, and every future one
    run("revoke select on all tables in schema erp from {}", TRANSFORMER)
    run(
        "alter default privileges in schema erp revoke select on tables from {}",
        TRANSFORMER,
    )
    for table in erp_tables_read():
        if conn.execute("select to_regclass(%s)", (f"erp.{table}",)).fetchone()[0]:
            conn.execute(
                sql.SQL("grant select on {}.{} to {}").format(
                    sql.Identifier("erp"),
                    sql.Identifier(table),
                    sql.Identifier(TRANSFORMER),
                )
            )
    if conn.execute("select to_regclass('erp.products')").fetchone()[0]:
        run("grant select on erp.products to {}", APP)


def set_passwords(conn: psycopg.Connection) -> None:
    """Each role's password as the environment or the secrets file says now."""
    conn.execute("set local password_encryption = 'scram-sha-256'")
    for role in ROLES:
        conn.execute(
            sql.SQL("alter role {} password {}").format(
                sql.Identifier(role), sql.Literal(credentials.password(role))
            )
        )


def ensure_login_role(conn: psycopg.Connection, role: str) -> None:
    """A login role with no privilege of its own, its password as the
    environment or the secrets file says (roles outside :data:`ROLES`: the
    Dagster storage's, the demo ERP replica's)."""
    _ensure_role(conn, role)
    conn.execute("set password_encryption = 'scram-sha-256'")
    conn.execute(
        sql.SQL("alter role {} password {}").format(
            sql.Identifier(role), sql.Literal(credentials.password(role))
        )
    )


def _ensure_role(conn: psycopg.Connection, role: str) -> None:
    # roles are cluster-wide: another database on the server may have made it
    exists = conn.execute(
        "select 1 from pg_roles where rolname = %s", (role,)
    ).fetchone()
    if not exists:
        conn.execute(sql.SQL("create role {} login").format(sql.Identifier(role)))
    conn.execute(
        sql.SQL(
            "alter role {} login nosuperuser nocreatedb nocreaterole noinherit"
            " nobypassrls"
        ).format(sql.Identifier(role))
    )


def _hand_over(conn: psycopg.Connection, schema: str, role: str) -> None:
    """The schema and everything in it belong to `role`."""
    run = _runner(conn)
    run("alter schema {} owner to {}", schema, role)
    objects = conn.execute(
        """
        select relation.relname, relation.relkind
        from pg_class as relation
        inner join pg_namespace as namespace on namespace.oid = relation.relnamespace
        where
            namespace.nspname = %s
            and relation.relkind in ('r', 'v', 'm', 'p', 'f')
            and relation.relowner <> (select oid from pg_roles where rolname = %s)
        """,
        (schema, role),
    ).fetchall()
    for name, kind in objects:
        keyword = {"v": "view", "m": "materialized view", "f": "foreign table"}.get(
            kind, "table"
        )
        conn.execute(
            sql.SQL("alter {} {}.{} owner to {}").format(
                sql.SQL(keyword),
                sql.Identifier(schema),
                sql.Identifier(name),
                sql.Identifier(role),
            )
        )


def _current_user(conn: psycopg.Connection) -> str:
    return conn.execute("select current_user").fetchone()[0]


def _runner(conn: psycopg.Connection):
    """run(template, *names_or_sql): names become quoted identifiers."""

    def run(template: str, *parts: str | sql.Composable) -> None:
        composed = [
            part if isinstance(part, sql.Composable) else sql.Identifier(part)
            for part in parts
        ]
        conn.execute(sql.SQL(template).format(*composed))

    return run
