"""Dagster's own storage: ``$DAGSTER_HOME/dagster.yaml``.

SQLite under ``DAGSTER_HOME`` (default ``.local/dagster``) unless
``ATTRIBUTION_DAGSTER_STORAGE=postgres``: then runs, events and schedules go
to dagster-postgres, in the database ``DAGSTER_PG_DATABASE`` (default
``dagster``) of the project's PostgreSQL server (the same PG* variables or
embedded server as everything else; socket directories work). That database
belongs to a role of its own, ``attribution_dagster`` (password
``ATTRIBUTION_DAGSTER_PASSWORD`` or the secrets file), which may connect to
nothing else; the admin connection only creates them. ``dagster.yaml``
then holds that role's password, so it is written readable by its owner
only (0600), like every file of the project that holds a secret.

    python -m orchestration.operations.instance   # .local/dagster/dagster.yaml
    python -m orchestration.operations.instance --storage postgres

Either way telemetry is off (its callbacks time out without internet), the
run queue lets one dbt build run at a time (two builds of the incremental
facts must never overlap), and the daemon's run monitoring fails runs that
never start (``start_timeout_seconds``), never finish cancelling, or outlive
their ``dagster/max_runtime`` tag (orchestration/jobs/asset_jobs.py). The default run
launcher cannot tell whether a STARTED run's worker still lives: the
operations sensor (orchestration/operations/thresholds.py) does that.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

import psycopg

from warehouse import credentials, database, paths, roles

MANAGED_MARK = "# written by python -m orchestration.operations.instance"
# the mark before the module moved into orchestration/operations/: a file
# bearing it is still ours to rewrite
_MANAGED_MARKS = (MANAGED_MARK, "# written by python -m orchestration.instance")

_COMMON = """\
telemetry:
  enabled: false
run_queue:
  max_concurrent_runs: 4
  tag_concurrency_limits:
    # every job that runs dbt carries this tag (orchestration/assets.py)
    - key: attribution/dbt
      limit: 1
run_monitoring:
  enabled: true
  # a run still STARTING (or never launched) after 3 min is failed
  start_timeout_seconds: 180
  cancel_timeout_seconds: 180
  # a dead worker is failed, never resumed: the next run recomputes the change
  max_resume_run_attempts: 0
  poll_interval_seconds: 30
"""


def default_home() -> Path:
    return Path(os.environ.get("DAGSTER_HOME") or paths.local_dir() / "dagster")


def storage_params(admin: database.ConnectionParams) -> database.ConnectionParams:
    """Dagster's storage database (named by `admin`, an admin connection to
    it), owned by Dagster's own role; how Dagster connects to it."""
    with psycopg.connect(
        admin.with_database("postgres").conninfo(), autocommit=True
    ) as conn:
        roles.ensure_login_role(conn, credentials.DAGSTER)
    database.ensure_database(admin, owner=credentials.DAGSTER)
    return admin.as_role(credentials.DAGSTER)


def dagster_yaml(
    storage: str = "sqlite", params: database.ConnectionParams | None = None
) -> str:
    """The instance configuration for ``sqlite`` or ``postgres`` storage
    (`params`: an admin connection to the storage database, default
    ``DAGSTER_PG_DATABASE`` on the project's server)."""
    if storage == "sqlite":
        return f"{MANAGED_MARK}\n# storage: SQLite files under DAGSTER_HOME\n{_COMMON}"
    if storage != "postgres":
        raise ValueError(f"unknown Dagster storage {storage!r}: sqlite or postgres")
    if params is None:
        server = database.resolve(create=False)
        params = server.with_database(os.environ.get("DAGSTER_PG_DATABASE", "dagster"))
    storage_role = storage_params(params)
    # JSON strings are valid YAML scalars, whatever the URL holds
    url = json.dumps(storage_role.url("psycopg2"))
    return f"{MANAGED_MARK}\n{_COMMON}storage:\n  postgres:\n    postgres_url: {url}\n"


def ensure_dagster_home(
    home: Path | None = None,
    storage: str | None = None,
    params: database.ConnectionParams | None = None,
) -> Path:
    """Writes DAGSTER_HOME/dagster.yaml unless someone wrote their own there."""
    home = home or default_home()
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if config.exists() and not config.read_text().startswith(_MANAGED_MARKS):
        return config
    storage = storage or os.environ.get("ATTRIBUTION_DAGSTER_STORAGE", "sqlite")
    credentials.write_private(config, dagster_yaml(storage, params))
    return config


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m orchestration.operations.instance")
    parser.add_argument(
        "--home",
        type=Path,
        default=None,
        help="DAGSTER_HOME (default: $DAGSTER_HOME or .local/dagster)",
    )
    parser.add_argument("--storage", choices=["sqlite", "postgres"], default=None)
    args = parser.parse_args(argv)
    print(ensure_dagster_home(args.home, args.storage))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
