"""Users, passwords and sign-in: bcrypt hashes in ``app.users``.

The user value, the role check and the audit insert every writer shares
live in :mod:`marketing.audit`; this module adds the app's accounts around
them (its sign-ins are audited through the same insert).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import bcrypt
from sqlalchemy import Connection, text

from dashboard.data import connection
from marketing.audit import (
    PASSWORD_RESET,
    ROLES,
    SIGN_IN_FAILED,
    SIGN_IN_SUCCEEDED,
    SIGN_IN_THROTTLED,
    SIGN_IN_UNLOCKED,
    USER_ADDED,
    User,
    audit,
)

MIN_PASSWORD_LENGTH = 8
# bcrypt reads at most 72 bytes: a longer password would be silently cut
MAX_PASSWORD_BYTES = 72
MAX_USERNAME_LENGTH = 64

# Sign-in throttling, counted in the audit log within FAILURE_WINDOW, twice:
# per user name at one client (failures since the name's last success or
# unlock) and per client whatever the name (guessing many names). From the
# FREE_FAILURES-th failure on, each makes the next try wait twice as long;
# LOCKOUT_FAILURES lock it for LOCKOUT. Failures from other clients never
# lock a name out: whoever fails at "admin" elsewhere, the admin's own
# client signs in. A locked name or client is unlocked through the CLI
# (python -m dashboard.user_admin unlock). While throttled, attempts write
# one audit row, not one each: repeated failures cannot grow the log.
FREE_FAILURES = 3
FIRST_DELAY = timedelta(seconds=5)
MAX_DELAY = timedelta(minutes=5)
LOCKOUT_FAILURES = 10
LOCKOUT = timedelta(minutes=15)
FAILURE_WINDOW = timedelta(hours=1)
# a client trying many names: more slack, the same lock
CLIENT_FREE_FAILURES = 10
CLIENT_LOCKOUT_FAILURES = 30
# who signs in when the client's address is unknown (a local connection)
UNKNOWN_CLIENT = "local"
MAX_CLIENT_LENGTH = 64


class SignInThrottled(RuntimeError):
    """Too many failed sign-ins for this name: wait before trying again."""

    def __init__(self, wait: timedelta, locked: bool) -> None:
        self.wait = wait
        self.locked = locked
        seconds = max(1, math.ceil(wait.total_seconds()))
        what = "This account is locked" if locked else "Too many failed sign-ins"
        super().__init__(f"{what}: try again in {_duration(seconds)}.")


def _duration(seconds: int) -> str:
    if seconds < 120:
        return f"{seconds} seconds"
    return f"{math.ceil(seconds / 60)} minutes"


def delay_after(
    failures: int, free: int = FREE_FAILURES, lockout: int = LOCKOUT_FAILURES
) -> timedelta:
    """How long the next try waits after `failures` failures in a row."""
    if failures >= lockout:
        return LOCKOUT
    if failures < free:
        return timedelta(0)
    return min(MAX_DELAY, FIRST_DELAY * 2 ** (failures - free))


def hash_password(password: str) -> str:
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt()).decode()


def _password_matches(password: str, password_hash: str) -> bool:
    encoded = password.encode()
    if len(encoded) > MAX_PASSWORD_BYTES:
        # no password that long was ever set; still spend the time of a check
        bcrypt.checkpw(b"x", _DUMMY_HASH.encode())
        return False
    return bcrypt.checkpw(encoded, password_hash.encode())


# checked against when the user does not exist, so that a wrong name and a
# wrong password take the same time
_DUMMY_HASH = hash_password("not a password of anyone")


def _sign_in_name(username: str) -> str:
    """The name as the throttle and the audit log know it (bounded, no NUL)."""
    return username.replace("\x00", "").strip().lower()[:MAX_USERNAME_LENGTH]


def sign_in_client(address: str | None) -> str:
    """The client as the throttle and the audit log know it (bounded)."""
    cleaned = "".join(ch for ch in (address or "") if ch.isprintable()).strip()
    return cleaned[:MAX_CLIENT_LENGTH] or UNKNOWN_CLIENT


def authenticate(
    url: str, username: str, password: str, client: str | None = None
) -> User | None:
    """The active user with this name and password, or None.

    `client` is where the attempt comes from (the app passes the visitor's
    address). Attempts land in the audit log (``sign_in.succeeded``,
    ``sign_in.failed``, and one ``sign_in.throttled`` per throttled stretch);
    after repeated failures the name at that client, or the client, waits
    longer and longer, then is locked (:class:`SignInThrottled`).
    """
    name = _sign_in_name(username)
    client = sign_in_client(client)
    with connection.transaction(url) as conn:
        # one attempt per name, and per client, at a time: parallel guesses
        # queue here (always in this order)
        for key in (f"sign-in:{name}", f"sign-in-client:{client}"):
            conn.execute(
                text("select pg_advisory_xact_lock(hashtext(:key))"), {"key": key}
            )
        wait = _wait_before_next_try(conn, name, client)
        if wait is not None:
            if not wait.told:
                _audit_sign_in(conn, name, client, SIGN_IN_THROTTLED, wait=wait)
            throttled = wait
        else:
            throttled = None
            user = _check_password(conn, name, username, password)
            if user is not None:
                _audit_sign_in(conn, user.username, client, SIGN_IN_SUCCEEDED)
                return user
            _audit_sign_in(conn, name, client, SIGN_IN_FAILED)
    if throttled is not None:
        raise SignInThrottled(throttled.remaining, locked=throttled.locked)
    return None


@dataclass(frozen=True)
class _Wait:
    failures: int
    remaining: timedelta
    locked: bool
    told: bool  # a throttled attempt was already recorded since the last failure


_FAILURES_SQL = f"""
select count(*) as failures, max(failed.occurred_at) as last_failed_at,
    now() as now,
    exists (
        select from app.audit_log as throttled
        where throttled.action = '{SIGN_IN_THROTTLED}'
            and {{told}}
            and throttled.occurred_at >= max(failed.occurred_at)
    ) as told
