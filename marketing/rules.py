"""The campaign rules every writer and form share: the status graph, the
platforms and the budget types.

The database enforces the same rules with its own constraints (migrations
0001 and 0005_history); tests/test_marketing_rules.py reads those from the
catalog and fails when the two differ. Order statuses that count are not
ours: they are the dbt var ``countable_statuses``
(:func:`warehouse.dbt_vars.countable_statuses`).
"""

from __future__ import annotations

PLATFORMS = ("facebook", "instagram", "google", "tiktok", "youtube", "other")
DAILY, LIFETIME = "DAILY", "LIFETIME"
BUDGET_TYPES = (DAILY, LIFETIME)

# every campaign is created in DRAFT; ENDED is final
INITIAL_STATUS = "DRAFT"
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "DRAFT": ("RUNNING",),
    "RUNNING": ("PAUSED", "ENDED"),
    "PAUSED": ("RUNNING", "ENDED"),
    "ENDED": (),
}
STATUSES = tuple(TRANSITIONS)
# a campaign's first event records its DRAFT, or launches from it
FIRST_STATUSES = (INITIAL_STATUS, *TRANSITIONS[INITIAL_STATUS])
# the statuses a change can move to (every one but the initial)
TARGET_STATUSES = tuple(
    status
    for status in STATUSES
    if any(status in moves for moves in TRANSITIONS.values())
)


def can_move(from_status: str | None, to_status: str) -> bool:
    """Whether a status event from `from_status` (None: the first) to
    `to_status` is a move of the graph."""
    if from_status is None:
        return to_status in FIRST_STATUSES
    return to_status in TRANSITIONS.get(from_status, ())


def allowed_moves(from_status: str) -> str:
    """The moves from a status, in words (for refusals)."""
    return ", ".join(TRANSITIONS[from_status]) or "nothing (final)"
