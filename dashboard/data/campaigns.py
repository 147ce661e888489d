"""Campaign management for the app: :mod:`marketing.campaigns` on the app's
database, one transaction per call.

The rules, checks and SQL live in :mod:`marketing.campaigns` (shared with
the demo generator); this module adds what only the app needs: the app's
connection for a URL, and clearing the report cache after a write so a user
sees their own change. The management reads are live, never cached: they
carry the concurrency token.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from dashboard.data import cache, connection
from marketing.campaigns import editing, reads, status, targeting
from marketing.campaigns import history as campaign_history
from marketing.campaigns.validation import (
    MAX_BUDGET,
    MAX_NAME_LENGTH,
    MAX_NOTES_LENGTH,
    MAX_REASON_LENGTH,
    AddProductsResult,
    CampaignInput,
    ConcurrencyError,
    ValidationError,
    as_utc,
    refusals_in_words,
)

__all__ = [
    "MAX_BUDGET",
    "MAX_NAME_LENGTH",
    "MAX_NOTES_LENGTH",
    "MAX_REASON_LENGTH",
    "AddProductsResult",
    "CampaignInput",
    "ConcurrencyError",
    "ValidationError",
    "as_utc",
]

T = TypeVar("T")


def _on_url(func: Callable[..., T], writes: bool) -> Callable[..., T]:
    """`func(conn, ...)` as `func(url, ...)`: its own transaction; a write's
    database refusals in words, and the read cache cleared after it."""

    @functools.wraps(func)
    def run(url: str, *args: Any, **kwargs: Any) -> T:
        if not writes:
            with connection.transaction(url) as conn:
                return func(conn, *args, **kwargs)
        with refusals_in_words(), connection.transaction(url) as conn:
            result = func(conn, *args, **kwargs)
        cache.clear()
        return result

    return run


create_campaign = _on_url(editing.create_campaign, writes=True)
update_campaign = _on_url(editing.update_campaign, writes=True)
delete_campaign = _on_url(editing.delete_campaign, writes=True)
change_status = _on_url(status.change_status, writes=True)
add_products = _on_url(targeting.add_products, writes=True)
remove_product = _on_url(targeting.remove_product, writes=True)

list_campaigns = _on_url(reads.list_campaigns, writes=False)
get_campaign = _on_url(reads.get_campaign, writes=False)
targeted_products = _on_url(reads.targeted_products, writes=False)
search_products = _on_url(reads.search_products, writes=False)
history = _on_url(campaign_history.history, writes=False)
corrections_since = _on_url(campaign_history.corrections_since, writes=False)
