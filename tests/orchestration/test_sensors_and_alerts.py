"""The change sensor, credits within one run of a sale, and alerts on failure."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from dagster import (
    AssetKey,
    DagsterInstance,
    RunRequest,
    SensorResult,
    SkipReason,
    build_run_status_sensor_context,
    build_sensor_context,
)

from orchestration.jobs.sensors import (
    build_run_failure_alert_sensor,
)
from orchestration.operations import alerts
from orchestration.resources import AttributionDatabase
from orchestration.settings import Settings
from tests import pg
from tests.orchestration import support
from warehouse import credentials

CREDITS = "marts/fct_order_item_campaign_credits"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _campaigns_targeting_product_a(params) -> None:
    """docs/rules.md example 2/3: campaigns 7, 3 and 9 run and target A."""
    pg.execute(
        params,
        "insert into erp.products (id, name, sku, cost_price,"
        " created_at, updated_at) values (1, 'A', 'A-1', 40.00, %s, %s)",
        (T0, T0),
    )
    for campaign_id in (7, 3, 9):
        pg.execute(
            params,
            "insert into marketing.ad_campaigns (id, name, platform,"
            " status, starts_at) values (%s, %s, 'google', 'RUNNING', %s)",
            (campaign_id, f"Campaign {campaign_id}", T0 - timedelta(days=1)),
        )
        pg.execute(
            params,
            "insert into marketing.ad_campaign_status_events"
            " (campaign_id, to_status, changed_at) values (%s, 'RUNNING', %s)",
            (campaign_id, T0 - timedelta(days=1)),
            role=credentials.OWNER,  # the campaigns' past, set up before the test
        )
        pg.execute(
            params,
            "insert into marketing.ad_campaign_products (campaign_id,"
            " product_id, effective_from) values (%s, 1, %s)",
            (campaign_id, T0 - timedelta(days=1)),
            role=credentials.OWNER,
        )


def _sell(params, order_id: int, quantity: int, unit_price: str, at: datetime) -> None:
    pg.execute(
        params,
        "insert into erp.orders (id, order_number, status, order_date,"
        " created_at, updated_at) values (%s, %s, 'confirmed', %s, %s, %s)",
        (order_id, f"SO-{order_id}", at, at, at),
    )
    pg.execute(
        params,
        "insert into erp.order_items (id, order_id, product_id,"
        " quantity, unit_price, created_at, updated_at)"
        " values (%s, %s, 1, %s, %s, %s, %s)",
        (order_id * 10, order_id, quantity, Decimal(unit_price), at, at),
    )


def _credits(params, order_id: int, credit_mode: str | None = None) -> list[tuple]:
    """(credit_mode, campaign_id, credited_qty, credited_revenue) of an order,
    in one credit mode or all."""
    return pg.query(
        params,
        "select credit_mode, campaign_id, credited_qty,"
        " credited_revenue from marts.fct_order_item_campaign_credits"
        " where order_id = %s and credit_mode = coalesce(%s, credit_mode)"
        " order by credit_mode, campaign_id",
        (order_id, credit_mode),
    )


def _change_sensor(params):
    """The change sensor as its code location loads it."""
    return support.definitions(params).get_sensor_def(
        "attribution_source_change_sensor"
    )


def _tick(sensor, params, cursor: str | None, instance: DagsterInstance):
    context = build_sensor_context(
        cursor=cursor,
        instance=instance,
        resources={"database": AttributionDatabase.from_params(params)},
        repository_def=support.definitions(params).get_repository_def(),
    )
    return sensor(context)


def test_sensor_starts_a_run_on_a_sale_and_credits_follow(fresh_db):
    sensor = _change_sensor(fresh_db)
    instance = DagsterInstance.ephemeral()
    _campaigns_targeting_product_a(fresh_db)
    _sell(fresh_db, 1, 3, "300.00", T0)

    first = _tick(sensor, fresh_db, None, instance)
    assert isinstance(first, SensorResult) and len(first.run_requests) == 1
    assert isinstance(first.run_requests[0], RunRequest)
    # nothing changed since: no run
    assert isinstance(_tick(sensor, fresh_db, first.cursor, instance), SkipReason)

    result = support.run_job(fresh_db, "attribution_incremental", instance=instance)
    assert result.success
    first_credits = _credits(fresh_db, 1)
    assert first_credits == [
        ("FULL", 3, Decimal("3.0000"), Decimal("900.00")),
        ("FULL", 7, Decimal("3.0000"), Decimal("900.00")),
        ("FULL", 9, Decimal("3.0000"), Decimal("900.00")),
        ("SPLIT", 3, Decimal("1.0000"), Decimal("300.00")),
        ("SPLIT", 7, Decimal("1.0000"), Decimal("300.00")),
        ("SPLIT", 9, Decimal("1.0000"), Decimal("300.00")),
    ]
    assert isinstance(_tick(sensor, fresh_db, first.cursor, instance), SkipReason)

    # a new sale: the sensor fires, and the next run credits it exactly
    _sell(fresh_db, 2, 1, "100.00", T0 + timedelta(hours=1))
    second = _tick(sensor, fresh_db, first.cursor, instance)
    assert isinstance(second, SensorResult) and len(second.run_requests) == 1
    assert second.run_requests[0].run_key != first.run_requests[0].run_key
    assert isinstance(_tick(sensor, fresh_db, second.cursor, instance), SkipReason)

    result = support.run_job(fresh_db, "attribution_incremental", instance=instance)
    assert result.success
    assert _credits(fresh_db, 2, "SPLIT") == [
        ("SPLIT", 3, Decimal("0.3334"), Decimal("33.34")),
        ("SPLIT", 7, Decimal("0.3333"), Decimal("33.33")),
        ("SPLIT", 9, Decimal("0.3333"), Decimal("33.33")),
    ]
    run = support.materialized(result)[CREDITS]
    assert run["full_build"] is False
    assert run["items_recomputed"] == 1
    assert run["rows_inserted"] == 6
    assert _credits(fresh_db, 1) == first_credits  # the first sale: untouched


def _run_requested(params, request: RunRequest, instance: DagsterInstance):
    """The run the daemon would launch for the sensor's request."""
    job = support.definitions(params).resolve_job_def("attribution_incremental")
    subset = job.get_subset(
        asset_selection=set(request.asset_selection or ()),
        asset_check_selection=set(request.asset_check_keys or ()),
    )
    return subset.execute_in_process(
        instance=instance, tags=request.tags, raise_on_error=False
    )