from app.audit_log as failed
where failed.action = '{SIGN_IN_FAILED}'
    and {{scope}}
    and failed.occurred_at > now() - :window
    and failed.occurred_at > coalesce((
        select max(reset.occurred_at)
        from app.audit_log as reset
        where {{reset}}
    ), '-infinity')
"""
# the name at this client: since the name's last success or unlock
_NAME_AT_CLIENT = _FAILURES_SQL.format(
    scope="failed.details ->> 'username' = :name"
    " and failed.details ->> 'client' = :client",
    told="throttled.details ->> 'username' = :name"
    " and throttled.details ->> 'client' = :client",
    reset=f"reset.action in ('{SIGN_IN_SUCCEEDED}', '{SIGN_IN_UNLOCKED}')"
    " and reset.details ->> 'username' = :name",
)
# the client, whatever the name: since the client was unlocked
_CLIENT = _FAILURES_SQL.format(
    scope="failed.details ->> 'client' = :client",
    told="throttled.details ->> 'client' = :client",
    reset=f"reset.action = '{SIGN_IN_UNLOCKED}'"
    " and reset.details ->> 'client' = :client",
)


def _wait_before_next_try(conn: Connection, name: str, client: str) -> _Wait | None:
    waits = []
    for query, free, lockout in (
        (_NAME_AT_CLIENT, FREE_FAILURES, LOCKOUT_FAILURES),
        (_CLIENT, CLIENT_FREE_FAILURES, CLIENT_LOCKOUT_FAILURES),
    ):
        row = conn.execute(
            text(query), {"name": name, "client": client, "window": FAILURE_WINDOW}
        ).one()
        delay = delay_after(row.failures, free, lockout)
        if delay and row.last_failed_at + delay > row.now:
            waits.append(
                _Wait(
                    row.failures,
                    row.last_failed_at + delay - row.now,
                    locked=row.failures >= lockout,
                    told=row.told,
                )
            )
    return max(waits, key=lambda wait: wait.remaining, default=None)


def unlock(url: str, username: str | None, client: str | None, actor: str) -> None:
    """Forget the failures of a name (at every client) and/or of a client:
    the recovery path when an attacker has locked them (the CLI's)."""
    details: dict[str, Any] = {}
    if username is not None:
        details["username"] = _sign_in_name(username)
    if client is not None:
        details["client"] = sign_in_client(client)
    if not details:
        raise ValueError("name a user, a client, or both")
    with connection.transaction(url) as conn:
        audit(conn, actor, SIGN_IN_UNLOCKED, details=details)


def _check_password(
    conn: Connection, name: str, username: str, password: str
) -> User | None:
    valid_name = name == username.strip().lower() and name
    row = (
        conn.execute(
            text(
                "select username, role, password_hash from app.users"
                " where lower(username) = :name and is_active"
            ),
            {"name": name},
        ).first()
        if valid_name
        else None
    )
    if row is None:
        _password_matches(password, _DUMMY_HASH)
        return None
    if not _password_matches(password, row.password_hash):
        return None
    conn.execute(
        text(
            "update app.users set last_signed_in_at = now() where username = :username"
        ),
        {"username": row.username},
    )
    return User(row.username, row.role)


def _audit_sign_in(
    conn: Connection, name: str, client: str, action: str, wait: _Wait | None = None
) -> None:
    details: dict[str, Any] = {"username": name.lower(), "client": client}
    if wait is not None:
        details["failures"] = wait.failures
        details["wait_seconds"] = round(wait.remaining.total_seconds(), 1)
    audit(conn, User(name or "?", "viewer"), action, details=details)


def refresh(url: str, user: User) -> User | None:
    """The user as stored now (role changes, deactivation); None if inactive."""
    with connection.transaction(url) as conn:
        row = conn.execute(
            text(
                "select username, role from app.users"
                " where username = :username and is_active"
            ),
            {"username": user.username},
        ).first()
    return None if row is None else User(row.username, row.role)


def _check_new(username: str, password: str, role: str) -> None:
    if (
        not isinstance(username, str)
        or not 1 <= len(username) <= MAX_USERNAME_LENGTH
        or username != username.strip()
        or not username.isprintable()
    ):
        raise ValueError(
            f"a user name has 1-{MAX_USERNAME_LENGTH} printable characters,"
            " no surrounding spaces"
        )
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"a password has at least {MIN_PASSWORD_LENGTH} characters")
    if len(password.encode()) > MAX_PASSWORD_BYTES or "\x00" in password:
        raise ValueError(
            f"a password has at most {MAX_PASSWORD_BYTES} bytes and no NUL character"
        )


