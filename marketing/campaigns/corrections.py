"""The backdated-correction policy, said once for every writer.

A write that reaches into the past rewrites credits already reported: a
status change or targeting window dated before now, a launched flight moved
across the past. That is a correction: made by an admin, with a reason.
"Before now" is the database's clock (its now(), never a writer's), less
the slack it keeps in ``marketing.correction_slack()`` (a form opened a few
minutes ago still says "now"). The database refuses every such write
without the reason this writer names (:func:`name_correction_reason`) and
records it with the database user who wrote it (migration 0008); this
module adds the app's policy on top: admins only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from marketing import db
from marketing.audit import User, require_role
from marketing.campaigns.validation import ValidationError


@dataclass(frozen=True)
class Clock:
    """The database's "now" and its slack around it."""

    now: datetime
    slack: timedelta

    def is_backdated(self, moment: datetime | None) -> bool:
        return moment is not None and moment < self.now - self.slack

    def is_future(self, moment: datetime | None) -> bool:
        return moment is not None and moment > self.now + self.slack


def clock(conn: db.AnyConnection) -> Clock:
    """The transaction's time, as the database's checks read it."""
    found = db.first(conn, "select now() as now, marketing.correction_slack() as slack")
    return Clock(found.now, found.slack)


def is_flight_correction(
    conn: db.AnyConnection,
    campaign_id: int,
    starts_at: datetime | None,
    ends_at: datetime | None,
) -> bool:
    return bool(
        db.scalar(
            conn,
            "select marketing.is_flight_correction(%(id)s, %(starts_at)s, %(ends_at)s)",
            {"id": campaign_id, "starts_at": starts_at, "ends_at": ends_at},
        )
    )


def require_correction_rights(
    conn: db.AnyConnection, user: User, reason: str | None, what: str
) -> None:
    """Admins only, with a reason: `what` (for instance "a backdated status
    change") says in the refusal what reaches into the past."""
    try:
        require_role(conn, user, "admin")
    except PermissionError as error:
        raise PermissionError(
            f"{error}: {what} rewrites reported credits, a correction made by an "
            "admin with a reason"
        ) from error
    if not (reason and reason.strip()):
        raise ValidationError(
            {
                "reason": f"{what[0].upper()}{what[1:]} rewrites reported credits: it "
                "needs a reason."
            }
        )


def name_correction_reason(conn: db.AnyConnection, reason: str) -> None:
    """Tell the database why this transaction rewrites reported credits: its
    checks require it and record it (with the database user) for every
    correction the transaction writes."""
    db.execute(
        conn,
        "select set_config('attribution.correction_reason', %(reason)s, true)",
        {"reason": reason},
    )
