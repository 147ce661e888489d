"""Asset checks beyond the dbt tests (which dagster-dbt turns into checks).

| check | on | severity |
|---|---|---|
| source_freshness | the dbt sources with a freshness rule | WARN/ERROR as dbt says |
| credits_fresh | fct_order_item_campaign_credits | WARN |
| split_credits_reconcile | fct_order_item_campaign_credits | ERROR (+ alert) |
| attribution_rate | agg_attribution_health_daily | WARN |
| bad_source_rows | agg_attribution_health_daily | WARN |
| full_refresh_matches_incremental | each incremental fact | ERROR (+ alert) |

Thresholds come from the environment (orchestration/settings.py).
"""

from collections.abc import Iterator, Sequence

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    AssetCheckSpec,
    asset_check,
    multi_asset_check,
)

from orchestration import alerts, comparison, health
from orchestration.assets import DB_RETRY_POLICY, model_key, source_keys_with_freshness
from orchestration.resources import AttributionDatabase, AttributionDbt
from orchestration.settings import Settings

CREDITS = model_key(health.CREDITS)
ITEMS = model_key(health.ITEMS)
HEALTH = model_key(health.HEALTH)


def _alert_on_failure(
    context: AssetCheckExecutionContext,
    db: AttributionDatabase,
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
        )
    return result


@asset_check(
    asset=CREDITS,
    description="The credit fact was built recently.",
    retry_policy=DB_RETRY_POLICY,
)
def credits_fresh(database: AttributionDatabase) -> AssetCheckResult:
    limit = Settings.from_env().credits_max_age_minutes
    with database.connect() as conn:
        age = health.credits_age_minutes(conn)
    return AssetCheckResult(
        passed=age is not None and age <= limit,
        severity=AssetCheckSeverity.WARN,
        description=(
            "never built" if age is None else f"built {age:.1f} min ago (limit {limit})"
        ),
        metadata={
            "age_minutes": round(age, 1) if age is not None else None,
            "max_age_minutes": limit,
        },
    )


@asset_check(
    asset=CREDITS,
    additional_deps=[ITEMS],
    description="Non-reversed SPLIT credits sum to the revenue of the non-reversed"
    " attributed items, item by item.",
    retry_policy=DB_RETRY_POLICY,
)
def split_credits_reconcile(
    context: AssetCheckExecutionContext, database: AttributionDatabase
) -> AssetCheckResult:
    with database.connect() as conn:
        figures = health.reconciliation(conn)
    passed = figures.difference == 0 and figures.items_off == 0
    result = AssetCheckResult(
        check_name="split_credits_reconcile",
        passed=passed,
        severity=AssetCheckSeverity.ERROR,
        description=None
        if passed
        else (
            f"{figures.items_off} items off; SPLIT credits"
            f" {figures.split_credited_revenue} vs attributed revenue"
            f" {figures.attributed_item_revenue}"
        ),
        metadata={
            "split_credited_revenue": float(figures.split_credited_revenue),
            "attributed_item_revenue": float(figures.attributed_item_revenue),
            "difference": float(figures.difference),
            "items_off": figures.items_off,
        },
    )
    return _alert_on_failure(
        context, database, result, "SPLIT credits do not reconcile with item revenue"
    )


@asset_check(
    asset=HEALTH,
    description="Attributed / total revenue over the latest sale days, warning"
    " below ATTRIBUTION_RATE_WARN_BELOW (default 50 %).",
    retry_policy=DB_RETRY_POLICY,
)
def attribution_rate(database: AttributionDatabase) -> AssetCheckResult:
    settings = Settings.from_env()
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
            f" {settings.rate_warn_below:.0%}), {window.first_day} .. {window.last_day}"
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
    asset=HEALTH,
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


def _freshness_specs() -> dict[str, AssetCheckSpec]:
    return {
        unique_id: AssetCheckSpec(
            "source_freshness",
            asset=key,
            description="dbt source freshness (thresholds in the sources' yml).",
        )
        for unique_id, key in source_keys_with_freshness().items()
    }


_FRESHNESS_SPECS = _freshness_specs()


@multi_asset_check(specs=list(_FRESHNESS_SPECS.values()), retry_policy=DB_RETRY_POLICY)
def source_freshness(dbt: AttributionDbt) -> Iterator[AssetCheckResult]:
    invocation = dbt.cli(["source", "freshness"], raise_on_error=False).wait()
    results = {
        result["unique_id"]: result
        for result in invocation.get_artifact("sources.json").get("results", [])
    }
    for unique_id, spec in _FRESHNESS_SPECS.items():
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


def _full_refresh_specs() -> list[AssetCheckSpec]:
    return [
        AssetCheckSpec(
            "full_refresh_matches_incremental",
            asset=model_key(fact.name),
            description="A --full-refresh rebuild reproduces the incremental rows.",
        )
        for fact in comparison.incremental_facts()
    ]


@multi_asset_check(specs=_full_refresh_specs())
def full_refresh_matches_incremental(
    context: AssetCheckExecutionContext,
    dbt: AttributionDbt,
    database: AttributionDatabase,
) -> Iterator[AssetCheckResult]:
    facts = comparison.incremental_facts()
    with database.connect() as conn:
        since = {fact.name: comparison.last_watermark(conn, fact) for fact in facts}
        for fact in facts:
            comparison.copy_incremental(conn, fact)
    dbt.cli(["run", "--full-refresh", "--select", comparison.INCREMENTAL_FACTS]).wait()
    differences: list[comparison.Difference] = []
    with database.connect() as conn:
        for fact in facts:
            difference = comparison.compare(conn, fact, since[fact.name])
            differences.append(difference)
            if difference.identical:
                comparison.drop_copy(conn, fact)
    if not all(difference.identical for difference in differences):
        # the refreshed facts are the truth now: rebuild what reads them
        names = [fact.name for fact in facts]
        downstream = [f"{name}+" for name in names]
        # one argument per flag: dagster-dbt reads a single value after each
        dbt.cli(
            ["run", "--select", " ".join(downstream), "--exclude", " ".join(names)]
        ).wait()
    for difference in differences:
        result = AssetCheckResult(
            asset_key=model_key(difference.fact),
            check_name="full_refresh_matches_incremental",
            passed=difference.identical,
            severity=AssetCheckSeverity.ERROR,
            description=None
            if difference.identical
            else (
                f"{difference.only_in_incremental} rows only in the incremental"
                f" build, {difference.only_in_full_refresh} only in the full"
                f" refresh (incremental copy kept in ops.nightly_{difference.fact}"
                "_incremental)"
            ),
            metadata=difference.metadata(),
        )
        title = f"full refresh differs from incremental {difference.fact}"
        yield _alert_on_failure(context, database, result, title)


ROUTINE_CHECKS: Sequence[AssetChecksDefinition] = (
    credits_fresh,
    split_credits_reconcile,
    attribution_rate,
    bad_source_rows,
)
NIGHTLY_CHECKS: Sequence[AssetChecksDefinition] = (
    source_freshness,
    full_refresh_matches_incremental,
)
ALL_CHECKS: Sequence[AssetChecksDefinition] = (*ROUTINE_CHECKS, *NIGHTLY_CHECKS)