def test_sensor_runs_only_what_the_changed_sources_feed(fresh_db):
    sensor = _change_sensor(fresh_db)
    instance = DagsterInstance.ephemeral()
    _campaigns_targeting_product_a(fresh_db)
    _sell(fresh_db, 1, 3, "300.00", T0)

    first = _tick(sensor, fresh_db, None, instance)
    assert isinstance(first, SensorResult)
    (request,) = first.run_requests
    # nothing built yet: everything, the matching tables included
    assert AssetKey(["marts", "dim_campaigns"]) in request.asset_selection
    assert _run_requested(fresh_db, request, instance).success
    assert len(_credits(fresh_db, 1)) == 6
    idle = _tick(sensor, fresh_db, first.cursor, instance)
    assert isinstance(idle, SensorResult) and not idle.run_requests

    # a sale: the orders' part of the graph, not the campaigns' or products'
    _sell(fresh_db, 2, 1, "100.00", T0 + timedelta(hours=1))
    second = _tick(sensor, fresh_db, idle.cursor, instance)
    assert isinstance(second, SensorResult)
    (request,) = second.run_requests
    selected = {key.to_user_string() for key in request.asset_selection}
    assert CREDITS in selected and "snapshots/snap_erp__orders" in selected
    assert not selected & {
        "marts/dim_campaigns",
        "marts/dim_products",
        "intermediate/int_campaign_product_segments",
        "snapshots/snap_marketing__ad_campaigns",
    }, selected
    assert request.tags["attribution/changed"] == "orders"
    result = _run_requested(fresh_db, request, instance)
    assert result.success
    assert [row for row in _credits(fresh_db, 2) if row[0] == "SPLIT"] == [
        ("SPLIT", 3, Decimal("0.3334"), Decimal("33.34")),
        ("SPLIT", 7, Decimal("0.3333"), Decimal("33.33")),
        ("SPLIT", 9, Decimal("0.3333"), Decimal("33.33")),
    ]
    assert "marts/dim_campaigns" not in support.materialized(result)
    # the run succeeded: its marks are the new base, and nothing is left
    idle = _tick(sensor, fresh_db, second.cursor, instance)
    assert isinstance(idle, SensorResult) and not idle.run_requests
    assert "no change" in (idle.skip_reason.skip_message or "")


