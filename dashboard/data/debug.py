"""Debug attribution: for each item of an order, every campaign that ever
targeted its product, whether it matched, why not, and what it earned.

Everything is read from ``marts.fct_order_item_campaign_explanations``: the
matching, the exact SPLIT and the reasons are the dbt models' own, never
recomputed here. The page only labels the mart's explanation codes.
"""

from __future__ import annotations

import pandas as pd

from dashboard.data import connection

EXPLANATIONS = "marts.fct_order_item_campaign_explanations"

# the mart's explanation codes (its accepted_values), as the page says them
LABELS = {
    "matched": "matches",
    "order_not_countable": "order never observed in a countable status",
    "non_positive_quantity": "bad item: quantity is zero or negative",
    "negative_unit_price": "bad item: negative unit price",
    "missing_product": "bad item: its product row is missing",
    "never_targeted": "no campaign ever targeted the product",
    "outside_flight": "sale outside the flight window",
    "not_running": "campaign not running at the sale time",
    "not_targeted": "product not targeted at the sale time",
    "changed_since_build": "marketing changed since the last build: recompute",
}


def explain(url: str, order_id: int) -> pd.DataFrame:
    """One row per (item of the order, campaign that ever targeted its
    product), matches first within each item; empty when the pipeline has
    not observed the order."""
    explained = connection.frame(
        url,
        f"""
        select *
        from {EXPLANATIONS}
        where order_id = :order_id
        order by order_item_id, is_matched desc, campaign_id nulls last
        """,
        order_id=order_id,
    )
    # null when no campaign ever targeted the product: ids stay integers
    explained["campaign_id"] = explained["campaign_id"].astype("Int64")
    explained["reason"] = explained["explanation"].map(LABELS)
    return explained
