"""Which products a campaign targets, over effective-dated windows.

Windows are never rewritten: targeting a product opens a window, stopping
ends it; the rows stay. A window starting (or ending) in the past is a
backdated correction (see :mod:`~marketing.campaigns.corrections`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from marketing import db
from marketing.audit import PRODUCT_REMOVED, PRODUCTS_ADDED, User, audit, require_role
from marketing.campaigns import corrections
from marketing.campaigns.editing import lock
from marketing.campaigns.validation import (
    BIGINT,
    AddProductsResult,
    ValidationError,
    as_utc,
    moment_errors,
    reason_error,
    refuse,
)


def _product_ids(product_ids: Iterable[int]) -> list[int]:
    try:
        wanted = sorted(set(int(pid) for pid in product_ids))
    except (TypeError, ValueError) as error:
        raise ValidationError({"products": "Product ids are numbers."}) from error
    if not wanted:
        raise ValidationError({"products": "Choose at least one product."})
    if any(not -BIGINT <= pid < BIGINT for pid in wanted):
        raise ValidationError({"products": "Unknown product ids."})
    return wanted


def add_products(
    conn: db.AnyConnection,
    user: User,
    campaign_id: int,
    product_ids: Iterable[int],
    effective_from: datetime | None = None,
    effective_to: datetime | None = None,
    reason: str | None = None,
) -> AddProductsResult:
    """Target products from `effective_from` (default: now, the database's)
    until `effective_to` (default: open). Products already targeted during
    the window are skipped and reported, never duplicated."""
    wanted = _product_ids(product_ids)
    if problem := reason_error(reason):
        raise ValidationError({"reason": problem})
    refuse(moment_errors(effective_from=effective_from, effective_to=effective_to))
    effective_from, effective_to = as_utc(effective_from), as_utc(effective_to)
    require_role(conn, user, "marketer")
    clock = corrections.clock(conn)
    start = effective_from or clock.now
    backdated = clock.is_backdated(start)
    if backdated:
        corrections.require_correction_rights(
            conn, user, reason, "a targeting window in the past"
        )
        corrections.name_correction_reason(conn, reason or "")
    row = lock(conn, campaign_id)
    errors: dict[str, str] = {}
    if start < row.starts_at:
        errors["effective_from"] = (
            f"May not precede the campaign's start "
            f"({row.starts_at:%Y-%m-%d %H:%M} UTC)."
        )
    if effective_to is not None and effective_to <= start:
        errors["effective_to"] = "Must be after the start of the window."
    known = {
        found.id
        for found in db.rows(
            conn,
            "select id from erp.products where id = any(%(ids)s)",
            {"ids": wanted},
        )
    }
    if unknown := [pid for pid in wanted if pid not in known]:
        errors["products"] = f"Unknown product ids: {unknown}"
    refuse(errors)
    window = {"c": campaign_id, "start": start, "end": effective_to}
    overlapping = {
        found.product_id
        for found in db.rows(
            conn,
            "select distinct product_id from marketing.ad_campaign_products"
            " where campaign_id = %(c)s and product_id = any(%(ids)s)"
            " and tstzrange(effective_from, effective_to, '[)')"
            " && tstzrange(%(start)s, %(end)s, '[)')",
            {**window, "ids": wanted},
        )
    }
    result = AddProductsResult(
        added=[pid for pid in wanted if pid not in overlapping],
        already_targeted=[pid for pid in wanted if pid in overlapping],
    )
    if not result.added:
        return result
    db.execute(
        conn,
        "insert into marketing.ad_campaign_products (campaign_id, product_id,"
        " effective_from, effective_to, created_by, reason)"
        " select %(c)s, product_id, %(start)s, %(end)s, %(user)s, %(reason)s"
        " from unnest(cast(%(ids)s as bigint[])) as product_id",
        {
            **window,
            "ids": result.added,
            "user": user.username,
            "reason": reason or None,
        },
    )
    audit(
        conn,
        user,
        PRODUCTS_ADDED,
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


def remove_product(
    conn: db.AnyConnection,
    user: User,
    campaign_id: int,
    product_id: int,
    ended_at: datetime | None = None,
    reason: str | None = None,
) -> list[int]:
    """Stop targeting a product at `ended_at` (default: now, the database's):
    its open window ends, the row stays. Returns the windows ended."""
    if not isinstance(product_id, int) or not -BIGINT <= product_id < BIGINT:
        raise ValidationError({"products": f"Unknown product id {product_id!r}."})
    if problem := reason_error(reason):
        raise ValidationError({"reason": problem})
    refuse(moment_errors(ended_at=ended_at))
    ended_at = as_utc(ended_at)
    require_role(conn, user, "marketer")
    clock = corrections.clock(conn)
    end = ended_at or clock.now
    if clock.is_backdated(end):
        corrections.require_correction_rights(
            conn, user, reason, "ending a targeting window in the past"
        )
        corrections.name_correction_reason(conn, reason or "")
    lock(conn, campaign_id)
    target = {"c": campaign_id, "p": product_id, "end": end}
    ended = [
        found.id
        for found in db.rows(
            conn,
            "update marketing.ad_campaign_products set effective_to = %(end)s"
            " where campaign_id = %(c)s and product_id = %(p)s"
            " and effective_to is null and effective_from < %(end)s"
            " returning id",
            target,
        )
    ]
    if not ended:
        upcoming = db.scalar(
            conn,
            "select effective_from from marketing.ad_campaign_products"
            " where campaign_id = %(c)s and product_id = %(p)s"
            " and effective_from >= %(end)s and effective_to is null",
            target,
        )
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
        PRODUCT_REMOVED,
        campaign_id=campaign_id,
        product_id=product_id,
        reason=reason or None,
        details={"target_ids": ended, "ended_at": end},
    )
    return ended
