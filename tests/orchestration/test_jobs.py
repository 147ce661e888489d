"""Every job, in process, against a real PostgreSQL with 300 demo orders."""

from __future__ import annotations

from datetime import date, timedelta

from orchestration import launch
from tests import pg
from tests.orchestration import support
from warehouse.dbt_vars import day_start

CREDITS = "marts/fct_order_item_campaign_credits"
ITEMS = "marts/fct_order_item_attribution"
HEALTH = "marts/agg_attribution_health_daily"
DAILY = "marts/agg_campaign_daily"


def test_incremental_job_builds_credits_checks_and_run_metadata(demo_db):
    params = demo_db
    result = support.run_job(params, "attribution_incremental")
    assert result.success
    credits = pg.scalar(
        params, "select count(*) from marts.fct_order_item_campaign_credits"
    )
    assert credits > 0

    metadata = support.materialized(result)
    first_build = metadata[CREDITS]
    assert first_build["full_build"] is True
    assert first_build["rows_inserted"] == credits
    assert first_build["rows_updated"] == 0
    assert "rows_reversed" in first_build
    assert first_build["duration_seconds"] >= 0
    assert 0 < metadata[HEALTH]["attribution_rate"] <= 1

    checks = support.check_results(result)
    assert checks[(DAILY, "split_credits_reconcile")].passed
    assert checks[(CREDITS, "credits_fresh")].passed
    assert (HEALTH, "attribution_rate") in checks
    # the demo data holds a few bad ERP rows: a WARN check that shows as failed
    bad_rows = checks[(HEALTH, "bad_source_rows")]
    assert not bad_rows.passed
    assert bad_rows.severity.value == "WARN"
    assert any(
        name.startswith("unique_combination_fct_order_item_campaign_credits")
        and check.passed
        for (_, name), check in checks.items()
    )


def test_a_second_incremental_run_follows_new_orders(built_db):
    rows_before = support.credit_rows(built_db)
    from datetime import UTC, datetime

    from demo import data as demo_data

    demo_data.advance(
        built_db,
        seed=7,
        now=datetime.now(UTC),
        new_orders=10,
        changes=0,
        campaign_changes=0,
    )
    result = support.run_job(built_db, "attribution_incremental")
    assert result.success
    run = support.materialized(result)[CREDITS]
    assert run["full_build"] is False
    assert run["items_recomputed"] > 0
    rows_after = support.credit_rows(built_db)
    # old rows untouched (same xmin), new orders' credits appended
    assert all(rows_after[key] == value for key, value in rows_before.items())
    assert len(rows_after) - len(rows_before) == run["rows_inserted"]


def _busiest_sale_day(params) -> date:
    return pg.scalar(
        params,
        "select sale_date from marts.fct_order_item_campaign_credits"
        " group by 1 order by count(*) desc, 1 limit 1",
    )


def _corrupt_full_credit(params, where: str, args: tuple) -> tuple:
    """Adds 1.00 to one FULL credit matching `where`; returns its key."""
    (key,) = pg.query(
        params,
        "select order_item_id, campaign_id, credit_mode from"
        f" marts.fct_order_item_campaign_credits where credit_mode = 'FULL' and {where}"
        " order by order_item_id, campaign_id limit 1",
        args,
    )
    pg.execute(
        params,
        "update marts.fct_order_item_campaign_credits set credited_revenue ="
        " credited_revenue + 1 where (order_item_id, campaign_id, credit_mode) ="
        " (%s, %s, %s)",
        key,
    )
    return key


def _record_the_corruption(params) -> None:
    """Appends to the restatements what the corrupted credits moved, as a
    faulty run's change log would have: the corruption then hides from every
    dbt test, the restatement rule's too."""
    pg.execute(
        params,
        """
        insert into marts.fct_credit_changes (order_item_id, campaign_id,
            credit_mode, order_id, sale_date, recorded_at, units_delta,
            revenue_delta, profit_delta, cause)
        with credited as (
            select order_item_id, campaign_id, credit_mode, order_id, sale_date,
                credited_qty as units, credited_revenue as revenue,
                coalesce(credited_profit, 0) as profit
            from marts.fct_order_item_campaign_credits where not is_reversed
        ),
        recorded as (
            select order_item_id, campaign_id, credit_mode, max(order_id) as order_id,
                sale_date, sum(units_delta) as units, sum(revenue_delta) as revenue,
                sum(coalesce(profit_delta, 0)) as profit
            from marts.fct_credit_changes group by 1, 2, 3, 5
        )
        select order_item_id, campaign_id, credit_mode,
            coalesce(credited.order_id, recorded.order_id), sale_date, now(),
            coalesce(credited.units, 0) - coalesce(recorded.units, 0),
            coalesce(credited.revenue, 0) - coalesce(recorded.revenue, 0),
            coalesce(credited.profit, 0) - coalesce(recorded.profit, 0),
            'correction'
        from credited
        full join recorded
            using (order_item_id, campaign_id, credit_mode, sale_date)
        where (coalesce(credited.revenue, 0), coalesce(credited.units, 0),
            coalesce(credited.profit, 0)) <> (coalesce(recorded.revenue, 0),
            coalesce(recorded.units, 0), coalesce(recorded.profit, 0))
        """,
    )


