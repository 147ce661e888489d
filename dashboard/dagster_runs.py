"""A small client of Dagster's GraphQL API: launch a job, follow its run.

The admin page uses it to recompute one order or backfill a sale-time range.
Launching is an admin action, checked in the database and audited like any
write of the app. The job names and their run config come from
orchestration/launch.py, shared with the definitions (no Dagster import).
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from dashboard.data import connection
from marketing.audit import DAGSTER_LAUNCHED, User, audit, require_role
from orchestration import launch

DEFAULT_URL = "http://127.0.0.1:3000/graphql"
FINISHED = {"SUCCESS", "FAILURE", "CANCELED"}


class DagsterError(RuntimeError):
    """Dagster refused the request or could not be reached."""


def graphql_url() -> str:
    return os.environ.get("DAGSTER_GRAPHQL_URL", DEFAULT_URL)


def _post(
    query: str, variables: dict[str, Any], url: str | None = None, timeout: float = 10.0
) -> dict[str, Any]:
    request = urllib.request.Request(
        url or graphql_url(),
        data=json.dumps({"query": query, "variables": variables}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = json.loads(response.read())
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise DagsterError(
            f"Dagster is not reachable at {request.full_url}: {error}"
        ) from error
    if body.get("errors"):
        raise DagsterError("; ".join(e.get("message", "?") for e in body["errors"]))
    return body["data"]


_REPOSITORIES = """
query Repositories {
  repositoriesOrError {
    __typename
    ... on RepositoryConnection {
      nodes { name location { name } jobs { name } }
    }
    ... on PythonError { message }
  }
}
"""

_LAUNCH = """
mutation Launch($executionParams: ExecutionParams!) {
  launchRun(executionParams: $executionParams) {
    __typename
    ... on LaunchRunSuccess { run { runId status } }
    ... on RunConfigValidationInvalid { errors { message } }
    ... on Error { message }
  }
}
"""

_RUN = """
query Run($runId: ID!) {
  runOrError(runId: $runId) {
    __typename
    ... on Run { runId status startTime endTime jobName }
    ... on Error { message }
  }
}
"""


@dataclass(frozen=True)
class RunStatus:
    run_id: str
    status: str
    job_name: str | None = None

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED


def find_job(job_name: str, url: str | None = None) -> tuple[str, str]:
    """(code location, repository) that holds `job_name`."""
    data = _post(_REPOSITORIES, {}, url)["repositoriesOrError"]
    if data["__typename"] != "RepositoryConnection":
        raise DagsterError(data.get("message", data["__typename"]))
    for repository in data["nodes"]:
        if any(job["name"] == job_name for job in repository["jobs"]):
            return repository["location"]["name"], repository["name"]
    raise DagsterError(f"no Dagster job named {job_name!r}")


def launch_run(
    job_name: str,
    run_config: dict[str, Any],
    tags: dict[str, str] | None = None,
    url: str | None = None,
) -> str:
    """Launch `job_name` with `run_config`; returns the run id."""
    location, repository = find_job(job_name, url)
    params = {
        "selector": {
            "repositoryLocationName": location,
            "repositoryName": repository,
            "jobName": job_name,
        },
        "runConfigData": run_config,
        "executionMetadata": {
            "tags": [
                {"key": key, "value": value} for key, value in (tags or {}).items()
            ]
        },
    }
    result = _post(_LAUNCH, {"executionParams": params}, url)["launchRun"]
    if result["__typename"] == "LaunchRunSuccess":
        return result["run"]["runId"]
    if result["__typename"] == "RunConfigValidationInvalid":
        raise DagsterError(
            "invalid run config: " + "; ".join(e["message"] for e in result["errors"])
        )
    raise DagsterError(result.get("message") or result["__typename"])


def run_status(run_id: str, url: str | None = None) -> RunStatus:
    result = _post(_RUN, {"runId": run_id}, url)["runOrError"]
    if result["__typename"] != "Run":
        raise DagsterError(result.get("message") or result["__typename"])
    return RunStatus(result["runId"], result["status"], result.get("jobName"))


def launch_recompute(
    db_url: str,
    user: User,
    *,
    order_id: int | None = None,
    start: str | None = None,
    end: str | None = None,
    graphql: str | None = None,
) -> str:
    """Admins only: recompute one order, or backfill [start, end)."""
    if (order_id is None) == (start is None and end is None):
        raise ValueError("give either an order id or a from/to range")
    if order_id is None and (start is None or end is None):
        raise ValueError("a backfill needs both from and to")
    with connection.transaction(db_url) as conn:
        require_role(conn, user, "admin")
        if order_id is not None:
            job = launch.RECOMPUTE_ORDER
            config = launch.recompute_orders_config([order_id])
        else:
            assert start is not None and end is not None
            job, config = launch.BACKFILL, launch.backfill_config(start, end)
        run_id = launch_run(
            job, config, tags={"launched_by": user.username}, url=graphql
        )
        audit(
            conn,
            user,
            DAGSTER_LAUNCHED,
            details={"job": job, "run_id": run_id, "run_config": config},
        )
    return run_id
