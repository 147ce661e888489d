"""Who may write, and the record of every write: ``app.audit_log``.

Roles are ordered: a marketer can do what a viewer can, an admin what a
marketer can. A writer calls :func:`require_role` inside its own
transaction, so the role is the one in the database at that moment, whatever
a browser session believes; :func:`audit` records the write in the same
transaction. Every audit row of the project goes through :func:`audit`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from marketing import db

ROLES = ("viewer", "marketer", "admin")

# Every audit action, as app.audit_log stores it: writers and readers use
# these names, never the bare strings.
CAMPAIGN_CREATED = "campaign.created"
CAMPAIGN_UPDATED = "campaign.updated"
CAMPAIGN_CORRECTED = "campaign.corrected"
CAMPAIGN_DELETED = "campaign.deleted"
STATUS_CHANGED = "status.changed"
PRODUCTS_ADDED = "products.added"
PRODUCT_REMOVED = "product.removed"
SPEND_LOADED = "spend.loaded"
DAGSTER_LAUNCHED = "dagster.launched"
SIGN_IN_SUCCEEDED = "sign_in.succeeded"
SIGN_IN_FAILED = "sign_in.failed"
SIGN_IN_THROTTLED = "sign_in.throttled"
SIGN_IN_UNLOCKED = "sign_in.unlocked"
# the app's accounts (dashboard.data.users): the user name and role, never
# the password or its hash
USER_ADDED = "user.added"
PASSWORD_RESET = "user.password_reset"
# written by the database itself, not through audit(): the trigger of
# migration 0008_corrections records a correction made outside the app
CORRECTION_RECORDED = "correction.recorded"
_RANK = {role: rank for rank, role in enumerate(ROLES)}


@dataclass(frozen=True)
class User:
    """Who writes: a signed-in user of the app, or a named process (the demo
    generator) whose database role is its only permission."""

    username: str
    role: str
    is_process: bool = False

    @classmethod
    def process(cls, name: str) -> User:
        return cls(name, "admin", is_process=True)

    def can(self, role: str) -> bool:
        return _RANK[self.role] >= _RANK[role]


def require_role(conn: db.AnyConnection, user: User, role: str) -> None:
    """Raise PermissionError unless the user, as stored now, has the role."""
    if user.is_process:
        return
    stored = db.scalar(
        conn,
        "select role from app.users where username = %(username)s and is_active",
        {"username": user.username},
    )
    if stored is None:
        raise PermissionError(f"{user.username!r} is not an active user")
    if _RANK[stored] < _RANK[role]:
        raise PermissionError(
            f"{user.username!r} is a {stored}: this needs the {role} role"
        )


def audit(
    conn: db.AnyConnection,
    actor: User | str,
    action: str,
    *,
    campaign_id: int | None = None,
    product_id: int | None = None,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Record one write in the audit log, in the caller's transaction."""
    if isinstance(actor, User):
        actor = actor.username
    db.execute(
        conn,
        "insert into app.audit_log"
        " (actor, action, campaign_id, product_id, reason, details)"
        " values (%(actor)s, %(action)s, %(campaign_id)s, %(product_id)s,"
        " %(reason)s, cast(%(details)s as jsonb))",
        {
            "actor": actor,
            "action": action,
            "campaign_id": campaign_id,
            "product_id": product_id,
            "reason": reason,
            "details": json.dumps(details or {}, default=str),
        },
    )
