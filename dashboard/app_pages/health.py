"""Attribution health: how much of the sales the campaigns explain, and data
quality. Rates are sums over the range divided by sums, never daily averages."""

from datetime import UTC, datetime

import streamlit as st

from dashboard import ui
from dashboard.data import reports
from dashboard.data import spend as spend_data

ui.require_user("viewer")
marts = ui.marts_url()
st.title("Attribution health")

first, last = reports.sale_date_bounds(marts)
if first is None:
    st.info("No sales in the reports yet: run the pipeline to build them.")
    st.stop()
start, end = ui.date_range(first, last, key="health_dates", days=90)
daily = reports.health_daily(marts, start, end)
totals = reports.health_totals(daily)


def rate(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


st.markdown("#### Attributed vs total (SPLIT, never inflated)")
# what a figure is "of" goes below it, not in a metric's delta: a delta
# draws an arrow, and these are shares, not changes
cards = st.columns(4)
cards[0].metric("Items attributed", rate(totals["item_rate"]))
cards[0].caption(
    f"{ui.number(totals['attributed_items'])} of {ui.number(totals['items'])} items"
)
cards[1].metric("Revenue attributed", rate(totals["revenue_rate"]))
cards[1].caption(
    f"{ui.money(totals['attributed_revenue'])} of {ui.money(totals['revenue'])}"
)
cards[2].metric("Unattributed revenue", ui.money(totals["unattributed_revenue"]))
cards[3].metric("Reversed items", ui.number(totals["reversed_items"]))
if not daily.empty:
    trend = daily[["sale_date"]].copy()
    trend["items attributed"] = daily["attributed_items"] / daily["items"].where(
        daily["items"] > 0
    )
    trend["revenue attributed"] = daily["attributed_revenue"] / daily["revenue"].where(
        daily["revenue"] != 0
    )
    st.line_chart(trend, x="sale_date", y=["items attributed", "revenue attributed"])

st.markdown("#### Items by number of matching campaigns")
k_columns = {
    "items_k0": "0 campaigns",
    "items_k1": "1 campaign",
    "items_k2": "2 campaigns",
    "items_k3_plus": "3+ campaigns",
}
distribution = st.columns(4)
for column, (key, label) in zip(distribution, k_columns.items(), strict=True):
    share = totals[key] / totals["items"] if totals["items"] else None
    column.metric(label, ui.number(totals[key]))
    column.caption(f"{rate(share)} of the items")
if not daily.empty:
    st.bar_chart(
        daily.rename(columns=k_columns),
        x="sale_date",
        y=list(k_columns.values()),
        stack=True,
    )

st.markdown("#### Unattributed revenue")
if not daily.empty:
    st.area_chart(daily, x="sale_date", y="unattributed_revenue")

st.markdown("#### Bad source rows (excluded from credits)")
bad_columns = {
    "bad_items_non_positive_quantity": "quantity <= 0",
    "bad_items_negative_price": "negative price",
    "bad_items_missing_product": "missing product",
    "orders_without_items": "orders without items",
}
bad = st.columns(4)
for column, (key, label) in zip(bad, bad_columns.items(), strict=True):
    column.metric(label, ui.number(totals[key]))
if not daily.empty:
    st.bar_chart(
        daily.rename(columns=bad_columns),
        x="sale_date",
        y=list(bad_columns.values()),
        stack=True,
    )

st.markdown("#### Spend and credited sales per campaign")
mismatches = spend_data.spend_mismatches(marts, start, end)
left, right = st.columns(2)
with left:
    st.markdown("**Spend with no credited sales**")
    if mismatches["spend_without_sales"].empty:
        st.caption("None: every campaign that spent also sold.")
    else:
        st.dataframe(mismatches["spend_without_sales"], hide_index=True)
with right:
    st.markdown("**Credited sales with no spend**")
    if mismatches["sales_without_spend"].empty:
        st.caption("None: every campaign that sold has its spend recorded.")
    else:
        st.dataframe(mismatches["sales_without_spend"], hide_index=True)

st.markdown("#### Data freshness")
builds = reports.freshness(marts)
if builds.empty:
    st.warning("The credit fact has no recorded build.")
else:
    last_built = builds["built_at"].iloc[0].to_pydatetime()
    age = datetime.now(UTC) - last_built
    minutes = int(age.total_seconds() // 60)
    st.metric("Credit fact last built", f"{last_built:%Y-%m-%d %H:%M} UTC")
    st.caption(f"{minutes} min ago")
    per_day = (
        builds.assign(build_date=builds["built_at"].dt.date)
        .groupby("build_date", as_index=False)
        .agg(builds=("built_at", "count"))
    )
    st.bar_chart(per_day, x="build_date", y="builds")
