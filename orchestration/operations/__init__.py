"""Keeping the running system honest: alerts a person sees (alerts.py), the
plan's alert thresholds (thresholds.py), runs no process owns (runs.py) and
Dagster's own storage (instance.py)."""
