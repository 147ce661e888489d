"""Rebuild the campaign lift estimates: the one function the command
(``python -m measurement lift``) and the nightly Dagster asset run.

Reads the marts, designs and estimates each campaign that has left DRAFT,
and replaces every row of ``measurement.campaign_lift`` and
``measurement.campaign_lift_daily`` in one transaction, so readers of the
marts' views see the old estimates or the new ones, never a mix. Any error
rolls back and leaves the previous estimates in place.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg

from measurement import inputs
from measurement.design import Design, design
from measurement.estimate import Estimate, Interval, estimate

logger = logging.getLogger("measurement")

COLUMNS = (
    "campaign_id",
    "estimate_status",
    "status_reason",
    "method",
    "pre_start",
    "post_start",
    "post_end",
    "treated_products",
    "control_products",
    "actual_revenue",
    "counterfactual_revenue",
    "incremental_revenue",
    "incremental_revenue_low",
    "incremental_revenue_high",
    "actual_units",
    "incremental_units",
    "incremental_units_low",
    "incremental_units_high",
    "lift_pct",
    "spend",
    "iroas",
    "iroas_low",
    "iroas_high",
    "pre_trend_p_value",
    "placebo_revenue",
    "placebo_p_value",
    "is_reliable",
    "reliability_reason",
    "estimated_at",
)
DAILY_COLUMNS = (
    "campaign_id",
    "sale_date",
    "is_post_period",
    "actual_revenue",
    "counterfactual_revenue",
)
DID = "did"


@dataclass(frozen=True)
class Summary:
    estimated_at: datetime
    statuses: dict[str, int]
    reliable: int
    unreliable_campaigns: list[int]
    seconds: float

    def describe(self) -> str:
        counts = ", ".join(
            f"{n} {status}" for status, n in sorted(self.statuses.items())
        )
        total = sum(self.statuses.values())
        return (
            f"campaign lift: {total} campaigns ({counts or 'none'});"
            f" {self.reliable} reliable; {self.seconds:.1f} s"
        )


def row(
    plan: Design, result: Estimate | None, spend: float | None, at: datetime
) -> dict[str, Any]:
    """One campaign's row of measurement.campaign_lift."""
    values: dict[str, Any] = dict.fromkeys(COLUMNS)
    values.update(
        campaign_id=plan.campaign_id,
        estimate_status=plan.status,
        status_reason=plan.reason,
        pre_start=plan.pre_start,
        post_start=plan.post_start,
        post_end=plan.post_end,
        treated_products=len(plan.treated),
        control_products=len(plan.controls),
        spend=spend,
        is_reliable=False,
        reliability_reason="No estimate: " + plan.reason[0].lower() + plan.reason[1:],
        estimated_at=at,
    )
    if result is None:
        return values
    # amounts as the table stores them (cents), so that its ratios are the
    # ratios of its own columns, as a reader recomputes them
    revenue = Interval(*(round(value, 2) for value in vars(result.revenue).values()))
    units = result.units
    counterfactual = round(result.actual_revenue, 2) - revenue.estimate
    values.update(
        method=DID,
        actual_revenue=result.actual_revenue,
        counterfactual_revenue=counterfactual,
        incremental_revenue=revenue.estimate,
        incremental_revenue_low=revenue.low,
        incremental_revenue_high=revenue.high,
        actual_units=result.actual_units,
        incremental_units=units.estimate,
        incremental_units_low=units.low,
        incremental_units_high=units.high,
        lift_pct=revenue.estimate / counterfactual if counterfactual > 0 else None,
        pre_trend_p_value=result.pre_trend_p_value,
        placebo_revenue=result.placebo_revenue,
        placebo_p_value=result.placebo_p_value,
        is_reliable=result.is_reliable,
        reliability_reason=result.reliability_reason,
    )
    if spend:
        values.update(
            iroas=revenue.estimate / spend,
            iroas_low=revenue.low / spend,
            iroas_high=revenue.high / spend,
        )
    return values


def rebuild(conn: psycopg.Connection) -> Summary:
    """Estimate every campaign that has left DRAFT and replace the estimates.

    `conn` must not be in a transaction; it commits the replacement (the
    transformer role writes the measurement schema)."""
    started = time.monotonic()
    with conn.transaction():
        (estimated_at,) = conn.execute("select now()").fetchone()
        data = inputs.read(conn)
        rows: list[dict[str, Any]] = []
        daily_rows: list[tuple] = []
        for campaign in data.campaigns:
            plan = design(
                campaign, data.windows, data.sales, data.history_start, data.today
            )
            result = estimate(plan, data.sales) if plan.is_estimable else None
            spend = None
            if plan.post_start is not None and plan.post_end is not None:
                spend = inputs.spend(
                    conn, plan.campaign_id, plan.post_start, plan.post_end
                )
            rows.append(row(plan, result, spend, estimated_at))
            if result is not None:
                daily_rows.extend(
                    (plan.campaign_id, *day)
                    for day in result.daily.itertuples(index=False, name=None)
                )
            logger.debug("campaign %s: %s", plan.campaign_id, plan.status)
        conn.execute("delete from measurement.campaign_lift_daily")
        conn.execute("delete from measurement.campaign_lift")
        with conn.cursor() as cursor:
            cursor.executemany(
                f"insert into measurement.campaign_lift ({', '.join(COLUMNS)})"
                f" values ({', '.join(['%s'] * len(COLUMNS))})",
                [tuple(values[column] for column in COLUMNS) for values in rows],
            )
            with cursor.copy(
                f"copy measurement.campaign_lift_daily ({', '.join(DAILY_COLUMNS)})"
                " from stdin"
            ) as copy:
                for daily_row in daily_rows:
                    copy.write_row(daily_row)
    statuses = Counter(values["estimate_status"] for values in rows)
    return Summary(
        estimated_at=estimated_at,
        statuses=dict(statuses),
        reliable=sum(1 for values in rows if values["is_reliable"]),
        unreliable_campaigns=[
            values["campaign_id"]
            for values in rows
            if values["estimate_status"] == "estimated" and not values["is_reliable"]
        ],
        seconds=time.monotonic() - started,
    )
