"""A stand-in for Dagster's GraphQL endpoint, on 127.0.0.1, for the tests."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

JOBS = (
    "attribution_incremental",
    "attribution_backfill",
    "attribution_recompute_order",
)


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
                            "jobs": [{"name": job} for job in JOBS],
                        }
                    ],
                }
            }
        if "launchRun" in query:
            params = body["variables"]["executionParams"]
            self.launches.append(params)
            if params["selector"]["jobName"] not in JOBS:
                return {
                    "launchRun": {
                        "__typename": "PipelineNotFoundError",
                        "message": "no such job",
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
