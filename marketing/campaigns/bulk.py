"""Whole campaign histories at once, for generated worlds (the demo, the
benchmark): one COPY per table instead of a round trip per row.

The rows are complete histories written by a process, not edits by a user,
so they skip the forms' checks; the database's constraints and triggers
still hold every row to the rules (a status sequence off the graph, an
overlapping window, an unknown platform are refused).
"""

from __future__ import annotations

from collections.abc import Iterable

from marketing import db

CAMPAIGN_COLUMNS = (
    "id",
    "name",
    "platform",
    "status",
    "starts_at",
    "ends_at",
    "budget_type",
    "budget_amount",
    "notes",
    "created_by",
    "updated_by",
    "created_at",
    "updated_at",
)
TARGET_COLUMNS = (
    "id",
    "campaign_id",
    "product_id",
    "effective_from",
    "effective_to",
    "created_by",
    "created_at",
    "updated_at",
)
STATUS_EVENT_COLUMNS = (
    "id",
    "campaign_id",
    "from_status",
    "to_status",
    "changed_at",
    "changed_by",
    "created_at",
)
_TABLES = {
    "ad_campaigns": CAMPAIGN_COLUMNS,
    "ad_campaign_products": TARGET_COLUMNS,
    "ad_campaign_status_events": STATUS_EVENT_COLUMNS,
}


def load_histories(
    conn: db.AnyConnection,
    campaigns: Iterable[tuple],
    targets: Iterable[tuple],
    status_events: Iterable[tuple],
) -> dict[str, int]:
    """Insert campaigns, their targeting windows and status events, each row
    a tuple in the order of the table's ``*_COLUMNS``, with its id; the
    identity sequences move past the ids given. Returns the row counts."""
    counts = {
        table: db.copy_rows(conn, f"marketing.{table}", _TABLES[table], rows)
        for table, rows in (
            ("ad_campaigns", campaigns),
            ("ad_campaign_products", targets),
            ("ad_campaign_status_events", status_events),
        )
    }
    for table in _TABLES:
        db.execute(
            conn,
            f"select setval(pg_get_serial_sequence('marketing.{table}', 'id'),"
            f" coalesce((select max(id) from marketing.{table}), 0) + 1, false)",
        )
    return counts
