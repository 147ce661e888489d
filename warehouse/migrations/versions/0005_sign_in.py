"""Sign-ins are counted in the audit log: an index for the throttle's query.

Revision ID: 0005_sign_in
Revises: 0005_history
"""

from alembic import op

revision = "0005_sign_in"
down_revision = "0005_history"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        create index if not exists audit_log_sign_in_idx
            on app.audit_log ((details ->> 'username'), action, occurred_at)
            where action like 'sign\\_in.%'
        """
    )


def downgrade() -> None:
    op.execute("drop index if exists app.audit_log_sign_in_idx")
