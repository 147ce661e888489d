"""The same pipeline on Spark: the worked examples (ATTRIBUTION.md §5) built
step by step give, after every build, the credits PostgreSQL gives. The
marts are parquet files in the warehouse directory, as outside readers find
them. (A full refresh on Spark reproducing the incremental marts is
test_spark_history.py's.)"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import psycopg
import pyarrow.dataset as ds

from tests.test_worked_examples import tell_story

CREDIT_COLUMNS = (
    "order_item_id, campaign_id, credit_mode, order_id, product_id, sale_time,"
    " credited_qty, credited_revenue, credited_profit, matched_campaigns_count,"
    " is_reversed, reversed_at, sale_date"
)
ITEM_COLUMNS = (
    "order_item_id, order_id, product_id, sale_time, quantity, item_revenue,"
    " item_profit, matched_campaigns_count, is_attributed, is_reversed,"
    " reversed_at, sale_date"
)
MARTS = {
    "fct_order_item_campaign_credits": CREDIT_COLUMNS,
    "fct_order_item_attribution": ITEM_COLUMNS,
    "agg_campaign_daily": "campaign_id, sale_date, credit_mode, units, revenue,"
    " profit, orders, items, spend, impressions, clicks",
    "agg_attribution_health_daily": "sale_date, items, attributed_items, revenue,"
    " attributed_revenue, items_k0, items_k1, items_k2, items_k3_plus,"
    " reversed_items, reversed_revenue, bad_items_non_positive_quantity,"
    " bad_items_negative_price, bad_items_missing_product, orders_without_items",
}


def _value(value):
    """One value as both engines' drivers give it back, made comparable:
    PyHive returns dates as text and instants without a zone (UTC)."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, str) and len(value) == 10 and value[4] == "-":
        return date.fromisoformat(value)
    if isinstance(value, Decimal | float):
        return Decimal(str(value)).normalize()
    return value


def postgres_marts(params) -> dict[str, list[tuple]]:
    with psycopg.connect(params.conninfo()) as conn:
        return {
            mart: sorted(
                (
                    tuple(_value(v) for v in row)
                    for row in conn.execute(
                        f"select {columns} from marts.{mart}"
                    ).fetchall()
                ),
                key=repr,
            )
            for mart, columns in MARTS.items()
        }


def spark_marts(thrift) -> dict[str, list[tuple]]:
    with thrift.connect() as conn:
        cursor = conn.cursor()
        found = {}
        for mart, columns in MARTS.items():
            cursor.execute(f"select {columns} from marts.{mart}")
            found[mart] = sorted(
                (tuple(_value(v) for v in row) for row in cursor.fetchall()), key=repr
            )
        return found


def test_worked_examples_on_spark_equal_postgresql_after_every_build(
    spark_db, thrift, frequent_run, run_spark_dbt, spark_env
):
    on_spark = []

    def build(params) -> None:
        frequent_run(params)
        run_spark_dbt(params, "run")
        on_spark.append(spark_marts(thrift))

    states = tell_story(spark_db, build)
    assert len(on_spark) == len(states) == 4
    # the last build's marts on both engines, mart by mart; every earlier
    # state's credits too (cancellation, refund, reinstatement)
    assert on_spark[-1] == postgres_marts(spark_db)
    columns = [column.strip() for column in CREDIT_COLUMNS.split(",")]
    for (state, marts), spark_state in zip(states.items(), on_spark, strict=True):
        expected = sorted(
            (tuple(_value(row[c]) for c in columns) for row in marts["credits"]),
            key=repr,
        )
        assert spark_state["fct_order_item_campaign_credits"] == expected, (
            f"credits on Spark differ from PostgreSQL's when {state}"
        )

    # example 3 read as an outside reader does: the parquet files, the
    # credits partitioned by sale date, timestamps in microseconds
    credits = ds.dataset(
        f"{spark_env['SPARK_WAREHOUSE_DIR']}/marts.db/fct_order_item_campaign_credits",
        format="parquet",
        partitioning="hive",
    ).to_table()
    assert str(credits.schema.field("sale_time").type) == "timestamp[us, tz=UTC]"
    split_3 = sorted(
        (row["campaign_id"], row["credited_revenue"])
        for row in credits.to_pylist()
        if row["order_item_id"] == 1003 and row["credit_mode"] == "SPLIT"
    )
    assert split_3 == [
        (3, Decimal("33.34")),
        (7, Decimal("33.33")),
        (9, Decimal("33.33")),
    ]

    # that a full refresh on Spark reproduces the incremental marts is
    # test_spark_history.py's last test, on a history that changes more
