"""The dbt project's vars, for the Python that must agree with the models.

A rule the models take from a var (the reporting time zone, the order
statuses that count) is written once, in ``dbt_project.yml``; the app, the
checks and the demo read it from there instead of keeping a second copy.
"""

from __future__ import annotations

import functools
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from warehouse.paths import PROJECT_ROOT

DBT_PROJECT = PROJECT_ROOT / "dbt_project.yml"


@functools.cache
def project_vars() -> dict[str, Any]:
    """Every var dbt_project.yml sets, with its value there."""
    return dict(yaml.safe_load(DBT_PROJECT.read_text()).get("vars") or {})


def dbt_var(name: str) -> Any:
    """The value of var `name` as dbt_project.yml sets it; KeyError if unset."""
    found = project_vars()
    if name not in found:
        raise KeyError(f"dbt_project.yml sets no var {name!r}")
    return found[name]


def reporting_timezone() -> str:
    """The zone whose days the marts report (``sale_date``, ``spend_date``)."""
    return str(dbt_var("reporting_timezone"))


def reporting_zone() -> ZoneInfo:
    """The reporting time zone, for Python's datetimes."""
    return ZoneInfo(reporting_timezone())


def reporting_day(moment: datetime) -> date:
    """An instant's day in the reporting time zone, as the marts count it."""
    return moment.astimezone(reporting_zone()).date()


def countable_statuses() -> tuple[str, ...]:
    """ERP order statuses whose sales earn credit."""
    return tuple(dbt_var("countable_statuses"))


def reversal_statuses() -> tuple[str, ...]:
    """ERP order statuses that reverse an order's credits."""
    return tuple(dbt_var("reversal_statuses"))
