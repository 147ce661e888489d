"""The nightly full refresh: a step of attribution_nightly that builds.

After the nightly ``dbt build`` the incremental facts are copied to ``ops``,
rebuilt with ``--full-refresh`` and compared with their copies
(orchestration/nightly/comparison.py). When they differ the refreshed facts
are the truth: what reads them is rebuilt, and the incremental copies are
kept for whoever investigates. The step records the comparison as the
metadata of its asset, ``ops/full_refresh_comparison``; the check
``full_refresh_matches_incremental`` (orchestration/checks/attribution.py)
only reads it.
"""

from typing import Any

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    MaterializeResult,
    MetadataValue,
    asset,
)
from dagster_dbt import DbtProject

from orchestration.assets import model_key
from orchestration.nightly import comparison
from orchestration.project import read_manifest
from orchestration.resources import AttributionDatabase, AttributionDbt

COMPARISON = AssetKey(["ops", "full_refresh_comparison"])


def run_comparison(
    dbt: AttributionDbt,
    database: AttributionDatabase,
    facts: list[comparison.Fact],
) -> list[comparison.Difference]:
    """Full-refreshes the incremental facts and compares them with their copies."""
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
    names = [fact.name for fact in facts]
    # one argument per flag: dagster-dbt reads a single value after each
    if not all(difference.identical for difference in differences):
        # the refreshed facts are the truth now: rebuild what reads them
        downstream = [f"{name}+" for name in names]
        dbt.cli(
            ["run", "--select", " ".join(downstream), "--exclude", " ".join(names)]
        ).wait()
    else:
        # dbt dropped the views on the facts with the old tables (cascade):
        # the lift estimate, after this step, reads one of them
        views = [f"{name}+,config.materialized:view" for name in names]
        dbt.cli(["run", "--select", " ".join(views)]).wait()
    return differences


def differences_metadata(
    differences: list[comparison.Difference],
) -> dict[str, Any]:
    """The comparison as asset metadata: one JSON entry per fact."""
    return {
        difference.fact: MetadataValue.json(
            {"identical": difference.identical, **difference.metadata()}
        )
        for difference in differences
    }


def build_full_refresh_comparison(
    dbt_assets_def: AssetsDefinition, project: DbtProject
) -> AssetsDefinition:
    facts = comparison.incremental_facts(read_manifest(project))

    @asset(
        key=COMPARISON,
        group_name="ops",
        deps=[model_key(dbt_assets_def, fact.name) for fact in facts],
        description="A --full-refresh rebuild of the incremental facts, compared"
        " with their incremental rows (attribution_nightly).",
    )
    def full_refresh_comparison(
        context: AssetExecutionContext,
        dbt: AttributionDbt,
        database: AttributionDatabase,
    ) -> MaterializeResult:
        differences = run_comparison(dbt, database, facts)
        for difference in differences:
            context.log.info(f"{difference.fact}: {difference.metadata()}")
        return MaterializeResult(metadata=differences_metadata(differences))

    return full_refresh_comparison
