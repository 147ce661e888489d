"""Upload spend: an ad platform's CSV export, previewed and checked row by
row before anything is written; one bad row and nothing is."""

import streamlit as st

from dashboard import ui
from dashboard.data import spend as spend_data
from marketing import spend

user = ui.require_user("marketer")
url = ui.db_url()
st.title("Upload spend")
st.caption(
    "Export the daily campaign report of your ad account (its days in UTC) and "
    "drop it here. Loading the same days again replaces them."
)

choices = {key: preset.label for key, preset in spend.PRESETS.items()}
choices[spend.GENERIC] = "Other (map the columns)"
preset = st.selectbox(
    "File format", list(choices), format_func=choices.get, key="spend_preset"
)
uploaded = st.file_uploader("CSV file", type=["csv", "tsv", "txt"], key="spend_file")
if uploaded is None:
    st.stop()
data = uploaded.getvalue()

mapping = None
if preset == spend.GENERIC:
    headers = spend.header_candidates(data)
    st.markdown("#### Which column holds what")
    columns = {}
    picks = st.columns(len(spend.FIELDS))
    for pick, field in zip(picks, spend.FIELDS, strict=True):
        optional = field not in spend.REQUIRED
        options = ([""] if optional else []) + headers
        with pick:
            columns[field] = st.selectbox(
                field.replace("_", " "), options, key=f"spend_map_{field}"
            )
    campaign_key = st.radio(
        "The campaign column holds",
        (spend.BY_CAMPAIGN_ID, spend.BY_EXTERNAL_ID),
        format_func={
            spend.BY_CAMPAIGN_ID: "our campaign id",
            spend.BY_EXTERNAL_ID: "the platform's campaign id",
        }.get,
        horizontal=True,
        key="spend_campaign_key",
    )
    mapping = spend.Mapping(columns=columns, campaign_key=campaign_key)

parsed = spend_data.check(
    url, spend.parse(data, preset=preset, mapping=mapping, name=uploaded.name)
)
st.markdown("#### Preview")
st.caption(f"{len(parsed.rows)} rows read from {uploaded.name}")
st.dataframe(parsed.preview(), hide_index=True)

if not parsed.is_valid:
    st.error(
        f"{len(parsed.errors)} problem(s) in this file: nothing will be loaded. "
        "Fix the rows below and upload it again."
    )
    st.dataframe(parsed.error_frame(), hide_index=True)
    st.stop()

if st.button(f"Load {len(parsed.rows)} rows", type="primary", key="spend_load"):
    try:
        result = spend_data.upload(url, user, parsed)
    except spend.SpendFileError as error:
        st.error(str(error))
    except PermissionError as error:
        st.error(str(error))
    else:
        st.success(
            f"Loaded {result.rows} days of spend for {result.campaigns} campaign(s)"
            f" ({result.inserted} new, {result.replaced} replaced),"
            f" {result.first_date} – {result.last_date}. The reports show them"
            " after the next pipeline run."
        )
