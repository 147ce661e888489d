"""Dagster's own storage: SQLite by default, dagster-postgres when configured."""

from __future__ import annotations

import stat

import psycopg
import pytest
import yaml
from dagster import DagsterInstance
from sqlalchemy.engine import make_url

from orchestration.operations.instance import dagster_yaml, ensure_dagster_home
from tests import pg
from warehouse import credentials, database


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


def test_the_postgres_storage_file_is_private_and_names_no_superuser(
    tmp_path, pg_server, fresh_db
):
    """dagster.yaml holds a password: nobody else on the machine reads it, and
    the password is that of Dagster's own role, which reaches nothing else."""
    params = pg_server.with_database("dagster_storage_private")
    try:
        path = ensure_dagster_home(tmp_path, storage="postgres", params=params)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        url = make_url(
            yaml.safe_load(path.read_text())["storage"]["postgres"]["postgres_url"]
        )
        assert url.username == credentials.DAGSTER
        assert url.password != pg_server.password
        assert pg.query(
            pg_server,
            "select rolsuper, rolcreaterole, rolcreatedb, rolbypassrls"
            " from pg_roles where rolname = %s",
            (credentials.DAGSTER,),
        ) == [(False, False, False, False)]
        dagster = fresh_db.as_role(credentials.DAGSTER)
        with pytest.raises(psycopg.OperationalError, match="permission denied"):
            psycopg.connect(dagster.conninfo()).close()
        # an older file of wider mode is replaced by a private one
        path.chmod(0o644)
        ensure_dagster_home(tmp_path, storage="postgres", params=params)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    finally:
        database.drop_database(params)
