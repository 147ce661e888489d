"""Asset checks beyond the dbt tests (which dagster-dbt turns into checks).

| check | on | severity |
|---|---|---|
| source_freshness | dbt sources with a freshness rule | dbt's WARN/ERROR; nightly |
| credits_fresh | fct_order_item_campaign_credits | WARN |
| split_credits_reconcile | agg_campaign_daily, by sale day | ERROR (+ alert) |
| attribution_rate | agg_attribution_health_daily | WARN |
| bad_source_rows | agg_attribution_health_daily | WARN |
| full_refresh_matches_incremental | each incremental fact | ERROR (+ alert); nightly |
| pre_trend | measurement/lift_estimates (nightly/lift.py) | WARN; nightly |

Checks only observe: they read the database, dbt's source freshness, or
what the nightly full refresh (orchestration/nightly/full_refresh.py, a step of its own)
recorded; none of them builds anything. Thresholds come from the ``settings``
resource (orchestration/settings.py). The checks are built against the dbt
assets when the definitions load (``build_routine_checks``,
``build_nightly_checks``).
"""

from collections.abc import Iterator, Sequence

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetsDefinition,
    MetadataValue,
    ResourceParam,
    asset_check,
    multi_asset_check,
)
from dagster_dbt import DbtProject

from orchestration import health
from orchestration.assets import DB_RETRY_POLICY, model_key, source_keys_with_freshness
from orchestration.nightly import comparison
from orchestration.nightly.full_refresh import COMPARISON
from orchestration.nightly.lift import LIFT
from orchestration.operations import alerts
from orchestration.project import read_manifest
from orchestration.resources import AttributionDatabase, AttributionDbt
from orchestration.settings import Settings


def _alert_on_failure(
    context: AssetCheckExecutionContext,
    db: AttributionDatabase,
    settings: Settings,
    result: AssetCheckResult,
    title: str,
) -> AssetCheckResult:
    if not result.passed and result.severity == AssetCheckSeverity.ERROR:
        alerts.raise_alert(
            db.params(),
            alerts.Alert(
                severity="error",
                source=f"check:{result.check_name}",
                title=title,
                message=result.description or "",
                job_name=context.run.job_name,
                run_id=context.run.run_id,
                details={
                    key: getattr(value, "value", value)
                    for key, value in (result.metadata or {}).items()
                },
            ),
            webhook_url=settings.alert_webhook_url,
        )
    return result


