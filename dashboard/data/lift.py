"""What a campaign caused: reads of ``marts.fct_campaign_lift`` and its
daily series (docs/rules.md, "Incrementality"), and the campaign's life in
reporting days. Both marts are views of the nightly estimates: before the
first estimate they may be missing or empty, and the page says so.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from dashboard.data import connection
from dashboard.data.cache import cached_read


def _has_lift(url: str) -> bool:
    return connection.has_tables(
        url, "marts.fct_campaign_lift", "marts.fct_campaign_lift_daily"
    )


@cached_read
def campaign_lift(url: str, campaign_id: int) -> dict[str, Any] | None:
    """The campaign's estimate (or why there is none); None before any."""
    if not _has_lift(url):
        return None
    rows = connection.frame(
        url,
        """
        select
            campaign_id, estimate_status, status_reason, method, pre_start,
            post_start, post_end, treated_products, control_products,
            actual_revenue::float8 as actual_revenue,
            counterfactual_revenue::float8 as counterfactual_revenue,
            incremental_revenue::float8 as incremental_revenue,
            incremental_revenue_low::float8 as incremental_revenue_low,
            incremental_revenue_high::float8 as incremental_revenue_high,
            incremental_units::float8 as incremental_units,
            incremental_units_low::float8 as incremental_units_low,
            incremental_units_high::float8 as incremental_units_high,
            lift_pct::float8 as lift_pct,
            spend::float8 as spend,
            iroas::float8 as iroas,
            iroas_low::float8 as iroas_low,
            iroas_high::float8 as iroas_high,
            pre_trend_p_value::float8 as pre_trend_p_value,
            placebo_p_value::float8 as placebo_p_value,
            is_reliable, reliability_reason, estimated_at
        from marts.fct_campaign_lift
        where campaign_id = :id
        """,
        id=campaign_id,
    )
    if rows.empty:
        return None
    row = rows.iloc[0].to_dict()
    # NaN from a null float column is a missing value, as None elsewhere
    return {key: (None if value != value else value) for key, value in row.items()}


@cached_read
def campaign_lift_daily(url: str, campaign_id: int) -> pd.DataFrame:
    """Per day of the study window: targeted products' sales and the
    counterfactual."""
    return connection.frame(
        url,
        """
        select sale_date, is_post_period,
            actual_revenue::float8 as actual_revenue,
            counterfactual_revenue::float8 as counterfactual_revenue
        from marts.fct_campaign_lift_daily
        where campaign_id = :id
        order by sale_date
        """,
        id=campaign_id,
    )


@cached_read
def campaign_life(url: str, campaign_id: int) -> tuple[date | None, date | None]:
    """The reporting days the campaign lived: from its first RUNNING (else
    its flight's start) to the day it ENDED (else its flight's end, else
    None: still going)."""
    rows = connection.frame(
        url,
        f"""
        select
            {connection.local_date(url, "coalesce(first_running_at, starts_at)")}
                as first_day,
            {connection.local_date(url, "coalesce(ended_at, ends_at)")} as last_day
        from marts.dim_campaigns
        where campaign_id = :id
        """,
        id=campaign_id,
    )
    if rows.empty:
        return None, None
    first_day, last_day = rows.at[0, "first_day"], rows.at[0, "last_day"]
    return (
        None if pd.isna(first_day) else first_day,
        None if pd.isna(last_day) else last_day,
    )
