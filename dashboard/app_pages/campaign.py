"""One campaign: header, KPIs, what it caused, pacing, daily trend, products
and credited orders. Opens on the campaign's own life."""

import streamlit as st

from dashboard import incrementality, pacing, ui
from dashboard.data import export, reports
from dashboard.data import lift as lift_data
from dashboard.data import spend as spend_data
from marketing.rules import DAILY, LIFETIME

ORDERS_PER_PAGE = 50

ui.require_user("viewer")
marts = ui.marts_url()
st.title("Campaign")

options = reports.campaign_options(marts)
first, last = reports.sale_date_bounds(marts)
if options.empty or first is None:
    st.info("No campaigns in the reports yet: run the pipeline to build them.")
    st.stop()

labels = dict(
    zip(
        options["campaign_id"],
        options["campaign_id"].astype(str) + " — " + options["name"],
        strict=True,
    )
)
campaign_id = st.selectbox(
    "Campaign", list(labels), format_func=labels.get, key="campaign_id"
)
header = reports.campaign_header(marts, int(campaign_id))

st.subheader(ui.plain(header["name"]))
flight = f"{header['starts_at']:%Y-%m-%d %H:%M} → " + (
    f"{header['ends_at']:%Y-%m-%d %H:%M}"
    if header["ends_at"] is not None and header["ends_at"] == header["ends_at"]
    else "open-ended"
)
budget = (
    "no budget"
    if header["budget_type"] is None
    else f"{header['budget_type'].lower()} budget "
    f"{ui.money(float(header['budget_amount'] or 0))}"
)
st.markdown(f"**{header['status']}** · {header['platform']} · {flight} UTC · {budget}")

left, right = st.columns([3, 2])
with left:
    # one range per campaign: another campaign opens on its own life
    start, end = ui.date_range(
        first,
        last,
        key=f"campaign_dates_{campaign_id}",
        days=90,
        around=lift_data.campaign_life(marts, int(campaign_id)),
    )
with right:
    mode = ui.credit_mode(key="campaign_mode")

kpis = reports.campaign_kpis(marts, int(campaign_id), start, end, mode)
cards = st.columns(6)
cards[0].metric("Units", ui.number(kpis["units"]))
cards[1].metric("Revenue", ui.money(kpis["revenue"]))
cards[2].metric("Profit", ui.money(kpis["profit"]))
cards[3].metric("Orders", ui.number(kpis["orders"]))
cards[4].metric("Items", ui.number(kpis["items"]))
cards[5].metric("AOV", ui.money(kpis["average_order_value"]))

spend_daily = spend_data.campaign_spend_daily(marts, int(campaign_id), start, end, mode)
spent = float(spend_daily["spend"].sum()) if not spend_daily.empty else 0.0
ratios = spend_data.ratios(kpis["revenue"], kpis["profit"], spent, kpis["orders"])
money_cards = st.columns(4)
money_cards[0].metric("Spend", ui.money(spent))
money_cards[1].metric("ROAS", ui.number(ratios["roas"]), help="Revenue / spend")
money_cards[2].metric(
    "Profit ROAS", ui.number(ratios["profit_roas"]), help="Profit / spend"
)
money_cards[3].metric("CPA", ui.money(ratios["cpa"]), help="Spend / orders")

st.markdown("#### Spend vs revenue")
if spend_daily.empty or not spend_daily["spend"].any():
    st.caption("No spend recorded in this range.")
else:
    st.line_chart(spend_daily, x="day", y=["spend", "revenue"])

st.markdown("#### What the campaign caused")
lift = lift_data.campaign_lift(marts, int(campaign_id))
if lift is None:
    st.caption(
        "Not estimated yet: the nightly job (or `python -m measurement lift`)"
        " estimates what each campaign caused."
    )
elif lift["estimate_status"] != "estimated":
    st.info(f"No estimate of what this campaign caused. {lift['status_reason']}")
