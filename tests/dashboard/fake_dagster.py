"""A stand-in for Dagster's GraphQL endpoint, on 127.0.0.1, for the tests.

It answers with the project's real definitions: the jobs it lists are the
code location's, and a launch is refused as Dagster refuses it (no such
job, or a run config the job's config schema does not accept).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from dagster import DagsterInvalidConfigError, Definitions, validate_run_config


@cache
def real_definitions() -> Definitions:
    """The definitions ``dagster dev`` loads (no database needed to validate)."""
    from orchestration.definitions import defs

    return defs()


def job_names() -> list[str]:
    repository = real_definitions().get_repository_def()
    return sorted(name for name in repository.job_names if not name.startswith("__"))


def config_errors(job_name: str, run_config: dict[str, Any]) -> list[str]:
    """Dagster's complaints about `run_config` for the job (none: it is valid)."""
    job = real_definitions().resolve_job_def(job_name)
    try:
        validate_run_config(job, run_config)
    except DagsterInvalidConfigError as error:
        return [e.message for e in error.errors] or [str(error)]
    return []


class FakeDagster:
    def __init__(self) -> None:
        self.launches: list[dict[str, Any]] = []
        self.url = ""

    def answer(self, body: dict[str, Any]) -> dict[str, Any]:
        query = body["query"]
        if "repositoriesOrError" in query:
            return {
                "repositoriesOrError": {
                    "__typename": "RepositoryConnection",
                    "nodes": [
                        {
                            "name": "__repository__",
                            "location": {"name": "orchestration"},
                            "jobs": [{"name": job} for job in job_names()],
                        }
                    ],
                }
            }
        if "launchRun" in query:
            params = body["variables"]["executionParams"]
            self.launches.append(params)
            job_name = params["selector"]["jobName"]
            if job_name not in job_names():
                return {
                    "launchRun": {
                        "__typename": "PipelineNotFoundError",
                        "message": "no such job",
                    }
                }
            errors = config_errors(job_name, params["runConfigData"])
            if errors:
                return {
                    "launchRun": {
                        "__typename": "RunConfigValidationInvalid",
                        "errors": [{"message": message} for message in errors],
                    }
                }
            run_id = f"run-{len(self.launches)}"
            return {
                "launchRun": {
                    "__typename": "LaunchRunSuccess",
                    "run": {"runId": run_id, "status": "QUEUED"},
                }
            }
        if "runOrError" in query:
            run_id = body["variables"]["runId"]
            index = int(run_id.split("-")[1]) - 1
            job = self.launches[index]["selector"]["jobName"]
            return {
                "runOrError": {
                    "__typename": "Run",
                    "runId": run_id,
                    "status": "SUCCESS",
                    "startTime": 1.0,
                    "endTime": 2.0,
                    "jobName": job,
                }
            }
        raise AssertionError(f"unexpected query {query}")


@contextmanager
def fake_dagster() -> Iterator[FakeDagster]:
    real_definitions()  # loaded before the first request: the app waits 10 s
    fake = FakeDagster()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            length = int(self.headers["Content-Length"])
            body = json.loads(self.rfile.read(length))
            data = json.dumps({"data": fake.answer(body)}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/graphql"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
