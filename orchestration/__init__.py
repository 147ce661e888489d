"""Dagster orchestration of the attribution pipeline (see definitions.py)."""
