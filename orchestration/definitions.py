"""Everything Dagster loads: ``dagster dev`` (pyproject.toml names this module).

Nothing is built at import time: ``defs`` is a ``@definitions`` function that
Dagster calls when it loads the code location. It reads the settings from
the environment once, prepares the dbt manifest, and builds the assets,
checks and jobs against it; the settings reach schedules and sensors as an
argument and ops and checks as the ``settings`` resource.
"""

from __future__ import annotations

from functools import cache

from dagster import Definitions, definitions

from orchestration.assets import build_dbt_assets, source_specs
from orchestration.checks.attribution import (
    build_nightly_checks,
    build_routine_checks,
)
from orchestration.checks.spend import build_spend_checks
from orchestration.jobs.asset_jobs import build_jobs
from orchestration.jobs.schedules import build_schedules
from orchestration.jobs.sensors import (
    build_run_failure_alert_sensor,
    build_source_change_sensor,
)
from orchestration.jobs.spend_inbox import build_spend_inbox_sensor, spend_inbox_load
from orchestration.nightly.full_refresh import build_full_refresh_comparison
from orchestration.nightly.lift import build_campaign_lift
from orchestration.operations.thresholds import (
    build_operations_sensor,
    build_recompute_budget_sensor,
)
from orchestration.project import build_project
from orchestration.resources import AttributionDatabase, build_resources
from orchestration.settings import Settings


def build_definitions(
    database: AttributionDatabase | None = None, settings: Settings | None = None
) -> Definitions:
    """The definitions against ``database`` (default: the project's database)."""
    settings = settings or Settings.from_env()
    project = build_project(settings)
    dbt_assets_def = build_dbt_assets(project)
    routine_checks = build_routine_checks(dbt_assets_def)
    nightly_checks = build_nightly_checks(dbt_assets_def, project)
    comparison = build_full_refresh_comparison(dbt_assets_def, project)
    campaign_lift = build_campaign_lift(dbt_assets_def)
    return Definitions(
        assets=[dbt_assets_def, comparison, campaign_lift, *source_specs(project)],
        asset_checks=[
            *routine_checks,
            *nightly_checks,
            *build_spend_checks(dbt_assets_def),
        ],
        jobs=[
            *build_jobs(
                settings,
                dbt_assets_def,
                routine_checks,
                nightly_checks,
                comparison,
                campaign_lift,
            ),
            spend_inbox_load,
        ],
        schedules=build_schedules(settings),
        sensors=[
            build_source_change_sensor(
                settings, project, dbt_assets_def, routine_checks
            ),
            build_run_failure_alert_sensor(settings),
            build_operations_sensor(settings),
            build_recompute_budget_sensor(settings),
            build_spend_inbox_sensor(settings),
        ],
        resources=build_resources(project, settings, database),
    )


@cache
def _loaded() -> Definitions:
    return build_definitions()


@definitions
def defs() -> Definitions:
    # Dagster may ask more than once per process; the manifest is prepared once
    return _loaded()
