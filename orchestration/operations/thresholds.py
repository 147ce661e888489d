"""Operations: runs no process owns, and the alert thresholds of the plan.

| alert (``ops.alerts.source``) | severity | when |
|---|---|---|
| orphaned_run | error | a STARTING/STARTED run's worker is gone: failed |
| queue_wait | warning | a run waited longer than one incremental interval |
| failed_runs | critical | more than 10 (setting) failed runs in an hour |
| credits_stale | warning | credits in marts older than the freshness limit |
| recompute_budget | warning | a recompute took more than 5 s per order |

Orphaned runs: orchestration/operations/runs.py.

``attribution_operations_sensor`` applies all of this every
ATTRIBUTION_OPERATIONS_INTERVAL_SECONDS (60); ``python -m demo.stack
up`` sweeps once before Dagster starts; ``attribution_recompute_budget``
times every successful recompute of orders.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from dagster import (
    DagsterInstance,
    DagsterRun,
    DagsterRunStatus,
    RunsFilter,
    RunStatusSensorContext,
    SensorDefinition,
    SensorEvaluationContext,
    SkipReason,
    run_status_sensor,
    sensor,
)
from dagster._utils.schedules import get_smallest_cron_interval

from orchestration import health, launch
from orchestration.operations import alerts
from orchestration.operations.runs import WAITING, Raise, fail_orphaned_runs
from orchestration.resources import AttributionDatabase
from orchestration.settings import Settings


def schedule_interval(settings: Settings) -> timedelta:
    """The incremental schedule's interval: how long work may wait to start."""
    return get_smallest_cron_interval(
        settings.incremental_cron, settings.schedule_timezone
    )


@dataclass
class State:
    """What was already alerted, so a lasting condition alerts once."""

    queued_alerted: list[str] = field(default_factory=list)
    failures_alerted_at: float | None = None
    stale_alerted: bool = False

    @classmethod
    def load(cls, cursor: str | None) -> State:
        return cls(**json.loads(cursor)) if cursor else cls()

    def dump(self) -> str:
        return json.dumps(self.__dict__, sort_keys=True)


@dataclass
class Tick:
    """One look of the operations sensor: what each check reads, the state it
    updates and where it raises its alerts."""

    instance: DagsterInstance
    db: AttributionDatabase
    settings: Settings
    state: State
    raise_: Raise
    now: float


def check_queue(tick: Tick) -> None:
    """Warns once per run that waited longer than one schedule interval."""
    state, now = tick.state, tick.now
    limit = schedule_interval(tick.settings).total_seconds()
    waiting = list(tick.instance.get_run_records(RunsFilter(statuses=WAITING)))
    late = [
        record
        for record in waiting
        if now - record.create_timestamp.timestamp() > limit
    ]
    new = [r for r in late if r.dagster_run.run_id not in state.queued_alerted]
    if new:
        oldest = min(record.create_timestamp.timestamp() for record in late)
        tick.raise_(
            alerts.Alert(
                severity="warning",
                source="queue_wait",
                title=f"{len(late)} run(s) waiting longer than the schedule interval",
                message=f"{len(waiting)} run(s) waiting, the oldest for"
                f" {(now - oldest) / 60:.1f} min (limit {limit / 60:.0f} min)",
                details={
                    "waiting": len(waiting),
                    "late_run_ids": [r.dagster_run.run_id for r in late],
                    "limit_seconds": limit,
                },
            )
        )
    state.queued_alerted = sorted(r.dagster_run.run_id for r in late)


def check_failures(tick: Tick) -> None:
    """Critical when more than the limit of runs failed in the past hour."""
    settings, state, now = tick.settings, tick.state, tick.now
    since = datetime.fromtimestamp(now - 3600, tz=UTC)
    failed = tick.instance.get_runs_count(
        RunsFilter(statuses=[DagsterRunStatus.FAILURE], updated_after=since)
    )
    recently = state.failures_alerted_at is not None and (
        now - state.failures_alerted_at < 3600
    )
    if failed > settings.failed_runs_per_hour and not recently:
        tick.raise_(
            alerts.Alert(
                severity="critical",
                source="failed_runs",
                title=f"{failed} failed runs in the past hour",
                message=f"more than {settings.failed_runs_per_hour} runs failed"
                " within an hour",
                details={"failed": failed, "limit": settings.failed_runs_per_hour},
            )
        )
        state.failures_alerted_at = now


