"""The dbt project passes dbt-project-evaluator's rules, read from its manifest.

The package cannot be installed here (no `dbt deps`), so each of its rule
models (models/marts/* of dbt-labs/dbt-project-evaluator) is restated below
over a freshly parsed manifest, with the package's defaults. The project's
overrides of those defaults live where the package reads them, in
dbt_project.yml (`vars: dbt_project_evaluator:`); the few exceptions to a
rule are listed in EXCEPTIONS, shaped like the package's exceptions seed.
docs/dbt-project-evaluator.md says why for each. No database needed.
"""

from __future__ import annotations

import copy
import json
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pytest
import yaml

from warehouse import dbt_runner

ROOT = Path(__file__).resolve().parents[1]

# The package's defaults (its dbt_project.yml); the project's own
# `vars: dbt_project_evaluator:` replace them key by key.
EVALUATOR_DEFAULTS = {
    "documentation_coverage_target": 100,
    "test_coverage_target": 100,
    "primary_key_test_macros": [
        ["dbt.test_unique", "dbt.test_not_null"],
        ["dbt_utils.test_unique_combination_of_columns"],
    ],
    "enforced_primary_key_node_types": ["model"],
    "models_fanout_threshold": 3,
    "too_many_joins_threshold": 7,
    "model_types": ["base", "staging", "intermediate", "marts", "other"],
    "base_folder_name": "base",
    "staging_folder_name": "staging",
    "intermediate_folder_name": "intermediate",
    "marts_folder_name": "marts",
    "base_prefixes": ["base_"],
    "staging_prefixes": ["stg_"],
    "intermediate_prefixes": ["int_"],
    "marts_prefixes": ["fct_", "dim_"],
    "other_prefixes": ["rpt_"],
    "chained_views_threshold": 5,
    "comment_chars": ["--"],
}

# Rule (the package's fact model) -> what it may report here: the rows the
# package's exceptions seed would hold. Each one is explained in
# docs/dbt-project-evaluator.md.
EXCEPTIONS: dict[str, set[str]] = {
    # the incremental facts' change detection reads every observation
    "fct_too_many_joins": {
        "fct_order_item_attribution",
        "fct_order_item_campaign_credits",
        "int_order_items_bad",
    },
    # segments are unit-tested and indexed on their own before packing
    "fct_rejoining_of_upstream_concepts": {
        "int_product_segment_starts -> int_campaign_product_segments"
        " -> int_product_segment_campaigns",
        # the spend's observation: what changed, beside the spend itself
        "int_campaign_spend_daily -> snap_spend__campaign_days -> agg_campaign_daily",
    },
    # reference tables edited by people, the run log, optional Fivetran
    "fct_sources_without_freshness": {
        "erp.products",
        "erp.product_batches",
        "marketing.ad_campaigns",
        "marketing.ad_campaign_products",
        "marketing.ad_campaign_status_events",
        "pipeline.attribution_runs",
        "fivetran.campaign_report",
        # rewritten whole by the nightly lift estimate, whose asset says when
        "measurement.campaign_lift",
        "measurement.campaign_lift_daily",
    },
    # Dagster's spend check reads the spend before it reaches the marts
    "fct_exposure_parents_materializations": {
        "dagster_attribution_jobs <- int_campaign_spend_daily",
        # explained for one order at a time, on read
        "app_admin_debug <- fct_order_item_campaign_explanations",
        # the run log: a view, so a build is in it the moment it commits
        "app_attribution_health <- fct_attribution_builds",
        "dagster_attribution_jobs <- fct_attribution_builds",
        # the lift estimates: views of what `python -m measurement lift`
        # wrote, current the moment it commits; net sales per product-day,
        # read once a night, cost the frequent runs nothing as a view
        "app_campaign <- fct_campaign_lift",
        "app_campaign <- fct_campaign_lift_daily",
        "bi_reader <- fct_campaign_lift",
        "dagster_attribution_jobs <- fct_campaign_lift",
        "dagster_attribution_jobs <- agg_product_sales_daily",
    },
    "fct_exposures_dependent_on_private_models": {
        "dagster_attribution_jobs <- int_campaign_spend_daily",
    },
}

