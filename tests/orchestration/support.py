"""Running the Dagster jobs in process against a test database."""

from __future__ import annotations

from typing import Any, NamedTuple

import psycopg
from dagster import DagsterInstance, ExecuteInProcessResult
from psycopg.rows import dict_row

from orchestration.definitions import build_definitions
from orchestration.resources import AttributionDatabase
from orchestration.settings import Settings
from warehouse import credentials, database

CREDIT_KEY = "order_item_id, campaign_id, credit_mode"


def definitions(params: database.ConnectionParams, settings: Settings | None = None):
    """The definitions as deployed: Dagster and dbt connect as the transformer."""
    transformer = database.role_params(credentials.TRANSFORMER, params)
    return build_definitions(AttributionDatabase.from_params(transformer), settings)


def run_job(
    params: database.ConnectionParams,
    name: str,
    run_config: dict[str, Any] | None = None,
    instance: DagsterInstance | None = None,
    settings: Settings | None = None,
) -> ExecuteInProcessResult:
    job = definitions(params, settings).resolve_job_def(name)
    return job.execute_in_process(
        run_config=run_config,
        instance=instance or DagsterInstance.ephemeral(),
        raise_on_error=False,
    )


def check_results(result: ExecuteInProcessResult) -> dict[tuple[str, str], Any]:
    """(asset key, check name) -> the check's evaluation."""
    evaluations = {}
    for event in result.all_events:
        if event.event_type_value == "ASSET_CHECK_EVALUATION":
            data = event.event_specific_data
            evaluations[(data.asset_key.to_user_string(), data.check_name)] = data
    return evaluations


def materialized(result: ExecuteInProcessResult) -> dict[str, dict[str, Any]]:
    """asset key -> its materialisation's metadata values."""
    found = {}
    for event in result.all_events:
        if event.event_type_value == "ASSET_MATERIALIZATION":
            materialization = event.event_specific_data.materialization
            found[materialization.asset_key.to_user_string()] = {
                key: value.value for key, value in materialization.metadata.items()
            }
    return found


class CreditRow(NamedTuple):
    text: str  # the whole row as text
    xmin: str  # changes whenever the row is rewritten


def credit_rows(
    params: database.ConnectionParams, where: str = "true", args: tuple = ()
) -> dict[tuple, CreditRow]:
    """Credit rows by (order_item_id, campaign_id, credit_mode)."""
    with psycopg.connect(params.conninfo(), row_factory=dict_row) as conn:
        rows = conn.execute(
            f"select {CREDIT_KEY}, credits::text as text, xmin::text as xmin"
            f" from marts.fct_order_item_campaign_credits as credits where {where}",
            args,
        ).fetchall()
    return {
        (row["order_item_id"], row["campaign_id"], row["credit_mode"]): CreditRow(
            row["text"], row["xmin"]
        )
        for row in rows
    }
