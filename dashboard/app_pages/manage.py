"""Manage campaigns: create, edit, move along the status graph, delete drafts,
target and untarget products, and read the full history.

An opened campaign is a snapshot kept in the session: its `updated_at` goes
with every save, so a save over someone else's newer change is refused
instead of silently overwriting it.
"""

from datetime import datetime
from decimal import Decimal
from typing import Any

import streamlit as st

from dashboard import ui
from dashboard.data import campaigns
from dashboard.data.campaigns import CampaignInput, ConcurrencyError, ValidationError
from marketing.rules import BUDGET_TYPES, INITIAL_STATUS, PLATFORMS, TRANSITIONS

FLASH = "manage_flash"
SELECTED = "manage_selected"
SECTIONS = ("Details", "Status", "Products", "History")
ACTION_LABELS = {"RUNNING": "Launch", "PAUSED": "Pause", "ENDED": "End"}

user = ui.require_user("marketer")
url = ui.db_url()
st.title("Manage campaigns")
for kind, message in st.session_state.pop(FLASH, []):
    getattr(st, kind)(message)


def flash(kind: str, message: str) -> None:
    st.session_state.setdefault(FLASH, []).append((kind, message))


def campaign_fields(
    prefix: str, initial: dict[str, Any] | None
) -> tuple[CampaignInput, dict[str, Any]]:
    """The campaign's inputs, each followed by a slot for its error."""
    initial = initial or {}
    slots: dict[str, Any] = {}
    name = st.text_input(
        "Name",
        value=initial.get("name", ""),
        key=f"{prefix}_name",
        max_chars=campaigns.MAX_NAME_LENGTH,
    )
    slots["name"] = st.empty()
    platform = st.selectbox(
        "Platform",
        PLATFORMS,
        key=f"{prefix}_platform",
        index=PLATFORMS.index(initial["platform"]) if initial else 0,
    )
    slots["platform"] = st.empty()
    starts_at = st.datetime_input(
        "Starts at (UTC)",
        value=_naive_utc(initial["starts_at"]) if initial else "now",
        key=f"{prefix}_starts_at",
        step=60,
    )
    slots["starts_at"] = st.empty()
    ends_at = st.datetime_input(
        "Ends at (UTC, empty = open-ended)",
        value=_naive_utc(initial.get("ends_at")),
        key=f"{prefix}_ends_at",
        step=60,
    )
    slots["ends_at"] = st.empty()
    budget_options = ("none", *BUDGET_TYPES)
    budget_type = st.selectbox(
        "Budget type",
        budget_options,
        key=f"{prefix}_budget_type",
        index=budget_options.index(initial.get("budget_type") or "none"),
    )
    slots["budget_type"] = st.empty()
    amount = initial.get("budget_amount")
    budget_amount = st.number_input(
        "Budget amount",
        value=None if amount is None else float(amount),
        min_value=0.0,
        max_value=float(campaigns.MAX_BUDGET) - 0.01,
        step=10.0,
        format="%.2f",
        key=f"{prefix}_budget_amount",
    )
    slots["budget_amount"] = st.empty()
    notes = st.text_area(
        "Notes",
        value=initial.get("notes") or "",
        key=f"{prefix}_notes",
        max_chars=campaigns.MAX_NOTES_LENGTH,
    )
    slots["notes"] = st.empty()
    slots["form"] = st.empty()
    data = CampaignInput(
        name=name,
        platform=platform,
        starts_at=_naive_utc(starts_at),
        ends_at=_naive_utc(ends_at),
        budget_type=None if budget_type == "none" else budget_type,
        budget_amount=None
        if budget_amount is None
        else Decimal(str(budget_amount)).quantize(Decimal("0.01")),
        notes=notes or None,
    )
    return data, slots


def _naive_utc(moment: datetime | None) -> datetime | None:
    # the inputs show UTC wall-clock time
    if moment is None or moment.tzinfo is None:
        return moment
    return campaigns.as_utc(moment).replace(tzinfo=None)


def show_errors(slots: dict[str, Any], errors: dict[str, str]) -> None:
    for field, message in errors.items():
        slots.get(field, slots["form"]).error(message)


def report_refusal(error: Exception, slots: dict[str, Any] | None = None) -> None:
    # messages quote names people typed: shown as text, never as Markdown
    if isinstance(error, ValidationError) and slots is not None:
        show_errors(slots, {k: ui.plain(v) for k, v in error.errors.items()})
    elif isinstance(error, ValidationError):
        st.error(ui.plain(" ".join(error.errors.values())))
    elif isinstance(error, PermissionError):
        st.error(f"Not allowed: {ui.plain(error)}")
    else:
        st.error(ui.plain(error))


REFUSALS = (ValidationError, ConcurrencyError, PermissionError, LookupError)

with st.expander("New campaign", expanded=False):
    with st.form("create_campaign"):
        new_data, new_slots = campaign_fields("create", None)
        create = st.form_submit_button("Create campaign", type="primary")
    if create:
        try:
            new_id = campaigns.create_campaign(url, user, new_data)
        except REFUSALS as error:
            report_refusal(error, new_slots)
        else:
            flash("success", f"Campaign {new_id} created as {INITIAL_STATUS}.")
            st.session_state[SELECTED] = new_id
            st.rerun()

listing = campaigns.list_campaigns(url)
if listing.empty:
    st.info("No campaigns yet.")
    st.stop()