def test_split_credits_that_do_not_add_up_fail_the_checks_and_alert(built_db, run_dbt):
    # what a faulty split would leave: one SPLIT credit a cent high, in the
    # fact and in the daily mart that follows it
    (item, campaign, day) = pg.query(
        built_db,
        "select order_item_id, campaign_id, sale_date"
        " from marts.fct_order_item_campaign_credits"
        " where credit_mode = 'SPLIT' and not is_reversed"
        " order by order_item_id, campaign_id limit 1",
    )[0]
    pg.execute(
        built_db,
        "update marts.fct_order_item_campaign_credits"
        " set credited_revenue = credited_revenue + 0.01"
        " where (order_item_id, campaign_id, credit_mode) = (%s, %s, 'SPLIT')",
        (item, campaign),
    )
    pg.execute(
        built_db,
        "update marts.agg_campaign_daily set revenue = revenue + 0.01"
        " where (campaign_id, sale_date, credit_mode) = (%s, %s, 'SPLIT')",
        (campaign, day),
    )

    # the frequent runs' check (here the monitor job's): by sale day, from
    # the daily marts alone
    result = support.run_job(built_db, "attribution_monitor")
    check = support.check_results(result)[(DAILY, "split_credits_reconcile")]
    assert not check.passed
    assert check.metadata["sale_days_off"].value == 1
    assert check.metadata["difference"].value == 0.01
    assert pg.query(built_db, "select source, job_name from ops.alerts") == [
        ("check:split_credits_reconcile", "attribution_monitor")
    ]

    # item by item over the whole facts, both ways, the nightly dbt test: the
    # cent, and an attributed item whose SPLIT credits are gone
    pg.execute(
        built_db,
        "delete from marts.fct_order_item_campaign_credits"
        " where credit_mode = 'SPLIT' and order_item_id = (select min(order_item_id)"
        " from marts.fct_order_item_campaign_credits where order_item_id > %s)",
        (item,),
    )
    output = run_dbt(
        built_db, "test", "--select", "test_name:split_credits_add_up", expect_ok=False
    )
    assert "Got 2 results" in output, output[-2000:]


def test_backfill_recomputes_its_range_and_touches_nothing_else(built_db):
    day = _busiest_sale_day(built_db)
    # a backfill's dates are reporting days: [its start, the next day's start)
    start = day_start(day).isoformat()
    end = day_start(day + timedelta(days=1)).isoformat()
    in_range = "sale_time >= %s::timestamptz and sale_time < %s::timestamptz"
    out_of_range = f"not ({in_range})"
    correct = support.credit_rows(built_db)
    inside = _corrupt_full_credit(built_db, in_range, (start, end))
    outside = _corrupt_full_credit(built_db, out_of_range, (start, end))
    outside_before = support.credit_rows(built_db, out_of_range, (start, end))
    before = support.credit_rows(built_db)
    items_in_range = pg.scalar(
        built_db,
        "select count(*) from staging.stg_erp__order_items"
        " join staging.stg_erp__orders using (order_id)"
        f" where {in_range}",
        (start, end),
    )

    result = support.run_job(
        built_db,
        "attribution_backfill",
        run_config=launch.backfill_config(str(day), str(day + timedelta(days=1))),
    )
    assert result.success

    after = support.credit_rows(built_db)
    outside_after = support.credit_rows(built_db, out_of_range, (start, end))
    # byte-identical outside the range, not even rewritten (same xmin) ...
    assert outside_after == outside_before
    assert outside_after[outside].text != correct[outside].text  # still corrupted
    # ... and inside it every item is recomputed: the corruption is gone, and
    # only the corrupted row is written (the rest came out as they were)
    assert after[inside].text == correct[inside].text
    inside_keys = set(support.credit_rows(built_db, in_range, (start, end)))
    assert len(inside_keys) > 1
    assert {key for key in inside_keys if after[key].xmin != before[key].xmin} == {
        inside
    }
    assert {key: row.text for key, row in after.items()} == {
        key: row.text for key, row in correct.items() if key != outside
    } | {outside: outside_after[outside].text}
    metadata = support.materialized(result)[CREDITS]
    assert metadata["items_recomputed"] == items_in_range
    assert (metadata["rows_updated"], metadata["rows_inserted"]) == (1, 0)


