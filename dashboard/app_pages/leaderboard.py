"""Leaderboard: campaigns ranked over a sale-date range, and what has
changed in those figures since a day the marketer looked."""

from datetime import datetime, time

import streamlit as st

from dashboard import ui
from dashboard.data import campaigns as campaign_data
from dashboard.data import export, reports
from marketing.rules import PLATFORMS
from warehouse.dbt_vars import reporting_zone

ui.require_user("viewer")
url = ui.db_url()
marts = ui.marts_url()
st.title("Leaderboard")

first, last = reports.sale_date_bounds(marts)
if first is None:
    st.info("No attributed sales yet: run the pipeline to build the reports.")
    st.stop()

left, middle, right = st.columns([2, 2, 2])
with left:
    start, end = ui.date_range(first, last, key="leaderboard_dates")
with middle:
    mode = ui.credit_mode(key="leaderboard_mode")
with right:
    platforms = st.multiselect("Platforms", PLATFORMS, key="leaderboard_platforms")
    sort = st.selectbox("Sort by", tuple(reports.SORT_COLUMNS), key="leaderboard_sort")

board = reports.leaderboard(marts, start, end, mode, tuple(platforms), sort)
if board.empty:
    st.info("No credited sales or spend in this range.")
    st.stop()

st.caption(f"{len(board)} campaigns, {start} – {end}, {mode} credit")
if mode == "SPLIT":
    # SPLIT totals are real sales, so a total ROAS means something
    paid = board[board["spend"].notna()]
    spent = float(paid["spend"].sum())
    totals = st.columns(3)
    totals[0].metric("Revenue", ui.money(float(board["revenue"].sum())))
    totals[1].metric("Spend", ui.money(spent))
    totals[2].metric(
        "ROAS",
        ui.number(float(paid["revenue"].sum()) / spent) if spent else "—",
        help="Revenue / spend of the campaigns with spend, over the range",
    )
st.dataframe(
    board,
    hide_index=True,
    column_config={
        "campaign_id": st.column_config.NumberColumn("Id", format="%d"),
        "name": "Campaign",
        "platform": "Platform",
        "status": "Status",
        "units": st.column_config.NumberColumn("Units", format="%.2f"),
        "revenue": st.column_config.NumberColumn("Revenue", format="%.2f"),
        "profit": st.column_config.NumberColumn("Profit", format="%.2f"),
        "orders": st.column_config.NumberColumn("Orders", format="%d"),
        "average_order_value": st.column_config.NumberColumn("AOV", format="%.2f"),
        "spend": st.column_config.NumberColumn("Spend", format="%.2f"),
        "roas": st.column_config.NumberColumn(
            "ROAS", format="%.2f", help="Revenue / spend over the range"
        ),
        "cpa": st.column_config.NumberColumn(
            "CPA", format="%.2f", help="Spend / orders over the range"
        ),
    },
)
top = board.dropna(subset=[sort]).head(20)
st.bar_chart(
    top, x="name", y=sort, horizontal=True, sort=sort if sort == "cpa" else f"-{sort}"
)
st.download_button(
    "Download CSV",
    export.to_csv(board),
    file_name=f"leaderboard_{mode.lower()}_{start}_{end}.csv",
    mime="text/csv",
)

if not reports.has_restatements(marts):
    st.stop()
st.subheader("What changed since")
as_of = st.date_input(
    f"As of the end of ({reporting_zone().key})",
    value=None,
    max_value=datetime.now(reporting_zone()).date(),
    key="leaderboard_as_of",
    help="The credits of this range's sales as the reports showed them at the"
    " end of that day, and what has moved them since",
)
if as_of is None:
    st.caption("Pick a day to see these figures as they stood then.")
    st.stop()
restated = reports.restatements(marts, start, end, mode, as_of)
moved = restated[restated["change"] != 0]
if moved.empty:
    st.success(f"Nothing has changed in these figures since the end of {as_of}.")
    st.stop()
st.caption(
    f"{len(moved)} of {len(restated)} campaigns moved since the end of {as_of}:"
    f" {ui.money(float(moved['change'].sum()))} of revenue, {mode} credit"
)
causes = {
    cause: st.column_config.NumberColumn(label, format="%.2f")
    for cause, label in reports.CHANGE_CAUSES.items()
}
st.dataframe(
    moved,
    hide_index=True,
    column_config={
        "campaign_id": st.column_config.NumberColumn("Id", format="%d"),
        "name": "Campaign",
        "units_then": st.column_config.NumberColumn(
            f"Units then ({as_of})", format="%.2f"
        ),
        "revenue_then": st.column_config.NumberColumn(
            f"Revenue then ({as_of})", format="%.2f"
        ),
        "revenue_now": st.column_config.NumberColumn("Revenue now", format="%.2f"),
        "change": st.column_config.NumberColumn("Change", format="%+.2f"),
        **causes,
    },
)
since = datetime.combine(as_of, time.max, tzinfo=reporting_zone())
corrections = campaign_data.corrections_since(
    url, since, [int(campaign) for campaign in moved["campaign_id"]]
)
if not corrections.empty:
    st.markdown("**Corrections behind these changes**")
    st.dataframe(
        corrections,
        hide_index=True,
        column_config={
            "recorded_at": st.column_config.DatetimeColumn("Recorded"),
            "campaign_id": st.column_config.NumberColumn("Campaign", format="%d"),
            "changed_by": "By",
            "change": "Change",
            "reason": "Reason",
        },
    )
