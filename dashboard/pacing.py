"""How a campaign's spend compares with its budget, in one verdict.

Over pace is the mart's own ``is_over_pace`` (dbt var ``pacing_warn_ratio``).
Under pace mirrors it (dbt var ``pacing_under_ratio``): a LIFETIME budget
that an ENDED campaign left mostly unspent was under-delivered, whatever its
pace along the way; a running one whose projected spend falls short is under
pace; a DAILY budget is judged on its last day with spend.
"""

from __future__ import annotations

from typing import Any

from marketing.rules import DAILY, LIFETIME
from warehouse.dbt_vars import dbt_var

OVER, UNDER, ON_PACE = "over", "under", "on_pace"


def verdict(
    latest: dict[str, Any], judged: dict[str, Any], has_ended: bool
) -> tuple[str, str] | None:
    """(level, words), or None for a campaign without a budget.

    latest: the pacing mart's latest row; judged: its latest row with spend."""
    budget_type = latest["budget_type"]
    if budget_type is None:
        return None
    under = float(dbt_var("pacing_under_ratio"))
    if budget_type == LIFETIME:
        consumed = latest["lifetime_consumed"]
        if has_ended:
            if consumed is not None and consumed < under:
                return UNDER, (
                    f"Under-delivered: the campaign ended having spent"
                    f" {consumed:.0%} of its lifetime budget"
                )
            if latest["is_over_pace"]:
                return OVER, f"Overspent: {consumed:.0%} of its lifetime budget"
            return ON_PACE, f"Delivered: spent {consumed:.0%} of its lifetime budget"
        if latest["is_over_pace"]:
            return OVER, "Over pace: spending faster than the budget allows"
        projected = latest["pacing_ratio"]
        if latest["projected_lifetime_spend"] is not None and projected < under:
            return UNDER, (
                f"Under pace: projected to spend {projected:.0%} of its budget"
                " by the end of its flight"
            )
        return ON_PACE, "On pace"
    assert budget_type == DAILY, budget_type
    if judged["is_over_pace"]:
        return OVER, "Over pace: spending faster than the budget allows"
    pacing = judged["daily_pacing"]
    if pacing is not None and pacing < under:
        return UNDER, (
            f"Under-delivered: {pacing:.0%} of the daily budget spent on"
            f" {judged['spend_date']}"
        )
    return ON_PACE, "On pace"