def add_user(
    url: str, username: str, password: str, role: str, *, created_by: str
) -> User:
    """Create a user; ValueError if the name is taken or the input is invalid.

    `created_by` (who adds the user) is stored with it and in the audit log
    (``user.added``, with the name and role: never the password or its hash).
    """
    _check_new(username, password, role)
    with connection.transaction(url) as conn:
        taken = conn.execute(
            text("select 1 from app.users where lower(username) = lower(:u)"),
            {"u": username},
        ).first()
        if taken:
            raise ValueError(f"user {username!r} already exists")
        conn.execute(
            text(
                "insert into app.users (username, password_hash, role, created_by)"
                " values (:username, :hash, :role, :created_by)"
            ),
            {
                "username": username,
                "hash": hash_password(password),
                "role": role,
                "created_by": created_by,
            },
        )
        audit(
            conn, created_by, USER_ADDED, details={"username": username, "role": role}
        )
    return User(username, role)


def set_password(
    url: str, username: str, password: str, role: str | None = None, *, actor: str
) -> bool:
    """Reset a user's password (and role, if given); False if no such user.

    `actor` (who resets it) is recorded in the audit log
    (``user.password_reset``, with the name, the role before and after and
    whether the account was reactivated: never the password or its hash).
    """
    _check_new(username, password, role or "viewer")
    with connection.transaction(url) as conn:
        before = conn.execute(
            text(
                "select username, role, is_active from app.users"
                " where lower(username) = lower(:username) for update"
            ),
            {"username": username},
        ).first()
        if before is None:
            return False
        conn.execute(
            text(
                "update app.users set password_hash = :hash, is_active = true,"
                " role = coalesce(:role, role), updated_at = now()"
                " where username = :username"
            ),
            {
                "hash": hash_password(password),
                "role": role,
                "username": before.username,
            },
        )
        audit(
            conn,
            actor,
            PASSWORD_RESET,
            details={
                "username": before.username,
                "role": role or before.role,
                "role_before": before.role,
                "reactivated": not before.is_active,
            },
        )
        return True


def list_users(url: str) -> list[dict[str, Any]]:
    with connection.transaction(url) as conn:
        rows = conn.execute(
            text(
                "select username, role, is_active, created_at, last_signed_in_at"
                " from app.users order by username"
            )
        )
        return [dict(row._mapping) for row in rows]
