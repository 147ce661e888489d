"""The backdated-correction policy, said once for every writer.

A write that reaches into the past rewrites credits already reported: a
status change or targeting window dated before now, a launched flight moved
across the past. That is a correction: made by an admin, with a reason.
"Before now" leaves the slack the database keeps in
``marketing.correction_slack()`` (a form opened a few minutes ago still
says "now"); whether a flight edit is one, the database decides
(``marketing.is_flight_correction``, which refuses it without a reason).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from marketing import db
from marketing.audit import User, require_role
from marketing.campaigns.validation import ValidationError


@dataclass(frozen=True)
class Clock:
    """The writer's "now" and the database's slack around it."""

    now: datetime
    slack: timedelta

    def is_backdated(self, moment: datetime | None) -> bool:
        return moment is not None and moment < self.now - self.slack

    def is_future(self, moment: datetime | None) -> bool:
        return moment is not None and moment > self.now + self.slack


def clock(conn: db.AnyConnection, now: datetime | None = None) -> Clock:
    """The transaction's time (or the given one: the demo's simulated clock)."""
    found = db.first(conn, "select now() as now, marketing.correction_slack() as slack")
    return Clock(now or found.now, found.slack)


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
    """Tell the database's flight check why, for this transaction."""
    db.execute(
        conn,
        "select set_config('attribution.correction_reason', %(reason)s, true)",
        {"reason": reason},
    )
