"""Read caching: report queries are cached for a short time, and every write
clears the cache so that a user sees the effect of their own change."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TypeVar

import streamlit as st

F = TypeVar("F", bound=Callable)

# Marts change when the pipeline runs (minutes), so a minute of staleness is
# invisible, and repeated page views cost nothing.
TTL_SECONDS = int(os.environ.get("DASHBOARD_CACHE_TTL_SECONDS", "60"))


def cached_read(func: F) -> F:
    return st.cache_data(ttl=TTL_SECONDS, show_spinner=False)(func)  # type: ignore[return-value]


def clear() -> None:
    st.cache_data.clear()
