"""Fixtures of the app's tests: a built reports database shared by the tests
that only read, fresh databases for the tests that write, and signed-in users."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.data import connection
from dashboard.data.users import User, add_user
from tests import pg
from tests.dbt_in_process import BUILD
from warehouse import database

APP = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"
PAGES = APP.parent / "app_pages"
PASSWORD = "correct horse battery"
ROLES = ("viewer", "marketer", "admin")


def add_role_users(params: database.ConnectionParams) -> dict[str, User]:
    url = params.url("psycopg")
    return {
        role: add_user(url, role, PASSWORD, role, created_by="tests") for role in ROLES
    }


def add_products(params: database.ConnectionParams, count: int = 5) -> None:
    pg.execute(
        params,
        "insert into erp.products (id, name, sku, cost_price, created_at, updated_at)"
        " select i, 'Product ' || i, 'SKU-' || i, 5.00, now(), now()"
        " from generate_series(1, %s) as i",
        (count,),
    )


@pytest.fixture(scope="module")
def users_db(pg_server) -> Iterator[database.ConnectionParams]:
    """One migrated database per test module, with products and a user per
    role, for tests that write and clean up after themselves (migrating per
    test costs seconds)."""
    params = pg.create_database(pg_server, prefix="app")
    add_products(params)
    add_role_users(params)
    yield params
    connection.dispose(params.url("psycopg"))
    database.drop_database(params)


@pytest.fixture(scope="session")
def reports_db(pg_server, demo_marts, run_dbt) -> Iterator[database.ConnectionParams]:
    """Demo data with the marts built; read-only for the tests that use it."""
    params = pg.clone(pg_server, demo_marts, "dash")
    # one credited order is then cancelled: its credits stay, marked reversed
    pg.execute(
        params,
        "update erp.orders set status = 'cancelled', updated_at = now()"
        " where id = (select min(order_id) from marts.fct_order_item_campaign_credits)",
    )
    run_dbt(params, *BUILD)
    add_role_users(params)
    yield params
    connection.dispose(params.url("psycopg"))
    database.drop_database(params)


@pytest.fixture
def write_db(fresh_db) -> Iterator[database.ConnectionParams]:
    """An empty migrated database with five products and no users."""
    add_products(fresh_db)
    yield fresh_db
    connection.dispose(fresh_db.url("psycopg"))


@pytest.fixture
def users() -> dict[str, User]:
    return {role: User(role, role) for role in ROLES}


@pytest.fixture
def app_env(monkeypatch):
    """Point the app (which reads the PG* variables) at a test database."""

    def point(params: database.ConnectionParams) -> None:
        for key in ("PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE"):
            monkeypatch.delenv(key, raising=False)
        for key, value in params.env().items():
            monkeypatch.setenv(key, value)

    return point


def app_as(role: str | None) -> AppTest:
    """The app, signed in with `role` (or not signed in)."""
    at = AppTest.from_file(str(APP), default_timeout=60)
    if role is not None:
        at.session_state["user"] = User(role, role)
    return at


def page_as(page: str, role: str) -> AppTest:
    """One page's script alone: its own role check, without the navigation."""
    at = AppTest.from_file(str(PAGES / page), default_timeout=60)
    at.session_state["user"] = User(role, role)
    return at


def sign_in(at: AppTest, username: str, password: str) -> AppTest:
    """The sign-in form filled in and sent."""
    at.text_input[0].input(username)
    at.text_input[1].input(password)
    at.button[0].click().run()
    return at


def texts(at: AppTest, kind: str) -> list[str]:
    """The values of every element of one kind (error, title, caption...)."""
    return [element.value for element in getattr(at, kind)]


def no_errors(at: AppTest) -> None:
    assert not at.exception, at.exception
    assert not at.error, texts(at, "error")
