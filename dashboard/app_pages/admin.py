"""Admin: debug attribution, backdated corrections, recomputes in Dagster."""

from datetime import UTC, date, datetime, time, timedelta

import streamlit as st

from dashboard import dagster_runs, ui
from dashboard.data import campaigns, debug
from dashboard.data.campaigns import ConcurrencyError, ValidationError
from marketing.rules import TARGET_STATUSES

RUNS = "admin_dagster_runs"
SECTIONS = ("Debug attribution", "Backdated corrections", "Recompute")
REFUSALS = (ValidationError, ConcurrencyError, PermissionError, LookupError, ValueError)

user = ui.require_user("admin")
url = ui.db_url()
st.title("Admin")


def pick_product(key: str) -> int | None:
    term = st.text_input("Product (name or SKU)", key=f"{key}_term")
    if not term.strip():
        return None
    found = campaigns.search_products(url, term)
    if found.empty:
        st.caption("No product matches.")
        return None
    labels = ui.product_labels(found)
    return st.selectbox(
        "Matching products", list(labels), format_func=labels.get, key=f"{key}_product"
    )


def show_refusal(error: Exception) -> None:
    if isinstance(error, ValidationError):
        for field, message in error.errors.items():
            st.error(f"{field}: {message}")
    else:
        st.error(str(error))


# a segmented control, not tabs: the chosen section survives reruns
section = (
    st.segmented_control(
        "Section",
        SECTIONS,
        default=SECTIONS[0],
        key="admin_section",
        label_visibility="collapsed",
    )
    or SECTIONS[0]
)

if section == "Debug attribution":
    st.caption(
        "For each item of an order, every campaign that ever targeted its "
        "product: whether it matched and why not, with the FULL and SPLIT "
        "credits the pipeline computes."
    )
    order_id = st.number_input(
        "Order id", min_value=1, step=1, value=None, key="debug_order"
    )
    if order_id is not None:
        explained = debug.explain(url, int(order_id))
        if explained.empty:
            st.info(
                f"The pipeline has not observed order {order_id} (or it has "
                "no items): it is observed at the next run."
            )
        else:
            matched = explained[explained["is_matched"]]
            st.markdown(
                f"**{explained['order_item_id'].nunique()} item(s), "
                f"{len(matched)} matching (item, campaign) pair(s)** in order "
                f"{order_id} ({explained['order_status'].iloc[0]})"
            )
            st.dataframe(
                explained[
                    [
                        "order_item_id",
                        "product_id",
                        "sale_time",
                        "campaign_id",
                        "campaign_name",
                        "reason",
                        "matched_campaigns_count",
                        "full_revenue",
                        "split_revenue",
                        "split_qty",
                        "split_profit",
                        "is_in_flight",
                        "is_running_at_sale",
                        "is_targeted_at_sale",
                        "starts_at",
                        "ends_at",
                    ]
                ],
                hide_index=True,
            )

if section == "Backdated corrections":
    st.caption(
        "A correction in the past changes past credits at the next "
        "pipeline run. Who and why are recorded."
    )
    listing = campaigns.list_campaigns(url)
    labels = ui.campaign_labels(listing)
    if not labels:
        st.info("No campaigns yet.")
    else:
        campaign_id = st.selectbox(
            "Campaign", list(labels), format_func=labels.get, key="correction_campaign"
        )
        yesterday = datetime.combine(date.today() - timedelta(days=1), time(9))
        st.markdown("##### Status change in the past")
        with st.form("backdated_status"):
            to_status = st.selectbox("New status", TARGET_STATUSES)
            changed_at = st.datetime_input(
                "Took effect at (UTC)", value=yesterday, step=60
            )
            reason = st.text_input("Reason (required)")
            submit_status = st.form_submit_button("Record status correction")
        if submit_status:
            try:
                campaigns.change_status(
                    url,
                    user,
                    campaign_id,
                    to_status,
                    None,
                    changed_at=changed_at.replace(tzinfo=UTC),
                    reason=reason,
                )
            except REFUSALS as error:
                show_refusal(error)
            else:
                st.success(
                    f"Recorded: campaign {campaign_id} {to_status} from "
                    f"{changed_at:%Y-%m-%d %H:%M} UTC."
                )
        st.markdown("##### Targeting window in the past")
        target_product = pick_product("correction")
        with st.form("backdated_targeting"):
            window_from = st.datetime_input(
                "Targeted from (UTC)", value=yesterday, step=60
            )
            window_to = st.datetime_input(
                "Targeted until (UTC, empty = still)", value=None, step=60
            )
            window_reason = st.text_input("Reason (required)")
            submit_window = st.form_submit_button("Record targeting correction")
        if submit_window:
            if target_product is None:
                st.error("Choose a product first.")
            else:
                try:
                    result = campaigns.add_products(
                        url,
                        user,
                        campaign_id,
                        [target_product],
                        effective_from=window_from.replace(tzinfo=UTC),
                        effective_to=None
                        if window_to is None
                        else window_to.replace(tzinfo=UTC),
                        reason=window_reason,
                    )
                except REFUSALS as error:
                    show_refusal(error)
                else:
                    if result.added:
                        st.success(
                            f"Recorded: product {target_product} targeted "
                            f"from {window_from:%Y-%m-%d %H:%M} UTC."
                        )
                    else:
                        st.info(
                            f"Product {target_product} was already targeted "
                            "during that window: nothing recorded."
                        )

if section == "Recompute":
    st.caption(f"Runs are launched in Dagster at {dagster_runs.graphql_url()}.")
    left, right = st.columns(2)
    with left, st.form("recompute_order"):
        order_id = st.number_input("Order id", min_value=1, step=1, value=None)
        submit_order = st.form_submit_button("Recompute this order")
    with right, st.form("backfill_range"):
        since = st.date_input(
            "From (UTC, inclusive)", value=date.today() - timedelta(days=7)
        )
        until = st.date_input("To (UTC, exclusive)", value=date.today())
        submit_range = st.form_submit_button("Backfill this range")
    launch: dict | None = None
    if submit_order:
        launch = {"order_id": None if order_id is None else int(order_id)}
        if order_id is None:
            st.error("Order id: enter an order id.")
            launch = None
    if submit_range:
        launch = {"start": since.isoformat(), "end": until.isoformat()}
    if launch is not None:
        try:
            run_id = dagster_runs.launch_recompute(url, user, **launch)
        except (dagster_runs.DagsterError, *REFUSALS) as error:
            st.error(f"Not launched: {error}")
        else:
            st.session_state.setdefault(RUNS, []).insert(0, run_id)
            st.success(f"Run {run_id} launched.")
    runs = st.session_state.get(RUNS, [])
    if runs:
        st.button("Refresh run status")
        for run_id in runs[:10]:
            try:
                status = dagster_runs.run_status(run_id)
            except dagster_runs.DagsterError as error:
                st.write(f"`{run_id}`: status unknown ({error})")
            else:
                st.write(f"`{run_id}` ({status.job_name}): **{status.status}**")
