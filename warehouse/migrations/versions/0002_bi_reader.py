"""A bi_reader role that can read the marts schema and nothing else.

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("create schema if not exists marts")
    # Roles are cluster-wide: another database on the server may have made it.
    # Its password is set from the environment or the secrets file by every
    # `migrate` (warehouse.roles), never pasted into SQL here.
    op.execute(
        """
        do $$
        begin
            if not exists (select from pg_roles where rolname = 'bi_reader') then
                create role bi_reader login;
            end if;
        end
        $$
        """
    )
    op.execute("revoke all on schema public from bi_reader")
    op.execute("grant connect on database " + _current_database() + " to bi_reader")
    op.execute("grant usage on schema marts to bi_reader")
    op.execute("grant select on all tables in schema marts to bi_reader")
    # dbt re-creates mart tables on every run: grant on whatever it makes next.
    op.execute(
        "alter default privileges in schema marts grant select on tables to bi_reader"
    )


def _current_database() -> str:
    name = op.get_bind().exec_driver_sql("select current_database()").scalar()
    return '"' + str(name).replace('"', '""') + '"'


def downgrade() -> None:
    op.execute(
        "alter default privileges in schema marts revoke select on tables"
        " from bi_reader"
    )
    op.execute("revoke all on all tables in schema marts from bi_reader")
    op.execute("revoke usage on schema marts from bi_reader")
