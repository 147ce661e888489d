"""The sign-in throttle also counts per client: an index for its query.

Revision ID: 0010
Revises: 0009
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        create index if not exists audit_log_sign_in_client_idx
            on app.audit_log ((details ->> 'client'), action, occurred_at)
            where action like 'sign\\_in.%'
        """
    )


def downgrade() -> None:
    op.execute("drop index if exists app.audit_log_sign_in_client_idx")
