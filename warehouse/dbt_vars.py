"""The dbt project's vars, for the Python that must agree with the models.

A rule the models take from a var (the reporting time zone, the order
statuses that count) is written once, in ``dbt_project.yml``; the app, the
checks and the demo read it from there instead of keeping a second copy.

The reporting day has one home on each side: the macros ``reporting_day`` and
``day_bounds`` (``macros/reporting_day.sql``) in dbt, and here
:func:`reporting_day` / :func:`day_start` for Python's values and
:func:`reporting_day_sql` / :func:`day_start_sql` for the SQL that Python
writes itself. Nothing else converts to the reporting day.
"""

from __future__ import annotations

import functools
from datetime import date, datetime, time
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


def day_start(day: date) -> datetime:
    """The instant a reporting day begins (its midnight in the reporting zone)."""
    return datetime.combine(day, time.min, tzinfo=reporting_zone())


def _zone_literal() -> str:
    # a zone Python knows is letters, digits and /_+-: nothing to escape
    return "'" + reporting_zone().key.replace("'", "''") + "'"


def reporting_day_sql(instant: str, *, spark: bool = False) -> str:
    """SQL: the timestamptz expression `instant` as its reporting day, a date;
    the macro ``reporting_day`` for the SQL Python writes. ``spark`` spells it
    for Spark, whose session time zone is UTC (warehouse/spark.py)."""
    if spark:
        return f"cast(from_utc_timestamp({instant}, {_zone_literal()}) as date)"
    return f"({instant} at time zone {_zone_literal()})::date"


def day_start_sql(day: str, *, spark: bool = False) -> str:
    """SQL: the instant the reporting day `day` (a date expression) begins;
    the macro ``day_bounds`` for the SQL Python writes (``spark`` as above)."""
    if spark:
        return f"to_utc_timestamp(cast({day} as timestamp), {_zone_literal()})"
    return f"(({day})::timestamp at time zone {_zone_literal()})"


def credit_modes() -> tuple[str, ...]:
    """The credit modes the facts carry a row of (FULL, SPLIT)."""
    return tuple(dbt_var("credit_modes"))


def countable_statuses() -> tuple[str, ...]:
    """ERP order statuses whose sales earn credit."""
    return tuple(dbt_var("countable_statuses"))


def reversal_statuses() -> tuple[str, ...]:
    """ERP order statuses that reverse an order's credits."""
    return tuple(dbt_var("reversal_statuses"))
