"""Shared pieces of the pages: the signed-in user, the database, common inputs."""

from __future__ import annotations

import logging
import os
import re
import time
import unicodedata
import uuid
from datetime import date, timedelta

import pandas as pd
import streamlit as st

from dashboard.data import connection, reports
from dashboard.data.users import (
    MAX_USERNAME_LENGTH,
    SignInThrottled,
    User,
    authenticate,
    refresh,
)
from warehouse.dbt_vars import reporting_timezone

USER_KEY = "user"
# monotonic seconds: when the session last did anything, when the role was
# last read from the database
SEEN_KEY = "user_seen_at"
CHECKED_KEY = "user_checked_at"
EXPIRED_KEY = "session_expired"
IDLE_TIMEOUT = timedelta(minutes=30)
ROLE_RECHECK = timedelta(minutes=2)
# long enough for any passphrase; bcrypt reads 72 bytes and the data layer
# refuses more
MAX_PASSWORD_INPUT = 128

logger = logging.getLogger("dashboard")


def db_url() -> str:
    return connection.current_url()


def marts_url() -> str:
    """Where the report pages read the marts (PostgreSQL's or Spark's)."""
    return connection.marts_url()


def current_user() -> User | None:
    """The signed-in user, as the database says now.

    A session idle for IDLE_TIMEOUT is signed out; every ROLE_RECHECK the
    role is read again, so a demotion or deactivation reaches open sessions
    within minutes, not at their next sign-in.
    """
    user = st.session_state.get(USER_KEY)
    if not isinstance(user, User):
        return None
    now = time.monotonic()
    seen = st.session_state.get(SEEN_KEY, now)
    if now - seen > IDLE_TIMEOUT.total_seconds():
        sign_out()
        st.session_state[EXPIRED_KEY] = True
        return None
    st.session_state[SEEN_KEY] = now
    checked = st.session_state.setdefault(CHECKED_KEY, now)
    if now - checked > ROLE_RECHECK.total_seconds():
        fresh = refresh(db_url(), user)
        if fresh is None:
            sign_out()
            return None
        st.session_state[USER_KEY] = user = fresh
        st.session_state[CHECKED_KEY] = now
    return user


def start_session(user: User) -> None:
    now = time.monotonic()
    st.session_state[USER_KEY] = user
    st.session_state[SEEN_KEY] = now
    st.session_state[CHECKED_KEY] = now


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


def client_address() -> str | None:
    """Where the visitor connects from: the connection's address, or behind a
    reverse proxy the header it sets (ATTRIBUTION_CLIENT_IP_HEADER, e.g.
    X-Forwarded-For: its last entry, the one the proxy added). Only a proxy
    that sets the header should be trusted with it; without it, every
    visitor behind the proxy is one client to the sign-in throttle."""
    header = os.environ.get("ATTRIBUTION_CLIENT_IP_HEADER", "").strip()
    if header:
        forwarded = st.context.headers.get(header)
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return st.context.ip_address


def sign_in() -> None:
    st.title("Campaign attribution")
    if st.session_state.pop(EXPIRED_KEY, False):
        st.info("Your session expired after a while without activity: sign in again.")
    with st.form("sign_in"):
        username = st.text_input("User name", max_chars=MAX_USERNAME_LENGTH)
        password = st.text_input(
            "Password", type="password", max_chars=MAX_PASSWORD_INPUT
        )
        submitted = st.form_submit_button("Sign in", type="primary")
    if submitted:
        try:
            user = authenticate(db_url(), username, password, client_address())
        except SignInThrottled as throttled:
            st.error(str(throttled))
            return
        if user is None:
            st.error("Wrong user name or password.")
        else:
            start_session(user)
            st.rerun()


def show_unexpected(error: BaseException) -> None:
    """A friendly message for the visitor; the details go to the log only."""
    error_id = uuid.uuid4().hex[:12]
    logger.error("unexpected error %s", error_id, exc_info=error)
    st.error(
        "Something went wrong on our side and nothing more was done. "
        f"If it happens again, give this error id to an admin: {error_id}"
    )


