"""The incremental_engine package in the linter's Jinja context.

The package's own macro files (packages/incremental_engine/macros), rendered
as dbt renders them for PostgreSQL: each ``adapter.dispatch`` finds the
``default__`` variant, ``return`` returns, and dbt's runtime objects are
stand-ins (no database: ``execute`` is false). The models are thus linted
as the SQL they run on PostgreSQL. Marker rows, typed from a model's yml
contract at build time, lint as one typed column.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import jinja2

MACROS = Path(__file__).resolve().parents[3] / "packages/incremental_engine/macros"


class _Returned(Exception):
    def __init__(self, value: Any) -> None:
        self.value = value


def _return(value: Any) -> None:
    raise _Returned(value)


class _Relation(str):
    """A relation's name, with the parts the macros read."""

    @property
    def identifier(self) -> str:
        return self.rsplit(".", 1)[-1]

    @property
    def schema(self) -> str:
        return self.rsplit(".", 1)[0] if "." in self else "fct_schema"

    database = "fct_database"


class _Config:
    def get(self, name: str, default: Any = None) -> Any:
        return default

    def require(self, name: str) -> str:
        return name


class _Adapter:
    def dispatch(self, name: str, namespace: str) -> Any:
        return _macro(f"default__{name}")


class _Stand:
    def __init__(self, **members: Any) -> None:
        self.__dict__.update(members)


class _Namespace:
    def __getattr__(self, name: str) -> Any:
        return _macro(name)


def _context() -> dict[str, Any]:
    return {
        "adapter": _Adapter(),
        "config": _Config(),
        "this": _Relation("fct_model"),
        "target": {"type": "postgres", "database": "fct_database"},
        "var": lambda name, default=None: default,
        "execute": False,
        "is_incremental": lambda: True,
        "run_query": lambda sql: None,
        "invocation_id": "lint",
        "return": _return,
        "exceptions": _Stand(raise_compiler_error=lambda message: ""),
        "modules": _Stand(re=re),
        "dbt": _Stand(type_string=lambda: "text"),
        "incremental_engine": _Namespace(),
    }


# a materialization is dbt's own block, not a macro the models call
_MATERIALIZATION = re.compile(r"{% materialization.*?{% endmaterialization %}", re.S)
_ENV = jinja2.Environment(extensions=["jinja2.ext.do"])
_TEMPLATES = [
    _ENV.from_string(_MATERIALIZATION.sub("", path.read_text()), globals=_context())
    for path in sorted(MACROS.glob("*.sql"))
]


def _returning(macro: Any) -> Any:
    """The macro as dbt calls it: `return(value)` gives value."""

    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            return macro(*args, **kwargs)
        except _Returned as returned:
            return returned.value

    return call


def _macro(name: str) -> Any:
    for template in _TEMPLATES:
        found = getattr(template.module, name, None)
        if found is not None:
            return _returning(found)
    raise AttributeError(name)


def marker_rows() -> str:
    return "select null::bigint as marker from affected_keys as affected"


def union_marker_rows() -> str:
    return "union all " + marker_rows()


def __getattr__(name: str) -> Any:
    return _macro(name)
