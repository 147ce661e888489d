"""The users CLI: add users, reset passwords, seed one demo user per role."""

from __future__ import annotations

import getpass
import io
import re

import pytest

from dashboard import user_admin as cli
from dashboard.data.users import User, authenticate
from marketing.audit import PASSWORD_RESET, USER_ADDED
from tests import pg


@pytest.fixture
def url(write_db, app_env) -> str:
    app_env(write_db)
    return write_db.url("psycopg")


def test_add_then_sign_in_and_no_duplicates(url, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("s3cret password\n"))
    assert cli.main(["add", "Alice", "--role", "marketer", "--password-stdin"]) == 0
    assert authenticate(url, "alice", "s3cret password") == User("Alice", "marketer")
    assert authenticate(url, "alice", "wrong") is None
    monkeypatch.setattr("sys.stdin", io.StringIO("another password\n"))
    assert cli.main(["add", "ALICE", "--password-stdin"]) == 2
    assert "already exists" in capsys.readouterr().err


def test_short_passwords_are_refused(url, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert cli.main(["add", "bob", "--password-stdin"]) == 2
    assert "at least 8" in capsys.readouterr().err


def test_passwords_are_stored_as_bcrypt_hashes(write_db, url, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("s3cret password\n"))
    cli.main(["add", "carol", "--password-stdin"])
    [(stored,)] = pg.query(write_db, "select password_hash from app.users")
    assert stored.startswith("$2b$") and "s3cret" not in stored


def account_audit(db) -> list[tuple]:
    """The audit log's account rows, as an admin reading the history sees
    them: who, what, the details, and the whole row as text."""
    return pg.query(
        db,
        "select actor, action, details, row_to_json(audit_log)::text"
        " from app.audit_log as audit_log where action = any(%s) order by id",
        ([USER_ADDED, PASSWORD_RESET],),
    )


def test_adding_a_user_and_resetting_a_password_are_audited_without_it(
    write_db, url, monkeypatch, capsys
):
    me = getpass.getuser()
    monkeypatch.setattr("sys.stdin", io.StringIO("first s3cret\n"))
    assert cli.main(["add", "Dave", "--password-stdin"]) == 0
    [(first_hash,)] = pg.query(write_db, "select password_hash from app.users")
    monkeypatch.setattr("sys.stdin", io.StringIO("second s3cret\n"))
    assert (
        cli.main(["set-password", "dave", "--role", "admin", "--password-stdin"]) == 0
    )
    [(second_hash,)] = pg.query(write_db, "select password_hash from app.users")
    # refusals change nothing, so they record nothing
    monkeypatch.setattr("sys.stdin", io.StringIO("third s3cret\n"))
    assert cli.main(["add", "DAVE", "--password-stdin"]) == 2
    monkeypatch.setattr("sys.stdin", io.StringIO("third s3cret\n"))
    assert cli.main(["set-password", "erin", "--password-stdin"]) == 1
    rows = account_audit(write_db)
    assert [row[:3] for row in rows] == [
        (me, USER_ADDED, {"username": "Dave", "role": "viewer"}),
        (
            me,
            PASSWORD_RESET,
            {
                "username": "Dave",
                "role": "admin",
                "role_before": "viewer",
                "reactivated": False,
            },
        ),
    ]
    for *_, whole_row in rows:
        for secret in ("s3cret", first_hash, second_hash, "$2b$"):
            assert secret not in whole_row
    assert authenticate(url, "dave", "second s3cret") == User("Dave", "admin")


def test_seed_demo_prints_working_credentials_and_can_rerun(write_db, url, capsys):
    for _ in range(2):  # a second run resets the passwords, never duplicates
        assert cli.main(["seed-demo"]) == 0
        printed = capsys.readouterr().out
        found = re.findall(r"(\w+)\s+user: (\S+)\s+password: (\S+)", printed)
        assert [role for role, _, _ in found] == ["viewer", "marketer", "admin"]
        for role, username, password in found:
            assert authenticate(url, username, password) == User(username, role)
    assert cli.main(["list"]) == 0
    assert capsys.readouterr().out.count("demo-") == 3
    # the first run added the three, the second reset their passwords
    audited = [(actor, action) for actor, action, _, _ in account_audit(write_db)]
    assert (
        audited
        == [(cli.SEED_DEMO, USER_ADDED)] * 3 + [(cli.SEED_DEMO, PASSWORD_RESET)] * 3
    )
