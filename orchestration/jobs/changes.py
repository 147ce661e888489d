"""What changed in the sources since the last frequent build, as a dbt selection.

The frequent run builds only the part of the graph whose inputs changed,
and nothing at all when nothing did. It does not decide what changed: the
incremental engine's observations do (models/snapshots, materialized
``observation``; packages/incremental_engine/macros/observation.sql states
the protocol). Each observation publishes ``<observation>__pending``, the
rows its next build would record; a source group is due while one of its
observations has anything pending, and then selects its sources and
everything downstream (``source:erp.orders+``), the observations included,
which record the change for the incremental models to read. Reading the
views costs what the observations' own comparison costs: the orders'
through ``erp.orders (updated_at)`` within the lookback, the small tables
in full.

Two groups are not source rows, and have marks compared with the last
frequent build's instead:
- reporting_date: today in the dbt var ``reporting_timezone`` (budget
  pacing runs up to today);
- project: a hash of the dbt project's files: a deploy rebuilds everything,
  views included.

Views are re-created only when the project changed or a table they read is
rebuilt (dbt drops a table's dependent views with it): a view reads its
sources live, so re-creating it with the same SQL does nothing. Their tests
run either way. The nightly tests (``tag:nightly``) and unit tests never
run here.

The change sensor (orchestration/jobs/sensors.py) starts ``attribution_incremental``
with this selection; the benchmark's frequent run and the incremental tests
call the same functions, so a missed dependency fails them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from warehouse import dbt_runner, dbt_vars

PROJECT_DIR = dbt_runner.PROJECT_ROOT
# the whole-table tests: never on the frequent path
NIGHTLY_TESTS = "tag:nightly"
# Of what a changed source feeds, the nodes that hold data and the tests.
# Views are left out (they read their sources live: re-creating one with
# the same SQL does nothing) unless the project changed; their tests stay.
HOLDS_DATA = (
    "config.materialized:observation",
    "config.materialized:table",
    "config.materialized:incremental",
    "resource_type:test",
)

Marks = dict[str, str]


@dataclass(frozen=True)
class SourceGroup:
    """What one group selects when due: dbt sources (``source:erp.orders``)
    or models (by name), and everything downstream; and the observations
    whose pending rows make it due (none: a mark decides)."""

    starts: tuple[str, ...]
    observations: tuple[str, ...] = ()

    def selectors(self) -> list[str]:
        return [f"{start}+" for start in self.starts]


GROUPS: dict[str, SourceGroup] = {
    "orders": SourceGroup(
        ("source:erp.orders", "source:erp.order_items"), ("snap_erp__orders",)
    ),
    "products": SourceGroup(
        ("source:erp.products", "source:erp.product_batches"),
        ("snap_erp__products", "snap_erp__product_batches"),
    ),
    "campaigns": SourceGroup(
        ("source:marketing.ad_campaigns",), ("snap_marketing__ad_campaigns",)
    ),
    "targeting": SourceGroup(
        ("source:marketing.ad_campaign_products",),
        ("snap_marketing__ad_campaign_products",),
    ),
    "status_events": SourceGroup(
        ("source:marketing.ad_campaign_status_events",),
        ("snap_marketing__ad_campaign_status_events",),
    ),
    "spend": SourceGroup(
        (
            "source:marketing.ad_spend_daily",
            "source:fivetran.campaign_report",
        ),
        ("snap_spend__campaign_days",),
    ),
    # the models that read the current date
    "reporting_date": SourceGroup(("fct_campaign_budget_pacing",)),
    # a deploy: everything, views included (frequent_selection)
    "project": SourceGroup(("fqn:*",)),
}


def _start_ids(start: str, manifest: Mapping[str, Any]) -> set[str]:
    if start.startswith("source:"):
        source_name, _, name = start.removeprefix("source:").partition(".")
        return {
            unique_id
            for unique_id, source in manifest["sources"].items()
            if source["source_name"] == source_name and source["name"] == name
        }
    return {
        unique_id
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] == "model" and node["name"] == start
    }


def _descendants(ids: Iterable[str], child_map: Mapping[str, list[str]]) -> set[str]:
    seen: set[str] = set()
    pending = list(ids)
    while pending:
        for child in child_map.get(pending.pop(), []):
            if child not in seen:
                seen.add(child)
                pending.append(child)
    return seen


def dropped_views(starts: Iterable[str], manifest: Mapping[str, Any]) -> list[str]:
    """Views a run from these starts must re-create: those downstream of a
    table it rebuilds (dbt drops the old table with its dependent views)."""
    nodes, child_map = manifest["nodes"], manifest["child_map"]
    first = {unique_id for start in starts for unique_id in _start_ids(start, manifest)}
    fed = first | _descendants(first, child_map)
    tables = [
        unique_id
        for unique_id in fed
        if nodes.get(unique_id, {}).get("config", {}).get("materialized") == "table"
    ]
    return sorted(
        nodes[unique_id]["name"]
        for unique_id in _descendants(tables, child_map)
        if nodes.get(unique_id, {}).get("config", {}).get("materialized") == "view"
    )


def observation_schema() -> str:
    """Where the observations and their pending views are (dbt_project.yml)."""
    project = yaml.safe_load(dbt_vars.DBT_PROJECT.read_text())
    return str(project["models"]["campaign_attribution"]["snapshots"]["+schema"])


def _pending_fingerprint(view: str) -> str:
    """The rows of a pending view as a count and a sum of row hashes."""
    return (
        f"(select count(*)::text || ':' || coalesce(sum(hashtextextended("
        f"rows::text, 0)), 0)::text from {view} as rows)"
    )


def marks_sql(observed: Iterable[str]) -> str:
    """One row: each observation's pending fingerprint (``observed``: those
    whose views exist), and the reporting date."""
    schema = observation_schema()
    columns = [
        f'{_pending_fingerprint(f"{schema}.{name}__pending")} as "{name}"'
        for name in observed
    ]
    columns.append(f"{dbt_vars.reporting_day_sql('now()')}::text as reporting_date")
    return "select " + ", ".join(columns)


def project_fingerprint() -> str:
    """A hash of the dbt project's files: it moves when the project is deployed."""
    digest = hashlib.sha256()
    for name in dbt_runner.PROJECT_SOURCES:
        path = PROJECT_DIR / name
        files = [path] if path.is_file() else sorted(path.rglob("*"))
        for file in files:
            if file.is_file():
                digest.update(str(file.relative_to(PROJECT_DIR)).encode())
                digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def source_marks(conn: Any) -> Marks:
    """Every group's mark now (``conn``: a psycopg connection or cursor): for
    a group of observations, what they have pending ("" when nothing)."""
    views = {
        name
        for (name,) in conn.execute(
            "select table_name from information_schema.views where table_schema = %s",
            (observation_schema(),),
        ).fetchall()
    }
    observations = [name for group in GROUPS.values() for name in group.observations]
    observed = [name for name in observations if f"{name}__pending" in views]
    cursor = conn.execute(marks_sql(observed))
    row = dict(
        zip(
            [column.name for column in cursor.description],
            cursor.fetchone(),
            strict=True,
        )
    )
    marks: Marks = {}
    for name, group in GROUPS.items():
        if group.observations:
            # an observation never built has everything pending
            pending = [
                "unobserved" if observation not in row else str(row[observation])
                for observation in group.observations
            ]
            due = any(part not in ("", "0:0") for part in pending)
            marks[name] = "/".join(pending) if due else ""
    marks["reporting_date"] = str(row["reporting_date"])
    marks["project"] = project_fingerprint()
    return marks


