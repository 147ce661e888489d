"""Launching recomputes through Dagster's GraphQL API (a fake server here)."""

from __future__ import annotations

import socket

import pytest

from dashboard import dagster_runs
from marketing.audit import DAGSTER_LAUNCHED
from orchestration import launch
from tests import pg
from tests.dashboard.fake_dagster import config_errors, fake_dagster


@pytest.fixture
def url(write_db) -> str:
    from tests.dashboard.conftest import add_role_users

    add_role_users(write_db)
    return write_db.url("psycopg")


def test_recompute_of_one_order_launches_the_job_with_its_config(write_db, url, users):
    with fake_dagster() as fake:
        run_id = dagster_runs.launch_recompute(
            url, users["admin"], order_id=42, graphql=fake.url
        )
        status = dagster_runs.run_status(run_id, url=fake.url)
    [launch] = fake.launches
    assert launch["selector"] == {
        "repositoryLocationName": "orchestration",
        "repositoryName": "__repository__",
        "jobName": "attribution_recompute_order",
    }
    assert launch["runConfigData"] == {
        "ops": {"attribution_dbt_assets": {"config": {"order_ids": [42]}}}
    }
    assert {"key": "launched_by", "value": "admin"} in launch["executionMetadata"][
        "tags"
    ]
    assert (status.status, status.is_finished) == ("SUCCESS", True)
    assert pg.query(
        write_db,
        "select actor, details ->> 'run_id' from app.audit_log where action = %s",
        (DAGSTER_LAUNCHED,),
    ) == [("admin", run_id)]


def test_backfill_of_a_range(url, users):
    with fake_dagster() as fake:
        dagster_runs.launch_recompute(
            url, users["admin"], start="2026-01-01", end="2026-01-08", graphql=fake.url
        )
    [launch] = fake.launches
    assert launch["selector"]["jobName"] == "attribution_backfill"
    assert launch["runConfigData"]["ops"]["attribution_dbt_assets"]["config"] == {
        "from": "2026-01-01",
        "to": "2026-01-08",
    }


def test_only_admins_launch_and_bad_requests_are_refused(url, users):
    with fake_dagster() as fake:
        with pytest.raises(PermissionError):
            dagster_runs.launch_recompute(
                url, users["marketer"], order_id=1, graphql=fake.url
            )
        with pytest.raises(ValueError):
            dagster_runs.launch_recompute(url, users["admin"], graphql=fake.url)
        with pytest.raises(ValueError):
            dagster_runs.launch_recompute(
                url, users["admin"], start="2026-01-01", graphql=fake.url
            )
        with pytest.raises(dagster_runs.DagsterError, match="no Dagster job"):
            dagster_runs.launch_run("nope", {}, url=fake.url)
        assert fake.launches == []


def test_unreachable_dagster_is_a_clear_error(url, users):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(dagster_runs.DagsterError, match="not reachable"):
        dagster_runs.launch_recompute(
            url, users["admin"], order_id=1, graphql=f"http://127.0.0.1:{port}/graphql"
        )


def test_the_apps_run_configs_are_valid_for_the_real_jobs_and_bad_ones_are_not(
    url, users
):
    with fake_dagster() as fake:
        dagster_runs.launch_recompute(
            url, users["admin"], order_id=42, graphql=fake.url
        )
        dagster_runs.launch_recompute(
            url, users["admin"], start="2026-01-01", end="2026-01-08", graphql=fake.url
        )
        # the shapes Dagster refuses: a field the config does not have, the
        # wrong type, the wrong op, and a job of the wrong name
        refused = [
            (launch.BACKFILL, launch.build_config(start="2026-01-01")),
            (launch.RECOMPUTE_ORDER, launch.build_config(order_ids="42")),
            (launch.RECOMPUTE_ORDER, {"ops": {"dbt_build": {"config": {}}}}),
        ]
        for job, config in refused:
            with pytest.raises(dagster_runs.DagsterError, match="invalid run config"):
                dagster_runs.launch_run(job, config, url=fake.url)
        with pytest.raises(dagster_runs.DagsterError, match="no Dagster job"):
            dagster_runs.launch_run("attribution_recompute", {}, url=fake.url)
    # what the app sent is what the real jobs accept
    launched = [(p["selector"]["jobName"], p["runConfigData"]) for p in fake.launches]
    assert [job for job, _ in launched[:2]] == [
        launch.RECOMPUTE_ORDER,
        launch.BACKFILL,
    ]
    for job, config in launched[:2]:
        assert config_errors(job, config) == []
    assert [config_errors(job, config) != [] for job, config in refused] == [
        True,
        True,
        True,
    ]
