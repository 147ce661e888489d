"""Does a full refresh reproduce the incremental facts? (attribution_nightly)

The incremental facts are copied to ``ops``, rebuilt with ``--full-refresh``
and compared with EXCEPT ALL both ways on their contract columns. Items whose
sources changed after the incremental build (orders edited, campaigns or
targeting or costs changed) are left out of the comparison: a live ERP keeps
moving while the refresh runs, and those items legitimately differ until the
next incremental run. Identical copies are dropped; differing ones are kept
in ``ops`` for whoever investigates.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql

from orchestration.health import BUILDS

# the marts' incremental facts (not the pipeline's memory in intermediate)
INCREMENTAL_FACTS = "config.materialized:incremental,tag:marts"


@dataclass(frozen=True)
class Fact:
    name: str
    schema: str
    columns: tuple[str, ...]

    @property
    def copy_name(self) -> str:
        return f"nightly_{self.name}_incremental"


@dataclass(frozen=True)
class Difference:
    fact: str
    rows_compared: int
    only_in_incremental: int
    only_in_full_refresh: int
    items_skipped: int

    @property
    def identical(self) -> bool:
        return self.only_in_incremental == 0 and self.only_in_full_refresh == 0

    def metadata(self) -> dict[str, Any]:
        return {
            "rows_compared": self.rows_compared,
            "rows_only_in_incremental": self.only_in_incremental,
            "rows_only_in_full_refresh": self.only_in_full_refresh,
            "items_skipped_changed_since_build": self.items_skipped,
        }


def incremental_facts(manifest: Mapping[str, Any]) -> list[Fact]:
    """The incremental item facts of the manifest, with their contract columns.

    The incremental aggregates over them are rebuilt by the same full refresh
    (INCREMENTAL_FACTS selects them too) but compared per item only here.
    A model a full refresh leaves alone (``full_refresh=false``: the
    restatements, history that exists nowhere else) has nothing to compare.
    """
    return [
        Fact(node["name"], node["schema"], tuple(node["columns"]))
        for node in sorted(manifest["nodes"].values(), key=lambda node: node["name"])
        if node["resource_type"] == "model"
        and node["config"].get("materialized") == "incremental"
        and "marts" in node.get("tags", [])
        and node["config"].get("full_refresh") is not False
        and "order_item_id" in node["columns"]
    ]


def copy_incremental(conn: psycopg.Connection, fact: Fact) -> None:
    conn.execute("create schema if not exists ops")
    conn.execute(
        sql.SQL("drop table if exists ops.{}").format(sql.Identifier(fact.copy_name))
    )
    conn.execute(
        sql.SQL("create table ops.{} as select * from {}.{}").format(
            sql.Identifier(fact.copy_name),
            sql.Identifier(fact.schema),
            sql.Identifier(fact.name),
        )
    )


def last_watermark(conn: psycopg.Connection, fact: Fact) -> Any:
    row = conn.execute(
        f"select max(watermark) from {BUILDS} where model_name = %s",
        (fact.name,),
    ).fetchone()
    return row[0] if row else None


_CHANGED_SINCE = """
    changed_orders as (
        select id as order_id from {erp}.orders where updated_at > %(since)s
    ),
    changed_campaigns as (
        select id as campaign_id from {marketing}.ad_campaigns
        where updated_at > %(since)s
        union select campaign_id from {marketing}.ad_campaign_products
        where updated_at > %(since)s or created_at > %(since)s
        union select campaign_id from {marketing}.ad_campaign_status_events
        where created_at > %(since)s
    ),
    changed_products as (
        select id as product_id from {erp}.products where updated_at > %(since)s
        union select product_id from {marketing}.ad_campaign_products
        where campaign_id in (select campaign_id from changed_campaigns)
    ),
    rows_of_both as (
        select order_item_id, order_id, product_id from {copy}
        union all
        select order_item_id, order_id, product_id from {fact}
    ),
    skipped as (
        select distinct order_item_id from rows_of_both
        where order_id is null
            or order_id in (select order_id from changed_orders)
            or order_id not in (select id from {erp}.orders)
            or product_id in (select product_id from changed_products)
    )
"""


def compare(
    conn: psycopg.Connection,
    fact: Fact,
    since: Any,
    erp_schema: str = "erp",
    marketing_schema: str = "marketing",
) -> Difference:
    """Rows of the copy (incremental) and of the fact (full refresh) that differ."""
    columns = sql.SQL(", ").join(sql.Identifier(column) for column in fact.columns)
    names = {
        "erp": sql.Identifier(erp_schema),
        "marketing": sql.Identifier(marketing_schema),
        "copy": sql.SQL("ops.{}").format(sql.Identifier(fact.copy_name)),
        "fact": sql.SQL("{}.{}").format(
            sql.Identifier(fact.schema), sql.Identifier(fact.name)
        ),
    }
    query = sql.SQL(
        "with "
        + _CHANGED_SINCE
        + """,
    incremental as (
        select {columns} from {copy}
        where order_item_id not in (select order_item_id from skipped)
    ),
    refreshed as (
        select {columns} from {fact}
        where order_item_id not in (select order_item_id from skipped)
    )
    select
        (select count(*) from refreshed),
        (select count(*) from (table incremental except all table refreshed) as a),
        (select count(*) from (table refreshed except all table incremental) as b),
        (select count(*) from skipped)
    """
    ).format(columns=columns, **names)
    row = conn.execute(query, {"since": since}).fetchone()
    assert row is not None
    return Difference(fact.name, *(int(value) for value in row))


def drop_copy(conn: psycopg.Connection, fact: Fact) -> None:
    conn.execute(
        sql.SQL("drop table if exists ops.{}").format(sql.Identifier(fact.copy_name))
    )
