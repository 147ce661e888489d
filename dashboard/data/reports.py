"""Report queries: read only ``marts`` (freshness also reads the run log).

Dates are sale dates in the reporting time zone, as in the marts. Money comes
back as float for charts and tables; the marts keep the exact numerics.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from dashboard.data import connection
from dashboard.data.cache import cached_read
from warehouse.dbt_vars import credit_modes

# SPLIT first: the mode the pages open in, the one whose totals add up
DEFAULT_MODE = "SPLIT"
CREDIT_MODES = tuple(sorted(credit_modes(), key=lambda mode: mode != DEFAULT_MODE))
MODE_EXPLANATIONS = {
    "SPLIT": "SPLIT divides each sale exactly among the campaigns that match it: "
    "totals add up to real sales.",
    "FULL": "FULL gives every matching campaign the whole sale: good for one "
    "campaign, but totals are inflated when campaigns overlap.",
}
# sort key -> order: never interpolate user input into SQL. A low cost per
# order is the good end, so CPA ranks cheapest first.
SORT_COLUMNS = {
    "revenue": "revenue desc",
    "profit": "profit desc",
    "units": "units desc",
    "orders": "orders desc",
    "spend": "spend desc",
    "roas": "roas desc",
    "cpa": "cpa asc",
}


def _sale_time_in_range(url: str) -> str:
    """sale_time bounds of a sale-date range, index-friendly on sale_time."""
    return (
        f"sale_time >= {connection.day_start(url, 'cast(:start as date)')}"
        f" and sale_time < {connection.day_start(url, 'cast(:end as date) + 1')}"
    )


def _mode(mode: str) -> str:
    if mode not in CREDIT_MODES:
        raise ValueError(f"credit mode must be one of {CREDIT_MODES}")
    return mode


def _marts_built(url: str) -> bool:
    return connection.has_tables(
        url, "marts.agg_attribution_health_daily", "marts.dim_campaigns"
    )


@cached_read
def sale_date_bounds(url: str) -> tuple[date | None, date | None]:
    """First and last sale date in the reports; (None, None) before any build."""
    if not _marts_built(url):
        return None, None
    rows = connection.frame(
        url,
        "select min(sale_date) as first, max(sale_date) as last"
        " from marts.agg_attribution_health_daily",
    )
    return rows.at[0, "first"], rows.at[0, "last"]


@cached_read
def leaderboard(
    url: str,
    start: date,
    end: date,
    mode: str,
    platforms: tuple[str, ...] = (),
    sort: str = "revenue",
) -> pd.DataFrame:
    """Campaigns ranked by `sort` over non-reversed credits and spend in the
    range: every campaign that sold or spent. ROAS and CPA are ratios of the
    range's sums."""
    order = SORT_COLUMNS.get(sort)
    if order is None:
        raise ValueError(f"sort must be one of {tuple(SORT_COLUMNS)}")
    # the day's spend is on both modes' rows of agg_campaign_daily
    spend = "sum(spend)" if has_spend_marts(url) else "null::numeric"
    if connection.is_spark(url):
        # PyHive writes a list as `(a, b)`: no array parameters on Spark
        platform_filter = "campaigns.platform in :platforms" if platforms else "true"
    else:
        platform_filter = (
            "cardinality(cast(:platforms as text[])) = 0"
            " or campaigns.platform = any(cast(:platforms as text[]))"
        )
    return connection.frame(
        url,
        f"""
        with totals as (
            select
                campaign_id,
                sum(units) as units,
                sum(revenue) as revenue,
                sum(profit) as profit,
                sum(orders) as orders,
                {spend} as spend
            from marts.agg_campaign_daily
            where credit_mode = :mode and sale_date between :start and :end
            group by campaign_id
        ),
        board as (
            select
                campaigns.campaign_id,
                campaigns.name,
                campaigns.platform,
                campaigns.status,
                totals.units::float8 as units,
                totals.revenue::float8 as revenue,
                totals.profit::float8 as profit,
                totals.orders::bigint as orders,
                round(totals.revenue / nullif(totals.orders, 0), 2)::float8
                    as average_order_value,
                spent.spend::float8 as spend,
                round(totals.revenue / spent.spend, 4)::float8 as roas,
                round(spent.spend / nullif(totals.orders, 0), 2)::float8 as cpa
            from totals
            inner join marts.dim_campaigns as campaigns
                on totals.campaign_id = campaigns.campaign_id
            -- no spend in the range: no ROAS or CPA, not a zero
            left join lateral (
                select totals.spend where totals.spend > 0
            ) as spent on true
            where {platform_filter}
        )
        select * from board
        order by {order} nulls last, campaign_id
        """,
        mode=_mode(mode),
        start=start,
        end=end,
        platforms=list(platforms),
    )


