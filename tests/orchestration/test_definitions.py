"""The definitions load, and each job selects what it should."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from dagster import AssetKey, Definitions, Failure

from orchestration import assets, launch
from orchestration.assets import AttributionBuildConfig, dbt_vars
from orchestration.definitions import build_definitions
from orchestration.settings import Settings

JOBS = {
    "attribution_incremental",
    "attribution_backfill",
    "attribution_recompute_order",
    "attribution_nightly",
    "attribution_monitor",
}


@pytest.fixture(scope="module")
def defs() -> Definitions:
    from orchestration.definitions import defs

    loaded = defs()
    Definitions.validate_loadable(loaded)
    return loaded


def test_definitions_load_with_every_job_schedule_and_sensor(defs):
    repository = defs.get_repository_def()
    assert set(repository.job_names) >= JOBS
    assert {schedule.name for schedule in repository.schedule_defs} == {
        "attribution_incremental_schedule",
        "attribution_nightly_schedule",
        "attribution_monitor_schedule",
    }
    assert {sensor.name for sensor in repository.sensor_defs} == {
        "attribution_source_change_sensor",
        "attribution_run_failure_alert",
        "attribution_operations_sensor",
        "attribution_recompute_budget",
        "spend_inbox_sensor",
    }


def test_steps_run_in_the_run_process_and_dbt_runs_have_a_time_limit(defs):
    for name in JOBS:
        job = defs.resolve_job_def(name)
        # a process per check step cost more than the checks
        assert job.executor_def.name == "in_process"
        if name != "attribution_monitor":
            assert job.tags["attribution/dbt"] == "build"
            assert int(job.tags["dagster/max_runtime"]) >= 60 * 60


def test_every_check_is_on_an_asset_of_the_project(defs):
    graph = defs.resolve_asset_graph()
    asset_keys = graph.get_all_asset_keys()
    check_keys = graph.asset_check_keys
    assert check_keys, "no asset checks"
    assert {key.asset_key for key in check_keys} <= asset_keys
    names = {(key.asset_key.to_user_string(), key.name) for key in check_keys}
    credits = "marts/fct_order_item_campaign_credits"
    health = "marts/agg_attribution_health_daily"
    for expected in [
        ("marts/agg_campaign_daily", "split_credits_reconcile"),
        (credits, "credits_fresh"),
        (credits, "full_refresh_matches_incremental"),
        ("marts/fct_order_item_attribution", "full_refresh_matches_incremental"),
        (health, "attribution_rate"),
        (health, "bad_source_rows"),
        ("marts/fct_campaign_budget_pacing", "budget_pacing"),
        ("intermediate/int_campaign_spend_daily", "spend_matches_campaigns"),
        ("erp/orders", "source_freshness"),
        ("measurement/lift_estimates", "pre_trend"),
    ]:
        assert expected in names
    # dbt tests arrive as checks too
    assert any(name.startswith("split_credits_add_up") for _, name in names)


def _selected(defs: Definitions, job_name: str) -> set[str]:
    job = defs.resolve_job_def(job_name)
    return {key.to_user_string() for key in job.asset_layer.selected_asset_keys}


def test_jobs_select_by_dbt_tag(defs):
    incremental = _selected(defs, "attribution_incremental")
    assert "snapshots/snap_erp__orders" in incremental
    assert "marts/fct_order_item_campaign_credits" in incremental
    for name in ("attribution_backfill", "attribution_recompute_order"):
        selected = _selected(defs, name)
        assert "marts/fct_order_item_campaign_credits" in selected
        assert not any(key.startswith(("snapshots/", "staging/")) for key in selected)
    assert _selected(defs, "attribution_monitor") == set()


def test_schedules_follow_the_environment(monkeypatch):
    monkeypatch.setenv("ATTRIBUTION_INCREMENTAL_CRON", "*/5 * * * *")
    monkeypatch.setenv("ATTRIBUTION_AUTOMATION", "stopped")
    repository = build_definitions(settings=Settings.from_env()).get_repository_def()
    schedule = repository.get_schedule_def("attribution_incremental_schedule")
    assert schedule.cron_schedule == "*/5 * * * *"
    assert schedule.default_status.value == "STOPPED"


def test_run_config_becomes_dbt_vars():
    config = AttributionBuildConfig(**{"from": "2026-01-01", "to": "2026-01-02T06:00"})
    assert dbt_vars(config) == {
        "recompute_from": "2026-01-01T00:00:00+00:00",
        "recompute_to": "2026-01-02T06:00:00+00:00",
    }
    assert dbt_vars(AttributionBuildConfig(order_ids=[7, 3, 7])) == {
        "recompute_order_ids": [3, 7]
    }
    assert dbt_vars(AttributionBuildConfig()) == {}
    for bad in (
        {"from": "2026-01-02", "to": "2026-01-01"},
        {"from": "2026-01-01"},
        {"from": "yesterday", "to": "2026-01-01"},
    ):
        with pytest.raises(Failure):
            dbt_vars(AttributionBuildConfig(**bad))


def test_model_keys_are_the_dbt_assets_keys(defs):
    dbt_assets_def = defs.get_assets_def(
        AssetKey(["marts", "fct_order_item_campaign_credits"])
    )
    assert dbt_assets_def.op.name == launch.DBT_OP
    assert assets.model_key(
        dbt_assets_def, "fct_order_item_campaign_credits"
    ) == AssetKey(["marts", "fct_order_item_campaign_credits"])


def test_tests_tagged_nightly_run_only_in_the_nightly_job(defs):
    def check_names(job_name: str) -> set[str]:
        graph = defs.resolve_job_def(job_name).asset_layer.asset_graph
        return {key.name for spec in graph.assets_defs for key in spec.check_keys}

    nightly = check_names("attribution_nightly")
    incremental = check_names("attribution_incremental")
    only_nightly = nightly - incremental
    assert "full_refresh_matches_incremental" in only_nightly
    assert "source_freshness" in only_nightly
    assert "unique_int_order_items_evaluated_order_item_id" in only_nightly
    assert incremental <= nightly
    assert "split_credits_reconcile" in incremental
    # item by item over both whole facts: not on the frequent path
    assert "split_credits_add_up_fct_order_item_campaign_credits_" in only_nightly


def test_the_full_refresh_is_a_nightly_step_and_checks_build_nothing(defs):
    comparison = "ops/full_refresh_comparison"
    assert comparison in _selected(defs, "attribution_nightly")
    for name in JOBS - {"attribution_nightly"}:
        assert comparison not in _selected(defs, name)
    graph = defs.resolve_asset_graph()
    full_refresh = [
        key
        for key in graph.asset_check_keys
        if key.name == "full_refresh_matches_incremental"
    ]
    assert full_refresh
    # dbt is the one resource that builds: no check of ours may hold it, save
    # source freshness (which only reads the sources)
    seen = set()
    for checks_def in graph.assets_defs:
        if not checks_def.check_keys or checks_def.keys:
            continue
        names = {key.name for key in checks_def.check_keys}
        seen |= names
        if names != {"source_freshness"}:
            assert "dbt" not in checks_def.required_resource_keys, names
    assert {"full_refresh_matches_incremental", "credits_fresh"} <= seen


def test_the_lift_estimate_runs_nightly_after_the_marts_it_reads(defs):
    lift = "measurement/lift_estimates"
    assert lift in _selected(defs, "attribution_nightly")
    for name in JOBS - {"attribution_nightly"}:
        assert lift not in _selected(defs, name)
    graph = defs.resolve_asset_graph()
    parents = {
        key.to_user_string()
        for key in graph.get(AssetKey(["measurement", "lift_estimates"])).parent_keys
    }
    assert parents == {
        "marts/agg_product_sales_daily",
        "marts/fct_campaign_product_windows",
        "marts/dim_campaigns",
        "marts/agg_campaign_daily",
        "ops/full_refresh_comparison",
    }


IMPORT_EVERYTHING = """
import importlib, pkgutil, sys
opened = []
sys.addaudithook(
    lambda event, args: opened.append(str(args[0]))
    if event == "open" and str(args[0]).endswith("manifest.json")
    else None
)
import dashboard.dagster_runs
app_imports_dagster = "dagster" in sys.modules
import orchestration
for module in pkgutil.walk_packages(orchestration.__path__, "orchestration."):
    importlib.import_module(module.name)
print(app_imports_dagster, opened)
"""


def test_importing_the_modules_reads_no_manifest_and_the_app_needs_no_dagster(
    tmp_path,
):
    target = tmp_path / "dagster-target"
    env = {**os.environ, "ATTRIBUTION_DBT_TARGET_PATH": str(target)}
    done = subprocess.run(
        [sys.executable, "-c", IMPORT_EVERYTHING],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    assert done.stdout.strip() == "False []"
    assert not target.exists()  # no `dbt parse` either
