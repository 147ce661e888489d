"""The dbt project as Dagster assets: one ``dbt build``, streamed.

Every job materialises a selection of these assets (by dbt tag or folder),
and its run config can narrow or widen what the incremental facts
recompute: a sale-time range (``from``/``to``, the backfill) or order ids
(the admin recompute). dbt tests arrive as asset checks.

The assets are built from the manifest by ``build_dbt_assets``, which the
definitions call when they load: importing this module reads nothing.
"""

import json
import re
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    AssetSpec,
    Backoff,
    Config,
    Failure,
    Jitter,
    Output,
    ResourceParam,
    RetryPolicy,
)
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
    dbt_assets,
    get_asset_key_for_model,
)
from dagster_dbt.errors import DagsterDbtError
from pydantic import Field

from orchestration import health, launch
from orchestration.project import read_manifest
from orchestration.resources import AttributionDatabase
from orchestration.settings import Settings
from warehouse.dbt_vars import reporting_zone

# Retried: what a restart, failover or busy server throws. Not retried: a
# failing test or a broken model, which fails the same way every time.
TRANSIENT_DB_ERRORS = re.compile(
    r"could not connect|connection refused|connection to server|server closed the"
    r" connection|terminating connection|connection timed out|timeout expired"
    r"|the database system is (starting up|shutting down|in recovery mode)"
    r"|too many (clients|connections)|deadlock detected|could not serialize access"
    r"|lock timeout|canceling statement due to conflict with recovery",
    re.IGNORECASE,
)
DB_RETRY_POLICY = RetryPolicy(
    max_retries=3, delay=10, backoff=Backoff.EXPONENTIAL, jitter=Jitter.PLUS_MINUS
)
# every job that writes the marts carries it; dagster.yaml lets one run at a time
DBT_CONCURRENCY_TAG = {"attribution/dbt": "build"}


class AttributionTranslator(DagsterDbtTranslator):
    """Groups follow the dbt folders' schemas: snapshots, staging, ... marts."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "source":
            return "sources"
        return dbt_resource_props.get("config", {}).get("schema") or "dbt"


translator = AttributionTranslator(
    settings=DagsterDbtTranslatorSettings(
        enable_asset_checks=True, enable_source_tests_as_checks=True
    )
)


class AttributionBuildConfig(Config):
    """What the incremental facts recompute beyond the observed changes."""

    from_: str | None = Field(
        default=None,
        alias="from",
        description="Backfill: recompute sales at or after this ISO date/timestamp"
        " (a date is its start in the dbt var reporting_timezone).",
    )
    to: str | None = Field(
        default=None,
        description="Backfill: ... and before this one (exclusive).",
    )
    order_ids: list[int] = Field(
        default_factory=list, description="Recompute these orders' credits."
    )
    observe_all_orders: bool = Field(
        default=False,
        description="Compare every ERP order with its observed history (nightly):"
        " catches hard deletes and changes the updated_at lookback missed.",
    )


def _timestamp(value: str, name: str) -> datetime:
    """An ISO date (the start of that reporting day) or timestamp (in the
    reporting time zone unless it says otherwise)."""
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError as error:
        raise Failure(
            f"`{name}` is not an ISO date or timestamp: {value!r}", allow_retries=False
        ) from error
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=reporting_zone())


def dbt_vars(config: AttributionBuildConfig) -> dict[str, Any]:
    """The dbt vars that carry a run's recompute request to the facts."""
    vars_: dict[str, Any] = {}
    if (config.from_ is None) != (config.to is None):
        raise Failure("a backfill needs both `from` and `to`", allow_retries=False)
    if config.from_ is not None and config.to is not None:
        start, end = _timestamp(config.from_, "from"), _timestamp(config.to, "to")
        if start >= end:
            raise Failure(
                f"`from` ({start}) must be before `to` ({end})", allow_retries=False
            )
        vars_["recompute_from"] = start.isoformat()
        vars_["recompute_to"] = end.isoformat()
    if config.order_ids:
        vars_["recompute_order_ids"] = sorted(set(config.order_ids))
    if config.observe_all_orders:
        vars_["observe_all"] = True
    return vars_


def _meta(event: Output, key: str) -> Any:
    value = event.metadata.get(key)
    return getattr(value, "value", value)


def _with_run_metadata(event: Any, db: AttributionDatabase, settings: Settings) -> Any:
    """Adds run-log counts to the facts' and the attribution rate to health."""
    if not isinstance(event, Output):
        return event
    model = str(_meta(event, "unique_id") or "").rsplit(".", 1)[-1]
    if model in (health.CREDITS, health.ITEMS):
        with db.connect() as conn:
            run = health.fact_run(conn, model, str(_meta(event, "invocation_id")))
        if run is not None:
            return event.with_metadata({**event.metadata, **run.metadata()})
    if model == health.HEALTH:
        with db.connect() as conn:
            window = health.attribution_rate(conn, settings.rate_window_days)
        return event.with_metadata(
            {
                **event.metadata,
                "attribution_rate": window.rate,
                "attribution_rate_window": f"{window.first_day} .. {window.last_day}",
            }
        )
    return event


def build_dbt_assets(project: DbtProject) -> AssetsDefinition:
    """The dbt project's models, snapshots and tests as one op (launch.DBT_OP)."""

    @dbt_assets(
        manifest=project.manifest_path,
        project=project,
        name=launch.DBT_OP,
        dagster_dbt_translator=translator,
        retry_policy=DB_RETRY_POLICY,
        op_tags=DBT_CONCURRENCY_TAG,
    )
    def attribution_dbt_assets(
        context: AssetExecutionContext,
        dbt: DbtCliResource,
        database: AttributionDatabase,
        settings: ResourceParam[Settings],
        config: AttributionBuildConfig,
    ) -> Iterator[Any]:
        args = ["build"]
        vars_ = dbt_vars(config)
        if vars_:
            context.log.info(f"recompute request: {vars_}")
            args += ["--vars", json.dumps(vars_)]
        invocation = dbt.cli(args, context=context)
        try:
            for event in invocation.stream():
                yield _with_run_metadata(event, database, settings)
        except DagsterDbtError as error:
            if TRANSIENT_DB_ERRORS.search(str(error)):
                raise
            raise Failure(str(error), allow_retries=False) from error

    return attribution_dbt_assets


def model_key(dbt_assets_def: AssetsDefinition, model_name: str) -> AssetKey:
    """The asset key of a dbt model of the project."""
    return get_asset_key_for_model([dbt_assets_def], model_name)


def source_specs(project: DbtProject) -> list[AssetSpec]:
    """The dbt sources as external assets, so their checks have a home."""
    manifest = read_manifest(project)
    return [
        AssetSpec(
            key=translator.get_asset_key(props),
            group_name="sources",
            description=props.get("description") or None,
            metadata={"dbt_unique_id": unique_id},
        )
        for unique_id, props in sorted(manifest["sources"].items())
    ]


def source_keys_with_freshness(project: DbtProject) -> dict[str, AssetKey]:
    """dbt source unique_id -> asset key, for sources with a freshness rule."""
    manifest = read_manifest(project)
    keys: dict[str, AssetKey] = {}
    for unique_id, props in sorted(manifest["sources"].items()):
        freshness = props.get("freshness") or {}
        if freshness.get("warn_after", {}).get("count") or freshness.get(
            "error_after", {}
        ).get("count"):
            keys[unique_id] = translator.get_asset_key(props)
    return keys
