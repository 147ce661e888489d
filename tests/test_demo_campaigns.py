"""The demo world changes campaigns through the app's writer: its history is
a path of the status graph, and every change is audited and explained like
a change made in the app."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from demo import data as demo_data
from marketing import rules
from tests import pg
from warehouse import credentials

ANCHOR = datetime(2026, 6, 1, tzinfo=UTC)


def test_demo_campaign_changes_follow_the_graph_and_are_audited(fresh_db):
    demo_data.load(fresh_db, orders=400, seed=3, anchor=ANCHOR)
    changed = sum(
        demo_data.advance(
            fresh_db,
            seed=step,
            now=ANCHOR + timedelta(hours=6 * step),
            new_orders=5,
            changes=5,
            campaign_changes=8,
        )["campaign_changes"]
        for step in range(1, 9)
    )
    assert changed > 0
    events = pg.query(
        fresh_db,
        "select campaign_id, from_status, to_status from"
        " marketing.ad_campaign_status_events order by campaign_id, changed_at, id",
    )
    previous: dict[int, str | None] = {}
    for campaign_id, from_status, to_status in events:
        assert rules.can_move(previous.get(campaign_id), to_status), (
            campaign_id,
            previous.get(campaign_id),
            to_status,
        )
        assert from_status == previous.get(campaign_id)
        previous[campaign_id] = to_status
    current = dict(pg.query(fresh_db, "select id, status from marketing.ad_campaigns"))
    assert current == previous

    audited = dict(
        pg.query(
            fresh_db,
            "select action, count(*) from app.audit_log where actor = 'demo'"
            " group by action",
        )
    )
    assert sum(audited.values()) == changed
    # a change dated before the step's clock names its reason, as an admin must
    unexplained = pg.query(
        fresh_db,
        "select count(*) from app.audit_log where actor = 'demo'"
        " and action = 'status.changed' and (details ->> 'backdated')::boolean"
        " and coalesce(reason, '') = ''",
    )
    assert unexplained == [(0,)]


def test_the_generator_writes_as_the_deployment_roles_not_the_admin(fresh_db):
    """The generator never needs the admin connection: the ERP's rows go in
    as its replica, campaign changes through the app's writer as the app,
    and the corrections its simulated clock makes are recorded as the app's."""
    demo_data.load(fresh_db, orders=200, seed=5, anchor=ANCHOR)
    no_admin = dataclasses.replace(fresh_db, password="not the admin's password")
    counts = demo_data.advance(
        no_admin,
        seed=4,
        now=ANCHOR + timedelta(hours=6),
        new_orders=5,
        changes=5,
        campaign_changes=12,
    )
    assert counts["new_orders"] == 5 and counts["campaign_changes"] > 0
    assert pg.query(
        fresh_db,
        "select distinct actor from app.audit_log where action = 'correction.recorded'",
    ) == [(credentials.APP,)]
