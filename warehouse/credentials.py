"""The database roles of the project and where their passwords come from.

Each component connects as its own role, with the least it needs (the grants
live in :mod:`warehouse.roles`):

* ``attribution_owner`` owns the project's schemas; migrations hand it their
  objects. Only it may rewrite history (status events, audit log).
* ``attribution_app`` is the Streamlit app.
* ``attribution_transformer`` is dbt and Dagster.
* ``bi_reader`` is BI tools: ``marts`` only.

Two more live outside the project's database and its grants:

* ``attribution_dagster`` owns Dagster's own storage database when it is
  PostgreSQL (orchestration/operations/instance.py), and nothing else;
* ``erp_replica`` writes the ``erp`` tables where the demo and the tests
  stand in for the ERP's replication (demo/data.py); a deployment's replica
  has its own writer.

A password comes from its environment variable when set, else from the
secrets file ``$ATTRIBUTION_LOCAL_DIR/secrets.env`` (default
``.local/secrets.env``, mode 0600, git-ignored), where a random one is
generated on first use. The embedded server's superuser has one too: the
embedded server asks every connection for its password.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
from pathlib import Path

from warehouse.paths import local_dir

OWNER = "attribution_owner"
APP = "attribution_app"
TRANSFORMER = "attribution_transformer"
BI_READER = "bi_reader"
SUPERUSER = "postgres"  # the embedded server's bootstrap superuser
ROLES = (OWNER, APP, TRANSFORMER, BI_READER)
DAGSTER = "attribution_dagster"
ERP_REPLICA = "erp_replica"

# role -> the environment variable that overrides the generated password
PASSWORD_VARIABLES = {
    SUPERUSER: "ATTRIBUTION_SUPERUSER_PASSWORD",
    OWNER: "ATTRIBUTION_OWNER_PASSWORD",
    APP: "ATTRIBUTION_APP_PASSWORD",
    TRANSFORMER: "ATTRIBUTION_TRANSFORMER_PASSWORD",
    BI_READER: "BI_READER_PASSWORD",
    DAGSTER: "ATTRIBUTION_DAGSTER_PASSWORD",
    ERP_REPLICA: "ATTRIBUTION_ERP_REPLICA_PASSWORD",
}


def secrets_file() -> Path:
    return local_dir() / "secrets.env"


def password(role: str) -> str:
    """The role's password: its environment variable, else the secrets file."""
    variable = PASSWORD_VARIABLES[role]
    from_env = os.environ.get(variable)
    if from_env:
        return from_env
    return _stored()[variable]


def masked(secret: str | None) -> str:
    """Enough of a secret to tell two apart, never the secret itself."""
    if not secret:
        return ""
    return secret[:2] + "…" if len(secret) >= 12 else "…"


def _stored() -> dict[str, str]:
    """The secrets file's values, generating (once) any that are missing."""
    path = secrets_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = path.with_suffix(".lock")
    with open(lock, "a") as handle:
        # several processes (app, dbt, Dagster, tests) may read it at once
        fcntl.flock(handle, fcntl.LOCK_EX)
        # written by an older checkout, or copied with a wider mode
        keep_private(path)
        values = _read(path)
        missing = [v for v in PASSWORD_VARIABLES.values() if not values.get(v)]
        if missing:
            for variable in missing:
                values[variable] = secrets.token_urlsafe(24)
            _write(path, values)
        return values


def _read(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    with contextlib.suppress(FileNotFoundError):
        for line in path.read_text().splitlines():
            key, sep, value = line.partition("=")
            if sep and not key.startswith("#"):
                values[key.strip()] = value.strip()
    return values


def _write(path: Path, values: dict[str, str]) -> None:
    write_private(
        path,
        "# Database passwords of this checkout, generated on first use.\n"
        "# An environment variable of the same name overrides a line.\n"
        + "".join(f"{key}={value}\n" for key, value in sorted(values.items())),
    )


def write_private(path: Path, text: str) -> None:
    """Write a file that holds a secret: readable by this user only (0600)
    from its first byte, replaced whole (never seen half-written)."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        # a file left by an earlier run keeps its mode through O_CREAT
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(text)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    os.replace(temporary, path)


def keep_private(path: Path) -> None:
    """Take group and other access away from an existing secret file."""
    with contextlib.suppress(FileNotFoundError):
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)
