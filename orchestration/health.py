"""The figures checks and run metadata read from the marts.

All SQL of the orchestration's checks lives here, with bound parameters.
Rates are sums divided by sums (docs/rules.md, "The marts"), never averages
of daily rates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import psycopg

from measurement.design import ESTIMATED
from measurement.estimate import SIGNIFICANCE

CREDITS = "fct_order_item_campaign_credits"
ITEMS = "fct_order_item_attribution"
HEALTH = "agg_attribution_health_daily"
CAMPAIGN_DAILY = "agg_campaign_daily"
# the run log as published (a view: current while a dbt build still runs)
BUILDS = "marts.fct_attribution_builds"


@dataclass(frozen=True)
class RateWindow:
    first_day: str | None
    last_day: str | None
    revenue: Decimal
    attributed_revenue: Decimal
    items: int
    attributed_items: int

    @property
    def rate(self) -> float | None:
        if not self.revenue:
            return None
        return float(self.attributed_revenue / self.revenue)


def attribution_rate(conn: psycopg.Connection, window_days: int) -> RateWindow:
    """Attributed / total revenue over the latest ``window_days`` sale days."""
    row = conn.execute(
        """
        with latest as (select max(sale_date) as last_day
                        from marts.agg_attribution_health_daily)
        select min(health.sale_date)::text, max(health.sale_date)::text,
               coalesce(sum(health.revenue), 0),
               coalesce(sum(health.attributed_revenue), 0),
               coalesce(sum(health.items), 0), coalesce(sum(health.attributed_items), 0)
        from marts.agg_attribution_health_daily as health
        cross join latest
        where health.sale_date > latest.last_day - %s::integer
        """,
        (window_days,),
    ).fetchone()
    assert row is not None
    return RateWindow(
        row[0], row[1], Decimal(row[2]), Decimal(row[3]), int(row[4]), int(row[5])
    )


BAD_ROW_COLUMNS = (
    "bad_items_non_positive_quantity",
    "bad_items_negative_price",
    "bad_items_missing_product",
    "orders_without_items",
)


def bad_source_rows(conn: psycopg.Connection) -> dict[str, int]:
    """Source rows excluded as bad data, by kind, over all sale days."""
    sums = ", ".join(f"coalesce(sum({column}), 0)" for column in BAD_ROW_COLUMNS)
    row = conn.execute(
        f"select {sums} from marts.agg_attribution_health_daily"
    ).fetchone()
    assert row is not None
    return dict(zip(BAD_ROW_COLUMNS, (int(value) for value in row), strict=True))


@dataclass(frozen=True)
class Reconciliation:
    split_credited_revenue: Decimal
    attributed_item_revenue: Decimal
    days_off: int

    @property
    def difference(self) -> Decimal:
        return self.split_credited_revenue - self.attributed_item_revenue


def reconciliation(conn: psycopg.Connection) -> Reconciliation:
    """Non-reversed SPLIT credits against the revenue of the non-reversed
    attributed items they split, sale day by sale day, from the two daily
    marts that follow the facts: it reads days x campaigns rows and never
    the facts, so a frequent run's check does not grow with the items'
    history. Item by item over the whole facts is the nightly dbt test
    split_credits_add_up."""
    row = conn.execute(
        """
        with split as (
            select sale_date, sum(revenue) as credited_revenue
            from marts.agg_campaign_daily
            where credit_mode = 'SPLIT'
            group by sale_date
        ),
        items as (
            select sale_date, attributed_revenue
            from marts.agg_attribution_health_daily
        ),
        days as (
            select
                coalesce(split.credited_revenue, 0) as credited_revenue,
                coalesce(items.attributed_revenue, 0) as attributed_revenue
            from split full join items using (sale_date)
        )
        select
            coalesce(sum(credited_revenue), 0),
            coalesce(sum(attributed_revenue), 0),
            count(*) filter (where credited_revenue <> attributed_revenue)
        from days
        """
    ).fetchone()
    assert row is not None
    return Reconciliation(Decimal(row[0]), Decimal(row[1]), int(row[2]))


@dataclass(frozen=True)
class FactRun:
    model_name: str
    watermark: datetime
    built_at: datetime
    is_full_build: bool
    items_recomputed: int | None
    rows_deleted: int
    rows_inserted: int
    rows_reversed: int

    def metadata(self) -> dict[str, object]:
        """Run-log figures for a materialisation (replaced rows count as updates)."""
        updated = min(self.rows_inserted, self.rows_deleted)
        return {
            "full_build": self.is_full_build,
            "items_recomputed": self.items_recomputed,
            "rows_inserted": self.rows_inserted - updated,
            "rows_updated": updated,
            "rows_deleted": self.rows_deleted - updated,
            "rows_reversed": self.rows_reversed,
            "rows_written": self.rows_inserted,
            "watermark": self.watermark.isoformat(),
            "duration_seconds": round(
                (self.built_at - self.watermark).total_seconds(), 3
            ),
        }


_RUN_COLUMNS = (
    "model_name, watermark, built_at, is_full_build, items_recomputed,"
    " coalesce(rows_deleted, 0), coalesce(rows_inserted, 0),"
    " coalesce(rows_reversed, 0)"
)


def fact_run(
    conn: psycopg.Connection, model_name: str, invocation_id: str | None = None
) -> FactRun | None:
    """The build of a fact by one dbt invocation (else its latest build)."""
    if conn.execute("select to_regclass(%s)", (BUILDS,)).fetchone() == (None,):
        return None
    row = conn.execute(
        f"select {_RUN_COLUMNS} from {BUILDS}"
        " where model_name = %s and (%s::text is null or invocation_id = %s)"
        " order by build_id desc limit 1",
        (model_name, invocation_id, invocation_id),
    ).fetchone()
    return FactRun(*row) if row else None


def credits_age_minutes(conn: psycopg.Connection) -> float | None:
    """Minutes since the credits in marts were last built (what BI tools see).

    From ``marts.fct_attribution_builds``, published after the facts; None
    when no build of the credit fact is recorded there.
    """
    if conn.execute("select to_regclass(%s)", (BUILDS,)).fetchone() == (None,):
        return None
    row = conn.execute(
        f"select extract(epoch from now() - max(built_at)) / 60"
        f" from {BUILDS} where model_name = %s",
        (CREDITS,),
    ).fetchone()
    return float(row[0]) if row and row[0] is not None else None


def pre_trend_failures(conn: psycopg.Connection) -> list[tuple[int, float]]:
    """The estimated campaigns whose targeted products already moved
    differently from the controls before launch (pre-trend p below the
    estimator's SIGNIFICANCE), as (campaign_id, p), the least likely first."""
    rows = conn.execute(
        "select campaign_id, pre_trend_p_value from marts.fct_campaign_lift"
        " where estimate_status = %s and pre_trend_p_value < %s"
        " order by pre_trend_p_value, campaign_id",
        (ESTIMATED, SIGNIFICANCE),
    ).fetchall()
    return [(int(campaign_id), float(p)) for campaign_id, p in rows]
