"""What the restatements mart says against the credit fact, for the tests."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from tests import pg
from warehouse import database

Totals = dict[tuple[int, str], tuple[Decimal, Decimal, Decimal]]


def credited(params: database.ConnectionParams) -> Totals:
    """The fact's non-reversed credits per (campaign, mode), as BI sums them."""
    rows = pg.rows(
        params,
        "select campaign_id, credit_mode, sum(credited_qty) as units,"
        " sum(credited_revenue) as revenue,"
        " sum(coalesce(credited_profit, 0)) as profit"
        " from marts.fct_order_item_campaign_credits where not is_reversed"
        " group by 1, 2",
    )
    return _totals(rows)


def recorded(params: database.ConnectionParams, until: datetime) -> Totals:
    """The changes recorded up to `until`, added up per (campaign, mode)."""
    rows = pg.rows(
        params,
        "select campaign_id, credit_mode, sum(units_delta) as units,"
        " sum(revenue_delta) as revenue, sum(profit_delta) as profit"
        " from marts.fct_credit_changes where recorded_at <= %s group by 1, 2",
        (until,),
    )
    return nonzero(_totals(rows))


def _totals(rows: list[dict]) -> Totals:
    """(units, revenue, profit) per (campaign, mode)."""
    return {
        (row["campaign_id"], row["credit_mode"]): (
            row["units"],
            row["revenue"],
            row["profit"],
        )
        for row in rows
    }


def nonzero(totals: Totals) -> Totals:
    return {key: value for key, value in totals.items() if any(value)}
