"""Users, passwords and roles: bcrypt hashes in ``app.users``.

Roles are ordered: a marketer can do what a viewer can, an admin what a
marketer can. Every write of the app calls :func:`require_role` inside its own
transaction, so the role is the one in the database at that moment, whatever
the browser session believes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import bcrypt
from sqlalchemy import Connection, text

from dashboard.data import connection

ROLES = ("viewer", "marketer", "admin")
_RANK = {role: rank for rank, role in enumerate(ROLES)}
MIN_PASSWORD_LENGTH = 8


@dataclass(frozen=True)
class User:
    username: str
    role: str

    def can(self, role: str) -> bool:
        return _RANK[self.role] >= _RANK[role]


def hash_password(password: str) -> str:
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt()).decode()


def _password_matches(password: str, password_hash: str) -> bool:
    return bcrypt.checkpw(password.encode(), password_hash.encode())


# checked against when the user does not exist, so that a wrong name and a
# wrong password take the same time
_DUMMY_HASH = hash_password("not a password of anyone")


def authenticate(url: str, username: str, password: str) -> User | None:
    """The active user with this name and password, or None."""
    with connection.transaction(url) as conn:
        row = conn.execute(
            text(
                "select username, role, password_hash from app.users"
                " where lower(username) = lower(:username) and is_active"
            ),
            {"username": username},
        ).first()
        if row is None:
            _password_matches(password, _DUMMY_HASH)
            return None
        if not _password_matches(password, row.password_hash):
            return None
        conn.execute(
            text(
                "update app.users set last_signed_in_at = now()"
                " where username = :username"
            ),
            {"username": row.username},
        )
        return User(row.username, row.role)


def require_role(conn: Connection, user: User, role: str) -> None:
    """Raise PermissionError unless the user, as stored now, has the role."""
    stored = conn.execute(
        text("select role from app.users where username = :username and is_active"),
        {"username": user.username},
    ).scalar()
    if stored is None:
        raise PermissionError(f"{user.username!r} is not an active user")
    if _RANK[stored] < _RANK[role]:
        raise PermissionError(
            f"{user.username!r} is a {stored}: this needs the {role} role"
        )


def audit(
    conn: Connection,
    user: User,
    action: str,
    *,
    campaign_id: int | None = None,
    product_id: int | None = None,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Record one write in the audit log, in the caller's transaction."""
    conn.execute(
        text(
            "insert into app.audit_log"
            " (actor, action, campaign_id, product_id, reason, details)"
            " values (:actor, :action, :campaign_id, :product_id, :reason,"
            " cast(:details as jsonb))"
        ),
        {
            "actor": user.username,
            "action": action,
            "campaign_id": campaign_id,
            "product_id": product_id,
            "reason": reason,
            "details": json.dumps(details or {}, default=str),
        },
    )


def _check_new(username: str, password: str, role: str) -> None:
    if not 1 <= len(username) <= 64 or username != username.strip():
        raise ValueError("a user name has 1-64 characters, no surrounding spaces")
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"a password has at least {MIN_PASSWORD_LENGTH} characters")


def add_user(
    url: str, username: str, password: str, role: str, created_by: str | None = None
) -> User:
    """Create a user; ValueError if the name is taken or the input is invalid."""
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
    return User(username, role)


def set_password(
    url: str, username: str, password: str, role: str | None = None
) -> bool:
    """Reset a user's password (and role, if given); False if no such user."""
    _check_new(username, password, role or "viewer")
    with connection.transaction(url) as conn:
        updated = conn.execute(
            text(
                "update app.users set password_hash = :hash, is_active = true,"
                " role = coalesce(:role, role), updated_at = now()"
                " where lower(username) = lower(:username)"
            ),
            {"hash": hash_password(password), "role": role, "username": username},
        )
        return updated.rowcount == 1


def list_users(url: str) -> list[dict[str, Any]]:
    with connection.transaction(url) as conn:
        rows = conn.execute(
            text(
                "select username, role, is_active, created_at, last_signed_in_at"
                " from app.users order by username"
            )
        )
        return [dict(row._mapping) for row in rows]
