"""What changed in the sources since the last frequent build, as a dbt selection.

The frequent run builds only the part of the graph whose inputs changed,
and nothing at all when nothing did. Each source group has a high-water
mark that is cheap at any size of history:

- orders: the newest ``erp.orders.updated_at``, and the ids and
  ``updated_at`` of the orders within the lookback of it (an index range
  scan). The ERP bumps it on every change of an order or its items
  (SOURCES.md); what the replica delivers later than the lookback, and hard
  deletes, are the nightly job's to repair, as for ``snap_erp__orders``.
- products: every product and batch row (exact; batches have no
  ``updated_at``).
- campaigns, targeting, status_events: every row (exact; small tables).
- spend: every spend row, and Fivetran's report when configured (exact: a
  re-load need not move ``loaded_at``).
- reporting_date: today in the dbt var ``reporting_timezone`` (budget
  pacing runs up to today).
- project: a hash of the dbt project's files: a deploy rebuilds everything,
  views included.

A group whose mark moved selects its sources and everything downstream
(``source:erp.orders+``). Views are re-created only when the project
changed or a table they read is rebuilt (dbt drops a table's dependent
views with it): a view reads its sources live, so re-creating it with the
same SQL does nothing. Their tests run either way. The nightly tests
(``tag:nightly``) and unit tests never run here.

The change sensor (orchestration/sensors.py) starts ``attribution_incremental``
with this selection; the benchmark's frequent run and the incremental tests
call the same functions, so a missed dependency fails them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from warehouse import dbt_runner
from warehouse.dbt_vars import project_vars

PROJECT_DIR = dbt_runner.PROJECT_ROOT
# the whole-table tests: never on the frequent path
NIGHTLY_TESTS = "tag:nightly"
# Of what a changed source feeds, the nodes that hold data and the tests.
# Views are left out (they read their sources live: re-creating one with
# the same SQL does nothing) unless the project changed; their tests stay.
HOLDS_DATA = (
    "resource_type:snapshot",
    "config.materialized:table",
    "config.materialized:incremental",
    "resource_type:test",
)

Marks = dict[str, str]


@dataclass(frozen=True)
class SourceGroup:
    """What one mark watches: dbt sources (``source:erp.orders``) or models
    (by name); a change selects them and everything downstream."""

    starts: tuple[str, ...]

    def selectors(self) -> list[str]:
        return [f"{start}+" for start in self.starts]


GROUPS: dict[str, SourceGroup] = {
    "orders": SourceGroup(("source:erp.orders", "source:erp.order_items")),
    "products": SourceGroup(("source:erp.products", "source:erp.product_batches")),
    "campaigns": SourceGroup(("source:marketing.ad_campaigns",)),
    "targeting": SourceGroup(("source:marketing.ad_campaign_products",)),
    "status_events": SourceGroup(("source:marketing.ad_campaign_status_events",)),
    "spend": SourceGroup(
        (
            "source:marketing.ad_spend_daily",
            "source:fivetran.campaign_report",
        )
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


def _identifier(name: str) -> str:
    """A schema or table name from the project's vars, quoted."""
    return ".".join('"' + part.replace('"', '""') + '"' for part in name.split("."))


def _exact(table: str) -> str:
    """Every row of a small table, as a count and a sum of row hashes."""
    return (
        f"(select count(*)::text || ':' || coalesce(sum(hashtextextended("
        f"rows::text, 0)), 0)::text from {table} as rows)"
    )


def marks_sql() -> str:
    vars_ = project_vars()
    erp = _identifier(str(vars_.get("erp_schema", "erp")))
    marketing = _identifier(str(vars_.get("marketing_schema", "marketing")))
    lookback = str(vars_.get("order_observation_lookback", "10 minutes"))
    timezone = str(vars_.get("reporting_timezone", "UTC"))
    spend = _exact(f"{marketing}.ad_spend_daily")
    fivetran = vars_.get("fivetran_campaign_report")
    if fivetran:
        spend = f"{spend} || '/' || {_exact(_identifier(str(fivetran)))}"
    return f"""
        select
            (
                select
                    newest.updated_at::text || ':' || count(recent.id)::text
                    || ':' || coalesce(sum(hashtextextended(
                        recent.id::text || '@' || recent.updated_at::text, 0
                    )), 0)::text
                from (select max(updated_at) as updated_at from {erp}.orders)
                    as newest
                left join {erp}.orders as recent
                    on recent.updated_at
                    >= newest.updated_at - interval '{lookback.replace("'", "")}'
                group by newest.updated_at
            ) as orders,
            {_exact(f"{erp}.products")} || '/'
            || {_exact(f"{erp}.product_batches")} as products,
            {_exact(f"{marketing}.ad_campaigns")} as campaigns,
            {_exact(f"{marketing}.ad_campaign_products")} as targeting,
            {_exact(f"{marketing}.ad_campaign_status_events")} as status_events,
            {spend} as spend,
            (now() at time zone '{timezone.replace("'", "")}')::date::text
                as reporting_date
    """


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
    """Every group's mark now (``conn``: a psycopg connection or cursor)."""
    cursor = conn.execute(marks_sql())
    row = cursor.fetchone()
    names = [column.name for column in cursor.description]
    marks = {
        name: "" if value is None else str(value)
        for name, value in zip(names, row, strict=True)
    }
    marks["project"] = project_fingerprint()
    return marks


def changed_groups(
    before: Mapping[str, str] | None, after: Mapping[str, str]
) -> list[str]:
    """The groups whose mark moved; every group when there is no earlier mark."""
    if not before:
        return sorted(GROUPS)
    return sorted(name for name in GROUPS if before.get(name) != after.get(name))


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
