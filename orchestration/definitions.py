"""Everything Dagster loads: ``dagster dev -m orchestration.definitions``."""

from __future__ import annotations

from dagster import Definitions

from orchestration import checks, jobs, operations, spend_checks, spend_inbox
from orchestration.assets import attribution_dbt_assets, source_specs
from orchestration.resources import AttributionDatabase, build_resources
from orchestration.schedules import build_schedules
from orchestration.sensors import (
    build_run_failure_alert_sensor,
    build_source_change_sensor,
)
from orchestration.settings import Settings


def build_definitions(
    database: AttributionDatabase | None = None, settings: Settings | None = None
) -> Definitions:
    """The definitions against ``database`` (default: the project's database)."""
    settings = settings or Settings.from_env()
    return Definitions(
        assets=[attribution_dbt_assets, *source_specs()],
        asset_checks=[*checks.ALL_CHECKS, *spend_checks.SPEND_CHECKS],
        jobs=[*jobs.ALL_JOBS, spend_inbox.spend_inbox_load],
        schedules=build_schedules(settings),
        sensors=[
            build_source_change_sensor(settings),
            build_run_failure_alert_sensor(settings),
            operations.build_operations_sensor(settings),
            operations.build_recompute_budget_sensor(settings),
            spend_inbox.build_spend_inbox_sensor(settings),
        ],
        resources=build_resources(database),
    )


defs = build_definitions()
