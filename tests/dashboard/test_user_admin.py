"""The users CLI: add users, reset passwords, seed one demo user per role."""

from __future__ import annotations

import io
import re

import pytest

from dashboard import user_admin as cli
from dashboard.data.users import User, authenticate
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


def test_seed_demo_prints_working_credentials_and_can_rerun(url, capsys):
    for _ in range(2):  # a second run resets the passwords, never duplicates
        assert cli.main(["seed-demo"]) == 0
        printed = capsys.readouterr().out
        found = re.findall(r"(\w+)\s+user: (\S+)\s+password: (\S+)", printed)
        assert [role for role, _, _ in found] == ["viewer", "marketer", "admin"]
        for role, username, password in found:
            assert authenticate(url, username, password) == User(username, role)
    assert cli.main(["list"]) == 0
    assert capsys.readouterr().out.count("demo-") == 3
