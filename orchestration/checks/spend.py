"""Asset checks on spend: campaigns spending over pace, and spend that no
campaign explains.

| check | on | severity |
|---|---|---|
| budget_pacing | fct_campaign_budget_pacing | WARN |
| spend_matches_campaigns | int_campaign_spend_daily | WARN |

"Over pace" is the mart's own ``is_over_pace`` (dbt var
``pacing_warn_ratio``, 110 % by default), judged on each campaign's latest
day with spend, so an empty "today" never hides yesterday's overspend.
"""

from typing import Any

import psycopg
from dagster import (
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    AssetsDefinition,
    MetadataValue,
    asset_check,
)

from orchestration.assets import DB_RETRY_POLICY, model_key
from orchestration.resources import AttributionDatabase
from warehouse.dbt_vars import reporting_day_sql

PACING = "fct_campaign_budget_pacing"
SPEND_DAILY = "int_campaign_spend_daily"

OVER_PACE_SQL = """
with latest as (
    select distinct on (campaign_id)
        campaign_id, spend_date, budget_type, budget_amount, cumulative_spend,
        pacing_ratio, is_over_pace
    from marts.fct_campaign_budget_pacing
    where spend > 0
    order by campaign_id, spend_date desc
)
select campaign_id, spend_date, budget_type, budget_amount, cumulative_spend,
    pacing_ratio
from latest
where is_over_pace
order by pacing_ratio desc
"""

# Fivetran rows whose external id no campaign has, and spend of campaigns
# that never ran or on days outside their flight.
UNEXPLAINED_SPEND_SQL = f"""
select 'unknown external id' as problem, ad_platform || ':' || external_campaign_id
        as campaign, min(spend_date) as first_date, max(spend_date) as last_date,
    sum(spend) as spend
from intermediate.int_fivetran_spend_matched
where campaign_id is null
group by 1, 2
union all
select
    case when campaigns.first_running_at is null then 'campaign never ran'
        else 'outside the flight' end,
    spend.campaign_id::text, min(spend.spend_date), max(spend.spend_date),
    sum(spend.spend)
from intermediate.int_campaign_spend_daily as spend
inner join marts.dim_campaigns as campaigns
    on spend.campaign_id = campaigns.campaign_id
where spend.spend > 0 and (
    campaigns.first_running_at is null
    or spend.spend_date < {reporting_day_sql("campaigns.starts_at")}
    or spend.spend_date > {reporting_day_sql("campaigns.ends_at")}
)
group by 1, 2
order by 1, 2
"""


def _rows(conn: psycopg.Connection, sql: str, args: Any = None) -> list[dict]:
    cursor = conn.execute(sql, args)
    names = [column.name for column in cursor.description or []]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _table(rows: list[dict]) -> MetadataValue:
    if not rows:
        return MetadataValue.md("none")
    header = "| " + " | ".join(rows[0]) + " |"
    rule = "|" + "---|" * len(rows[0])
    body = ["| " + " | ".join(str(v) for v in row.values()) + " |" for row in rows]
    return MetadataValue.md("\n".join([header, rule, *body[:100]]))


def build_spend_checks(
    dbt_assets_def: AssetsDefinition,
) -> tuple[AssetChecksDefinition, ...]:
    """budget_pacing and spend_matches_campaigns, on the dbt assets' marts."""

    @asset_check(
        asset=model_key(dbt_assets_def, PACING),
        description="No campaign spends faster than its budget allows (110 %).",
        retry_policy=DB_RETRY_POLICY,
    )
    def budget_pacing(database: AttributionDatabase) -> AssetCheckResult:
        with database.connect() as conn:
            over = _rows(conn, OVER_PACE_SQL)
        return AssetCheckResult(
            passed=not over,
            severity=AssetCheckSeverity.WARN,
            description=(
                "every campaign within its budget"
                if not over
                else f"{len(over)} campaign(s) over pace: "
                + ", ".join(
                    f"{row['campaign_id']} ({float(row['pacing_ratio']):.0%})"
                    for row in over[:10]
                )
            ),
            metadata={"over_pace": len(over), "campaigns": _table(over)},
        )

    @asset_check(
        asset=model_key(dbt_assets_def, SPEND_DAILY),
        description="Every spend row belongs to a known campaign that was running.",
        retry_policy=DB_RETRY_POLICY,
    )
    def spend_matches_campaigns(database: AttributionDatabase) -> AssetCheckResult:
        with database.connect() as conn:
            problems = _rows(conn, UNEXPLAINED_SPEND_SQL)
        return AssetCheckResult(
            passed=not problems,
            severity=AssetCheckSeverity.WARN,
            description=(
                "all spend belongs to campaigns that ran"
                if not problems
                else f"{len(problems)} unexplained spend group(s): "
                + ", ".join(
                    f"{row['campaign']} ({row['problem']})" for row in problems[:10]
                )
            ),
            metadata={"unexplained": len(problems), "spend": _table(problems)},
        )

    return (budget_pacing, spend_matches_campaigns)
