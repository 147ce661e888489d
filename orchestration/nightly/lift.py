"""The nightly lift estimate: ``measurement.lift.rebuild``, the function
``python -m measurement lift`` runs, as an asset of attribution_nightly.

It runs after the marts it reads (net sales per product-day, the campaigns'
activity windows and spend) and after the nightly full-refresh comparison,
which may rebuild them. It writes the ``measurement`` tables that
``marts.fct_campaign_lift`` and ``marts.fct_campaign_lift_daily`` are views
of; its key is not the dbt source's, since the views need no build after it
(and the dbt assets reading that source would otherwise form a cycle with
the assets this one reads).

The check ``pre_trend`` (WARN) reads the mart: an estimated campaign whose
targeted products already moved differently from the controls before
launch has an estimate nobody should act on.
"""

from dagster import (
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    MaterializeResult,
    MetadataValue,
    asset,
    asset_check,
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

PRE_TREND_FAILURES_SQL = """
select campaign_id, pre_trend_p_value, treated_products, control_products
from marts.fct_campaign_lift
where estimate_status = 'estimated' and pre_trend_p_value < 0.05
order by pre_trend_p_value, campaign_id
"""


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


def build_lift_checks(lift_asset: AssetsDefinition) -> tuple[AssetChecksDefinition]:
    @asset_check(
        asset=lift_asset,
        description="Targeted and control products moved alike before each"
        " estimated campaign's launch (event-study pre-trend test at 5 %).",
        retry_policy=DB_RETRY_POLICY,
    )
    def pre_trend(database: AttributionDatabase) -> AssetCheckResult:
        with database.connect() as conn:
            failing = conn.execute(PRE_TREND_FAILURES_SQL).fetchall()
        listed = ", ".join(f"{cid} (p = {float(p):.3f})" for cid, p, *_ in failing)
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
                "campaign_ids": MetadataValue.json([int(row[0]) for row in failing]),
            },
        )

    return (pre_trend,)