# The package's find_all_hard_coded_references: `from`/`join` followed by a
# var() or a literal [db.]schema.table (not right after "distinct ").
_NOT_DISTINCT = r"(?<!distinct\s)(from|join)\s+"
_VAR = r"({{\s*var\s*\(\s*['\"]?)([^)'\"]+)(['\"]?\s*)"
_PART = r"([\[`\"']?)(\w+-?\w*)([\]`\"']?)"
HARD_CODED_REFERENCES = [
    _NOT_DISTINCT + _VAR + r"(\)\s*}})",
    _NOT_DISTINCT + _VAR + r"(,)(\s*['\"]?)([^)'\"]+)(['\"]?\s*)(\)\s*}})",
    _NOT_DISTINCT + _PART + r"(\.)" + _PART + r"(?=\s|$)",
    _NOT_DISTINCT + _PART + r"(\.)" + _PART + r"(\.)" + _PART + r"(?=\s|$)",
    _NOT_DISTINCT + r"([\[`\"'])(\w+-?\w+)([\]`\"'])(?=\s|$)",
]


def evaluator_vars() -> dict:
    project = yaml.safe_load((ROOT / "dbt_project.yml").read_text())
    overrides = (project.get("vars") or {}).get("dbt_project_evaluator") or {}
    return {**EVALUATOR_DEFAULTS, **overrides}


@dataclass(eq=False)
class Resource:
    """One row of the package's int_all_graph_resources."""

    unique_id: str
    name: str
    resource_type: str
    node: dict
    model_type: str | None = None
    parents: list[str] = field(default_factory=list)

    @property
    def file_path(self) -> str:
        return self.node.get("original_file_path", "")

    @property
    def directory(self) -> str:
        return self.file_path.rpartition("/")[0] + "/"

    @property
    def materialized(self) -> str | None:
        return self.node.get("config", {}).get("materialized")

    @property
    def is_described(self) -> bool:
        return bool((self.node.get("description") or "").strip())

    @property
    def is_public(self) -> bool:
        return self.resource_type == "model" and self.node.get("access") == "public"


