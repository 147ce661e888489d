"""Dagster's own storage: SQLite by default, dagster-postgres when configured."""

from __future__ import annotations

import yaml
from dagster import DagsterInstance

from orchestration.instance import dagster_yaml, ensure_dagster_home
from warehouse import database


def test_sqlite_by_default_with_telemetry_off_and_one_dbt_build_at_a_time(
    tmp_path, monkeypatch
):
    monkeypatch.delenv("ATTRIBUTION_DAGSTER_STORAGE", raising=False)
    config = yaml.safe_load(ensure_dagster_home(tmp_path).read_text())
    assert "storage" not in config
    assert config["telemetry"] == {"enabled": False}
    assert {"key": "attribution/dbt", "limit": 1} in config["run_queue"][
        "tag_concurrency_limits"
    ]
    with DagsterInstance.from_config(str(tmp_path)) as instance:
        assert "Sqlite" in type(instance.run_storage).__name__
        # dead runs are failed by the daemon, never resumed
        assert instance.run_monitoring_enabled
        assert instance.run_monitoring_start_timeout_seconds == 180
        assert instance.run_monitoring_max_resume_run_attempts == 0


def test_a_hand_written_dagster_yaml_is_left_alone(tmp_path):
    (tmp_path / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    ensure_dagster_home(tmp_path, storage="postgres")
    assert (tmp_path / "dagster.yaml").read_text() == "telemetry:\n  enabled: false\n"


def test_postgres_storage_on_the_project_server(tmp_path, pg_server):
    params = pg_server.with_database("dagster_storage_test")
    try:
        text = ensure_dagster_home(tmp_path, storage="postgres", params=params)
        config = yaml.safe_load(text.read_text())
        assert config["storage"]["postgres"]["postgres_url"].startswith(
            "postgresql+psycopg2://"
        )
        with DagsterInstance.from_config(str(tmp_path)) as instance:
            assert "Postgres" in type(instance.run_storage).__name__
            assert instance.get_runs() == []
    finally:
        database.drop_database(params)
    assert dagster_yaml("sqlite").startswith("# written by")
