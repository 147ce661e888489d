"""Sensors: run attribution_incremental when the sources change; alert on failure.

The change sensor compares a cheap fingerprint of the ERP orders and the
marketing tables (counts, max ids, max updated_at) with the one in its
cursor: new or edited orders, items, costs, campaigns, targeting or status
events start a run; an unchanged fingerprint starts nothing. While an
incremental run is queued or in flight it waits, keeping its old cursor, so
changes that run may have missed start the next one.
"""

import hashlib
import json

from dagster import (
    RunFailureSensorContext,
    RunRequest,
    RunsFilter,
    SensorDefinition,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    run_failure_sensor,
    sensor,
)

from orchestration import alerts
from orchestration.launch import INCREMENTAL
from orchestration.resources import AttributionDatabase
from orchestration.runs import IN_FLIGHT, ORPHANED_TAG
from orchestration.settings import Settings

FINGERPRINT_SQL = """
select
    (select count(*) from erp.orders) as orders,
    (select max(id) from erp.orders) as max_order_id,
    (select max(updated_at) from erp.orders) as orders_updated_at,
    (select count(*) from erp.order_items) as order_items,
    (select max(updated_at) from erp.order_items) as order_items_updated_at,
    (select max(updated_at) from erp.products) as products_updated_at,
    (select count(*) from marketing.ad_campaigns) as campaigns,
    (select max(updated_at) from marketing.ad_campaigns) as campaigns_updated_at,
    (select count(*) from marketing.ad_campaign_products) as targets,
    (select max(updated_at) from marketing.ad_campaign_products)
        as targets_updated_at,
    (select count(*) from marketing.ad_campaign_status_events) as status_events,
    (select max(id) from marketing.ad_campaign_status_events) as max_status_event_id,
    (select count(*) from marketing.ad_spend_daily) as spend_days,
    (select max(loaded_at) from marketing.ad_spend_daily) as spend_loaded_at
"""


def source_fingerprint(db: AttributionDatabase) -> dict[str, str | None]:
    with db.connect() as conn:
        cursor = conn.execute(FINGERPRINT_SQL)
        row = cursor.fetchone()
        names = [column.name for column in cursor.description or []]
    assert row is not None
    return {
        name: None if value is None else str(value)
        for name, value in zip(names, row, strict=True)
    }


def _changed(before: dict[str, str | None], after: dict[str, str | None]) -> list[str]:
    return sorted(key for key in after if before.get(key) != after[key])


def build_source_change_sensor(settings: Settings) -> SensorDefinition:
    @sensor(
        name="attribution_source_change_sensor",
        job_name=INCREMENTAL,
        minimum_interval_seconds=settings.sensor_interval_seconds,
        default_status=settings.sensor_status,
        description="Starts attribution_incremental when ERP orders, campaigns or"
        " spend change.",
    )
    def attribution_source_change_sensor(
        context: SensorEvaluationContext, database: AttributionDatabase
    ) -> SensorResult | SkipReason:
        before = json.loads(context.cursor) if context.cursor else None
        after = source_fingerprint(database)
        if before == after:
            return SkipReason("no change in the ERP orders or the campaigns")
        in_flight = context.instance.get_run_records(
            RunsFilter(job_name=INCREMENTAL, statuses=IN_FLIGHT), limit=1
        )
        if in_flight:
            return SkipReason("an incremental run is in flight; looking again later")
        changed = _changed(before or {}, after)
        serialized = json.dumps(after, sort_keys=True)
        return SensorResult(
            run_requests=[
                RunRequest(
                    run_key=hashlib.sha256(serialized.encode()).hexdigest()[:20],
                    tags={"attribution/changed": ",".join(changed)[:200]},
                )
            ],
            cursor=serialized,
        )

    return attribution_source_change_sensor


def build_run_failure_alert_sensor(settings: Settings) -> SensorDefinition:
    @run_failure_sensor(
        name="attribution_run_failure_alert",
        default_status=settings.sensor_status,
        description="Writes an alert (log, ops.alerts, webhook) for every failed run.",
    )
    def attribution_run_failure_alert(
        context: RunFailureSensorContext, database: AttributionDatabase
    ) -> None:
        run = context.dagster_run
        if run.tags.get(ORPHANED_TAG):
            return  # failed and alerted by the operations sensor
        steps = [
            {
                "step": event.step_key,
                "error": (
                    event.event_specific_data.error.message
                    if event.event_specific_data and event.event_specific_data.error
                    else None
                ),
            }
            for event in context.get_step_failure_events()
        ]
        alerts.raise_alert(
            database.params(),
            alerts.Alert(
                severity="error",
                source="run_failure",
                title=f"{run.job_name} run failed",
                message=context.failure_event.message or "",
                job_name=run.job_name,
                run_id=run.run_id,
                details={"failed_steps": steps, "tags": dict(run.tags)},
            ),
            webhook_url=settings.alert_webhook_url,
        )

    return attribution_run_failure_alert