def test_recompute_order_fixes_a_corrupted_order(built_db):
    (order_id, other_order_id) = [
        row["order_id"]
        for row in pg.rows(
            built_db,
            "select order_id from marts.fct_order_item_campaign_credits"
            " group by order_id order by count(*) desc, order_id limit 2",
        )
    ]
    correct = support.credit_rows(built_db)
    # as a faulty run would have: in the fact, and in the daily mart its
    # change log feeds
    pg.execute(
        built_db,
        "update marts.agg_campaign_daily as daily"
        " set revenue = daily.revenue + moved.revenue,"
        " units = daily.units - moved.units"
        " from (select campaign_id, sale_date, credit_mode, 5 * count(*) as revenue,"
        " sum(credited_qty) as units from marts.fct_order_item_campaign_credits"
        " where order_id = %s and not is_reversed group by 1, 2, 3) as moved"
        " where (daily.campaign_id, daily.sale_date, daily.credit_mode)"
        " = (moved.campaign_id, moved.sale_date, moved.credit_mode)",
        (order_id,),
    )
    pg.execute(
        built_db,
        "update marts.fct_order_item_campaign_credits set credited_revenue ="
        " credited_revenue + 5, credited_qty = 0 where order_id = %s",
        (order_id,),
    )
    other = _corrupt_full_credit(built_db, "order_id = %s", (other_order_id,))
    assert support.credit_rows(built_db, "order_id = %s", (order_id,)) != {
        key: value
        for key, value in correct.items()
        if key in support.credit_rows(built_db, "order_id = %s", (order_id,))
    }

    result = support.run_job(
        built_db,
        "attribution_recompute_order",
        run_config=launch.recompute_orders_config([order_id]),
    )
    assert result.success

    after = support.credit_rows(built_db)
    fixed = support.credit_rows(built_db, "order_id = %s", (order_id,))
    assert fixed and all(row.text == correct[key].text for key, row in fixed.items())
    assert after[other].text != correct[other].text  # another order: left alone
    checks = support.check_results(result)
    assert checks[(DAILY, "split_credits_reconcile")].passed


def test_nightly_proves_full_refresh_equals_incremental_and_flags_a_difference(
    built_db,
):
    correct = support.credit_rows(built_db)
    # corrupt the incremental fact where no dbt test looks: a FULL row changed,
    # another FULL row lost
    changed = _corrupt_full_credit(built_db, "true", ())
    (lost,) = pg.query(
        built_db,
        "delete from marts.fct_order_item_campaign_credits where ctid = (select ctid"
        " from marts.fct_order_item_campaign_credits where credit_mode = 'FULL'"
        " and (order_item_id, campaign_id) <> (%s, %s) order by order_item_id desc"
        " limit 1) returning order_item_id, campaign_id, credit_mode",
        changed[:2],
    )
    _record_the_corruption(built_db)

    result = support.run_job(built_db, "attribution_nightly")
    assert result.success
    checks = support.check_results(result)

    credits_check = checks[(CREDITS, "full_refresh_matches_incremental")]
    assert not credits_check.passed
    assert credits_check.severity.value == "ERROR"
    found = {key: value.value for key, value in credits_check.metadata.items()}
    assert found["rows_only_in_incremental"] == 1
    assert found["rows_only_in_full_refresh"] == 2
    assert found["rows_compared"] == len(correct)
    assert checks[(ITEMS, "full_refresh_matches_incremental")].passed
    assert (("erp/orders", "source_freshness")) in checks
    # after the marts, the lift estimates, checked for parallel pre-trends
    lift = support.materialized(result)["measurement/lift_estimates"]
    assert lift["campaigns"] == pg.scalar(
        built_db, "select count(*) from marts.fct_campaign_lift"
    )
    assert lift["campaigns"] > 0
    assert ("measurement/lift_estimates", "pre_trend") in checks
    assert all(
        check.passed
        for (_, name), check in checks.items()
        if name.startswith(("unique", "not_null", "split_credits"))
    )

    # the full refresh is the truth now; the incremental copy is kept
    after = {key: row.text for key, row in support.credit_rows(built_db).items()}
    assert after == {key: row.text for key, row in correct.items()}
    assert lost in after
    kept = pg.scalar(
        built_db,
        "select count(*) from ops.nightly_fct_order_item_campaign_credits_incremental",
    )
    assert kept == len(correct) - 1
    alert = pg.query(built_db, "select severity, source, job_name from ops.alerts")
    assert alert == [
        ("error", "check:full_refresh_matches_incremental", "attribution_nightly")
    ]


def test_nightly_estimates_the_lift_after_the_marts_and_keeps_their_views(built_db):
    result = support.run_job(built_db, "attribution_nightly")
    assert result.success
    checks = support.check_results(result)
    assert checks[(CREDITS, "full_refresh_matches_incremental")].passed
    # the full refresh replaced the facts (and dropped the views on them):
    # the views are back, and the lift estimate read them
    assert pg.scalar(
        built_db, "select to_regclass('marts.agg_product_sales_daily') is not null"
    )
    lift = support.materialized(result)["measurement/lift_estimates"]
    assert lift["campaigns"] == pg.scalar(
        built_db, "select count(*) from marts.fct_campaign_lift"
    )
    assert ("measurement/lift_estimates", "pre_trend") in checks
