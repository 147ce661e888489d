"""Where the project's files live: the checkout, and the folder of this
checkout's own state (``$ATTRIBUTION_LOCAL_DIR``, default ``.local``: the
embedded server's data, the secrets file, Dagster's home, the spend inbox).

It imports nothing of the project, so every module of :mod:`warehouse` (the
database, the credentials, the dbt runner) can ask it without a cycle.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def local_dir() -> Path:
    """This checkout's state: ``$ATTRIBUTION_LOCAL_DIR``, else ``.local``."""
    return Path(os.environ.get("ATTRIBUTION_LOCAL_DIR", PROJECT_ROOT / ".local"))