def build_routine_checks(
    dbt_assets_def: AssetsDefinition,
) -> Sequence[AssetChecksDefinition]:
    """The checks every job that builds the marts runs (and the monitor job)."""
    credits_key = model_key(dbt_assets_def, health.CREDITS)
    health_key = model_key(dbt_assets_def, health.HEALTH)

    @asset_check(
        asset=credits_key,
        description="The credit fact was built recently.",
        retry_policy=DB_RETRY_POLICY,
    )
    def credits_fresh(
        database: AttributionDatabase, settings: ResourceParam[Settings]
    ) -> AssetCheckResult:
        limit = settings.credits_max_age_minutes
        with database.connect() as conn:
            age = health.credits_age_minutes(conn)
        return AssetCheckResult(
            passed=age is not None and age <= limit,
            severity=AssetCheckSeverity.WARN,
            description=(
                "never built"
                if age is None
                else f"built {age:.1f} min ago (limit {limit})"
            ),
            metadata={
                "age_minutes": round(age, 1) if age is not None else None,
                "max_age_minutes": limit,
            },
        )

    @asset_check(
        asset=model_key(dbt_assets_def, health.CAMPAIGN_DAILY),
        additional_deps=[health_key],
        description="Non-reversed SPLIT credits sum to the revenue of the non-reversed"
        " attributed items, sale day by sale day (the daily marts; item by item:"
        " the nightly dbt test split_credits_add_up).",
        retry_policy=DB_RETRY_POLICY,
    )
    def split_credits_reconcile(
        context: AssetCheckExecutionContext,
        database: AttributionDatabase,
        settings: ResourceParam[Settings],
    ) -> AssetCheckResult:
        with database.connect() as conn:
            figures = health.reconciliation(conn)
        passed = figures.difference == 0 and figures.days_off == 0
        result = AssetCheckResult(
            check_name="split_credits_reconcile",
            passed=passed,
            severity=AssetCheckSeverity.ERROR,
            description=None
            if passed
            else (
                f"{figures.days_off} sale days off; SPLIT credits"
                f" {figures.split_credited_revenue} vs attributed revenue"
                f" {figures.attributed_item_revenue}"
            ),
            metadata={
                "split_credited_revenue": float(figures.split_credited_revenue),
                "attributed_item_revenue": float(figures.attributed_item_revenue),
                "difference": float(figures.difference),
                "sale_days_off": figures.days_off,
            },
        )
        return _alert_on_failure(
            context,
            database,
            settings,
            result,
            "SPLIT credits do not reconcile with item revenue",
        )

    @asset_check(
        asset=health_key,
        description="Attributed / total revenue over the latest sale days, warning"
        " below ATTRIBUTION_RATE_WARN_BELOW (default 50 %).",
        retry_policy=DB_RETRY_POLICY,
    )
    def attribution_rate(
        database: AttributionDatabase, settings: ResourceParam[Settings]
    ) -> AssetCheckResult:
        with database.connect() as conn:
            window = health.attribution_rate(conn, settings.rate_window_days)
        rate = window.rate
        return AssetCheckResult(
            passed=rate is None or rate >= settings.rate_warn_below,
            severity=AssetCheckSeverity.WARN,
            description=(
                "no revenue in the window"
                if rate is None
                else f"{rate:.1%} of revenue attributed (warn below"
                f" {settings.rate_warn_below:.0%}),"
                f" {window.first_day} .. {window.last_day}"
            ),
            metadata={
                "attribution_rate": rate,
                "threshold": settings.rate_warn_below,
                "window_days": settings.rate_window_days,
                "first_day": window.first_day,
                "last_day": window.last_day,
                "revenue": float(window.revenue),
                "attributed_revenue": float(window.attributed_revenue),
                "items": window.items,
                "attributed_items": window.attributed_items,
            },
        )

    @asset_check(
        asset=health_key,
        description="ERP rows excluded from credits as bad data (bad items, orders"
        " without items): a person should look at the source.",
        retry_policy=DB_RETRY_POLICY,
    )
    def bad_source_rows(database: AttributionDatabase) -> AssetCheckResult:
        with database.connect() as conn:
            counts = health.bad_source_rows(conn)
        total = sum(counts.values())
        return AssetCheckResult(
            passed=total == 0,
            severity=AssetCheckSeverity.WARN,
            description=f"{total} bad source rows excluded" if total else None,
            metadata={"total": total, **counts},
        )

    return (credits_fresh, split_credits_reconcile, attribution_rate, bad_source_rows)


def _freshness_check(project: DbtProject) -> AssetChecksDefinition:
    specs = {
        unique_id: AssetCheckSpec(
            "source_freshness",
            asset=key,
            description="dbt source freshness (thresholds in the sources' yml).",
        )
        for unique_id, key in source_keys_with_freshness(project).items()
    }

    @multi_asset_check(specs=list(specs.values()), retry_policy=DB_RETRY_POLICY)
    def source_freshness(dbt: AttributionDbt) -> Iterator[AssetCheckResult]:
        invocation = dbt.cli(["source", "freshness"], raise_on_error=False).wait()
        results = {
            result["unique_id"]: result
            for result in invocation.get_artifact("sources.json").get("results", [])
        }
        for unique_id, spec in specs.items():
            result = results.get(unique_id, {})
            status = result.get("status", "missing")
            age = result.get("max_loaded_at_time_ago_in_s")
            yield AssetCheckResult(
                asset_key=spec.asset_key,
                check_name=spec.name,
                passed=status == "pass",
                severity=AssetCheckSeverity.WARN
                if status == "warn"
                else AssetCheckSeverity.ERROR,
                description=f"dbt source freshness: {status}",
                metadata={
                    "status": status,
                    "max_loaded_at": str(result.get("max_loaded_at")),
                    "age_hours": round(age / 3600, 2) if age is not None else None,
                    "criteria": str(result.get("criteria", {})),
                },
            )

    return source_freshness


