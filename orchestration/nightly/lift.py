"""The nightly lift estimate: ``measurement.lift.rebuild``, the function
``python -m measurement lift`` runs, as an asset of attribution_nightly.

It runs after the marts it reads (net sales per product-day, the campaigns'
activity windows and spend) and after the nightly full-refresh comparison,
which may rebuild them. It writes the ``measurement`` tables that
``marts.fct_campaign_lift`` and ``marts.fct_campaign_lift_daily`` are views
of; its key is not the dbt source's, since the views need no build after it
(and the dbt assets reading that source would otherwise form a cycle with
the assets this one reads).

Its check ``pre_trend`` is one of the nightly checks
(orchestration/checks/attribution.py).
"""

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    MaterializeResult,
    asset,
)

from measurement import lift
from orchestration.assets import DB_RETRY_POLICY, model_key
from orchestration.nightly.full_refresh import COMPARISON
from orchestration.resources import AttributionDatabase

LIFT = AssetKey(["measurement", "lift_estimates"])
# the marts measurement.inputs reads
READS = (
    "agg_product_sales_daily",
    "fct_campaign_product_windows",
    "dim_campaigns",
    "agg_campaign_daily",
)


def build_campaign_lift(dbt_assets_def: AssetsDefinition) -> AssetsDefinition:
    @asset(
        key=LIFT,
        group_name="measurement",
        deps=[*(model_key(dbt_assets_def, name) for name in READS), COMPARISON],
        retry_policy=DB_RETRY_POLICY,
        description="What each campaign caused (python -m measurement lift):"
        " replaces the estimates marts.fct_campaign_lift shows.",
    )
    def lift_estimates(
        context: AssetExecutionContext, database: AttributionDatabase
    ) -> MaterializeResult:
        with database.connect() as conn:
            summary = lift.rebuild(conn)
        context.log.info(summary.describe())
        return MaterializeResult(
            metadata={
                "campaigns": sum(summary.statuses.values()),
                **{f"status_{k}": v for k, v in sorted(summary.statuses.items())},
                "reliable": summary.reliable,
                "duration_seconds": round(summary.seconds, 2),
            }
        )

    return lift_estimates
