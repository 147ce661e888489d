"""The campaign rules Python shares (marketing/rules.py) are the database's:
read back from the catalog of a migrated PostgreSQL, so the two cannot drift."""

from __future__ import annotations

import re

import pytest

from marketing import rules
from tests import pg


def constraint(params, name: str) -> str:
    """The boolean expression of a check constraint, as PostgreSQL keeps it."""
    (definition,) = pg.query(
        params,
        "select pg_get_constraintdef(oid) from pg_constraint where conname = %s",
        (name,),
    )[0]
    assert definition.startswith("CHECK ")
    return definition.removeprefix("CHECK ")


def listed(expression: str) -> set[str]:
    return set(re.findall(r"'([^']*)'::text", expression))


@pytest.mark.parametrize(
    ("name", "values"),
    [
        ("ad_campaigns_platform_known", rules.PLATFORMS),
        ("ad_campaigns_budget_type_known", rules.BUDGET_TYPES),
        ("ad_campaigns_status_known", rules.STATUSES),
        ("ad_campaign_status_events_to_known", rules.STATUSES),
    ],
)
def test_the_forms_offer_exactly_what_the_database_accepts(fresh_db, name, values):
    assert listed(constraint(fresh_db, name)) == set(values)


def test_the_status_graph_is_the_databases(fresh_db):
    """Every (from, to) pair: the table's check, the sequence trigger's
    move function and rules.can_move say the same."""
    check = constraint(fresh_db, "ad_campaign_status_events_transition_allowed")
    pairs = [(None, to) for to in rules.STATUSES] + [
        (source, to) for source in rules.STATUSES for to in rules.STATUSES
    ]
    answers = pg.query(
        fresh_db,
        f"select from_status, to_status, coalesce({check}, false),"
        " marketing.status_move_allowed(from_status, to_status)"
        " from unnest(%s::text[], %s::text[]) as pairs(from_status, to_status)",
        ([source for source, _ in pairs], [to for _, to in pairs]),
    )
    assert len(answers) == len(pairs)
    for source, to, checked, moves in answers:
        assert checked == rules.can_move(source, to), (source, to)
        if source is not None:
            assert moves == rules.can_move(source, to), (source, to)
    # the graph has moves at all: a constant false would pass the rest
    assert any(checked for *_, checked, _ in answers)
