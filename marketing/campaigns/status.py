"""Status changes: a campaign moves along the graph of :mod:`marketing.rules`,
one status event at a time.

A change dated in the past is a backdated correction (see
:mod:`~marketing.campaigns.corrections`). The status in effect at that
moment must allow the move, and the move must allow the next recorded event,
so the history stays a path of the graph. The campaign's ``status`` becomes
its latest event, as always.
"""

from __future__ import annotations

from datetime import datetime

from marketing import db
from marketing.audit import STATUS_CHANGED, User, audit, require_role
from marketing.campaigns import corrections
from marketing.campaigns.editing import check_token, lock
from marketing.campaigns.validation import (
    ValidationError,
    as_utc,
    moment_errors,
    reason_error,
)
from marketing.rules import INITIAL_STATUS, TRANSITIONS, allowed_moves, can_move


def status_at(conn: db.AnyConnection, campaign_id: int, moment: datetime) -> str:
    """The campaign's status in effect at `moment`."""
    found = db.scalar(
        conn,
        "select to_status from marketing.ad_campaign_status_events"
        " where campaign_id = %(id)s and changed_at <= %(t)s"
        " order by changed_at desc, id desc limit 1",
        {"id": campaign_id, "t": moment},
    )
    return found or INITIAL_STATUS


def change_status(
    conn: db.AnyConnection,
    user: User,
    campaign_id: int,
    to_status: str,
    expected_updated_at: datetime | None,
    changed_at: datetime | None = None,
    reason: str | None = None,
) -> datetime:
    """Move a campaign to `to_status` at `changed_at` (default: now, the
    database's); returns the moment recorded."""
    if to_status not in TRANSITIONS:
        raise ValidationError({"status": f"Unknown status {to_status!r}."})
    if problem := reason_error(reason):
        raise ValidationError({"reason": problem})
    if errors := moment_errors(changed_at=changed_at):
        raise ValidationError(errors)
    changed_at = as_utc(changed_at)
    require_role(conn, user, "marketer")
    clock = corrections.clock(conn)
    backdated = clock.is_backdated(changed_at)
    if backdated:
        corrections.require_correction_rights(
            conn, user, reason, "a backdated status change"
        )
        corrections.name_correction_reason(conn, reason or "")
    if clock.is_future(changed_at):
        raise ValidationError(
            {"changed_at": "A status change cannot be in the future."}
        )
    effective = changed_at if backdated else clock.now
    row = lock(conn, campaign_id)
    check_token(row, expected_updated_at)
    from_status = status_at(conn, campaign_id, effective)
    if not can_move(from_status, to_status):
        raise ValidationError(
            {
                "status": (
                    f"{from_status} → {to_status} is not allowed; from "
                    f"{from_status} the campaign can go to "
                    f"{allowed_moves(from_status)}."
                )
            }
        )
    following = db.first(
        conn,
        "select from_status, to_status, changed_at"
        " from marketing.ad_campaign_status_events"
        " where campaign_id = %(id)s and changed_at > %(t)s"
        " order by changed_at, id limit 1",
        {"id": campaign_id, "t": effective},
    )
    if following is not None and (
        not can_move(to_status, following.to_status)
        or following.from_status not in (None, to_status)
    ):
        raise ValidationError(
            {
                "status": (
                    f"{to_status} at that time contradicts the later change to "
                    f"{following.to_status} at "
                    f"{following.changed_at:%Y-%m-%d %H:%M} UTC."
                )
            }
        )
    db.execute(
        conn,
        "insert into marketing.ad_campaign_status_events"
        " (campaign_id, from_status, to_status, changed_at, changed_by, reason)"
        " values (%(id)s, %(from_status)s, %(to_status)s, %(changed_at)s,"
        " %(user)s, %(reason)s)",
        {
            "id": campaign_id,
            "from_status": from_status,
            "to_status": to_status,
            "changed_at": effective,
            "user": user.username,
            "reason": reason or None,
        },
    )
    db.execute(
        conn,
        "update marketing.ad_campaigns set updated_by = %(user)s, status = ("
        " select to_status from marketing.ad_campaign_status_events"
        " where campaign_id = %(id)s order by changed_at desc, id desc limit 1)"
        " where id = %(id)s",
        {"id": campaign_id, "user": user.username},
    )
    audit(
        conn,
        user,
        STATUS_CHANGED,
        campaign_id=campaign_id,
        reason=reason,
        details={
            "from": from_status,
            "to": to_status,
            "changed_at": effective,
            "backdated": backdated,
        },
    )
    return effective
