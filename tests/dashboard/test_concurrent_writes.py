"""Two people saving at the same moment: one wins, the other is told, and
nothing is lost. Real threads against the real database."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial

import pytest

from dashboard.data import campaigns
from dashboard.data.campaigns import CampaignInput, ConcurrencyError
from dashboard.data.users import User
from tests import pg

MARKETER = User("marketer", "marketer")
OTHER = User("admin", "admin")
START = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
ROUNDS = 5


@pytest.fixture(scope="module")
def db(users_db):
    """This module's database: products and a user per role."""
    return users_db


def race(*saves: Callable[[], None]) -> list[BaseException | None]:
    """Run the saves at once; what each raised (None: it saved)."""
    barrier = threading.Barrier(len(saves))
    outcomes: list[BaseException | None] = [None] * len(saves)

    def run(index: int) -> None:
        barrier.wait()
        try:
            saves[index]()
        except BaseException as error:  # reported to the test
            outcomes[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(saves))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def edit(name: str) -> CampaignInput:
    return CampaignInput(name, "google", starts_at=START)


def opened(url: str) -> tuple[int, datetime]:
    """A new draft campaign and the token an editor opened it with."""
    campaign_id = campaigns.create_campaign(url, MARKETER, edit("Opened"))
    return campaign_id, campaigns.get_campaign(url, campaign_id)["updated_at"]


def saving(
    url: str, user: User, campaign_id: int, name: str, token: datetime
) -> Callable[[], None]:
    """The save of an edit opened with `token`, to race."""
    return partial(campaigns.update_campaign, url, user, campaign_id, edit(name), token)


def audit_actions(db, campaign_id: int) -> list[str]:
    return [
        action
        for (action,) in pg.query(
            db,
            "select action from app.audit_log where campaign_id = %s order by id",
            (campaign_id,),
        )
    ]


def test_two_editors_save_the_same_campaign(db):
    url = db.url("psycopg")
    for _ in range(ROUNDS):
        campaign_id, token = opened(url)
        outcomes = race(
            saving(url, MARKETER, campaign_id, "Marketer's", token),
            saving(url, OTHER, campaign_id, "Admin's", token),
        )
        winners = [i for i, outcome in enumerate(outcomes) if outcome is None]
        losers = [o for o in outcomes if o is not None]
        assert len(winners) == 1, outcomes
        assert len(losers) == 1 and isinstance(losers[0], ConcurrencyError), losers
        assert "reload" in str(losers[0])
        row = campaigns.get_campaign(url, campaign_id)
        assert row["name"] == ("Marketer's", "Admin's")[winners[0]]
        assert row["updated_by"] == (MARKETER, OTHER)[winners[0]].username
        assert audit_actions(db, campaign_id) == [
            "campaign.created",
            "campaign.updated",
        ]


def test_an_edit_racing_a_status_change(db):
    url = db.url("psycopg")
    for _ in range(ROUNDS):
        campaign_id, token = opened(url)
        outcomes = race(
            saving(url, MARKETER, campaign_id, "Renamed", token),
            partial(campaigns.change_status, url, OTHER, campaign_id, "RUNNING", token),
        )
        assert sum(outcome is None for outcome in outcomes) == 1, outcomes
        assert all(
            isinstance(outcome, ConcurrencyError)
            for outcome in outcomes
            if outcome is not None
        )
        row = campaigns.get_campaign(url, campaign_id)
        events = pg.query(
            db,
            "select to_status from marketing.ad_campaign_status_events"
            " where campaign_id = %s order by changed_at, id",
            (campaign_id,),
        )
        if outcomes[0] is None:  # the edit won: the status never moved
            assert (row["name"], row["status"]) == ("Renamed", "DRAFT")
            assert events == [("DRAFT",)]
            expected = ["campaign.created", "campaign.updated"]
        else:  # the launch won: the name is untouched and the event is there
            assert (row["name"], row["status"]) == ("Opened", "RUNNING")
            assert events == [("DRAFT",), ("RUNNING",)]
            expected = ["campaign.created", "status.changed"]
        assert audit_actions(db, campaign_id) == expected