def test_sensor_waits_while_an_incremental_run_is_in_flight(fresh_db):
    sensor = _change_sensor(fresh_db)
    instance = DagsterInstance.ephemeral()
    job = support.definitions(fresh_db).resolve_job_def("attribution_incremental")
    instance.create_run_for_job(job, run_config={})  # NOT_STARTED
    tick = _tick(sensor, fresh_db, None, instance)
    assert isinstance(tick, SkipReason)
    assert "in flight" in (tick.skip_message or "")


class _Webhook(BaseHTTPRequestHandler):
    received: list[dict] = []

    def do_POST(self) -> None:  # noqa: N802 (the http.server API)
        length = int(self.headers["Content-Length"])
        type(self).received.append(json.loads(self.rfile.read(length)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def webhook() -> Iterator[tuple[str, list[dict]]]:
    received: list[dict] = []
    handler = type("Handler", (_Webhook,), {"received": received})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/alerts", received
    server.shutdown()
    server.server_close()


def test_a_failing_dbt_test_fails_its_check_and_the_run_and_alerts(
    built_db, webhook, monkeypatch
):
    url, received = webhook
    monkeypatch.setenv("ATTRIBUTION_ALERT_WEBHOOK_URL", url)
    # SPLIT credits that no longer add up to their item: the nightly job's
    # dbt test split_credits_add_up must catch it and fail the run
    pg.execute(
        built_db,
        "update marts.fct_order_item_campaign_credits set credited_revenue ="
        " credited_revenue + 0.01 where ctid = (select ctid from"
        " marts.fct_order_item_campaign_credits where credit_mode = 'SPLIT' limit 1)",
    )
    instance = DagsterInstance.ephemeral()
    result = support.run_job(built_db, "attribution_nightly", instance=instance)
    assert not result.success
    checks = support.check_results(result)
    failed = [
        name
        for (key, name), check in checks.items()
        if key == CREDITS and not check.passed
    ]
    assert any(name.startswith("split_credits_add_up") for name in failed)

    sensor = build_run_failure_alert_sensor(Settings.from_env())
    context = build_run_status_sensor_context(
        sensor_name=sensor.name,
        dagster_event=result.get_run_failure_event(),
        dagster_instance=instance,
        dagster_run=result.dagster_run,
        resources={"database": AttributionDatabase.from_params(built_db)},
    ).for_run_failure()
    sensor(context)

    stored = pg.query(
        built_db, "select severity, source, title, job_name, run_id from ops.alerts"
    )
    assert stored == [
        (
            "error",
            "run_failure",
            "attribution_nightly run failed",
            "attribution_nightly",
            result.run_id,
        )
    ]
    assert len(received) == 1
    assert received[0]["source"] == "run_failure"
    assert received[0]["run_id"] == result.run_id
    assert received[0]["details"]["failed_steps"]


def test_alerts_survive_an_unreachable_webhook(fresh_db):
    delivery = alerts.raise_alert(
        fresh_db,
        alerts.Alert(severity="warning", source="test", title="hello"),
        webhook_url="http://127.0.0.1:9/nothing-listens-here",
    )
    assert delivery.alert_id is not None and delivery.webhook_status is None
    assert pg.query(fresh_db, "select title from ops.alerts") == [("hello",)]
