"""When the jobs run on their own (crons from the environment, settings.py)."""

from __future__ import annotations

from dagster import DefaultScheduleStatus, ScheduleDefinition

from orchestration.launch import INCREMENTAL, MONITOR, NIGHTLY
from orchestration.settings import Settings


def build_schedules(settings: Settings) -> list[ScheduleDefinition]:
    status = (
        DefaultScheduleStatus.RUNNING
        if settings.automation_running
        else DefaultScheduleStatus.STOPPED
    )
    return [
        ScheduleDefinition(
            name="attribution_incremental_schedule",
            job_name=INCREMENTAL,
            cron_schedule=settings.incremental_cron,
            execution_timezone=settings.schedule_timezone,
            default_status=status,
            description="Credits within minutes even when the change sensor is off.",
        ),
        ScheduleDefinition(
            name="attribution_nightly_schedule",
            job_name=NIGHTLY,
            cron_schedule=settings.nightly_cron,
            execution_timezone=settings.schedule_timezone,
            default_status=status,
        ),
        ScheduleDefinition(
            name="attribution_monitor_schedule",
            job_name=MONITOR,
            cron_schedule=settings.monitor_cron,
            execution_timezone=settings.schedule_timezone,
            default_status=status,
            description="Health checks between builds: a stalled pipeline shows up"
            " as a stale credit fact.",
        ),
    ]
