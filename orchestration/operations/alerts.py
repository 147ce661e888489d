"""Alerts a person sees: the log, the ``ops.alerts`` table, and a webhook.

The webhook (``ATTRIBUTION_ALERT_WEBHOOK_URL``) receives the alert as a JSON
POST. Delivery problems are logged, never raised: an alert about a failure
must not fail in turn.
"""

from __future__ import annotations

import json
import logging
import urllib.request
from dataclasses import asdict, dataclass, field
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from warehouse import database

logger = logging.getLogger("attribution.alerts")
_LOG_LEVELS = {
    "info": logging.INFO,
    "warning": logging.WARNING,
    "error": logging.ERROR,
    "critical": logging.CRITICAL,
}


@dataclass(frozen=True)
class Alert:
    severity: str  # info, warning, error, critical
    source: str  # what raised it: run_failure, check:<name>, ...
    title: str
    message: str = ""
    job_name: str | None = None
    run_id: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Delivery:
    alert_id: int | None
    webhook_status: int | None


def raise_alert(
    params: database.ConnectionParams, alert: Alert, webhook_url: str | None = None
) -> Delivery:
    """Log the alert, store it in ops.alerts, POST it to ``webhook_url`` if set.

    The webhook is the caller's ``settings.alert_webhook_url``.
    """
    logger.log(
        _LOG_LEVELS.get(alert.severity, logging.ERROR),
        "%s: %s %s",
        alert.source,
        alert.title,
        alert.message,
    )
    alert_id = _store(params, alert)
    status = _post(webhook_url, alert, alert_id) if webhook_url else None
    return Delivery(alert_id=alert_id, webhook_status=status)


def _store(params: database.ConnectionParams, alert: Alert) -> int | None:
    try:
        with psycopg.connect(
            params.conninfo(), autocommit=True, connect_timeout=10
        ) as conn:
            row = conn.execute(
                "insert into ops.alerts (severity, source, title, message,"
                " job_name, run_id, details) values (%s, %s, %s, %s, %s, %s, %s)"
                " returning id",
                (
                    alert.severity,
                    alert.source,
                    alert.title,
                    alert.message,
                    alert.job_name,
                    alert.run_id,
                    Jsonb(alert.details),
                ),
            ).fetchone()
            return int(row[0]) if row else None
    except psycopg.Error:
        logger.exception("could not store the alert in ops.alerts")
        return None


def _post(url: str, alert: Alert, alert_id: int | None) -> int | None:
    body = json.dumps({"id": alert_id, **asdict(alert)}, default=str).encode()
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "campaign-attribution-alerts",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except OSError:
        logger.exception("could not POST the alert to the webhook")
        return None