labels = ui.campaign_labels(listing)
if st.session_state.get(SELECTED) not in labels:
    st.session_state.pop(SELECTED, None)
campaign_id = st.selectbox(
    "Campaign", list(labels), format_func=labels.get, key=SELECTED
)

snapshot_key = f"manage_snapshot_{campaign_id}"
if snapshot_key not in st.session_state:
    st.session_state[snapshot_key] = campaigns.get_campaign(url, campaign_id)
snapshot = st.session_state[snapshot_key]


def reload() -> None:
    st.session_state.pop(snapshot_key, None)


if snapshot is None:
    reload()
    st.warning("This campaign no longer exists.")
    st.stop()
token = snapshot["updated_at"]
version = f"{campaign_id}_{token.timestamp()}"
st.caption(
    f"Status **{snapshot['status']}** · opened version saved "
    f"{token:%Y-%m-%d %H:%M:%S} UTC by {ui.plain(snapshot['updated_by'] or '—')}"
)
st.button("Reload", on_click=reload, key=f"reload_{version}")

# a segmented control, not tabs: the chosen section survives the reruns that
# every search and button causes
section = (
    st.segmented_control(
        "Section",
        SECTIONS,
        default="Details",
        key="manage_section",
        label_visibility="collapsed",
    )
    or "Details"
)

if section == "Details":
    launched = snapshot["status"] != INITIAL_STATUS
    if launched:
        st.caption(
            "This campaign has launched: moving its start or end into the past "
            "rewrites credits already reported. That is a correction, for admins, "
            "with a reason; changes in the future are ordinary edits."
        )
    with st.form(f"edit_{version}"):
        edit_data, edit_slots = campaign_fields(f"edit_{version}", snapshot)
        reason = None
        if launched and user.can("admin"):
            reason = st.text_input(
                "Reason (for a correction of the past)",
                key=f"edit_reason_{version}",
                max_chars=campaigns.MAX_REASON_LENGTH,
            )
        edit_slots["reason"] = st.empty()
        save = st.form_submit_button("Save changes", type="primary")
    if save:
        try:
            campaigns.update_campaign(
                url, user, campaign_id, edit_data, token, reason=reason or None
            )
        except REFUSALS as error:
            report_refusal(error, edit_slots)
        else:
            reload()
            flash("success", f"Campaign {campaign_id} saved.")
            st.rerun()

if section == "Status":
    allowed = TRANSITIONS[snapshot["status"]]
    if not allowed:
        st.info(f"{snapshot['status']} is final.")
    for target in allowed:
        if st.button(
            f"{ACTION_LABELS[target]} (→ {target})", key=f"status_{target}_{version}"
        ):
            try:
                campaigns.change_status(url, user, campaign_id, target, token)
            except REFUSALS as error:
                report_refusal(error)
            else:
                reload()
                flash("success", f"Campaign {campaign_id} is now {target}.")
                st.rerun()
    if snapshot["status"] == INITIAL_STATUS:
        st.divider()
        sure = st.checkbox("Yes, delete this draft", key=f"delete_sure_{version}")
        if st.button("Delete draft", disabled=not sure, key=f"delete_{version}"):
            try:
                campaigns.delete_campaign(url, user, campaign_id, token)
            except REFUSALS as error:
                report_refusal(error)
            else:
                reload()
                st.session_state.pop(SELECTED, None)
                flash("success", f"Draft campaign {campaign_id} deleted.")
                st.rerun()

if section == "Products":
    term = st.text_input("Search products by name or SKU", key=f"search_{campaign_id}")
    found = campaigns.search_products(url, term) if term.strip() else None
    if found is not None and found.empty:
        st.caption("No product matches.")
    choices = {} if found is None else ui.product_labels(found)
    chosen = st.multiselect(
        "Products to target",
        list(choices),
        format_func=choices.get,
        key=f"chosen_{campaign_id}",
    )
    starts = st.datetime_input(
        "Targeted from (UTC, empty = now)",
        value=None,
        key=f"target_from_{campaign_id}",
        step=60,
    )
    add_slot = st.empty()
    if st.button("Add products", key=f"add_{campaign_id}"):
        try:
            result = campaigns.add_products(
                url, user, campaign_id, chosen, effective_from=_naive_utc(starts)
            )
        except REFUSALS as error:
            with add_slot.container():
                report_refusal(error)
        else:
            if result.added:
                st.success(
                    f"Targeted {len(result.added)} product(s): "
                    + ", ".join(map(str, result.added))
                )
            if result.already_targeted:
                st.info(
                    "Already targeted, skipped: "
                    + ", ".join(map(str, result.already_targeted))
                )
    targeted = campaigns.targeted_products(url, campaign_id)
    st.dataframe(targeted, hide_index=True)
    open_rows = targeted[targeted["is_open"]]
    if not open_rows.empty:
        removable = ui.product_labels(open_rows)
        to_remove = st.selectbox(
            "Stop targeting",
            list(removable),
            format_func=removable.get,
            key=f"remove_choice_{campaign_id}",
        )
        if st.button("Remove product", key=f"remove_{campaign_id}"):
            try:
                campaigns.remove_product(url, user, campaign_id, to_remove)
            except REFUSALS as error:
                report_refusal(error)
            else:
                flash(
                    "success",
                    f"Product {to_remove} is no longer targeted "
                    "(its window ends now; history is kept).",
                )
                st.rerun()

if section == "History":
    st.dataframe(campaigns.history(url, campaign_id), hide_index=True)