def _full_refresh_check(
    dbt_assets_def: AssetsDefinition, project: DbtProject
) -> AssetChecksDefinition:
    facts = comparison.incremental_facts(read_manifest(project))
    specs = {
        fact: AssetCheckSpec(
            "full_refresh_matches_incremental",
            asset=model_key(dbt_assets_def, fact.name),
            additional_deps=[COMPARISON],
            description="The nightly --full-refresh rebuild reproduced the"
            " incremental rows.",
        )
        for fact in facts
    }

    @multi_asset_check(specs=list(specs.values()))
    def full_refresh_matches_incremental(
        context: AssetCheckExecutionContext,
        database: AttributionDatabase,
        settings: ResourceParam[Settings],
    ) -> Iterator[AssetCheckResult]:
        event = context.instance.get_latest_materialization_event(COMPARISON)
        recorded = event.asset_materialization if event else None
        for fact, spec in specs.items():
            name = fact.name
            value = recorded.metadata.get(name) if recorded else None
            found = getattr(value, "value", None) or {}
            if not found:
                yield AssetCheckResult(
                    asset_key=spec.asset_key,
                    check_name=spec.name,
                    passed=False,
                    severity=AssetCheckSeverity.WARN,
                    description=f"no nightly full refresh recorded for {name}",
                )
                continue
            identical = bool(found["identical"])
            metadata = {k: v for k, v in found.items() if k != "identical"}
            result = AssetCheckResult(
                asset_key=spec.asset_key,
                check_name=spec.name,
                passed=identical,
                severity=AssetCheckSeverity.ERROR,
                description=None
                if identical
                else (
                    f"{metadata['rows_only_in_incremental']} rows only in the"
                    " incremental build,"
                    f" {metadata['rows_only_in_full_refresh']} only in the full"
                    f" refresh (incremental copy kept in ops.{fact.copy_name})"
                ),
                metadata={**metadata, "compared_in_run": event.run_id},
            )
            title = f"full refresh differs from incremental {name}"
            yield _alert_on_failure(context, database, settings, result, title)

    return full_refresh_matches_incremental


def _pre_trend_check() -> AssetChecksDefinition:
    @asset_check(
        asset=LIFT,
        description="Targeted and control products moved alike before each"
        " estimated campaign's launch (event-study pre-trend test at 5 %).",
        retry_policy=DB_RETRY_POLICY,
    )
    def pre_trend(database: AttributionDatabase) -> AssetCheckResult:
        with database.connect() as conn:
            failing = health.pre_trend_failures(conn)
        listed = ", ".join(f"{cid} (p = {p:.3f})" for cid, p in failing)
        return AssetCheckResult(
            passed=not failing,
            severity=AssetCheckSeverity.WARN,
            description=(
                "every estimated campaign passed the pre-trend test"
                if not failing
                else f"{len(failing)} campaign(s) trended apart before launch:"
                f" {listed[:500]}: their estimates are not reliable"
            ),
            metadata={
                "failing": len(failing),
                "campaign_ids": MetadataValue.json([cid for cid, _ in failing]),
            },
        )

    return pre_trend


def build_nightly_checks(
    dbt_assets_def: AssetsDefinition, project: DbtProject
) -> Sequence[AssetChecksDefinition]:
    """The checks only attribution_nightly runs: slow, reading its comparison,
    or on the lift estimates it makes."""
    return (
        _freshness_check(project),
        _full_refresh_check(dbt_assets_def, project),
        _pre_trend_check(),
    )
