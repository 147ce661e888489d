"""The dbt project as Dagster sees it, with a manifest prepared offline.

``dbt parse`` needs neither a database nor the network, so the manifest is
prepared when the definitions load (``build_project``, called by
orchestration/definitions.py, never at import time): under ``dagster dev``
on every load (dagster-dbt's ``prepare_if_dev``), and elsewhere whenever it
is missing or older than the project's files, so ``dagster definitions
validate`` and the tests never read a stale one.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from dagster_dbt import DbtProject

from orchestration.settings import Settings
from warehouse import dbt_runner, paths

PROJECT_DIR = paths.PROJECT_ROOT


def profiles_dir() -> Path:
    """Where profiles.yml is: the project root's if present, else .local/dbt."""
    if (PROJECT_DIR / "profiles.yml").exists():
        return PROJECT_DIR
    return dbt_runner.dbt_profiles_dir()


def _use_project_dbt() -> None:
    # dagster-dbt's preparer runs `dbt` from PATH: make that the project's own.
    bin_dir = os.path.dirname(dbt_runner.dbt_executable())
    path = os.environ.get("PATH", "")
    if bin_dir not in path.split(os.pathsep):
        os.environ["PATH"] = os.pathsep.join([bin_dir, path]) if path else bin_dir
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")


def manifest_is_stale(project: DbtProject) -> bool:
    if not project.manifest_path.exists():
        return True
    newest = dbt_runner.newest_project_change(Path(project.project_dir))
    return newest > project.manifest_path.stat().st_mtime


def build_project(settings: Settings) -> DbtProject:
    """The project with its manifest under ``settings.dbt_target_path``, fresh."""
    _use_project_dbt()
    project = DbtProject(
        project_dir=PROJECT_DIR,
        target_path=settings.dbt_target_path,
        profiles_dir=profiles_dir(),
    )
    project.prepare_if_dev()
    if manifest_is_stale(project):
        project.preparer.prepare(project)
    return project


def read_manifest(project: DbtProject) -> dict[str, Any]:
    """The project's parsed manifest (``build_project`` prepared it)."""
    return json.loads(project.manifest_path.read_text())
