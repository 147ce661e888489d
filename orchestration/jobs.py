"""The jobs the data team runs, each a selection of the dbt assets by tag.

* attribution_incremental: snapshots, then everything downstream; the facts
  recompute only the order items whose sources changed.
* attribution_backfill: the marts, recomputing every sale in [from, to)
  (run config); rows outside the range are not touched.
* attribution_recompute_order: the marts, recomputing the given order ids.
* attribution_nightly: everything with every test, source freshness, a full
  observation of the orders, and a full refresh that must reproduce the
  incremental facts.
* attribution_monitor: only the database checks (freshness, rate, bad rows,
  reconciliation), cheap enough to run often.

Every job runs its steps in the run's own process (in_process_executor): the
dbt build is one step and the checks are a few quick queries, so a process
per step (the multiprocess default) cost more than the work. The jobs that
run dbt carry a maximum run time (``dagster/max_runtime``, seconds) that the
daemon's run monitoring enforces (orchestration/instance.py).
"""

from __future__ import annotations

from typing import Any

from dagster import AssetSelection, define_asset_job, in_process_executor
from dagster_dbt import build_dbt_asset_selection

from orchestration import checks
from orchestration.assets import DBT_CONCURRENCY_TAG, attribution_dbt_assets
from orchestration.settings import Settings

INCREMENTAL = "attribution_incremental"
BACKFILL = "attribution_backfill"
RECOMPUTE_ORDER = "attribution_recompute_order"
NIGHTLY = "attribution_nightly"
MONITOR = "attribution_monitor"

_OP = attribution_dbt_assets.op.name

routine_checks = AssetSelection.checks(*checks.ROUTINE_CHECKS)
nightly_checks = AssetSelection.checks(*checks.NIGHTLY_CHECKS)
# dbt tests tagged `nightly` scan whole views or facts: nightly only
NIGHTLY_TESTS = "tag:nightly"
# selecting an asset selects its checks: the nightly ones only run nightly
everything = (
    build_dbt_asset_selection([attribution_dbt_assets], dbt_exclude=NIGHTLY_TESTS)
    - nightly_checks
)
marts = (
    build_dbt_asset_selection(
        [attribution_dbt_assets], dbt_select="tag:marts", dbt_exclude=NIGHTLY_TESTS
    )
    - nightly_checks
)


# Dagster's run tag (seconds) that run monitoring enforces
MAX_RUNTIME_TAG = "dagster/max_runtime"


def dbt_job_tags(max_runtime_minutes: int) -> dict[str, str]:
    """One dbt build at a time, failed by run monitoring when it runs too long."""
    return {**DBT_CONCURRENCY_TAG, MAX_RUNTIME_TAG: str(max_runtime_minutes * 60)}


_settings = Settings.from_env()
FREQUENT_TAGS = dbt_job_tags(_settings.max_runtime_minutes)
NIGHTLY_TAGS = dbt_job_tags(_settings.nightly_max_runtime_minutes)


def build_config(**values: Any) -> dict[str, Any]:
    """Run config of the dbt assets' op (AttributionBuildConfig)."""
    return {"ops": {_OP: {"config": values}}}


attribution_incremental = define_asset_job(
    INCREMENTAL,
    selection=everything | routine_checks,
    description="Snapshot the sources and build everything downstream"
    " incrementally, with tests and health checks.",
    tags=FREQUENT_TAGS,
    executor_def=in_process_executor,
)

attribution_backfill = define_asset_job(
    BACKFILL,
    selection=marts | routine_checks,
    description="Recompute the credits of every sale in [from, to) (ISO dates or"
    " timestamps, UTC unless stated); nothing outside the range changes.",
    config=build_config(**{"from": "2024-01-01", "to": "2024-01-02"}),
    tags=FREQUENT_TAGS,
    executor_def=in_process_executor,
)

attribution_recompute_order = define_asset_job(
    RECOMPUTE_ORDER,
    selection=marts | routine_checks,
    description="Recompute one order's credits (run config order_ids: [<id>]).",
    config=build_config(order_ids=[0]),
    tags=FREQUENT_TAGS,
    executor_def=in_process_executor,
)

attribution_nightly = define_asset_job(
    NIGHTLY,
    selection=build_dbt_asset_selection([attribution_dbt_assets])
    | routine_checks
    | nightly_checks,
    description="Full test suite, source freshness, a full observation of the"
    " orders (hard deletes, anything the lookback missed), and a full refresh"
    " that must reproduce the incremental facts.",
    config=build_config(observe_all_orders=True),
    tags=NIGHTLY_TAGS,
    executor_def=in_process_executor,
)

attribution_monitor = define_asset_job(
    MONITOR,
    selection=routine_checks,
    description="The database health checks alone: no dbt build.",
    executor_def=in_process_executor,
)

ALL_JOBS = (
    attribution_incremental,
    attribution_backfill,
    attribution_recompute_order,
    attribution_nightly,
    attribution_monitor,
)
