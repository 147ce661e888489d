"""Spend uploads and spend reports for the app.

Uploads go through :mod:`marketing.spend`, the one path every spend file
takes (the orchestration's inbox uses it too); this module adds what the app
needs around it: the role check in the write's transaction, and clearing the
read cache afterwards. Reports read ``marts`` only: spend per day from
``marts.agg_campaign_daily`` (beside the day's credits, docs/rules.md), pacing
from ``marts.fct_campaign_budget_pacing``; every ratio is a ratio of sums
over the reader's range.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from dashboard.data import cache, connection, reports
from dashboard.data.cache import cached_read
from marketing import spend
from marketing.audit import User, require_role


def check(url: str, parsed: spend.SpendFile) -> spend.SpendFile:
    """Match the file's rows to campaigns (read only), for the preview."""
    with connection.transaction(url) as conn:
        return spend.resolve(conn, parsed)


def upload(url: str, user: User, parsed: spend.SpendFile) -> spend.LoadResult:
    """Write a checked file for a marketer; SpendFileError writes nothing."""
    with connection.transaction(url) as conn:
        require_role(conn, user, "marketer")
        result = spend.load(conn, parsed, loaded_by=user.username)
    cache.clear()
    return result


@cached_read
def campaign_spend_daily(
    url: str, campaign_id: int, start: date, end: date, mode: str
) -> pd.DataFrame:
    """Spend and credited revenue per day, days with either one included."""
    if not reports.has_spend_marts(url):
        return pd.DataFrame(columns=["day", "spend", "revenue"])
    return connection.frame(
        url,
        """
        select
            sale_date as day,
            coalesce(spend, 0)::float8 as spend,
            revenue::float8 as revenue
        from marts.agg_campaign_daily
        where campaign_id = :id and credit_mode = :mode
            and sale_date between :start and :end
        order by sale_date
        """,
        id=campaign_id,
        start=start,
        end=end,
        mode=mode,
    )


@cached_read
def campaign_pacing(url: str, campaign_id: int) -> pd.DataFrame:
    """The campaign's pacing, one row per day from its first spend day."""
    if not reports.has_spend_marts(url):
        return pd.DataFrame()
    return connection.frame(
        url,
        """
        select spend_date, budget_type, budget_amount::float8 as budget_amount,
            spend::float8 as spend, cumulative_spend::float8 as cumulative_spend,
            daily_pacing::float8 as daily_pacing,
            lifetime_consumed::float8 as lifetime_consumed,
            projected_lifetime_spend::float8 as projected_lifetime_spend,
            pacing_ratio::float8 as pacing_ratio, is_over_pace
        from marts.fct_campaign_budget_pacing
        where campaign_id = :id
        order by spend_date
        """,
        id=campaign_id,
    )


@cached_read
def spend_mismatches(url: str, start: date, end: date) -> dict[str, pd.DataFrame]:
    """Campaigns with spend but no credited sale, and with sales but no spend,
    over a date range (SPLIT credits, so sales are never counted twice)."""
    empty = pd.DataFrame(columns=["campaign_id", "name", "platform", "amount"])
    if not reports.has_spend_marts(url):
        return {"spend_without_sales": empty, "sales_without_spend": empty}
    rows = connection.frame(
        url,
        """
        with totals as (
            select campaign_id, sum(spend) as spend, sum(revenue) as revenue
            from marts.agg_campaign_daily
            where credit_mode = 'SPLIT' and sale_date between :start and :end
            group by campaign_id
        )
        select
            campaigns.campaign_id, campaigns.name, campaigns.platform,
            coalesce(totals.spend, 0)::float8 as spend,
            totals.revenue::float8 as revenue
        from totals
        inner join marts.dim_campaigns as campaigns
            on totals.campaign_id = campaigns.campaign_id
        where coalesce(totals.spend, 0) = 0 or totals.revenue = 0
        order by campaigns.campaign_id
        """,
        start=start,
        end=end,
    )
    return {
        "spend_without_sales": rows[(rows["spend"] > 0) & (rows["revenue"] == 0)][
            ["campaign_id", "name", "platform", "spend"]
        ].reset_index(drop=True),
        "sales_without_spend": rows[(rows["revenue"] > 0) & (rows["spend"] == 0)][
            ["campaign_id", "name", "platform", "revenue"]
        ].reset_index(drop=True),
    }


def ratios(revenue: Any, profit: Any, spend_: Any, orders: Any) -> dict[str, Any]:
    """ROAS, profit ROAS and CPA of range sums (None when undefined)."""

    def divide(part: Any, whole: Any) -> float | None:
        if part is None or whole is None or whole != whole or not whole:
            return None
        if part != part:
            return None
        return float(part) / float(whole)

    return {
        "roas": divide(revenue, spend_),
        "profit_roas": divide(profit, spend_),
        "cpa": divide(spend_, orders),
    }
