"""When the jobs run on their own (crons from the environment, settings.py)."""

from __future__ import annotations

from dagster import ScheduleDefinition

from orchestration.launch import INCREMENTAL, MONITOR, NIGHTLY
from orchestration.settings import Settings


def build_schedules(settings: Settings) -> list[ScheduleDefinition]:
    # job, its cron, what the schedule is for
    table = [
        (
            INCREMENTAL,
            settings.incremental_cron,
            "Credits within minutes even when the change sensor is off.",
        ),
        (NIGHTLY, settings.nightly_cron, None),
        (
            MONITOR,
            settings.monitor_cron,
            "Health checks between builds: a stalled pipeline shows up as a stale"
            " credit fact.",
        ),
    ]
    return [
        ScheduleDefinition(
            name=f"{job_name}_schedule",
            job_name=job_name,
            cron_schedule=cron,
            execution_timezone=settings.schedule_timezone,
            default_status=settings.schedule_status,
            description=description,
        )
        for job_name, cron, description in table
    ]