else:
    post = (lift["post_start"], lift["post_end"])
    credited = reports.campaign_kpis(marts, int(campaign_id), *post, mode)
    credited_roas = spend_data.ratios(credited["revenue"], None, lift["spend"], None)[
        "roas"
    ]
    st.caption(
        f"While it ran, {post[0]} to {post[1]} ({mode} credits): its"
        f" {lift['treated_products']} targeted products against"
        f" {lift['control_products']} products no campaign targeted."
    )
    caused = st.columns(4)
    caused[0].metric("Credited revenue", ui.money(credited["revenue"]))
    caused[1].metric(
        "Incremental revenue",
        ui.money(lift["incremental_revenue"]),
        help="What the campaign caused: the targeted products' sales minus"
        " what they would have sold without it (95 % interval below).",
    )
    caused[2].metric("ROAS (credited)", ui.number(credited_roas))
    caused[3].metric(
        "iROAS (incremental)",
        "—" if lift["iroas"] is None else ui.number(lift["iroas"]),
        help="Incremental revenue / spend.",
    )
    st.markdown(incrementality.caused(lift, credited["revenue"]))
    st.markdown(incrementality.returned(lift, credited_roas))
    if lift["is_reliable"]:
        st.success(lift["reliability_reason"])
    else:
        st.warning(lift["reliability_reason"])
    series = lift_data.campaign_lift_daily(marts, int(campaign_id))
    if not series.empty:
        st.altair_chart(
            incrementality.chart(series, lift["post_start"]), width="stretch"
        )

st.markdown("#### Budget pacing")
budget = spend_data.campaign_pacing(marts, int(campaign_id))
if budget.empty:
    st.caption("No spend recorded for this campaign.")
else:
    latest = budget.iloc[-1]
    # a daily budget is judged on the last day that spent, not on a today
    # whose spend has not arrived yet
    judged = budget[budget["spend"] > 0].iloc[-1] if budget["spend"].any() else latest
    pace = st.columns(4)
    pace[0].metric("Spent so far", ui.money(latest["cumulative_spend"]))
    if latest["budget_type"] == DAILY:
        pace[1].metric(
            f"Pacing on {judged['spend_date']}", f"{judged['daily_pacing']:.0%}"
        )
    elif latest["budget_type"] == LIFETIME:
        pace[1].metric("Budget consumed", f"{latest['lifetime_consumed']:.0%}")
        pace[2].metric(
            "Projected at the end", ui.money(latest["projected_lifetime_spend"])
        )
    else:
        pace[1].metric("Budget", "none")
    found = pacing.verdict(
        ui.row_values(latest), ui.row_values(judged), header["status"] == "ENDED"
    )
    if found is not None:
        level, words = found
        if level == pacing.ON_PACE:
            pace[3].success(words)
        else:
            pace[3].warning(words)
    pacing_chart = budget[["spend_date", "cumulative_spend"]].copy()
    if latest["budget_type"] == LIFETIME:
        pacing_chart["budget"] = latest["budget_amount"]
    st.line_chart(pacing_chart, x="spend_date")

daily = reports.campaign_daily(marts, int(campaign_id), start, end, mode)
st.markdown("#### Daily trend")
if daily.empty:
    st.caption("No credited sales in this range.")
else:
    st.line_chart(daily, x="sale_date", y=["revenue", "profit"])

st.markdown("#### Products")
products = reports.campaign_products(marts, int(campaign_id), start, end, mode)
st.dataframe(products, hide_index=True)

st.markdown("#### Credited orders")
st.caption(
    "Reversed orders (cancelled or refunded after the sale) are listed "
    "but not counted in the figures above."
)
page = st.number_input("Page", min_value=1, value=1, step=1, key="campaign_page")
orders, total = reports.campaign_orders(
    marts, int(campaign_id), start, end, mode, int(page), ORDERS_PER_PAGE
)
pages = max(1, -(-total // ORDERS_PER_PAGE))
st.caption(f"{total} orders · page {int(page)} of {pages}")
if not orders.empty:
    orders.insert(
        1, "credit", orders["is_reversed"].map({True: "REVERSED", False: "counted"})
    )
    st.dataframe(
        orders.style.apply(
            lambda row: [
                "color: #b00020; text-decoration: line-through"
                if row["is_reversed"]
                else ""
                for _ in row
            ],
            axis=1,
        ),
        hide_index=True,
    )
st.download_button(
    "Download CSV",
    # built on click only: all credited orders of a big campaign can be many
    lambda: export.to_csv(
        reports.campaign_orders_all(marts, int(campaign_id), start, end, mode)
    ),
    file_name=f"campaign_{campaign_id}_orders_{mode.lower()}_{start}_{end}.csv",
    mime="text/csv",
)
