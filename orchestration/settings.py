"""Orchestration settings, read from the environment once, by the definitions.

| variable | default | meaning |
|---|---|---|
| ATTRIBUTION_INCREMENTAL_CRON | ``*/15 * * * *`` | attribution_incremental |
| ATTRIBUTION_NIGHTLY_CRON | ``0 3 * * *`` | attribution_nightly |
| ATTRIBUTION_MONITOR_CRON | ``*/30 * * * *`` | attribution_monitor |
| ATTRIBUTION_SCHEDULE_TIMEZONE | ``UTC`` | time zone of both schedules |
| ATTRIBUTION_AUTOMATION | ``running`` | ``stopped``: schedules and sensors start off |
| ATTRIBUTION_SENSOR_INTERVAL_SECONDS | ``30`` | how often the change sensor looks |
| ATTRIBUTION_OPERATIONS_INTERVAL_SECONDS | ``60`` | operations sensor's interval |
| ATTRIBUTION_MAX_RUNTIME_MINUTES | ``60`` | a frequent dbt run is failed after this |
| ATTRIBUTION_NIGHTLY_MAX_RUNTIME_MINUTES | ``240`` | ... the nightly run |
| ATTRIBUTION_FAILED_RUNS_PER_HOUR | ``10`` | more failed in an hour: critical |
| ATTRIBUTION_RECOMPUTE_ORDER_BUDGET_SECONDS | ``5`` | run time per order, else warns |
| ATTRIBUTION_RATE_WARN_BELOW | ``0.5`` | attribution-rate check warns below this |
| ATTRIBUTION_RATE_WINDOW_DAYS | ``7`` | sale days (up to the latest) the rate covers |
| ATTRIBUTION_CREDITS_MAX_AGE_MINUTES | ``60`` | older credits: check warns, alert |
| ATTRIBUTION_ALERT_WEBHOOK_URL | unset | alerts are also POSTed here as JSON |
| ATTRIBUTION_DBT_TARGET_PATH | ``target/dagster`` | Dagster's dbt manifest |
| ATTRIBUTION_SPEND_INBOX | ``.local/inbox/spend`` | the spend inbox's folder |
| ATTRIBUTION_SPEND_INBOX_INTERVAL_SECONDS | ``30`` | how often its sensor looks |
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from dagster import DefaultScheduleStatus, DefaultSensorStatus

from marketing import spend


def _float(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    return float(raw) if raw else default


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw else default


def _text(name: str, default: str) -> str:
    return os.environ.get(name, "").strip() or default


@dataclass(frozen=True)
class Settings:
    incremental_cron: str
    nightly_cron: str
    monitor_cron: str
    schedule_timezone: str
    automation_running: bool
    sensor_interval_seconds: int
    operations_interval_seconds: int
    max_runtime_minutes: int
    nightly_max_runtime_minutes: int
    failed_runs_per_hour: int
    recompute_order_budget_seconds: float
    rate_warn_below: float
    rate_window_days: int
    credits_max_age_minutes: int
    alert_webhook_url: str | None
    dbt_target_path: str
    spend_inbox: Path
    spend_inbox_interval_seconds: int

    @property
    def sensor_status(self) -> DefaultSensorStatus:
        """How every sensor starts (ATTRIBUTION_AUTOMATION)."""
        if self.automation_running:
            return DefaultSensorStatus.RUNNING
        return DefaultSensorStatus.STOPPED

    @property
    def schedule_status(self) -> DefaultScheduleStatus:
        """How every schedule starts (ATTRIBUTION_AUTOMATION)."""
        if self.automation_running:
            return DefaultScheduleStatus.RUNNING
        return DefaultScheduleStatus.STOPPED

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            incremental_cron=_text("ATTRIBUTION_INCREMENTAL_CRON", "*/15 * * * *"),
            nightly_cron=_text("ATTRIBUTION_NIGHTLY_CRON", "0 3 * * *"),
            monitor_cron=_text("ATTRIBUTION_MONITOR_CRON", "*/30 * * * *"),
            schedule_timezone=_text("ATTRIBUTION_SCHEDULE_TIMEZONE", "UTC"),
            automation_running=_text("ATTRIBUTION_AUTOMATION", "running").lower()
            != "stopped",
            sensor_interval_seconds=_int("ATTRIBUTION_SENSOR_INTERVAL_SECONDS", 30),
            operations_interval_seconds=_int(
                "ATTRIBUTION_OPERATIONS_INTERVAL_SECONDS", 60
            ),
            max_runtime_minutes=_int("ATTRIBUTION_MAX_RUNTIME_MINUTES", 60),
            nightly_max_runtime_minutes=_int(
                "ATTRIBUTION_NIGHTLY_MAX_RUNTIME_MINUTES", 240
            ),
            failed_runs_per_hour=_int("ATTRIBUTION_FAILED_RUNS_PER_HOUR", 10),
            recompute_order_budget_seconds=_float(
                "ATTRIBUTION_RECOMPUTE_ORDER_BUDGET_SECONDS", 5.0
            ),
            rate_warn_below=_float("ATTRIBUTION_RATE_WARN_BELOW", 0.5),
            rate_window_days=_int("ATTRIBUTION_RATE_WINDOW_DAYS", 7),
            credits_max_age_minutes=_int("ATTRIBUTION_CREDITS_MAX_AGE_MINUTES", 60),
            alert_webhook_url=os.environ.get("ATTRIBUTION_ALERT_WEBHOOK_URL") or None,
            dbt_target_path=_text("ATTRIBUTION_DBT_TARGET_PATH", "target/dagster"),
            # the folder's rule is shared with make demo's drops (marketing.spend)
            spend_inbox=spend.inbox_folder(),
            spend_inbox_interval_seconds=_int(
                "ATTRIBUTION_SPEND_INBOX_INTERVAL_SECONDS", 30
            ),
        )