class Project:
    """The manifest as the evaluator sees it: resources and their DAG."""

    def __init__(self, manifest: dict, rules: dict) -> None:
        self.manifest = manifest
        self.vars = rules
        self.resources: dict[str, Resource] = {}
        for kind in ("nodes", "sources", "exposures", "metrics"):
            for node in manifest[kind].values():
                self._add(node)

    def _add(self, node: dict) -> None:
        kind = node["resource_type"]
        name = node["name"]
        if kind == "source":
            name = f"{node['source_name']}.{name}"
        resource = Resource(
            unique_id=node["unique_id"],
            name=name,
            resource_type=kind,
            node=node,
            parents=list(dict.fromkeys(node.get("depends_on", {}).get("nodes", []))),
        )
        if kind not in ("test", "source", "metric", "exposure", "seed"):
            resource.model_type = self._prefix_type(resource) or (
                self.folder_type(resource) or "other"
            )
        self.resources[resource.unique_id] = resource

    def _prefix_type(self, resource: Resource) -> str | None:
        prefix = resource.name.split("_")[0] + "_"
        for model_type in self.vars["model_types"]:
            if prefix in self.vars.get(f"{model_type}_prefixes", []):
                return model_type
        return None

    def folder_type(self, resource: Resource) -> str | None:
        """The model type whose folder comes last in the resource's path."""
        found = [
            (("/" + resource.directory).rfind(f"/{folder}/"), model_type)
            for model_type in self.vars["model_types"]
            if (folder := self.vars.get(f"{model_type}_folder_name"))
        ]
        found = [(position, kind) for position, kind in found if position >= 0]
        return max(found)[1] if found else None

    def of_type(self, *kinds: str) -> list[Resource]:
        return [r for r in self.resources.values() if r.resource_type in kinds]

    def parents(self, resource: Resource) -> list[Resource]:
        return [self.resources[p] for p in resource.parents if p in self.resources]

    @cached_property
    def children(self) -> dict[str, list[Resource]]:
        """Direct children; tests are no part of the package's DAG."""
        children = defaultdict(list)
        for resource in self.resources.values():
            if resource.resource_type != "test":
                for parent in resource.parents:
                    children[parent].append(resource)
        return children

    def paths(self) -> list[list[Resource]]:
        """Every path of the DAG (int_all_dag_relationships), parent first."""
        paths = []

        def walk(path: list[Resource]) -> None:
            paths.append(path)
            for child in self.children[path[-1].unique_id]:
                walk([*path, child])

        for resource in self.resources.values():
            if resource.resource_type != "test":
                walk([resource])
        return paths

    @cached_property
    def tests_by_parent(self) -> dict[str, list[Resource]]:
        """Tests by their primary parent: the attached node, else the last."""
        tests = defaultdict(list)
        for test in self.of_type("test"):
            primary = test.node.get("attached_node") or (test.parents or [""])[-1]
            tests[primary].append(test)
        return tests


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Project:
    """A full parse of the working tree, never a stale partial one."""
    target = tmp_path_factory.mktemp("dbt-parse")
    result = dbt_runner.run_dbt(
        ["parse", "--quiet", "--no-partial-parse"],
        env={"DBT_TARGET_PATH": str(target), "DBT_LOG_PATH": str(target / "logs")},
        capture=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    manifest = json.loads((target / "manifest.json").read_text())
    return Project(manifest, evaluator_vars())


Rule = Callable[[Project], set[str]]
RULES: dict[str, Rule] = {}


def rule(function: Rule) -> Rule:
    """Register a rule under the name of the package's fact model."""
    RULES[function.__name__] = function
    return function


# -- modeling (models/marts/dag) ---------------------------------------------


@rule
def fct_staging_dependent_on_staging(project: Project) -> set[str]:
    return {
        f"{parent.name} -> {child.name}"
        for child in project.of_type("model", "snapshot")
        if child.model_type == "staging"
        for parent in project.parents(child)
        if parent.resource_type in ("model", "snapshot")
        and parent.model_type == "staging"
    }


@rule
def fct_staging_dependent_on_marts_or_intermediate(project: Project) -> set[str]:
    return {
        f"{parent.name} -> {child.name}"
        for child in project.of_type("model")
        if child.model_type == "staging"
        for parent in project.parents(child)
        if parent.resource_type == "model"
        and parent.model_type in ("marts", "intermediate")
    }


@rule
def fct_source_fanout(project: Project) -> set[str]:
    return {
        source.name
        for source in project.of_type("source")
        if sum(c.resource_type == "model" for c in project.children[source.unique_id])
        > 1
    }


@rule
def fct_multiple_sources_joined(project: Project) -> set[str]:
    return {
        resource.name
        for resource in project.resources.values()
        if resource.resource_type != "test"
        and sum(p.resource_type == "source" for p in project.parents(resource)) > 1
    }


@rule
def fct_marts_or_intermediate_dependent_on_source(project: Project) -> set[str]:
    return {
        f"{parent.name} -> {resource.name}"
        for resource in project.resources.values()
        if resource.model_type in ("marts", "intermediate")
        for parent in project.parents(resource)
        if parent.resource_type == "source"
    }


@rule
def fct_direct_join_to_source(project: Project) -> set[str]:
    return {
        model.name
        for model in project.of_type("model")
        if {p.resource_type for p in project.parents(model)} >= {"model", "source"}
    }


@rule
def fct_duplicate_sources(project: Project) -> set[str]:
    locations = defaultdict(set)
    for source in project.of_type("source"):
        node = source.node
        locations[(node["database"], node["schema"], node["identifier"])].add(
            source.name
        )
    return {", ".join(sorted(names)) for names in locations.values() if len(names) > 1}


@rule
def fct_hard_coded_references(project: Project) -> set[str]:
    comments = "(" + "|".join(map(re.escape, project.vars["comment_chars"])) + ").*"
    found = set()
    for model in project.of_type("model"):
        if model.node.get("language") != "sql":
            continue
        code = re.sub(comments, "", model.node.get("raw_code") or "")
        for pattern in HARD_CODED_REFERENCES:
            for match in re.findall(pattern, code, re.IGNORECASE):
                found.add(f"{model.name}: {''.join(match[1:]).strip()}")
    return found


@rule
def fct_root_models(project: Project) -> set[str]:
    return {
        model.name
        for model in project.of_type("model")
        if not model.parents and not model.node.get("time_spine")
    }


@rule
def fct_unused_sources(project: Project) -> set[str]:
    return {
        source.name
        for source in project.of_type("source")
        if not project.children[source.unique_id]
    }


@rule
def fct_too_many_joins(project: Project) -> set[str]:
    threshold = project.vars["too_many_joins_threshold"]
    return {m.name for m in project.of_type("model") if len(m.parents) >= threshold}


@rule
def fct_model_fanout(project: Project) -> set[str]:
    """A model feeding `threshold` or more models that feed nothing."""
    fanned = set()
    for parent in project.of_type("model"):
        leaves = sorted(
            child.name
            for child in project.children[parent.unique_id]
            if child.resource_type == "model" and not project.children[child.unique_id]
        )
        if len(leaves) >= project.vars["models_fanout_threshold"]:
            fanned.add(f"{parent.name}: {', '.join(leaves)}")
    return fanned


@rule
def fct_rejoining_of_upstream_concepts(project: Project) -> set[str]:
    """A -> B -> C and A -> C, where B feeds C alone: B belongs in C."""
    dag = {
        r.unique_id: {
            c.unique_id
            for c in project.children[r.unique_id]
            if c.resource_type not in ("exposure", "metric")
        }
        for r in project.resources.values()
        if r.resource_type not in ("test", "exposure", "metric")
    }
    names = {key: project.resources[key].name for key in dag}
    return {
        f"{names[parent]} -> {names[middle]} -> {names[child]}"
        for parent, children in dag.items()
        for middle in children
        if len(dag[middle]) == 1
        for child in dag[middle]
        if child in children
    }


# -- testing (models/marts/tests) ---------------------------------------------


def _primary_key_tested(project: Project, resource: Resource) -> bool:
    """int_model_test_summary: on one column (or on the model, for a
    multi-column test), every macro of one set of primary_key_test_macros, or
    a unique test plus a not_null constraint.

    Each macro of a set must be there: the package counts the tests matching
    any of the set, so two unique tests (or two not_null ones) would pass as
    a key test; they prove no key."""
    by_column = defaultdict(list)
    for test in project.tests_by_parent[resource.unique_id]:
        by_column[test.node.get("column_name") or None].append(
            set(test.node["depends_on"]["macros"])
        )
    columns = resource.node.get("columns", {})
    for column, macros in by_column.items():
        for test_set in project.vars["primary_key_test_macros"]:
            if all(
                any(f"macro.{macro}" in deps for deps in macros) for macro in test_set
            ):
                return True
        unique = any("macro.dbt.test_unique" in deps for deps in macros)
        constraints = columns.get(column, {}).get("constraints", [])
        if unique and any(c["type"] == "not_null" for c in constraints):
            return True
    return False


@rule
def fct_missing_primary_key_tests(project: Project) -> set[str]:
    kinds = project.vars["enforced_primary_key_node_types"]
    return {
        r.name for r in project.of_type(*kinds) if not _primary_key_tested(project, r)
    }


@rule
def fct_test_coverage(project: Project) -> set[str]:
    """Under the target share of tested models: the untested ones."""
    models = project.of_type("model")
    untested = {m.name for m in models if not project.tests_by_parent[m.unique_id]}
    coverage = 100 * (len(models) - len(untested)) / len(models)
    return untested if coverage < project.vars["test_coverage_target"] else set()


@rule
def fct_sources_without_freshness(project: Project) -> set[str]:
    def has_freshness(source: Resource) -> bool:
        declared = [
            source.node.get("freshness"),
            source.node["config"].get("freshness"),
        ]
        return any(
            (freshness.get(level) or {}).get("count")
            for freshness in declared
            if freshness
            for level in ("warn_after", "error_after")
        )

    return {s.name for s in project.of_type("source") if not has_freshness(s)}


# -- documentation (models/marts/documentation) -------------------------------


@rule
def fct_documentation_coverage(project: Project) -> set[str]:
    """Under the target share of described models: the undescribed ones."""
    models = project.of_type("model")
    bare = {m.name for m in models if not m.is_described}
    coverage = 100 * (len(models) - len(bare)) / len(models)
    return bare if coverage < project.vars["documentation_coverage_target"] else set()


@rule
def fct_undocumented_models(project: Project) -> set[str]:
    return {m.name for m in project.of_type("model") if not m.is_described}


@rule
def fct_undocumented_source_tables(project: Project) -> set[str]:
    return {s.name for s in project.of_type("source") if not s.is_described}


@rule
def fct_undocumented_sources(project: Project) -> set[str]:
    return {
        s.node["source_name"]
        for s in project.of_type("source")
        if not (s.node.get("source_description") or "").strip()
    }


# -- structure (models/marts/structure) ---------------------------------------


@rule
def fct_model_naming_conventions(project: Project) -> set[str]:
    return {
        f"{model.name} ({model.model_type})"
        for model in project.of_type("model")
        if not model.node.get("time_spine")
        and model.name.split("_")[0] + "_"
        not in project.vars.get(f"{model.model_type}_prefixes", [])
    }


@rule
def fct_model_directories(project: Project) -> set[str]:
    misplaced = set()
    for resource in project.resources.values():
        folder_type = project.folder_type(resource)
        if resource.model_type and folder_type not in (None, resource.model_type):
            misplaced.add(resource.file_path)
        if resource.resource_type == "model" and resource.model_type == "staging":
            misplaced |= {
                resource.file_path
                for parent in project.parents(resource)
                if parent.resource_type == "source"
                and parent.node["source_name"] not in resource.directory
            }
    return misplaced


@rule
def fct_source_directories(project: Project) -> set[str]:
    return {
        f"{source.name}: {source.file_path}"
        for source in project.of_type("source")
        if source.node["source_name"] not in source.directory
    }


@rule
def fct_test_directories(project: Project) -> set[str]:
    return {
        f"{test.name}: {test.file_path}"
        for model in project.of_type("model")
        for test in project.tests_by_parent[model.unique_id]
        if test.node.get("test_metadata") and test.directory != model.directory
    }


# -- performance (models/marts/performance) -----------------------------------


@rule
def fct_chained_views_dependencies(project: Project) -> set[str]:
    threshold = int(project.vars["chained_views_threshold"])
    return {
        " -> ".join(r.name for r in path)
        for path in project.paths()
        if len(path) - 1 > threshold
        and path[-1].resource_type == "model"
        and all(r.materialized in ("view", "ephemeral") for r in path[:-1])
    }


@rule
def fct_exposure_parents_materializations(project: Project) -> set[str]:
    return {
        f"{exposure.name} <- {parent.name}"
        for exposure in project.of_type("exposure")
        for parent in project.parents(exposure)
        if parent.resource_type == "source"
        or (
            parent.resource_type == "model"
            and parent.materialized in ("view", "ephemeral")
        )
    }


# -- governance (models/marts/governance) -------------------------------------


@rule
def fct_public_models_without_contract(project: Project) -> set[str]:
    return {
        m.name
        for m in project.of_type("model")
        if m.is_public and not m.node["config"]["contract"]["enforced"]
    }


@rule
def fct_exposures_dependent_on_private_models(project: Project) -> set[str]:
    return {
        f"{exposure.name} <- {parent.name}"
        for exposure in project.of_type("exposure")
        for parent in project.parents(exposure)
        if not parent.is_public
    }


@rule
def fct_undocumented_public_models(project: Project) -> set[str]:
    incomplete = set()
    for model in project.of_type("model"):
        columns = model.node.get("columns", {})
        bare = sorted(name for name, c in columns.items() if not c.get("description"))
        if model.is_public and (not model.is_described or not columns or bare):
            incomplete.add(f"{model.name}: {', '.join(bare) or 'no description'}")
    return incomplete


@pytest.mark.parametrize("name", sorted(RULES))
def test_project_passes_the_evaluator_rule(project, name):
    reported = RULES[name](project)
    allowed = EXCEPTIONS.get(name, set())
    assert sorted(reported - allowed) == [], f"{name} reports these"
    # an exception nothing needs any more goes
    assert sorted(allowed - reported) == [], f"{name} no longer reports these"


def test_the_rules_see_the_project_as_the_evaluator_would(project):
    """Guards the restatement itself: layers, keys and the DAG are read."""
    types = {m.name: m.model_type for m in project.of_type("model")}
    assert types["stg_erp__orders"] == "staging"
    assert types["int_order_items_matched"] == "intermediate"
    assert types["agg_campaign_daily"] == "marts"
    assert types["snap_erp__orders"] == "snapshots"
    orders = project.resources["source.campaign_attribution.erp.orders"]
    assert [c.name for c in project.children[orders.unique_id]] == ["stg_erp__orders"]


def test_the_rules_report_a_model_that_breaks_them(project):
    """A staging model with no description, no key test, reading a mart."""
    manifest = copy.deepcopy(project.manifest)
    model = manifest["nodes"]["model.campaign_attribution.stg_erp__orders"]
    model["description"] = ""
    model["depends_on"]["nodes"].append("model.campaign_attribution.dim_campaigns")
    for node in manifest["nodes"].values():
        if node.get("attached_node") == model["unique_id"]:
            node["attached_node"] = "model.campaign_attribution.dim_products"
    broken = Project(manifest, project.vars)
    assert "stg_erp__orders" in fct_undocumented_models(broken)
    assert "stg_erp__orders" in fct_missing_primary_key_tests(broken)
    assert "stg_erp__orders" in fct_direct_join_to_source(broken)
    assert "dim_campaigns -> stg_erp__orders" in (
        fct_staging_dependent_on_marts_or_intermediate(broken)
    )


def _node(manifest: dict, name: str) -> dict:
    """The model, test or exposure of that name in the (copied) manifest."""
    for kind in ("nodes", "exposures"):
        for node in manifest[kind].values():
            if node["name"] == name:
                return node
    raise KeyError(name)


def _hard_code_a_source(manifest: dict) -> None:
    model = _node(manifest, "stg_erp__orders")
    model["raw_code"] = model["raw_code"].replace(
        "{{ source('erp', 'orders') }}", "erp.orders"
    )


def _chain_the_orders_through_views(manifest: dict) -> None:
    # stg -> snap -> observed -> evaluated -> matched -> allocated -> explained
    for name in ("snap_erp__orders", "int_orders_observed"):
        _node(manifest, name)["config"]["materialized"] = "view"


def _file_a_staging_model_under_marts(manifest: dict) -> None:
    _node(manifest, "stg_erp__orders")["original_file_path"] = (
        "models/marts/attribution/stg_erp__orders.sql"
    )


def _file_a_staging_model_under_another_source(manifest: dict) -> None:
    _node(manifest, "stg_erp__orders")["original_file_path"] = (
        "models/staging/marketing/stg_erp__orders.sql"
    )


def _declare_a_test_away_from_its_model(manifest: dict) -> None:
    _node(manifest, "not_null_stg_erp__orders_sale_time")["original_file_path"] = (
        "models/marts/attribution/_attribution__models.yml"
    )


def _drop_a_public_contract(manifest: dict) -> None:
    _node(manifest, "dim_campaigns")["config"]["contract"]["enforced"] = False


def _leave_a_public_column_undescribed(manifest: dict) -> None:
    _node(manifest, "dim_campaigns")["columns"]["platform"]["description"] = ""


def _leave_a_public_model_undescribed(manifest: dict) -> None:
    _node(manifest, "dim_products")["description"] = ""


def _expose_a_view(manifest: dict) -> None:
    _node(manifest, "dim_campaigns")["config"]["materialized"] = "view"


def _expose_a_source(manifest: dict) -> None:
    _node(manifest, "bi_reader")["depends_on"]["nodes"].append(
        "source.campaign_attribution.erp.orders"
    )


def _twice(manifest: dict, test_name: str) -> None:
    """A second copy of a test, under its own id."""
    test = copy.deepcopy(_node(manifest, test_name))
    test["unique_id"] += ".again"
    manifest["nodes"][test["unique_id"]] = test


def _key_tested_only_not_null(manifest: dict) -> None:
    _node(manifest, "unique_stg_erp__orders_order_id")["attached_node"] = (
        "model.campaign_attribution.dim_products"
    )
    # two tests of the set's macros, yet no unique one
    _twice(manifest, "not_null_stg_erp__orders_order_id")


def _key_tested_only_unique(manifest: dict) -> None:
    _node(manifest, "not_null_stg_erp__products_product_id")["attached_node"] = (
        "model.campaign_attribution.dim_products"
    )
    # two unique tests, yet no not_null test nor constraint
    _twice(manifest, "unique_stg_erp__products_product_id")


SEEDED_VIOLATIONS = [
    (
        "fct_hard_coded_references",
        _hard_code_a_source,
        "stg_erp__orders: erp.orders",
    ),
    (
        "fct_chained_views_dependencies",
        _chain_the_orders_through_views,
        "stg_erp__orders -> snap_erp__orders -> int_orders_observed"
        " -> int_order_items_evaluated -> int_order_items_matched"
        " -> int_order_item_credits_allocated -> fct_order_item_campaign_explanations",
    ),
    (
        "fct_model_directories",
        _file_a_staging_model_under_marts,
        "models/marts/attribution/stg_erp__orders.sql",
    ),
    (
        "fct_model_directories",
        _file_a_staging_model_under_another_source,
        "models/staging/marketing/stg_erp__orders.sql",
    ),
    (
        "fct_test_directories",
        _declare_a_test_away_from_its_model,
        "not_null_stg_erp__orders_sale_time:"
        " models/marts/attribution/_attribution__models.yml",
    ),
    (
        "fct_public_models_without_contract",
        _drop_a_public_contract,
        "dim_campaigns",
    ),
    (
        "fct_undocumented_public_models",
        _leave_a_public_column_undescribed,
        "dim_campaigns: platform",
    ),
    (
        "fct_undocumented_public_models",
        _leave_a_public_model_undescribed,
        "dim_products: no description",
    ),
    (
        "fct_exposure_parents_materializations",
        _expose_a_view,
        "app_leaderboard <- dim_campaigns",
    ),
    (
        "fct_exposure_parents_materializations",
        _expose_a_source,
        "bi_reader <- erp.orders",
    ),
    (
        "fct_missing_primary_key_tests",
        _key_tested_only_not_null,
        "stg_erp__orders",
    ),
    (
        "fct_missing_primary_key_tests",
        _key_tested_only_unique,
        "stg_erp__products",
    ),
]


@pytest.mark.parametrize(
    ("name", "seed", "expected"),
    SEEDED_VIOLATIONS,
    ids=[seed.__name__.strip("_") for _, seed, _ in SEEDED_VIOLATIONS],
)
def test_the_rule_reports_a_seeded_violation(project, name, seed, expected):
    """Each rule, fed the project with one thing broken, names that thing."""
    assert expected not in RULES[name](project)
    manifest = copy.deepcopy(project.manifest)
    seed(manifest)
    assert expected in RULES[name](Project(manifest, project.vars))


def test_a_unique_key_with_a_not_null_constraint_is_tested(project):
    """The other way to test a key: a unique test on a not-null column."""
    manifest = copy.deepcopy(project.manifest)
    _key_tested_only_unique(manifest)
    column = _node(manifest, "stg_erp__products")["columns"]["product_id"]
    column["constraints"] = [{"type": "not_null"}]
    assert "stg_erp__products" not in fct_missing_primary_key_tests(
        Project(manifest, project.vars)
    )
