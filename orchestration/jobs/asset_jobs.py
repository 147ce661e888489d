"""The jobs the data team runs, each a selection of the dbt assets by tag.

* attribution_incremental: snapshots, then everything downstream; the facts
  recompute only the order items whose sources changed.
* attribution_backfill: the marts, recomputing every sale in [from, to)
  (run config); rows outside the range are not touched.
* attribution_recompute_order: the marts, recomputing the given order ids.
* attribution_nightly: everything with every test, source freshness, a full
  observation of the orders, a full refresh that must reproduce the
  incremental facts (orchestration/nightly/full_refresh.py, a step after the build), and
  the campaign lift estimates (orchestration/nightly/lift.py, after that).
* attribution_monitor: only the database checks (freshness, rate, bad rows,
  reconciliation), cheap enough to run often.

Every job runs its steps in the run's own process (in_process_executor): the
dbt build is one step and the checks are a few quick queries, so a process
per step (the multiprocess default) cost more than the work. The jobs that
run dbt carry a maximum run time (``dagster/max_runtime``, seconds) that the
daemon's run monitoring enforces (orchestration/operations/instance.py).

The names and run config live in orchestration/launch.py (the app launches
with them); the jobs are built when the definitions load (``build_jobs``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from dagster import (
    AssetChecksDefinition,
    AssetsDefinition,
    AssetSelection,
    define_asset_job,
    in_process_executor,
)
from dagster_dbt import build_dbt_asset_selection

from orchestration.assets import DBT_CONCURRENCY_TAG
from orchestration.jobs.changes import NIGHTLY_TESTS
from orchestration.launch import (
    BACKFILL,
    INCREMENTAL,
    MONITOR,
    NIGHTLY,
    RECOMPUTE_ORDER,
    backfill_config,
    nightly_config,
    recompute_orders_config,
)
from orchestration.settings import Settings

if TYPE_CHECKING:  # what define_asset_job returns; not exported by dagster
    from dagster._core.definitions.unresolved_asset_job_definition import (
        UnresolvedAssetJobDefinition,
    )

# dbt tests tagged `nightly` scan whole views or facts: nightly only
# Dagster's run tag (seconds) that run monitoring enforces
MAX_RUNTIME_TAG = "dagster/max_runtime"


def dbt_job_tags(max_runtime_minutes: int) -> dict[str, str]:
    """One dbt build at a time, failed by run monitoring when it runs too long."""
    return {**DBT_CONCURRENCY_TAG, MAX_RUNTIME_TAG: str(max_runtime_minutes * 60)}


def build_jobs(
    settings: Settings,
    dbt_assets_def: AssetsDefinition,
    routine_checks: Sequence[AssetChecksDefinition],
    nightly_checks: Sequence[AssetChecksDefinition],
    full_refresh_comparison: AssetsDefinition,
    campaign_lift: AssetsDefinition,
) -> list[UnresolvedAssetJobDefinition]:
    routine = AssetSelection.checks(*routine_checks)
    nightly_only = AssetSelection.checks(*nightly_checks)
    # selecting an asset selects its checks: the nightly ones only run nightly
    everything = (
        build_dbt_asset_selection([dbt_assets_def], dbt_exclude=NIGHTLY_TESTS)
        - nightly_only
    )
    marts = (
        build_dbt_asset_selection(
            [dbt_assets_def], dbt_select="tag:marts", dbt_exclude=NIGHTLY_TESTS
        )
        - nightly_only
    )
    frequent_tags = dbt_job_tags(settings.max_runtime_minutes)
    return [
        define_asset_job(
            INCREMENTAL,
            selection=everything | routine,
            description="Snapshot the sources and build everything downstream"
            " incrementally, with tests and health checks.",
            tags=frequent_tags,
            executor_def=in_process_executor,
        ),
        define_asset_job(
            BACKFILL,
            selection=marts | routine,
            description="Recompute the credits of every sale in [from, to) (ISO"
            " dates or timestamps; a date is a reporting day, a timestamp is in"
            " the reporting time zone unless stated); nothing outside the range"
            " changes.",
            config=backfill_config("2024-01-01", "2024-01-02"),
            tags=frequent_tags,
            executor_def=in_process_executor,
        ),
        define_asset_job(
            RECOMPUTE_ORDER,
            selection=marts | routine,
            description="Recompute one order's credits (run config order_ids: [<id>]).",
            config=recompute_orders_config([0]),
            tags=frequent_tags,
            executor_def=in_process_executor,
        ),
        define_asset_job(
            NIGHTLY,
            selection=build_dbt_asset_selection([dbt_assets_def])
            | routine
            | nightly_only
            | AssetSelection.assets(full_refresh_comparison, campaign_lift),
            description="Full test suite, source freshness, a full observation of"
            " the orders (hard deletes, anything the lookback missed), a full"
            " refresh that must reproduce the incremental facts, and what each"
            " campaign caused (the lift estimates).",
            config=nightly_config(),
            tags=dbt_job_tags(settings.nightly_max_runtime_minutes),
            executor_def=in_process_executor,
        ),
        define_asset_job(
            MONITOR,
            selection=routine,
            description="The database health checks alone: no dbt build.",
            executor_def=in_process_executor,
        ),
    ]