# fct_credit_changes' causes, in the order the leaderboard shows them
CHANGE_CAUSES = {
    "sale": "New sales",
    "reversal": "Reversals",
    "reinstatement": "Reinstatements",
    "order_edit": "Order edits",
    "correction": "Corrections",
    "rebuild": "Rebuilds",
}


def has_restatements(url: str) -> bool:
    return connection.has_tables(url, "marts.fct_credit_changes")


@cached_read
def restatements(
    url: str, start: date, end: date, mode: str, as_of: date
) -> pd.DataFrame:
    """Per campaign, its non-reversed credits of sales in the range as they
    stood at the end of the day `as_of` (reporting time zone), as they stand
    now, and the change between, by cause (revenue). From the restatements
    mart: what was recorded up to a time is what the reports said then."""
    causes = ",\n".join(
        f"coalesce(sum(revenue_delta) filter (where not by_then"
        f" and cause = '{cause}'), 0)::float8 as {cause}"
        for cause in CHANGE_CAUSES
    )
    return connection.frame(
        url,
        f"""
        with changes as (
            select
                campaign_id,
                cause,
                units_delta,
                revenue_delta,
                recorded_at
                < {connection.day_start(url, "cast(:as_of as date) + 1")}
                as by_then
            from marts.fct_credit_changes
            where credit_mode = :mode and sale_date between :start and :end
        ),
        totals as (
            select
                campaign_id,
                coalesce(sum(units_delta) filter (where by_then), 0)::float8
                    as units_then,
                coalesce(sum(revenue_delta) filter (where by_then), 0)::float8
                    as revenue_then,
                sum(revenue_delta)::float8 as revenue_now,
                coalesce(sum(revenue_delta) filter (where not by_then), 0)::float8
                    as change,
                {causes}
            from changes
            group by campaign_id
        )
        select
            campaigns.campaign_id,
            campaigns.name,
            totals.units_then,
            totals.revenue_then,
            totals.revenue_now,
            totals.change,
            {", ".join(f"totals.{cause}" for cause in CHANGE_CAUSES)}
        from totals
        inner join marts.dim_campaigns as campaigns
            on totals.campaign_id = campaigns.campaign_id
        where totals.revenue_then != 0 or totals.revenue_now != 0
            or totals.change != 0
        order by abs(totals.change) desc, totals.revenue_now desc,
            campaigns.campaign_id
        """,
        mode=_mode(mode),
        start=start,
        end=end,
        as_of=as_of,
    )


def has_spend_marts(url: str) -> bool:
    return connection.has_tables(url, "marts.fct_campaign_budget_pacing")


@cached_read
def campaign_options(url: str) -> pd.DataFrame:
    if not _marts_built(url):
        return pd.DataFrame(columns=["campaign_id", "name", "platform", "status"])
    return connection.frame(
        url,
        "select campaign_id, name, platform, status from marts.dim_campaigns"
        " order by campaign_id desc",
    )


@cached_read
def campaign_header(url: str, campaign_id: int) -> dict[str, Any] | None:
    rows = connection.frame(
        url,
        "select * from marts.dim_campaigns where campaign_id = :id",
        id=campaign_id,
    )
    return None if rows.empty else rows.iloc[0].to_dict()


@cached_read
def campaign_kpis(
    url: str, campaign_id: int, start: date, end: date, mode: str
) -> dict[str, float]:
    rows = connection.frame(
        url,
        """
        select
            coalesce(sum(units), 0)::float8 as units,
            coalesce(sum(revenue), 0)::float8 as revenue,
            sum(profit)::float8 as profit,
            coalesce(sum(orders), 0)::bigint as orders,
            coalesce(sum(items), 0)::bigint as items,
            round(sum(revenue) / nullif(sum(orders), 0), 2)::float8
                as average_order_value
        from marts.agg_campaign_daily
        where campaign_id = :id and credit_mode = :mode
            and sale_date between :start and :end
        """,
        id=campaign_id,
        mode=_mode(mode),
        start=start,
        end=end,
    )
    return rows.iloc[0].to_dict()


@cached_read
def campaign_daily(
    url: str, campaign_id: int, start: date, end: date, mode: str
) -> pd.DataFrame:
    return connection.frame(
        url,
        """
        select sale_date, units::float8 as units, revenue::float8 as revenue,
            profit::float8 as profit, orders, items
        from marts.agg_campaign_daily
        where campaign_id = :id and credit_mode = :mode
            and sale_date between :start and :end
        order by sale_date
        """,
        id=campaign_id,
        mode=_mode(mode),
        start=start,
        end=end,
    )


