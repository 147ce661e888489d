"""Reads for the management pages: live rows, never cached (they carry the
concurrency token, ``updated_at``)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from marketing import db


def list_campaigns(conn: db.AnyConnection) -> pd.DataFrame:
    return db.frame(
        conn,
        "select id, name, platform, status, starts_at, ends_at, budget_type,"
        " budget_amount, updated_at, updated_by"
        " from marketing.ad_campaigns order by id desc",
    )


def get_campaign(conn: db.AnyConnection, campaign_id: int) -> dict[str, Any] | None:
    """The campaign's row as plain Python values (exact types)."""
    found = db.first(
        conn,
        "select * from marketing.ad_campaigns where id = %(id)s",
        {"id": campaign_id},
    )
    return None if found is None else found._asdict()


def targeted_products(conn: db.AnyConnection, campaign_id: int) -> pd.DataFrame:
    return db.frame(
        conn,
        "select targets.product_id, products.sku, products.name,"
        " targets.effective_from, targets.effective_to, targets.created_by,"
        " targets.reason,"
        " (targets.effective_to is null) as is_open"
        " from marketing.ad_campaign_products as targets"
        " left join erp.products as products on targets.product_id = products.id"
        " where targets.campaign_id = %(id)s"
        " order by targets.effective_to is null desc, targets.effective_from desc",
        {"id": campaign_id},
    )


def _like_pattern(term: str) -> str:
    # the user's % and _ are letters to find, not wildcards
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_products(conn: db.AnyConnection, term: str, limit: int = 50) -> pd.DataFrame:
    """Products whose name or SKU contains `term` (case-insensitive)."""
    return db.frame(
        conn,
        "select id as product_id, sku, name from erp.products"
        " where name ilike %(pattern)s or sku ilike %(pattern)s"
        " order by name, id limit %(limit)s",
        {"pattern": _like_pattern(term.strip()), "limit": limit},
    )
