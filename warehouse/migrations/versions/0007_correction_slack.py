"""One home for "how far in the past is a correction": marketing.correction_slack().

A write that reaches further back than the slack before now rewrites
reported credits: a flight moved across the past (the database refuses it
without a reason), a backdated status change or targeting window (admins
only, with a reason, in the writer). Both read the slack from here.

Revision ID: 0007
Revises: 0006
"""

import importlib

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

OWNER = "attribution_owner"
# the functions 0005_history made: their text lives there
history = importlib.import_module("warehouse.migrations.versions.0005_history")


def upgrade() -> None:
    # a form opened a few minutes ago still says "now"
    op.execute(
        f"""
        create or replace function marketing.correction_slack() returns interval
        language sql immutable as $$ select interval '{history.CORRECTION_SLACK}' $$
        """
    )
    op.execute(f"alter function marketing.correction_slack() owner to {OWNER}")
    # 0005_history's function, with its slack taken from correction_slack()
    op.execute(history.FLIGHT_CORRECTION.format(slack="marketing.correction_slack()"))


def downgrade() -> None:
    op.execute(
        history.FLIGHT_CORRECTION.format(slack=f"interval '{history.CORRECTION_SLACK}'")
    )
    op.execute("drop function if exists marketing.correction_slack()")