@cached_read
def campaign_products(
    url: str, campaign_id: int, start: date, end: date, mode: str
) -> pd.DataFrame:
    return connection.frame(
        url,
        f"""
        with credits as (
            select product_id, order_id, credited_qty, credited_revenue,
                credited_profit
            from marts.fct_order_item_campaign_credits
            where campaign_id = :id and credit_mode = :mode and not is_reversed
                and {_sale_time_in_range(url)}
        )
        select
            credits.product_id,
            products.sku,
            products.name,
            sum(credits.credited_qty)::float8 as units,
            sum(credits.credited_revenue)::float8 as revenue,
            sum(credits.credited_profit)::float8 as profit,
            count(distinct credits.order_id) as orders
        from credits
        left join marts.dim_products as products
            on credits.product_id = products.product_id
        group by credits.product_id, products.sku, products.name
        order by revenue desc, credits.product_id
        """,
        id=campaign_id,
        mode=_mode(mode),
        start=start,
        end=end,
    )


def _orders_sql(url: str) -> str:
    return f"""
    select
        order_id,
        min(sale_time) as sale_time,
        count(*) as items,
        sum(credited_qty)::float8 as units,
        sum(credited_revenue)::float8 as revenue,
        sum(credited_profit)::float8 as profit,
        bool_or(is_reversed) as is_reversed,
        max(reversed_at) as reversed_at
    from marts.fct_order_item_campaign_credits
    where campaign_id = :id and credit_mode = :mode and {_sale_time_in_range(url)}
    group by order_id
    -- the output column (the first sale time), on both engines
    order by sale_time desc, order_id desc
"""


@cached_read
def campaign_orders(
    url: str,
    campaign_id: int,
    start: date,
    end: date,
    mode: str,
    page: int = 1,
    page_size: int = 50,
) -> tuple[pd.DataFrame, int]:
    """One page of credited orders (reversed ones included) and the total count."""
    params = dict(id=campaign_id, mode=_mode(mode), start=start, end=end)
    total = connection.scalar(
        url,
        "select count(distinct order_id) from marts.fct_order_item_campaign_credits"
        " where campaign_id = :id and credit_mode = :mode"
        f" and {_sale_time_in_range(url)}",
        **params,
    )
    page = max(1, int(page))
    rows = connection.frame(
        url,
        _orders_sql(url) + " limit :limit offset :offset",
        limit=int(page_size),
        offset=(page - 1) * int(page_size),
        **params,
    )
    return rows, int(total or 0)


@cached_read
def campaign_orders_all(
    url: str, campaign_id: int, start: date, end: date, mode: str
) -> pd.DataFrame:
    return connection.frame(
        url,
        _orders_sql(url),
        id=campaign_id,
        mode=_mode(mode),
        start=start,
        end=end,
    )


@cached_read
def health_daily(url: str, start: date, end: date) -> pd.DataFrame:
    return connection.frame(
        url,
        """
        select
            sale_date, items, attributed_items,
            revenue::float8 as revenue,
            attributed_revenue::float8 as attributed_revenue,
            (revenue - attributed_revenue)::float8 as unattributed_revenue,
            items_k0, items_k1, items_k2, items_k3_plus, reversed_items,
            bad_items_non_positive_quantity, bad_items_negative_price,
            bad_items_missing_product, orders_without_items
        from marts.agg_attribution_health_daily
        where sale_date between :start and :end
        order by sale_date
        """,
        start=start,
        end=end,
    )


def health_totals(daily: pd.DataFrame) -> dict[str, float | None]:
    """Range totals and rates: sums divided by sums, never averaged per day."""
    sums = {
        col: float(daily[col].sum()) if not daily.empty else 0.0
        for col in daily.columns
        if col != "sale_date"
    }

    def ratio(part: str, whole: str) -> float | None:
        return sums[part] / sums[whole] if sums.get(whole) else None

    sums["item_rate"] = ratio("attributed_items", "items")
    sums["revenue_rate"] = ratio("attributed_revenue", "revenue")
    return sums


@cached_read
def freshness(url: str) -> pd.DataFrame:
    """Builds of the credit fact, newest first (empty if it was never built)."""
    if not connection.has_tables(url, "marts.fct_attribution_builds"):
        return pd.DataFrame(columns=["built_at", "is_full_build", "rows_inserted"])
    return connection.frame(
        url,
        """
        select built_at, is_full_build, items_recomputed, rows_inserted,
            rows_deleted
        from marts.fct_attribution_builds
        where model_name = 'fct_order_item_campaign_credits'
        order by built_at desc
        limit 500
        """,
    )