def check_credits_age(tick: Tick) -> None:
    """Warns once when the credits in marts grow older than the limit."""
    limit = tick.settings.credits_max_age_minutes
    with tick.db.connect() as conn:
        age = health.credits_age_minutes(conn)
    stale = age is None or age > limit
    if stale and not tick.state.stale_alerted:
        tick.raise_(
            alerts.Alert(
                severity="warning",
                source="credits_stale",
                title="credits in marts are stale",
                message="no build of the credits recorded"
                if age is None
                else f"the credits were built {age:.1f} min ago (limit {limit} min)",
                details={
                    "age_minutes": None if age is None else round(age, 1),
                    "limit_minutes": limit,
                },
            )
        )
    tick.state.stale_alerted = stale


def operations_tick(
    instance: DagsterInstance,
    db: AttributionDatabase,
    settings: Settings,
    cursor: str | None,
    now: float | None = None,
) -> tuple[str, list[alerts.Alert]]:
    """One look at the runs and the marts: (the new cursor, alerts raised)."""
    now = time.time() if now is None else now
    raised: list[alerts.Alert] = []

    def raise_(alert: alerts.Alert) -> None:
        alerts.raise_alert(db.params(), alert, webhook_url=settings.alert_webhook_url)
        raised.append(alert)

    tick = Tick(instance, db, settings, State.load(cursor), raise_, now)
    fail_orphaned_runs(instance, raise_)
    for check in (check_queue, check_failures, check_credits_age):
        check(tick)
    return tick.state.dump(), raised


def build_operations_sensor(settings: Settings) -> SensorDefinition:
    @sensor(
        name="attribution_operations_sensor",
        minimum_interval_seconds=settings.operations_interval_seconds,
        default_status=settings.sensor_status,
        description="Fails runs whose worker is gone, and alerts on waiting work,"
        " failed runs per hour and stale credits.",
    )
    def attribution_operations_sensor(
        context: SensorEvaluationContext, database: AttributionDatabase
    ) -> SkipReason:
        cursor, raised = operations_tick(
            context.instance, database, settings, context.cursor
        )
        context.update_cursor(cursor)
        return SkipReason(
            "; ".join(alert.title for alert in raised) or "nothing to report"
        )

    return attribution_operations_sensor


def recomputed_orders(run: DagsterRun) -> list[int]:
    """The order ids in a recompute run's config."""
    return launch.requested_order_ids(run.run_config)


def recompute_budget_alert(
    instance: DagsterInstance, run: DagsterRun, settings: Settings
) -> alerts.Alert | None:
    """A warning when the run took longer than the budget per recomputed order."""
    record = instance.get_run_record_by_id(run.run_id)
    orders = recomputed_orders(run)
    if record is None or record.start_time is None or record.end_time is None:
        return None
    seconds = record.end_time - record.start_time
    budget = settings.recompute_order_budget_seconds * max(len(orders), 1)
    if seconds <= budget:
        return None
    return alerts.Alert(
        severity="warning",
        source="recompute_budget",
        title=f"recomputing {len(orders)} order(s) took {seconds:.1f} s",
        message=f"budget {settings.recompute_order_budget_seconds:g} s per order",
        job_name=run.job_name,
        run_id=run.run_id,
        details={"seconds": round(seconds, 2), "orders": orders, "budget": budget},
    )


def build_recompute_budget_sensor(settings: Settings) -> SensorDefinition:
    @run_status_sensor(
        name="attribution_recompute_budget",
        run_status=DagsterRunStatus.SUCCESS,
        default_status=settings.sensor_status,
        description="Warns when recomputing orders takes more than its budget.",
    )
    def attribution_recompute_budget(
        context: RunStatusSensorContext, database: AttributionDatabase
    ) -> None:
        # every job of the code location reaches this sensor: only recomputes
        if context.dagster_run.job_name != launch.RECOMPUTE_ORDER:
            return
        alert = recompute_budget_alert(context.instance, context.dagster_run, settings)
        if alert is not None:
            alerts.raise_alert(
                database.params(), alert, webhook_url=settings.alert_webhook_url
            )

    return attribution_recompute_budget
