"""Resources: the project's database, dbt, and the orchestration's settings.

The database and dbt default to what every other tool of the project uses:
the PG* variables when ``PGHOST`` is set, else the embedded server under
``.local/`` (started on first use, never at import time). ``settings`` is the
one ``Settings`` the definitions read from the environment: ops and checks
take it as a resource (``settings: ResourceParam[Settings]``).

Every resource is fixed when the definitions are built (:func:`pinned`):
run config cannot change it. A visitor of the Dagster UI (which has no
sign-in of its own) could otherwise launch a job with the database pointed
at a host of their choosing, where the job would send a role's password, or
with dbt's executable or project replaced; such a run is refused before it
starts.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cached_property
from importlib.metadata import version as package_version
from typing import Any

import psycopg
from dagster import ConfigurableResource, ResourceDefinition
from dagster_dbt import DbtCliResource, DbtProject
from dagster_dbt.core.dbt_cli_invocation import DbtCliInvocation
from packaging import version
from pydantic import Field

from orchestration.settings import Settings
from warehouse import credentials, database, dbt_runner


class AttributionDatabase(ConfigurableResource):
    """The PostgreSQL database holding erp, marketing, the marts and ops."""

    host: str | None = Field(
        default=None,
        description="Host or Unix-socket directory; unset: PGHOST, else embedded.",
    )
    port: int = Field(default=5432, description="Port (with host).")
    user: str = Field(default="postgres", description="User (with host).")
    password: str | None = Field(default=None, description="Password (with host).")
    dbname: str = Field(
        default=database.DEFAULT_DATABASE, description="Database (with host)."
    )

    @classmethod
    def from_params(cls, params: database.ConnectionParams) -> AttributionDatabase:
        return cls(
            host=params.host,
            port=params.port,
            user=params.user,
            password=params.password,
            dbname=params.dbname,
        )

    def params(self) -> database.ConnectionParams:
        if self.host:
            return database.ConnectionParams(
                self.host, self.port, self.user, self.password, self.dbname
            )
        # dbt and Dagster connect as the transformer role
        return database.role_params(credentials.TRANSFORMER, database.resolve())

    @contextmanager
    def connect(self, autocommit: bool = True) -> Iterator[psycopg.Connection]:
        with psycopg.connect(
            self.params().conninfo(), autocommit=autocommit, connect_timeout=10
        ) as conn:
            yield conn


class AttributionDbt(DbtCliResource):
    """dbt of this project, pointed at the ``database`` resource.

    dbt's profile reads the PG* variables; dagster-dbt hands the process
    environment to dbt, so the database's variables are set for the moment
    the dbt process starts.
    """

    database: AttributionDatabase

    def cli(self, args: Sequence[str], **kwargs: Any) -> DbtCliInvocation:
        with dbt_runner.environment(self.database.params().env()):
            return super().cli(args, **kwargs)

    @cached_property
    def _cli_version(self) -> version.Version:
        # dagster-dbt asks `dbt --version` once per run: a whole dbt start-up
        # (seconds). The executable is the venv's, so its version is dbt-core's.
        return version.parse(package_version("dbt-core"))


def build_dbt(db: AttributionDatabase, project: DbtProject) -> AttributionDbt:
    return AttributionDbt(
        project_dir=project, dbt_executable=dbt_runner.dbt_executable(), database=db
    )


def pinned(value: Any, description: str) -> ResourceDefinition:
    """`value` as a resource that takes no configuration: run config naming
    any of its fields fails the run's config check, before anything runs."""
    return ResourceDefinition(
        resource_fn=lambda _context: value, config_schema={}, description=description
    )


def build_resources(
    project: DbtProject, settings: Settings, db: AttributionDatabase | None = None
) -> dict[str, ResourceDefinition]:
    db = db or AttributionDatabase()
    return {
        "database": pinned(db, "The project's database, as the transformer role."),
        "dbt": pinned(build_dbt(db, project), "dbt of this project."),
        "settings": pinned(settings, "The orchestration's settings."),
    }
