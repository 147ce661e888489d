"""What a visitor sees when things go wrong, and how sessions end."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime

import pytest
import streamlit as st

from dashboard import ui
from dashboard.data import campaigns, connection
from dashboard.data.users import User
from tests import pg
from tests.dashboard.conftest import PASSWORD, app_as, sign_in, texts
from tests.dbt_in_process import BUILD
from tests.sources import Sources
from warehouse import database

T0 = datetime(2026, 4, 1, tzinfo=UTC)
MARKDOWN_NAME = "**Bold** [click me](http://evil.test) _x_"


@pytest.fixture
def fresh_sign_ins(users_db):
    pg.execute(
        users_db,
        "set role attribution_owner; truncate app.audit_log; reset role;"
        " update app.users set role = username, is_active = true",
    )
    return users_db


def test_an_unexpected_error_shows_an_error_id_not_a_traceback(
    users_db, app_env, monkeypatch, caplog
):
    app_env(users_db)

    def broken(url):
        raise RuntimeError("password=hunter2 at internal line 42")

    monkeypatch.setattr(campaigns, "list_campaigns", broken)
    at = app_as("marketer").run()
    with caplog.at_level(logging.ERROR, logger="dashboard"):
        at.switch_page("app_pages/manage.py").run()
    assert not at.exception
    (message,) = texts(at, "error")
    assert "error id" in message and "hunter2" not in message
    error_id = message.rsplit(" ", 1)[-1]
    assert any(error_id in record.getMessage() for record in caplog.records)
    assert st.get_option("client.showErrorDetails") == "none"


def test_an_oversized_password_is_just_a_wrong_password(fresh_sign_ins, app_env):
    app_env(fresh_sign_ins)
    at = app_as(None).run()
    assert at.text_input[1].max_chars == ui.MAX_PASSWORD_INPUT
    sign_in(at, "admin", "p" * 100)
    assert not at.exception
    assert texts(at, "error") == ["Wrong user name or password."]


def test_repeated_failures_are_told_to_wait(fresh_sign_ins, app_env):
    app_env(fresh_sign_ins)
    at = app_as(None).run()
    for _ in range(3):
        sign_in(at, "marketer", "wrong password")
    sign_in(at, "marketer", PASSWORD)
    (message,) = texts(at, "error")
    assert message.startswith("Too many failed sign-ins: try again in")
    assert "user" not in at.session_state


def test_an_idle_session_expires(fresh_sign_ins, app_env):
    app_env(fresh_sign_ins)
    at = app_as("marketer")
    at.session_state[ui.SEEN_KEY] = time.monotonic() - 31 * 60
    at.run()
    assert texts(at, "title") == ["Campaign attribution"]
    assert any("expired" in info for info in texts(at, "info"))
    assert "user" not in at.session_state


def test_a_demotion_reaches_an_open_session_within_minutes(fresh_sign_ins, app_env):
    app_env(fresh_sign_ins)
    pg.execute(
        fresh_sign_ins,
        "update app.users set role = 'viewer' where username = 'marketer'",
    )
    at = app_as("marketer")
    at.session_state[ui.CHECKED_KEY] = time.monotonic() - 3 * 60
    at.run()
    assert at.session_state["user"] == User("marketer", "viewer")
    with pytest.raises(ValueError, match="Could not find a navigation"):
        at.switch_page("app_pages/manage.py")


def test_campaign_names_are_shown_as_text(pg_server, run_dbt, app_env):
    params = pg.create_database(pg_server, prefix="appname")
    try:
        src = Sources(params)
        src.product(1, cost="5.00")
        src.campaign(1, T0, events=(("RUNNING", T0),))
        pg.execute(
            params,
            "update marketing.ad_campaigns set name = %s where id = 1",
            (MARKDOWN_NAME,),
        )
        src.target(1, 1, T0)
        src.order(1, "confirmed", T0, items=((11, 1, "1", "10.00"),))
        run_dbt(params, *BUILD)
        app_env(params)
        at = app_as("viewer").run()
        at.switch_page("app_pages/campaign.py").run()
        assert not at.exception
        (subheader,) = texts(at, "subheader")
        assert subheader == ui.plain(MARKDOWN_NAME)
        assert "\\*\\*Bold\\*\\* \\[click me\\]" in subheader
    finally:
        connection.dispose(params.url("psycopg"))
        database.drop_database(params)
