"""Form input checked before anything is written, and the database's
refusals put into the same words.

:class:`ValidationError` carries one message per form field and means that
nothing was written; the database constraints are the last line, and
:func:`refusals_in_words` turns theirs into the same field messages.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import psycopg
from sqlalchemy.exc import DBAPIError

from marketing.rules import BUDGET_TYPES, PLATFORMS

# the bounds of every free-text input (the forms say the same)
MAX_NAME_LENGTH = 255
MAX_NOTES_LENGTH = 5000
MAX_REASON_LENGTH = 1000
MAX_BUDGET = Decimal("1e10")
BIGINT = 2**63

# constraint name -> (form field, message): the database's last line, in words
CONSTRAINT_FIELDS = {
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
    "ad_campaign_status_events_backdated_reason": (
        "reason",
        "A status change in the past rewrites reported credits: it needs a reason.",
    ),
    "ad_campaign_status_events_not_far_ahead": (
        "changed_at",
        "A status change cannot be dated that far ahead.",
    ),
    "ad_campaign_products_backdated_reason": (
        "reason",
        "A targeting window reaching into the past needs a reason.",
    ),
    "ad_campaigns_delete_keeps_spend": (
        "status",
        "Spend was loaded for this campaign: it is kept, so the campaign cannot "
        "be deleted.",
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
    """Aware UTC; a naive time from a form is read as UTC (the forms say so)."""
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


def moment_errors(**moments: Any) -> dict[str, str]:
    """A message for each given value that is not a date and time."""
    return {
        key: "Must be a date and time."
        for key, value in moments.items()
        if value is not None and not isinstance(value, datetime)
    }


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
    errors.update(moment_errors(starts_at=data.starts_at, ends_at=data.ends_at))
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


def refuse(errors: dict[str, str]) -> None:
    """Raise the collected messages, if any."""
    if errors:
        raise ValidationError(errors)


def columns(data: CampaignInput) -> dict[str, Any]:
    """A valid campaign's columns as written."""
    params = asdict(data)
    params["starts_at"] = as_utc(data.starts_at)
    params["ends_at"] = as_utc(data.ends_at)
    params["notes"] = data.notes or None
    return params


@contextmanager
def refusals_in_words() -> Iterator[None]:
    """Around a write transaction: a database refusal of the input becomes a
    :class:`ValidationError`; anything else passes unchanged."""
    try:
        yield
    except (DBAPIError, psycopg.Error) as error:
        refusal = _refusal(error)
        if refusal is None:
            raise
        raise refusal from error


def _refusal(error: Exception) -> ValidationError | None:
    cause = getattr(error, "orig", None) or error
    diag = getattr(cause, "diag", None)
    sqlstate = getattr(cause, "sqlstate", None) or ""
    name = getattr(diag, "constraint_name", None) or ""
    if name in CONSTRAINT_FIELDS:
        field_name, message = CONSTRAINT_FIELDS[name]
        return ValidationError({field_name: message})
    if sqlstate.startswith("23"):
        return ValidationError({"form": "The database refused the change."})
    if sqlstate.startswith("22") or sqlstate == "" and "NUL" in str(cause):
        # data exceptions: out of range, bad encoding, NUL in text
        return ValidationError({"form": "A value is out of range or not valid."})
    return None
