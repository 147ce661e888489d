"""measurement: what each campaign caused, as `python -m measurement lift`
estimates it.

The estimates are computed in Python (a fixed-effects regression), so they
are written here rather than by dbt; the marts `fct_campaign_lift` and
`fct_campaign_lift_daily` are views of these tables (docs/rules.md,
"Incrementality"). The constraints hold for every writer: a status the
contract does not know, an estimate without its interval or an interval
that does not contain its estimate, an iROAS without spend, or a "reliable"
row with no estimate is refused.

Revision ID: 0011
Revises: 0010
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("create schema if not exists measurement")
    op.execute(
        """
        create table if not exists measurement.campaign_lift (
            campaign_id bigint primary key,
            estimate_status text not null,
            status_reason text not null,
            method text,
            pre_start date,
            post_start date,
            post_end date,
            treated_products integer not null default 0,
            control_products integer not null default 0,
            actual_revenue numeric(14, 2),
            counterfactual_revenue numeric(14, 2),
            incremental_revenue numeric(14, 2),
            incremental_revenue_low numeric(14, 2),
            incremental_revenue_high numeric(14, 2),
            actual_units numeric(14, 4),
            incremental_units numeric(14, 4),
            incremental_units_low numeric(14, 4),
            incremental_units_high numeric(14, 4),
            lift_pct numeric,
            spend numeric(14, 2),
            iroas numeric,
            iroas_low numeric,
            iroas_high numeric,
            pre_trend_p_value numeric,
            placebo_revenue numeric(14, 2),
            placebo_p_value numeric,
            is_reliable boolean not null,
            reliability_reason text not null,
            estimated_at timestamptz not null,
            constraint campaign_lift_status_known check (
                estimate_status in (
                    'estimated', 'too_short', 'no_controls', 'no_pre_period',
                    'not_started'
                )
            ),
            constraint campaign_lift_method_known check (
                method in ('did', 'synthetic_control')
            ),
            -- coalesce: a null bound makes a comparison null, which a check
            -- would let through
            constraint campaign_lift_estimate_complete check (
                estimate_status <> 'estimated'
                or coalesce(
                    method is not null
                    and pre_start < post_start
                    and post_start <= post_end
                    and treated_products > 0
                    and control_products > 0
                    and actual_revenue is not null
                    and counterfactual_revenue is not null
                    and incremental_revenue_low <= incremental_revenue
                    and incremental_revenue <= incremental_revenue_high
                    and incremental_units_low <= incremental_units
                    and incremental_units <= incremental_units_high
                    and pre_trend_p_value between 0 and 1
                    and placebo_p_value between 0 and 1,
                    false
                )
            ),
            constraint campaign_lift_no_estimate_without_status check (
                estimate_status = 'estimated'
                or (incremental_revenue is null and iroas is null and not is_reliable)
            ),
            constraint campaign_lift_iroas_needs_spend check (
                iroas is null or spend > 0
            ),
            constraint campaign_lift_iroas_interval check (
                iroas is null
                or coalesce(iroas_low <= iroas and iroas <= iroas_high, false)
            )
        )
        """
    )
    op.execute(
        """
        create table if not exists measurement.campaign_lift_daily (
            campaign_id bigint not null
                references measurement.campaign_lift (campaign_id)
                on delete cascade,
            sale_date date not null,
            is_post_period boolean not null,
            actual_revenue numeric(14, 2) not null,
            counterfactual_revenue numeric(14, 2) not null,
            primary key (campaign_id, sale_date)
        )
        """
    )


def downgrade() -> None:
    op.execute("drop table if exists measurement.campaign_lift_daily")
    op.execute("drop table if exists measurement.campaign_lift")
