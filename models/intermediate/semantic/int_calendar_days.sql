-- One row per day: MetricFlow's time spine, which it joins metrics to for
-- cumulative metrics and for days without rows.
with

days as (
    select calendar.day::date as date_day
    from
        generate_series(
            date '2015-01-01', date '2040-12-31', interval '1 day'
        ) as calendar (day)
)

select * from days
