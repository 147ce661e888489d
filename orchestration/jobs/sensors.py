"""Sensors: run attribution_incremental when the sources change; alert on failure.

The change sensor asks the incremental engine's observations what they
have pending (orchestration/jobs/changes.py: their ``__pending`` views, which
read the orders through their updated_at index and the small tables in
full), and compares the reporting date and the project's files with the
last successful run it started. When a group is due, it starts
``attribution_incremental`` on the part of the graph those sources feed
(with its dbt tests, not the nightly ones, and the routine checks); when
none is, it starts nothing. While an incremental run is queued or in flight
it waits. The groups of a run that fails are selected again at the next
tick, whatever it had observed. Hard deletes and changes later than the
orders' lookback are the nightly job's to repair.
"""

import json
from collections.abc import Mapping, Sequence
from typing import Any

from dagster import (
    AssetCheckKey,
    AssetChecksDefinition,
    AssetKey,
    AssetsDefinition,
    AssetSelection,
    DagsterRunStatus,
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
from dagster_dbt import DbtProject, build_dbt_asset_selection

from orchestration.jobs import changes
from orchestration.launch import INCREMENTAL
from orchestration.operations import alerts
from orchestration.operations.runs import IN_FLIGHT, ORPHANED_TAG
from orchestration.project import read_manifest
from orchestration.resources import AttributionDatabase
from orchestration.settings import Settings

# the marks a run was started for (changes.digest), to find it again
MARKS_TAG = "attribution/marks"
CHANGED_TAG = "attribution/changed"


def source_marks(db: AttributionDatabase) -> changes.Marks:
    with db.connect() as conn:
        return changes.source_marks(conn)


def frequent_run_selection(
    changed: list[str],
    context: SensorEvaluationContext,
    dbt_assets_def: AssetsDefinition,
    routine_checks: Sequence[AssetChecksDefinition],
    manifest: Mapping[str, Any],
) -> tuple[list[AssetKey], list[AssetCheckKey]]:
    """The assets and checks of the frequent run after these source changes:
    the dbt selection of changes.frequent_selection, and the routine checks."""
    if context.repository_def is None:
        raise RuntimeError("the change sensor runs inside its code location")
    asset_graph = context.repository_def.asset_graph
    select, exclude = changes.frequent_selection(changed, manifest)
    dbt = build_dbt_asset_selection(
        [dbt_assets_def],
        dbt_select=" ".join(select),
        dbt_exclude=" ".join(exclude),
    )
    routine = AssetSelection.checks(*routine_checks)
    assets = sorted(dbt.resolve(asset_graph), key=lambda key: key.to_user_string())
    check_keys = dbt.resolve_checks(asset_graph) | routine.resolve_checks(asset_graph)
    return assets, sorted(check_keys, key=lambda key: key.to_user_string())


def _succeeded(context: SensorEvaluationContext, marks_digest: str) -> bool | None:
    """Whether the run started for these marks succeeded; None: not found."""
    records = context.instance.get_run_records(
        RunsFilter(job_name=INCREMENTAL, tags={MARKS_TAG: marks_digest}), limit=1
    )
    if not records:
        return None
    return records[0].dagster_run.status == DagsterRunStatus.SUCCESS


def build_source_change_sensor(
    settings: Settings,
    project: DbtProject,
    dbt_assets_def: AssetsDefinition,
    routine_checks: Sequence[AssetChecksDefinition],
) -> SensorDefinition:
    @sensor(
        name="attribution_source_change_sensor",
        job_name=INCREMENTAL,
        minimum_interval_seconds=settings.sensor_interval_seconds,
        default_status=settings.sensor_status,
        description="Starts attribution_incremental on what the changed ERP"
        " orders, products, campaigns or spend feed.",
    )
    def attribution_source_change_sensor(
        context: SensorEvaluationContext, database: AttributionDatabase
    ) -> SensorResult | SkipReason:
        in_flight = context.instance.get_run_records(
            RunsFilter(job_name=INCREMENTAL, statuses=IN_FLIGHT), limit=1
        )
        if in_flight:
            return SkipReason("an incremental run is in flight; looking again later")
        state = json.loads(context.cursor) if context.cursor else {}
        base, pending = state.get("base"), state.get("pending")
        retry = list(state.get("retry", []))
        attempt = int(state.get("attempt", 0))
        after = source_marks(database)
        if pending is not None:
            succeeded = _succeeded(context, changes.digest(pending))
            if succeeded:
                base, pending, retry, attempt = pending, None, [], 0
            elif succeeded is False:
                # failed or cancelled: its groups are selected again, also
                # when it observed their changes before failing
                retry = sorted(set(retry) | set(changes.changed_groups(base, pending)))
                pending, attempt = None, attempt + 1
            elif changes.covered(pending, after):
                return SkipReason("a run was requested for these changes")
        changed = sorted(set(changes.changed_groups(base, after)) | set(retry))
        if not changed:
            return SensorResult(
                skip_reason=SkipReason("no change in the sources"),
                cursor=json.dumps({"base": base, "attempt": attempt}),
            )
        assets, check_keys = frequent_run_selection(
            changed, context, dbt_assets_def, routine_checks, read_manifest(project)
        )
        marks_digest = changes.digest(after)
        return SensorResult(
            run_requests=[
                RunRequest(
                    run_key=f"{changes.digest(base or {})}-{marks_digest}-{attempt}",
                    asset_selection=assets,
                    asset_check_keys=check_keys,
                    tags={
                        MARKS_TAG: marks_digest,
                        CHANGED_TAG: ",".join(changed)[:200],
                    },
                )
            ],
            cursor=json.dumps(
                {"base": base, "pending": after, "retry": retry, "attempt": attempt}
            ),
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
