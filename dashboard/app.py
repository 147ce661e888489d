"""The marketers' app: `streamlit run dashboard/app.py`.

Reports for every signed-in user, campaign management for marketers, the
admin page for admins. What each page may do is checked again in the data
layer on every write.
"""

from __future__ import annotations

import sys
from pathlib import Path

# the project root, so `dashboard` imports without an installed package
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from dashboard import ui  # noqa: E402

PAGES = Path(__file__).resolve().parent / "app_pages"

st.set_page_config(
    page_title="Campaign attribution", page_icon=":material/insights:", layout="wide"
)
# a visitor never sees a traceback (also set in .streamlit/config.toml)
st.set_option("client.showErrorDetails", "none")


def _page(script: str, title: str, icon: str, default: bool = False) -> st.Page:
    return st.Page(
        PAGES / script, title=title, icon=f":material/{icon}:", default=default
    )


user = ui.current_user()
if user is None:
    page = st.navigation([st.Page(ui.sign_in, title="Sign in", url_path="sign-in")])
else:
    sections = {
        "Reports": [
            _page("leaderboard.py", "Leaderboard", "leaderboard", default=True),
            _page("campaign.py", "Campaign", "campaign"),
            _page("health.py", "Attribution health", "monitor_heart"),
        ]
    }
    if user.can("marketer"):
        sections["Campaigns"] = [
            _page("manage.py", "Manage campaigns", "edit"),
            _page("upload.py", "Upload spend", "upload_file"),
        ]
    if user.can("admin"):
        sections["Admin"] = [_page("admin.py", "Admin", "build")]
    page = st.navigation(sections)
    with st.sidebar:
        st.caption(f"Signed in as **{ui.plain(user.username)}** ({user.role})")
        st.button("Sign out", on_click=ui.sign_out)
try:
    page.run()
except Exception as error:  # st.stop and st.rerun are not Exceptions
    ui.show_unexpected(error)