def plain(value: object) -> str:
    """Text shown as itself where Streamlit renders Markdown (names are data).

    One line: a line break would start a heading, a list or a quote of its
    own. Every character Markdown, GitHub's extensions or Streamlit's give a
    meaning is escaped, so that ``:red[...]``, an emoji code or ``&amp;``
    stay letters.
    What GitHub's Markdown would turn into a link after parsing, escapes or
    not (a bare URL, ``www.``, an e-mail address), is shown as code: the
    letters, not a link. Invisible characters (bidi overrides, zero-width
    joiners, controls) are shown as U+FFFD, so that what is displayed is
    what is stored.
    """
    text = "" if value is None else str(value)
    text = "".join(_shown(ch) for ch in text)
    parts, start = [], 0
    for found in _LINKABLE.finditer(text):
        parts.append(_escaped(text[start : found.start()]))
        parts.append(_code(found.group()))
        start = found.end()
    parts.append(_escaped(text[start:]))
    escaped = "".join(parts)
    # a leading "-", "+" or "1." would start a list
    escaped = re.sub(r"^(\s*)([-+])", r"\1\\\2", escaped)
    return re.sub(r"^(\s*\d+)\.", r"\1\\.", escaped)


# what GitHub's autolink extension links in text (after escapes are read)
_LINKABLE = re.compile(
    r"(?:https?://|www\.)\S+|(?:mailto:|xmpp:)?[\w.+-]+@[\w-]+(?:\.[\w-]+)+",
    re.IGNORECASE,
)


def _escaped(text: str) -> str:
    return "".join("\\" + ch if ch in _MARKDOWN_SPECIAL else ch for ch in text)


def _code(text: str) -> str:
    """`text` as an inline code span: literal, whatever it holds."""
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    padding = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{padding}{text}{padding}{fence}"


# ":" for Streamlit's :colour[...] and emoji codes, "&" for entities
_MARKDOWN_SPECIAL = set("\\`*_[]<>#|~$:&")
_LINE_BREAKS = set("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
INVISIBLE_SHOWN_AS = "\ufffd"


def _shown(ch: str) -> str:
    if ch in _LINE_BREAKS or ch == "\t":
        return " "
    if unicodedata.category(ch) in ("Cc", "Cf", "Co", "Cn", "Zl", "Zp"):
        return INVISIBLE_SHOWN_AS
    return ch


def sign_out() -> None:
    st.session_state.clear()


def date_range(
    first: date,
    last: date,
    key: str,
    days: int = 30,
    around: tuple[date | None, date | None] | None = None,
) -> tuple[date, date]:
    """A sale-date range within the data; defaults to `around` (a period of
    interest, None at an end meaning up to the data's edge) where it meets
    the data, else to the last `days` days."""
    default = (max(first, last - timedelta(days=days - 1)), last)
    if around is not None and around[0] is not None:
        start, end = max(first, around[0]), min(last, around[1] or last)
        if start <= end:
            default = (start, end)
    picked = st.date_input(
        f"Sale dates ({reporting_timezone()})",
        value=default,
        min_value=first,
        max_value=last,
        key=key,
    )
    if isinstance(picked, tuple | list) and len(picked) == 2:
        return picked[0], picked[1]
    # half-picked range: keep showing the default until both ends are chosen
    return default


def credit_mode(key: str) -> str:
    mode = st.radio("Credit mode", reports.CREDIT_MODES, horizontal=True, key=key)
    st.caption(reports.MODE_EXPLANATIONS[mode])
    return mode


def product_labels(products: pd.DataFrame) -> dict[int, str]:
    """Product id -> "SKU — name", for pickers (a missing product shows "?")."""
    return dict(
        zip(
            products["product_id"].astype(int),
            products["sku"].fillna("?") + " — " + products["name"].fillna("?"),
            strict=True,
        )
    )


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


def row_values(row: pd.Series) -> dict[str, object]:
    """A frame's row as a dict, a missing value (NaN, NaT) as None."""
    return {key: None if pd.isna(value) else value for key, value in row.items()}


def money(value: float | None) -> str:
    return "—" if value is None or value != value else f"{value:,.2f}"


def number(value: float | None) -> str:
    if value is None or value != value:
        return "—"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
