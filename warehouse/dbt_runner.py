"""Running dbt and MetricFlow against the project's database.

dbt always connects as the transformer role; the profile comes from
profiles.example.yml unless the project has its own profiles.yml.
"""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from warehouse import credentials, database, paths

PROJECT_ROOT = paths.PROJECT_ROOT
# what dbt reads: a newer or different file here is a new project
PROJECT_SOURCES = (
    "dbt_project.yml",
    "packages.yml",
    "packages",
    "models",
    "macros",
    "data-tests",
    "seeds",
)


def dbt_profiles_dir() -> Path:
    """A profiles directory holding profiles.example.yml as profiles.yml."""
    target = paths.local_dir() / "dbt"
    target.mkdir(parents=True, exist_ok=True)
    example = (PROJECT_ROOT / "profiles.example.yml").read_text()
    profile = target / "profiles.yml"
    if not profile.exists() or profile.read_text() != example:
        # whole or not at all: another process may be reading it
        partial = target / f".profiles.yml.{os.getpid()}"
        partial.write_text(example)
        os.replace(partial, profile)
    return target


def dbt_env(params: database.ConnectionParams | None = None) -> dict[str, str]:
    """dbt's environment: the database as the transformer role."""
    params = database.role_params(credentials.TRANSFORMER, params)
    env = database.libpq_env(params)
    # snapshots stamp versions with local timestamps: one zone for every run
    env.setdefault("PGOPTIONS", "-c TimeZone=UTC")
    if not (PROJECT_ROOT / "profiles.yml").exists():
        env.setdefault("DBT_PROFILES_DIR", str(dbt_profiles_dir()))
    return env


@contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    """os.environ with `values` set, restored afterwards: for dbt run in this
    process (it reads the profile's env_var()s, and libpq its PG* variables,
    from here)."""
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def dbt_executable() -> str:
    return os.path.join(os.path.dirname(sys.executable), "dbt")


def run_dbt(
    dbt_args: list[str],
    params: database.ConnectionParams | None = None,
    env: dict[str, str] | None = None,
    capture: bool = False,
) -> subprocess.CompletedProcess:
    """Run dbt in this project against the given (or the project's) database."""
    full_env = dbt_env(params)
    full_env.update(env or {})
    return subprocess.run(
        [dbt_executable(), *dbt_args, "--project-dir", str(PROJECT_ROOT)],
        env=full_env,
        cwd=PROJECT_ROOT,
        text=True,
        capture_output=capture,
        check=False,
    )


def generate_docs(params: database.ConnectionParams | None = None) -> int:
    """`dbt docs generate` into target/ (the catalog reads the database)."""
    from warehouse import migrate  # alembic: only when docs are built

    params = params or database.resolve()
    migrate.upgrade(params)
    return run_dbt(["docs", "generate", "--quiet"], params).returncode


def mf_executable() -> str:
    return os.path.join(os.path.dirname(sys.executable), "mf")


def run_mf(
    mf_args: list[str],
    params: database.ConnectionParams | None = None,
    env: dict[str, str] | None = None,
    capture: bool = False,
) -> subprocess.CompletedProcess:
    """Run MetricFlow's `mf` in this project against the given database.

    mf reads the semantic manifest that `dbt parse` writes, whose relations
    name the database parsed against: parse first, for this database.
    """
    full_env = dbt_env(params)
    full_env.update(env or {})
    parsed = run_dbt(["parse", "--quiet"], params, env, capture=capture)
    if parsed.returncode != 0:
        return parsed
    return subprocess.run(
        [mf_executable(), *mf_args],
        env=full_env,
        cwd=PROJECT_ROOT,
        text=True,
        capture_output=capture,
        check=False,
    )


def newest_project_change(project_dir: Path = PROJECT_ROOT) -> float:
    """The newest modification time of the files dbt reads."""
    newest = 0.0
    for name in PROJECT_SOURCES:
        path = project_dir / name
        files = [path] if path.is_file() else path.rglob("*")
        for file in files:
            if file.is_file():
                newest = max(newest, file.stat().st_mtime)
    return newest


def parsed_manifest(params: database.ConnectionParams | None = None) -> dict[str, Any]:
    """The project's manifest, from `dbt parse` (no database needed) when it
    is missing or older than a project file.

    It lives in target/parsed/, which nothing but this function writes:
    every `dbt run` or `build` rewrites target/manifest.json in place, and a
    reader there can meet half a file written by another process.
    """
    target = PROJECT_ROOT / "target" / "parsed"
    manifest = target / "manifest.json"
    target.mkdir(parents=True, exist_ok=True)
    # one parse at a time: processes that find it stale together wait for
    # the first one's manifest instead of writing it at once
    with open(target / ".parse.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not manifest.exists() or newest_project_change() > manifest.stat().st_mtime:
            env = {"DBT_TARGET_PATH": str(target), "DBT_LOG_PATH": str(target)}
            parsed = run_dbt(["parse", "--quiet"], params, env, capture=True)
            if parsed.returncode != 0:
                raise RuntimeError(f"dbt parse failed:\n{parsed.stdout[-4000:]}")
        return json.loads(manifest.read_text())
