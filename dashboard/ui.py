"""Shared pieces of the pages: the signed-in user, the database, common inputs."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from dashboard.data import connection, reports
from dashboard.data.users import User, authenticate

USER_KEY = "user"


def db_url() -> str:
    return connection.current_url()


def current_user() -> User | None:
    user = st.session_state.get(USER_KEY)
    return user if isinstance(user, User) else None


def require_user(role: str = "viewer") -> User:
    """The signed-in user; stops the page for anyone without `role`.

    Hiding the page is convenience: the data layer checks the role again on
    every write.
    """
    user = current_user()
    if user is None:
        st.warning("Please sign in.")
        st.stop()
    if not user.can(role):
        st.error(f"This page needs the {role} role; you are a {user.role}.")
        st.stop()
    return user


def sign_in() -> None:
    st.title("Campaign attribution")
    with st.form("sign_in"):
        username = st.text_input("User name")
        password = st.text_input("Password", type="password")
        submitted = st.form_submit_button("Sign in", type="primary")
    if submitted:
        user = authenticate(db_url(), username, password)
        if user is None:
            st.error("Wrong user name or password.")
        else:
            st.session_state[USER_KEY] = user
            st.rerun()


def sign_out() -> None:
    st.session_state.clear()


def date_range(first: date, last: date, key: str, days: int = 30) -> tuple[date, date]:
    """A sale-date range within the data; defaults to the last `days` days."""
    default = (max(first, last - timedelta(days=days - 1)), last)
    picked = st.date_input(
        "Sale dates (UTC)", value=default, min_value=first, max_value=last, key=key
    )
    if isinstance(picked, tuple | list) and len(picked) == 2:
        return picked[0], picked[1]
    # half-picked range: keep showing the default until both ends are chosen
    return default


def credit_mode(key: str) -> str:
    mode = st.radio("Credit mode", reports.CREDIT_MODES, horizontal=True, key=key)
    st.caption(reports.MODE_EXPLANATIONS[mode])
    return mode


def campaign_labels(listing: pd.DataFrame) -> dict[int, str]:
    """Campaign id -> "id — name (STATUS)", for pickers."""
    return dict(
        zip(
            listing["id"].astype(int),
            listing["id"].astype(str)
            + " — "
            + listing["name"]
            + " ("
            + listing["status"]
            + ")",
            strict=True,
        )
    )


def money(value: float | None) -> str:
    return "—" if value is None or value != value else f"{value:,.2f}"


def number(value: float | None) -> str:
    if value is None or value != value:
        return "—"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
