"""The jobs' names and the run config that launches them: plain Python.

The one home of what Dagster and its callers must agree on. The definitions
(orchestration/jobs/asset_jobs.py, assets.py) take the names from here, and the app
(dashboard/dagster_runs.py) builds its recompute and backfill requests with
the functions below, without importing Dagster or reading the dbt manifest.
The config keys are the fields of ``assets.AttributionBuildConfig``;
tests/dashboard/test_dagster_runs.py validates these configs against the
real jobs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

INCREMENTAL = "attribution_incremental"
BACKFILL = "attribution_backfill"
RECOMPUTE_ORDER = "attribution_recompute_order"
NIGHTLY = "attribution_nightly"
MONITOR = "attribution_monitor"

# the op of the dbt assets: its config carries the recompute request
DBT_OP = "attribution_dbt_assets"


def build_config(**values: Any) -> dict[str, Any]:
    """Run config of the dbt assets' op (``AttributionBuildConfig``)."""
    return {"ops": {DBT_OP: {"config": values}}}


def recompute_orders_config(order_ids: Iterable[int]) -> dict[str, Any]:
    """attribution_recompute_order: recompute these orders' credits."""
    return build_config(order_ids=[int(order_id) for order_id in order_ids])


def backfill_config(start: str, end: str) -> dict[str, Any]:
    """attribution_backfill: recompute every sale in [start, end): ISO dates
    (reporting days) or timestamps (reporting time zone unless stated)."""
    return build_config(**{"from": start, "to": end})


def nightly_config() -> dict[str, Any]:
    """attribution_nightly: also compare every ERP order with its history."""
    return build_config(observe_all_orders=True)


def requested_order_ids(run_config: Mapping[str, Any] | None) -> list[int]:
    """The order ids a run was asked to recompute (none: an empty list)."""
    ops = (run_config or {}).get("ops", {})
    config = ops.get(DBT_OP, {}).get("config", {})
    return [int(order_id) for order_id in config.get("order_ids") or []]
