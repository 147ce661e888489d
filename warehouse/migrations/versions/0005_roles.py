"""Least privilege: a role per component, each granted only what it needs.

The owner owns the project's schemas, the app writes campaigns, the
transformer (dbt, Dagster) reads the sources and owns the derived schemas,
bi_reader reads the marts. The grants live in ``warehouse.roles`` (run again
after every migrate, so tables added later and changed passwords follow).

Revision ID: 0005_roles
Revises: 0004
"""

from alembic import op

from warehouse import roles

revision = "0005_roles"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind().connection.driver_connection
    roles.apply(conn)
    roles.set_passwords(conn)


def downgrade() -> None:
    # roles are cluster-wide and other databases may use them: only what they
    # own and are granted in this database goes back to the migrating user
    for role in roles.ROLES:
        op.execute(f"reassign owned by {role} to current_user")
        op.execute(f"drop owned by {role}")
