"""Campaigns themselves: create, edit (flight, budget, notes), delete drafts.

Every write takes the writer (:class:`~marketing.audit.User`), checks the
role in the caller's transaction, records who did it and writes an audit
row. Edits carry the ``updated_at`` they started from: if someone saved in
between, :class:`ConcurrencyError` refuses the save.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from marketing import db
from marketing.audit import (
    CAMPAIGN_CORRECTED,
    CAMPAIGN_CREATED,
    CAMPAIGN_DELETED,
    CAMPAIGN_UPDATED,
    User,
    audit,
    require_role,
)
from marketing.campaigns import corrections
from marketing.campaigns.validation import (
    CampaignInput,
    ConcurrencyError,
    ValidationError,
    columns,
    reason_error,
    refuse,
    validate,
)
from marketing.rules import INITIAL_STATUS


def lock(conn: db.AnyConnection, campaign_id: int) -> Any:
    """The campaign's row, locked until the transaction ends."""
    row = db.first(
        conn,
        "select * from marketing.ad_campaigns where id = %(id)s for update",
        {"id": campaign_id},
    )
    if row is None:
        raise LookupError(f"campaign {campaign_id} does not exist (any more)")
    return row


def check_token(row: Any, expected_updated_at: datetime | None) -> None:
    if expected_updated_at is not None and row.updated_at != expected_updated_at:
        who = row.updated_by or "someone"
        raise ConcurrencyError(
            f"Campaign {row.id} was changed by {who} at "
            f"{row.updated_at:%Y-%m-%d %H:%M:%S} UTC after you opened it. "
            "Nothing was saved: reload it and apply your change again."
        )


def create_campaign(conn: db.AnyConnection, user: User, data: CampaignInput) -> int:
    """A new DRAFT campaign (with its first status event); returns its id."""
    refuse(validate(data))
    params = columns(data)
    require_role(conn, user, "marketer")
    campaign_id = db.scalar(
        conn,
        "insert into marketing.ad_campaigns (name, platform, status,"
        " starts_at, ends_at, budget_type, budget_amount, notes,"
        " created_by, updated_by)"
        " values (%(name)s, %(platform)s, %(status)s, %(starts_at)s, %(ends_at)s,"
        " %(budget_type)s, %(budget_amount)s, %(notes)s, %(user)s, %(user)s)"
        " returning id",
        {**params, "status": INITIAL_STATUS, "user": user.username},
    )
    db.execute(
        conn,
        "insert into marketing.ad_campaign_status_events"
        " (campaign_id, from_status, to_status, changed_at, changed_by)"
        " values (%(id)s, null, %(status)s, now(), %(user)s)",
        {"id": campaign_id, "status": INITIAL_STATUS, "user": user.username},
    )
    audit(conn, user, CAMPAIGN_CREATED, campaign_id=campaign_id, details=params)
    return campaign_id


def update_campaign(
    conn: db.AnyConnection,
    user: User,
    campaign_id: int,
    data: CampaignInput,
    expected_updated_at: datetime | None,
    reason: str | None = None,
) -> bool:
    """Save an edit made on the version stamped `expected_updated_at` (None:
    whatever is stored now); False when it changes nothing.

    Once a campaign has left DRAFT, moving its start or end across the past
    rewrites credits already reported: a correction (see
    :mod:`~marketing.campaigns.corrections`), recorded as
    ``campaign.corrected`` and shown in the campaign's history. Moves that
    stay in the future are ordinary edits.
    """
    errors = validate(data)
    if problem := reason_error(reason):
        errors["reason"] = problem
    refuse(errors)
    new = columns(data)
    require_role(conn, user, "marketer")
    row = lock(conn, campaign_id)
    check_token(row, expected_updated_at)
    changes = {
        key: {"from": getattr(row, key), "to": value}
        for key, value in new.items()
        if getattr(row, key) != value
    }
    if not changes:
        return False
    correction = corrections.is_flight_correction(
        conn, campaign_id, new["starts_at"], new["ends_at"]
    )
    if correction:
        corrections.require_correction_rights(
            conn,
            user,
            reason,
            "moving a launched campaign's start or end into the past",
        )
        corrections.name_correction_reason(conn, reason or "")
    db.execute(
        conn,
        "update marketing.ad_campaigns set name = %(name)s,"
        " platform = %(platform)s, starts_at = %(starts_at)s,"
        " ends_at = %(ends_at)s, budget_type = %(budget_type)s,"
        " budget_amount = %(budget_amount)s, notes = %(notes)s,"
        " updated_by = %(user)s where id = %(id)s",
        {**new, "user": user.username, "id": campaign_id},
    )
    audit(
        conn,
        user,
        CAMPAIGN_CORRECTED if correction else CAMPAIGN_UPDATED,
        campaign_id=campaign_id,
        reason=reason if correction else None,
        details=changes,
    )
    return True


def delete_campaign(
    conn: db.AnyConnection,
    user: User,
    campaign_id: int,
    expected_updated_at: datetime | None,
) -> None:
    """Delete a DRAFT campaign (never launched, so it never earned credit)."""
    require_role(conn, user, "marketer")
    row = lock(conn, campaign_id)
    check_token(row, expected_updated_at)
    if row.status != INITIAL_STATUS:
        raise ValidationError(
            {
                "status": (
                    f"Only {INITIAL_STATUS} campaigns can be deleted; this one is "
                    f"{row.status}. End it instead."
                )
            }
        )
    # the database's own door: it deletes the draft's rows with it, and
    # refuses any campaign that ever left DRAFT
    db.execute(
        conn, "select marketing.delete_draft_campaign(%(id)s)", {"id": campaign_id}
    )
    audit(
        conn,
        user,
        CAMPAIGN_DELETED,
        campaign_id=campaign_id,
        details={"name": row.name, "platform": row.platform},
    )