def changed_groups(
    before: Mapping[str, str] | None, after: Mapping[str, str]
) -> list[str]:
    """The groups due now: those whose observations have something pending,
    and those whose mark moved since ``before``; every group when there is
    no earlier mark."""
    if not before:
        return sorted(GROUPS)
    return sorted(
        name
        for name, group in GROUPS.items()
        if (
            after.get(name)
            if group.observations
            else before.get(name) != after.get(name)
        )
    )


def covered(requested: Mapping[str, str], after: Mapping[str, str]) -> bool:
    """Whether a run requested at the marks ``requested`` covers everything
    due at ``after``: nothing pending that was not pending then, no mark
    moved since."""
    return all(
        after.get(name) in ("", requested.get(name))
        if group.observations
        else after.get(name) == requested.get(name)
        for name, group in GROUPS.items()
    )


def frequent_selection(
    changed: Iterable[str], manifest: Mapping[str, Any]
) -> tuple[list[str], list[str]]:
    """(select, exclude) of dbt for the frequent run after these changes;
    an empty select means nothing to run. ``manifest``: the project's parsed
    manifest, to find the views a run must re-create."""
    changed = set(changed)
    unknown = changed - set(GROUPS)
    if unknown:
        raise ValueError(f"unknown source groups: {sorted(unknown)}")
    if not changed:
        return [], []
    if "project" in changed:
        return GROUPS["project"].selectors(), [NIGHTLY_TESTS]
    starts = [start for name in sorted(changed) for start in GROUPS[name].starts]
    select = [
        f"{start}+,{kind}" for start in starts for kind in HOLDS_DATA
    ] + dropped_views(starts, manifest)
    return select, [NIGHTLY_TESTS]


def frequent_build_args(
    changed: Iterable[str], manifest: Mapping[str, Any]
) -> list[str] | None:
    """The `dbt build` arguments of the frequent run, or None: nothing to do."""
    select, exclude = frequent_selection(changed, manifest)
    if not select:
        return None
    return [
        "build",
        "--select",
        *select,
        "--exclude",
        *exclude,
        "--exclude-resource-type",
        "unit_test",
    ]


def dumps(marks: Mapping[str, str]) -> str:
    return json.dumps(dict(marks), sort_keys=True)


def digest(marks: Mapping[str, str]) -> str:
    return hashlib.sha256(dumps(marks).encode()).hexdigest()[:20]
