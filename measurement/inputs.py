"""What the estimates read: the marts, and nothing else (docs/rules.md, "The marts").

Dates are sale dates in the reporting time zone, the dbt var every mart
reports in (read through warehouse.dbt_vars). Net sales come from
``marts.agg_product_sales_daily``, which owns the rule (good items of
countable, non-reversed orders); targeting from
``marts.fct_campaign_product_windows``; spend from ``marts.agg_campaign_daily``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
import psycopg

from marketing.rules import INITIAL_STATUS
from measurement.design import Campaign
from warehouse.dbt_vars import reporting_day_sql

# the day's spend is on every credit mode's row of agg_campaign_daily: one
SPEND_MODE = "SPLIT"


@dataclass(frozen=True)
class Inputs:
    today: date
    campaigns: list[Campaign]
    windows: pd.DataFrame
    sales: pd.DataFrame
    history_start: date | None


def _frame(conn: psycopg.Connection, sql: str, args: dict | tuple = ()) -> pd.DataFrame:
    with conn.cursor() as cursor:
        cursor.execute(sql, args)
        columns = [column.name for column in cursor.description or ()]
        return pd.DataFrame(cursor.fetchall(), columns=columns)


def read(conn: psycopg.Connection) -> Inputs:
    today = conn.execute(f"select {reporting_day_sql('now()')}").fetchone()[0]
    rows = conn.execute(
        f"""
        select
            campaign_id,
            {reporting_day_sql("first_running_at")},
            {reporting_day_sql("ended_at")}
        from marts.dim_campaigns
        where status <> %(draft)s or first_running_at is not null
        order by campaign_id
        """,
        {"draft": INITIAL_STATUS},
    ).fetchall()
    campaigns = [Campaign(int(cid), start, end) for cid, start, end in rows]
    windows = _frame(
        conn,
        "select campaign_id, product_id, first_active_date, last_active_date"
        " from marts.fct_campaign_product_windows",
    )
    windows["last_active_date"] = windows["last_active_date"].astype(object)
    sales = _frame(
        conn,
        "select product_id, sale_date, net_revenue::float8 as net_revenue,"
        " units::float8 as units from marts.agg_product_sales_daily",
    )
    history_start = None if sales.empty else min(sales["sale_date"])
    return Inputs(today, campaigns, windows, sales, history_start)


def spend(conn: psycopg.Connection, campaign_id: int, start: date, end: date) -> float:
    """The campaign's spend over [start, end] (0 when none was recorded)."""
    (total,) = conn.execute(
        """
        select coalesce(sum(spend), 0)::float8
        from marts.agg_campaign_daily
        where campaign_id = %s and credit_mode = %s
            and sale_date between %s and %s
        """,
        (campaign_id, SPEND_MODE, start, end),
    ).fetchone()
    return float(total)
