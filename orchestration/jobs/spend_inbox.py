"""The spend inbox: CSV exports dropped in a folder are loaded by a run each.

The folder (ATTRIBUTION_SPEND_INBOX, ``.local/inbox/spend``) and how often
the sensor looks (ATTRIBUTION_SPEND_INBOX_INTERVAL_SECONDS, 30) are settings
(orchestration/settings.py).

A file is loaded through :mod:`marketing.spend`, the same code as the app's
upload (preset from the headers: Google Ads or Meta Ads). A loaded file moves
to ``loaded/``; a file with any bad row writes nothing, moves to ``failed/``
and fails its run with every row error in the message, so the failure sensor
alerts and the run page says what to fix. The run writes as
``attribution_app`` (the writer of ``marketing``; its password from the
environment or ``.local/secrets.env``), never as the transformer. Dropping a
corrected file with the same name loads it: the run key is the file's content.

The run config names the file, and anyone who reaches the Dagster UI can
launch the job with their own: a path is loaded (and moved) only when it
resolves to a file waiting directly in the inbox folder of the settings, a
link that leads elsewhere included; anything else fails the run before the
file is touched or the database reached. The database is not run config at
all (orchestration/resources.py).
"""

import hashlib
import shutil
from pathlib import Path

from dagster import (
    Config,
    Failure,
    MetadataValue,
    OpExecutionContext,
    ResourceParam,
    RunRequest,
    SensorDefinition,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    job,
    op,
    sensor,
)
from sqlalchemy import create_engine

from marketing import spend
from orchestration.resources import AttributionDatabase
from orchestration.settings import Settings
from warehouse import credentials

SPEND_INBOX_JOB = "spend_inbox_load"
LOADED_BY = "dagster:spend_inbox"
PATTERNS = ("*.csv", "*.tsv", "*.txt")


def pending_files(folder: Path) -> list[Path]:
    """Files waiting in the inbox (not in its loaded/ or failed/ folders)."""
    if not folder.is_dir():
        return []
    found = {path for pattern in PATTERNS for path in folder.glob(pattern)}
    return sorted(path for path in found if path.is_file())


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class SpendFileConfig(Config):
    path: str
    preset: str | None = None


def inbox_file(folder: Path, named: str) -> Path:
    """The file `named` (absolute, or relative to the inbox) if it is one
    waiting directly in the inbox `folder`; a Failure otherwise."""
    inbox = folder.resolve()
    candidate = Path(named)
    if not candidate.is_absolute():
        candidate = inbox / candidate
    path = candidate.resolve()
    if (
        path.parent != inbox
        or not any(path.match(pattern) for pattern in PATTERNS)
        or not path.is_file()
    ):
        raise Failure(
            f"refused: {named!r} is not a file waiting in the spend inbox {inbox}"
            f" ({', '.join(PATTERNS)}); nothing was read or moved",
            allow_retries=False,
        )
    return path


def _move(path: Path, folder: str) -> Path:
    target_dir = path.parent / folder
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / path.name
    if target.exists():
        target = target_dir / f"{path.stem}.{_digest(path)[:8]}{path.suffix}"
    return Path(shutil.move(str(path), target))


@op(description="Load one spend file through the app's validation path.")
def load_spend_file(
    context: OpExecutionContext,
    config: SpendFileConfig,
    database: AttributionDatabase,
    settings: ResourceParam[Settings],
) -> None:
    if config.preset is not None and config.preset not in spend.PRESETS:
        raise Failure(
            f"refused: unknown preset {config.preset!r}; one of"
            f" {', '.join(sorted(spend.PRESETS))}",
            allow_retries=False,
        )
    path = inbox_file(settings.spend_inbox, config.path)
    data = path.read_bytes()
    preset = config.preset or spend.detect_preset(data)
    if preset is None:
        moved = _move(path, "failed")
        raise Failure(
            f"{path.name}: not a Google Ads or Meta Ads export (no known header"
            f" line); moved to {moved}",
            allow_retries=False,
        )
    parsed = spend.parse(data, preset=preset, name=path.name)
    # spend is marketing data: loaded as its one writer, the app's role, not
    # as the transformer, which only reads marketing
    writer = database.params().as_role(credentials.APP)
    engine = create_engine(writer.url("psycopg"))
    try:
        with engine.begin() as conn:
            result = spend.load(conn, parsed, loaded_by=LOADED_BY)
    except spend.SpendFileError as error:
        moved = _move(path, "failed")
        raise Failure(
            description=f"{error}\nThe file was moved to {moved}.",
            metadata={
                "file": path.name,
                "problems": len(error.errors),
                "row_errors": MetadataValue.md(
                    "\n".join(f"- {problem}" for problem in error.errors[:200])
                ),
            },
            allow_retries=False,
        ) from error
    finally:
        engine.dispose()
    moved = _move(path, "loaded")
    context.log.info(
        f"{path.name}: {result.rows} days for {result.campaigns} campaign(s) loaded"
        f" ({result.inserted} new, {result.replaced} replaced); moved to {moved}"
    )


@job(
    name=SPEND_INBOX_JOB,
    description="Load one CSV export from the spend inbox (run config: its path).",
)
def spend_inbox_load() -> None:
    load_spend_file()


def build_spend_inbox_sensor(settings: Settings) -> SensorDefinition:
    folder = settings.spend_inbox

    @sensor(
        name="spend_inbox_sensor",
        job=spend_inbox_load,
        minimum_interval_seconds=settings.spend_inbox_interval_seconds,
        default_status=settings.sensor_status,
        description=f"Loads each CSV export dropped in {folder}.",
    )
    def spend_inbox_sensor(
        context: SensorEvaluationContext,
    ) -> SensorResult | SkipReason:
        files = pending_files(folder)
        if not files:
            return SkipReason(f"no file in {folder}")
        return SensorResult(
            run_requests=[
                RunRequest(
                    # the content, not the name: a corrected file runs again
                    run_key=f"{path.name}:{_digest(path)[:16]}",
                    run_config={
                        "ops": {"load_spend_file": {"config": {"path": str(path)}}}
                    },
                    tags={"spend/file": path.name},
                )
                for path in files
            ]
        )

    return spend_inbox_sensor
