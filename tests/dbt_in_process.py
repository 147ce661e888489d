"""dbt inside the test process, the project parsed once per session.

A `dbt` command line costs about five seconds before it does any work
(imports, the parse, the artifacts); the tests run dbt a few hundred times.
Here the project is parsed once and every command runs through
`dbt.cli.main.dbtRunner` with that manifest: the same commands, flags,
profile and SQL as the command line, without the process.

Each test database is its own PostgreSQL database, and a parsed manifest
names the database it was parsed for in every relation; before each
command the manifest is pointed at the command's database (PostgreSQL
refuses cross-database references, so a miss fails loudly).

The command line itself stays covered: the Dagster tests run dbt through
dagster-dbt's CLI resource, and `ATTRIBUTION_TEST_DBT=cli` runs this whole
suite through `dbt` processes instead (warehouse.dbt_runner.run_dbt).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from warehouse import database, dbt_runner

# `dbt build` of the tests: the unit tests (rules on fixed inputs, whatever
# the database holds) run once per session instead, in test_dbt_unit_tests.py
BUILD = ("build", "--exclude-resource-type", "unit_test")

# dbt's own events worth keeping as "output": what the console would show
_SHOWN_LEVELS = {"info", "warn", "error"}


def cli_requested() -> bool:
    return os.environ.get("ATTRIBUTION_TEST_DBT", "in-process") == "cli"


def _retarget(manifest: Any, dbname: str) -> None:
    """Point every relation of a parsed manifest at database `dbname`."""
    objects = [
        *manifest.nodes.values(),
        *manifest.sources.values(),
        *manifest.unit_tests.values(),
    ]
    for node in objects:
        old = getattr(node, "database", None)
        if old is None or old == dbname:
            continue
        node.database = dbname
        relation = getattr(node, "relation_name", None)
        if relation:
            node.relation_name = relation.replace(f'"{old}".', f'"{dbname}".', 1)
    for model in manifest.semantic_models.values():
        relation = model.node_relation
        if relation is not None and relation.database not in (None, dbname):
            old = relation.database
            relation.database = dbname
            relation.relation_name = relation.relation_name.replace(
                f'"{old}".', f'"{dbname}".', 1
            )


class InProcessDbt:
    """`run(params, "build", "--select", ...)`: dbt's console output, like
    the command line's; raises when dbt fails and `expect_ok`."""

    def __init__(self, target_dir: Path) -> None:
        self.target_dir = target_dir
        self._manifest: Any = None

    def _common_args(self) -> list[str]:
        return [
            "--project-dir",
            str(dbt_runner.PROJECT_ROOT),
            "--target-path",
            str(self.target_dir),
            "--log-path",
            str(self.target_dir / "logs"),
            "--log-level",
            "none",
            "--log-level-file",
            "none",
        ]

    def _invoke(
        self, params: database.ConnectionParams, args: list[str]
    ) -> tuple[bool, str, Any]:
        from dbt.cli.main import dbtRunner

        shown: list[str] = []

        def keep(event: Any) -> None:
            if event.info.level in _SHOWN_LEVELS and event.info.msg:
                shown.append(event.info.msg)

        env = dbt_runner.dbt_env(params)
        wanted = {
            key: value
            for key, value in env.items()
            if key.startswith(("PG", "DBT_")) and os.environ.get(key) != value
        }
        if self._manifest is None and args[0] != "parse":
            self._parse(params)
        if self._manifest is not None:
            _retarget(self._manifest, params.dbname)
        runner = dbtRunner(manifest=self._manifest, callbacks=[keep])
        with dbt_runner.environment(wanted):
            result = runner.invoke([*args, *self._common_args()])
        output = "\n".join(shown)
        if result.exception is not None:
            output += f"\n{type(result.exception).__name__}: {result.exception}"
        return result.success, output, result.result

    def _parse(self, params: database.ConnectionParams) -> None:
        ok, output, manifest = self._invoke(params, ["parse"])
        if not ok:
            raise AssertionError(f"dbt parse failed:\n{output[-8000:]}")
        self._manifest = manifest

    def run(
        self, params: database.ConnectionParams, *args: str, expect_ok: bool = True
    ) -> str:
        ok, output, _ = self._invoke(params, list(args))
        if expect_ok and not ok:
            raise AssertionError(f"dbt {' '.join(args)} failed:\n{output[-8000:]}")
        return output


def run_cli(
    target_dir: Path,
    params: database.ConnectionParams,
    *args: str,
    expect_ok: bool = True,
) -> str:
    """The same, through a `dbt` process (ATTRIBUTION_TEST_DBT=cli)."""
    result = dbt_runner.run_dbt(
        list(args),
        params,
        env={
            "DBT_TARGET_PATH": str(target_dir),
            "DBT_LOG_PATH": str(target_dir / "logs"),
        },
        capture=True,
    )
    output = result.stdout + result.stderr
    if expect_ok and result.returncode != 0:
        raise AssertionError(f"dbt {' '.join(args)} failed:\n{output[-8000:]}")
    return output
