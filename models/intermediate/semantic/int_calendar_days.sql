-- One row per day: MetricFlow's time spine, which it joins metrics to for
-- cumulative metrics and for days without rows.
with

bounds as (
    select
        date '2015-01-01' as first_day,
        date '2040-12-31' as last_day
),

days as (
    select cast(calendar.day as date) as date_day
    from bounds
    {{ each_day('bounds.first_day', 'bounds.last_day', 'calendar', 'day') }}
)

select * from days
