"""Campaign management: the only code that writes ``marketing``.

Every write takes the signed-in user, checks the role in the same transaction
(:func:`users.require_role`), records who did it, and writes an audit row.
Forms are validated here first (:class:`ValidationError` carries a message
per field and nothing is written); the database constraints are the last line.
Campaign edits carry the ``updated_at`` they started from: if someone saved
in between, :class:`ConcurrencyError` refuses the save.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pandas as pd
from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from dashboard.data import cache, connection
from dashboard.data.users import User, audit, require_role

PLATFORMS = ("facebook", "instagram", "google", "tiktok", "youtube", "other")
BUDGET_TYPES = ("DAILY", "LIFETIME")
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "DRAFT": ("RUNNING",),
    "RUNNING": ("PAUSED", "ENDED"),
    "PAUSED": ("RUNNING", "ENDED"),
    "ENDED": (),
}
# a form's "now" is computed when the page renders; a save a little later
# is still "now", not a backdated correction
_CLOCK_SLACK = timedelta(minutes=5)
# the bounds of every free-text input (the forms say the same)
MAX_NAME_LENGTH = 255
MAX_NOTES_LENGTH = 5000
MAX_REASON_LENGTH = 1000
MAX_BUDGET = Decimal("1e10")
_BIGINT = 2**63

# constraint name -> (form field, message): the database's last line, in words
_CONSTRAINT_FIELDS = {
    "ad_campaigns_name_length": ("name", "Name must have 1 to 255 characters."),
    "ad_campaigns_platform_known": ("platform", "Unknown platform."),
    "ad_campaigns_ends_after_start": ("ends_at", "Must be after the start."),
    "ad_campaigns_budget_not_negative": ("budget_amount", "Must be 0 or more."),
    "ad_campaigns_budget_type_known": ("budget_type", "Unknown budget type."),
    "ad_campaign_products_no_overlap": (
        "products",
        "This product is already targeted during that window.",
    ),
    "ad_campaign_products_window_ordered": (
        "effective_to",
        "Must be after the start of the window.",
    ),
    "ad_campaign_status_events_transition_allowed": (
        "status",
        "That status change is not allowed.",
    ),
    "ad_campaign_status_events_sequence": (
        "status",
        "That status change does not follow the campaign's history.",
    ),
    "ad_campaign_status_events_from_status": (
        "status",
        "Someone changed the status meanwhile: reload and try again.",
    ),
    "ad_campaigns_name_not_blank": ("name", "Name is required."),
    "ad_campaigns_flight_correction_reason": (
        "reason",
        "Moving a launched campaign's dates into the past needs a reason.",
    ),
    "ad_campaigns_delete_drafts_only": (
        "status",
        "Only campaigns that never left DRAFT can be deleted; end it instead.",
    ),
}


class ValidationError(ValueError):
    """Invalid input: one message per form field; nothing was written."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{key}: {msg}" for key, msg in errors.items()))
        self.errors = errors


class ConcurrencyError(RuntimeError):
    """Someone else saved this campaign since it was loaded."""


@dataclass
class CampaignInput:
    name: str
    platform: str
    starts_at: datetime | None
    ends_at: datetime | None = None
    budget_type: str | None = None
    budget_amount: Decimal | None = None
    notes: str | None = None


@dataclass
class AddProductsResult:
    added: list[int] = field(default_factory=list)
    already_targeted: list[int] = field(default_factory=list)


