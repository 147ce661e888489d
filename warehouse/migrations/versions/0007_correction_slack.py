"""One home for "how far in the past is a correction": marketing.correction_slack().

A write that reaches further back than the slack before now rewrites
reported credits: a flight moved across the past (the database refuses it
without a reason), a backdated status change or targeting window (admins
only, with a reason, in the writer). Both read the slack from here.

Revision ID: 0007
Revises: 0006
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

OWNER = "attribution_owner"
# 0005_history's function, with its slack taken from correction_slack()
FLIGHT_CORRECTION = """
        create or replace function marketing.is_flight_correction(
            campaign_id bigint, new_starts_at timestamptz, new_ends_at timestamptz
        ) returns boolean language sql stable as $$
            select
                marketing.has_left_draft(campaigns.id)
                and (
                    new_starts_at is distinct from campaigns.starts_at
                    and least(campaigns.starts_at, new_starts_at)
                        < now() - {slack}
                    or new_ends_at is distinct from campaigns.ends_at
                    and least(
                        coalesce(campaigns.ends_at, 'infinity'),
                        coalesce(new_ends_at, 'infinity')
                    ) < now() - {slack}
                )
            from marketing.ad_campaigns as campaigns
            where campaigns.id = is_flight_correction.campaign_id
        $$
"""


def upgrade() -> None:
    # a form opened a few minutes ago still says "now"
    op.execute(
        """
        create or replace function marketing.correction_slack() returns interval
        language sql immutable as $$ select interval '5 minutes' $$
        """
    )
    op.execute(f"alter function marketing.correction_slack() owner to {OWNER}")
    op.execute(FLIGHT_CORRECTION.format(slack="marketing.correction_slack()"))


def downgrade() -> None:
    op.execute(FLIGHT_CORRECTION.format(slack="interval '5 minutes'"))
    op.execute("drop function if exists marketing.correction_slack()")