def as_utc(moment: datetime | None) -> datetime | None:
    """Aware UTC; a naive time from a form is read as UTC (the reporting zone)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def text_error(value: Any, max_length: int, required: bool = False) -> str | None:
    """What is wrong with a free-text input, or None."""
    if value is None or value == "":
        return "Required." if required else None
    if not isinstance(value, str):
        return "Must be text."
    if "\x00" in value:
        return "Must not contain NUL characters."
    if required and not value.strip():
        return "Required."
    if len(value) > max_length:
        return f"At most {max_length} characters ({len(value)} given)."
    return None


def reason_error(reason: Any) -> str | None:
    return text_error(reason, MAX_REASON_LENGTH)


def validate(data: CampaignInput) -> dict[str, str]:
    """Messages per field; empty when the campaign can be saved."""
    errors: dict[str, str] = {}
    name = data.name or ""
    if not isinstance(name, str) or not name.strip():
        errors["name"] = "Name is required."
    elif len(name) > MAX_NAME_LENGTH:
        errors["name"] = (
            f"Name must have at most {MAX_NAME_LENGTH} characters ({len(name)} given)."
        )
    elif problem := text_error(name, MAX_NAME_LENGTH, required=True):
        errors["name"] = problem
    if problem := text_error(data.notes, MAX_NOTES_LENGTH):
        errors["notes"] = problem
    if not isinstance(data.platform, str) or data.platform not in PLATFORMS:
        errors["platform"] = f"Choose one of: {', '.join(PLATFORMS)}."
    for key in ("starts_at", "ends_at"):
        value = getattr(data, key)
        if value is not None and not isinstance(value, datetime):
            errors[key] = "Must be a date and time."
    if "starts_at" in errors or "ends_at" in errors:
        pass
    elif data.starts_at is None:
        errors["starts_at"] = "A start is required."
    elif data.ends_at is not None and as_utc(data.ends_at) <= as_utc(data.starts_at):
        errors["ends_at"] = "The end must be after the start."
    if data.budget_type is not None and (
        not isinstance(data.budget_type, str) or data.budget_type not in BUDGET_TYPES
    ):
        errors["budget_type"] = f"Choose one of: {', '.join(BUDGET_TYPES)}."
    if data.budget_amount is not None:
        try:
            amount = Decimal(data.budget_amount)
        except (ArithmeticError, ValueError, TypeError):
            errors["budget_amount"] = "Must be a number."
        else:
            if not amount.is_finite():
                errors["budget_amount"] = "Must be a number."
            elif amount < 0:
                errors["budget_amount"] = "Must be 0 or more."
            elif amount >= MAX_BUDGET:
                errors["budget_amount"] = f"Must be less than {MAX_BUDGET:,.0f}."
    return errors


def _params(data: CampaignInput) -> dict[str, Any]:
    params = asdict(data)
    params["starts_at"] = as_utc(data.starts_at)
    params["ends_at"] = as_utc(data.ends_at)
    params["notes"] = data.notes or None
    return params


@contextmanager
def _writing(url: str, user: User, role: str) -> Iterator[Connection]:
    """A write transaction for a user with at least `role`; DB refusals in words."""
    try:
        with connection.transaction(url) as conn:
            require_role(conn, user, role)
            yield conn
        cache.clear()
    except DBAPIError as error:
        refusal = _refusal(error)
        if refusal is None:
            raise
        raise refusal from error


def _refusal(error: DBAPIError) -> ValidationError | None:
    """A database refusal of the input as a field message; None otherwise."""
    diag = getattr(error.orig, "diag", None)
    sqlstate = getattr(error.orig, "sqlstate", None) or ""
    name = getattr(diag, "constraint_name", None) or ""
    if name in _CONSTRAINT_FIELDS:
        field_name, message = _CONSTRAINT_FIELDS[name]
        return ValidationError({field_name: message})
    if sqlstate.startswith("23"):
        return ValidationError({"form": "The database refused the change."})
    if sqlstate.startswith("22") or sqlstate == "" and "NUL" in str(error.orig):
        # data exceptions: out of range, bad encoding, NUL in text
        return ValidationError({"form": "A value is out of range or not valid."})
    return None


def _lock(conn: Connection, campaign_id: int) -> Any:
    row = conn.execute(
        text("select * from marketing.ad_campaigns where id = :id for update"),
        {"id": campaign_id},
    ).first()
    if row is None:
        raise LookupError(f"campaign {campaign_id} does not exist (any more)")
    return row


def _check_token(row: Any, expected_updated_at: datetime | None) -> None:
    if expected_updated_at is not None and row.updated_at != expected_updated_at:
        who = row.updated_by or "someone"
        raise ConcurrencyError(
            f"Campaign {row.id} was changed by {who} at "
            f"{row.updated_at:%Y-%m-%d %H:%M:%S} UTC after you opened it. "
            "Nothing was saved: reload it and apply your change again."
        )


def create_campaign(url: str, user: User, data: CampaignInput) -> int:
    """A new DRAFT campaign (with its first status event); returns its id."""
    errors = validate(data)
    if errors:
        raise ValidationError(errors)
    with _writing(url, user, "marketer") as conn:
        campaign_id = conn.execute(
            text(
                "insert into marketing.ad_campaigns (name, platform, status,"
                " starts_at, ends_at, budget_type, budget_amount, notes,"
                " created_by, updated_by)"
                " values (:name, :platform, 'DRAFT', :starts_at, :ends_at,"
                " :budget_type, :budget_amount, :notes, :user, :user)"
                " returning id"
            ),
            {**_params(data), "user": user.username},
        ).scalar_one()
        conn.execute(
            text(
                "insert into marketing.ad_campaign_status_events"
                " (campaign_id, from_status, to_status, changed_at, changed_by)"
                " values (:id, null, 'DRAFT', now(), :user)"
            ),
            {"id": campaign_id, "user": user.username},
        )
        audit(
            conn,
            user,
            "campaign.created",
            campaign_id=campaign_id,
            details=_params(data),
        )
    return campaign_id


def update_campaign(
    url: str,
    user: User,
    campaign_id: int,
    data: CampaignInput,
    expected_updated_at: datetime,
    reason: str | None = None,
) -> None:
    """Save an edit made on the version stamped `expected_updated_at`.

    Once a campaign has left DRAFT, moving its start or end across the past
    rewrites credits already reported: that is a correction, for admins
    only, with a reason, recorded as ``campaign.corrected`` and shown in the
    campaign's history. Moves that stay in the future are ordinary edits.
    The database refuses a correction without a reason, whoever writes.
    """
    errors = validate(data)
    if problem := reason_error(reason):
        errors["reason"] = problem
    if errors:
        raise ValidationError(errors)
    new = _params(data)
    with _writing(url, user, "marketer") as conn:
        row = _lock(conn, campaign_id)
        _check_token(row, expected_updated_at)
        changes = {
            key: {"from": getattr(row, key), "to": value}
            for key, value in new.items()
            if getattr(row, key) != value
        }
        if not changes:
            return
        correction = conn.execute(
            text("select marketing.is_flight_correction(:id, :starts_at, :ends_at)"),
            {"id": campaign_id, **new},
        ).scalar_one()
        if correction:
            try:
                require_role(conn, user, "admin")
            except PermissionError as error:
                raise PermissionError(
                    "this campaign has launched: moving its start or end into "
                    "the past is a correction, made by an admin with a reason"
                ) from error
            if not (reason and reason.strip()):
                raise ValidationError(
                    {
                        "reason": (
                            "This campaign has launched: moving its start or end "
                            "into the past rewrites reported credits and needs a "
                            "reason."
                        )
                    }
                )
            conn.execute(
                text("select set_config('attribution.correction_reason', :r, true)"),
                {"r": reason},
            )
        conn.execute(
            text(
                "update marketing.ad_campaigns set name = :name,"
                " platform = :platform, starts_at = :starts_at, ends_at = :ends_at,"
                " budget_type = :budget_type, budget_amount = :budget_amount,"
                " notes = :notes, updated_by = :user"
                " where id = :id and updated_at = :expected"
            ),
            {
                **new,
                "user": user.username,
                "id": campaign_id,
                "expected": expected_updated_at,
            },
        )
        audit(
            conn,
            user,
            "campaign.corrected" if correction else "campaign.updated",
            campaign_id=campaign_id,
            reason=reason if correction else None,
            details=changes,
        )


def _status_at(conn: Connection, campaign_id: int, moment: datetime) -> str | None:
    return conn.execute(
        text(
            "select to_status from marketing.ad_campaign_status_events"
            " where campaign_id = :id and changed_at <= :t"
            " order by changed_at desc, id desc limit 1"
        ),
        {"id": campaign_id, "t": moment},
    ).scalar()


def change_status(
    url: str,
    user: User,
    campaign_id: int,
    to_status: str,
    expected_updated_at: datetime | None,
    changed_at: datetime | None = None,
    reason: str | None = None,
) -> None:
    """Move a campaign along the allowed graph, writing the status event.

    `changed_at` in the past is a backdated correction: admins only, with a
    reason. The status in effect at that moment must allow the move, and the
    move must allow the next recorded event, so the history stays a path of
    the graph. The campaign's `status` becomes its latest event, as always.
    """
    if to_status not in TRANSITIONS:
        raise ValidationError({"status": f"Unknown status {to_status!r}."})
    if problem := reason_error(reason):
        raise ValidationError({"reason": problem})
    if changed_at is not None and not isinstance(changed_at, datetime):
        raise ValidationError({"changed_at": "Must be a date and time."})
    changed_at = as_utc(changed_at)
    with _writing(url, user, "marketer") as conn:
        now = conn.execute(text("select now()")).scalar_one()
        backdated = changed_at is not None and changed_at < now - _CLOCK_SLACK
        if backdated:
            require_role(conn, user, "admin")
            if not (reason and reason.strip()):
                raise ValidationError({"reason": "A backdated change needs a reason."})
        if changed_at is not None and changed_at > now + _CLOCK_SLACK:
            raise ValidationError(
                {"changed_at": "A status change cannot be in the future."}
            )
        effective = changed_at if backdated else now
        row = _lock(conn, campaign_id)
        _check_token(row, expected_updated_at)
        from_status = _status_at(conn, campaign_id, effective) or "DRAFT"
        if to_status not in TRANSITIONS[from_status]:
            allowed = ", ".join(TRANSITIONS[from_status]) or "nothing (final)"
            raise ValidationError(
                {
                    "status": (
                        f"{from_status} → {to_status} is not allowed; "
                        f"from {from_status} the campaign can go to {allowed}."
                    )
                }
            )
        following = conn.execute(
            text(
                "select to_status, changed_at from marketing.ad_campaign_status_events"
                " where campaign_id = :id and changed_at > :t"
                " order by changed_at, id limit 1"
            ),
            {"id": campaign_id, "t": effective},
        ).first()
        if following is not None and following.to_status not in TRANSITIONS[to_status]:
            raise ValidationError(
                {
                    "status": (
                        f"{to_status} at that time contradicts the later change to "
                        f"{following.to_status} at "
                        f"{following.changed_at:%Y-%m-%d %H:%M} UTC."
                    )
                }
            )
        conn.execute(
            text(
                "insert into marketing.ad_campaign_status_events"
                " (campaign_id, from_status, to_status, changed_at, changed_by,"
                " reason) values (:id, :from_status, :to_status, :changed_at,"
                " :user, :reason)"
            ),
            {
                "id": campaign_id,
                "from_status": from_status,
                "to_status": to_status,
                "changed_at": effective,
                "user": user.username,
                "reason": reason or None,
            },
        )
        conn.execute(
            text(
                "update marketing.ad_campaigns set updated_by = :user, status = ("
                " select to_status from marketing.ad_campaign_status_events"
                " where campaign_id = :id order by changed_at desc, id desc limit 1)"
                " where id = :id"
            ),
            {"id": campaign_id, "user": user.username},
        )
        audit(
            conn,
            user,
            "status.changed",
            campaign_id=campaign_id,
            reason=reason,
            details={
                "from": from_status,
                "to": to_status,
                "changed_at": effective,
                "backdated": backdated,
            },
        )


def delete_campaign(
    url: str, user: User, campaign_id: int, expected_updated_at: datetime | None
) -> None:
    """Delete a DRAFT campaign (never launched, so it never earned credit)."""
    with _writing(url, user, "marketer") as conn:
        row = _lock(conn, campaign_id)
        _check_token(row, expected_updated_at)
        if row.status != "DRAFT":
            raise ValidationError(
                {
                    "status": (
                        "Only DRAFT campaigns can be deleted; this one is "
                        f"{row.status}. End it instead."
                    )
                }
            )
        # the database's own door: it deletes the draft's rows with it, and
        # refuses any campaign that ever left DRAFT
        conn.execute(
            text("select marketing.delete_draft_campaign(:id)"), {"id": campaign_id}
        )
        audit(
            conn,
            user,
            "campaign.deleted",
            campaign_id=campaign_id,
            details={"name": row.name, "platform": row.platform},
        )


def add_products(
    url: str,
    user: User,
    campaign_id: int,
    product_ids: Iterable[int],
    effective_from: datetime | None = None,
    effective_to: datetime | None = None,
    reason: str | None = None,
) -> AddProductsResult:
    """Target products from `effective_from` (default: now).

    A window starting in the past is a backdated correction (admins, with a
    reason). Products already targeted during the window are skipped and
    reported, never duplicated.
    """
    try:
        wanted = sorted(set(int(pid) for pid in product_ids))
    except (TypeError, ValueError) as error:
        raise ValidationError({"products": "Product ids are numbers."}) from error
    if not wanted:
        raise ValidationError({"products": "Choose at least one product."})
    if any(not -_BIGINT <= pid < _BIGINT for pid in wanted):
        raise ValidationError({"products": "Unknown product ids."})
    if problem := reason_error(reason):
        raise ValidationError({"reason": problem})
    for key, value in (
        ("effective_from", effective_from),
        ("effective_to", effective_to),
    ):
        if value is not None and not isinstance(value, datetime):
            raise ValidationError({key: "Must be a date and time."})
    effective_from, effective_to = as_utc(effective_from), as_utc(effective_to)
    result = AddProductsResult()
    with _writing(url, user, "marketer") as conn:
        now = conn.execute(text("select now()")).scalar_one()
        start = effective_from or now
        backdated = start < now - _CLOCK_SLACK
        if backdated:
            require_role(conn, user, "admin")
            if not (reason and reason.strip()):
                raise ValidationError(
                    {"reason": "A targeting window in the past needs a reason."}
                )
        row = _lock(conn, campaign_id)
        errors: dict[str, str] = {}
        if start < row.starts_at:
            errors["effective_from"] = (
                f"May not precede the campaign's start "
                f"({row.starts_at:%Y-%m-%d %H:%M} UTC)."
            )
        if effective_to is not None and effective_to <= start:
            errors["effective_to"] = "Must be after the start of the window."
        known = set(
            conn.execute(
                text("select id from erp.products where id = any(:ids)"),
                {"ids": wanted},
            ).scalars()
        )
        if unknown := [pid for pid in wanted if pid not in known]:
            errors["products"] = f"Unknown product ids: {unknown}"
        if errors:
            raise ValidationError(errors)
        for product_id in wanted:
            overlapping = conn.execute(
                text(
                    "select 1 from marketing.ad_campaign_products"
                    " where campaign_id = :c and product_id = :p"
                    " and tstzrange(effective_from, effective_to, '[)')"
                    " && tstzrange(:start, :end, '[)')"
                ),
                {
                    "c": campaign_id,
                    "p": product_id,
                    "start": start,
                    "end": effective_to,
                },
            ).first()
            if overlapping:
                result.already_targeted.append(product_id)
                continue
            conn.execute(
                text(
                    "insert into marketing.ad_campaign_products (campaign_id,"
                    " product_id, effective_from, effective_to, created_by, reason)"
                    " values (:c, :p, :start, :end, :user, :reason)"
                ),
                {
                    "c": campaign_id,
                    "p": product_id,
                    "start": start,
                    "end": effective_to,
                    "user": user.username,
                    "reason": reason or None,
                },
            )
            result.added.append(product_id)
        if result.added:
            audit(
                conn,
                user,
                "products.added",
                campaign_id=campaign_id,
                reason=reason or None,
                details={
                    "product_ids": result.added,
                    "effective_from": start,
                    "effective_to": effective_to,
                    "backdated": backdated,
                    "already_targeted": result.already_targeted,
                },
            )
    return result


def remove_product(url: str, user: User, campaign_id: int, product_id: int) -> None:
    """Stop targeting a product now: its window ends, the row stays."""
    if not isinstance(product_id, int) or not -_BIGINT <= product_id < _BIGINT:
        raise ValidationError({"products": f"Unknown product id {product_id!r}."})
    with _writing(url, user, "marketer") as conn:
        _lock(conn, campaign_id)
        ended = (
            conn.execute(
                text(
                    "update marketing.ad_campaign_products set effective_to = now()"
                    " where campaign_id = :c and product_id = :p"
                    " and effective_to is null and effective_from < now()"
                    " returning id"
                ),
                {"c": campaign_id, "p": product_id},
            )
            .scalars()
            .all()
        )
        if not ended:
            upcoming = conn.execute(
                text(
                    "select effective_from from marketing.ad_campaign_products"
                    " where campaign_id = :c and product_id = :p"
                    " and effective_from >= now() and effective_to is null"
                ),
                {"c": campaign_id, "p": product_id},
            ).scalar()
            if upcoming is not None:
                raise ValidationError(
                    {
                        "products": (
                            f"Product {product_id} is targeted only from "
                            f"{upcoming:%Y-%m-%d %H:%M} UTC; it cannot be ended before "
                            "it starts."
                        )
                    }
                )
            raise ValidationError(
                {"products": f"Product {product_id} is not targeted now."}
            )
        audit(
            conn,
            user,
            "product.removed",
            campaign_id=campaign_id,
            product_id=product_id,
            details={"target_ids": ended},
        )


# -- reads for the management pages (live data, never cached: they carry the
# -- concurrency token) ------------------------------------------------------


def list_campaigns(url: str) -> pd.DataFrame:
    return connection.frame(
        url,
        "select id, name, platform, status, starts_at, ends_at, budget_type,"
        " budget_amount, updated_at, updated_by"
        " from marketing.ad_campaigns order by id desc",
    )


def get_campaign(url: str, campaign_id: int) -> dict[str, Any] | None:
    return connection.row(
        url, "select * from marketing.ad_campaigns where id = :id", id=campaign_id
    )


def targeted_products(url: str, campaign_id: int) -> pd.DataFrame:
    return connection.frame(
        url,
        "select targets.product_id, products.sku, products.name,"
        " targets.effective_from, targets.effective_to, targets.created_by,"
        " targets.reason,"
        " (targets.effective_to is null) as is_open"
        " from marketing.ad_campaign_products as targets"
        " left join erp.products as products on products.id = targets.product_id"
        " where targets.campaign_id = :id"
        " order by targets.effective_to is null desc, targets.effective_from desc",
        id=campaign_id,
    )


def _like_pattern(term: str) -> str:
    # the user's % and _ are letters to find, not wildcards
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_products(url: str, term: str, limit: int = 50) -> pd.DataFrame:
    """Products whose name or SKU contains `term` (case-insensitive)."""
    return connection.frame(
        url,
        "select id as product_id, sku, name from erp.products"
        " where name ilike :pattern or sku ilike :pattern"
        " order by name, id limit :limit",
        pattern=_like_pattern(term.strip()),
        limit=limit,
    )


def history(url: str, campaign_id: int) -> pd.DataFrame:
    """Every change of a campaign, newest first: status events, targeting
    windows (whoever wrote them) and the app's audit log of everything else."""
    return connection.frame(
        url,
        """
        select recorded_at, effective_at, changed_by, change, reason
        from (
            select
                events.created_at as recorded_at,
                events.changed_at as effective_at,
                events.changed_by,
                'status ' || coalesce(events.from_status, '∅') || ' → '
                    || events.to_status as change,
                events.reason
            from marketing.ad_campaign_status_events as events
            where events.campaign_id = :id
            union all
            select
                targets.created_at,
                targets.effective_from,
                targets.created_by,
                'product ' || targets.product_id
                    || coalesce(' (' || products.sku || ')', '')
                    || ' targeted from '
                    || to_char(targets.effective_from at time zone 'UTC',
                               'YYYY-MM-DD HH24:MI')
                    || coalesce(' until ' || to_char(
                        targets.effective_to at time zone 'UTC',
                        'YYYY-MM-DD HH24:MI'), ''),
                targets.reason
            from marketing.ad_campaign_products as targets
            left join erp.products as products on products.id = targets.product_id
            where targets.campaign_id = :id
            union all
            select
                audit_log.occurred_at,
                audit_log.occurred_at,
                audit_log.actor,
                case audit_log.action
                    when 'campaign.created' then 'campaign created'
                    when 'campaign.deleted' then 'campaign deleted'
                    when 'product.removed'
                        then 'product ' || audit_log.product_id || ' removed'
                    else (case audit_log.action
                        when 'campaign.corrected' then 'corrected: '
                        else 'edited: ' end) || (
                        select string_agg(
                            changed.key || ' ' || coalesce(changed.value ->> 'from',
                            '∅') || ' → ' || coalesce(changed.value ->> 'to', '∅'),
                            '; ' order by changed.key)
                        from jsonb_each(audit_log.details) as changed
                    )
                end,
                audit_log.reason
            from app.audit_log as audit_log
            where
                audit_log.campaign_id = :id
                and audit_log.action in ('campaign.created', 'campaign.updated',
                                         'campaign.corrected', 'campaign.deleted',
                                         'product.removed')
        ) as changes
        order by recorded_at desc, effective_at desc
        """,
        id=campaign_id,
    )
