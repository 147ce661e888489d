"""``python -m measurement lift``: rebuild marts.fct_campaign_lift.

Runs against the database the standard PG* variables name (the embedded
server under .local/ when PGHOST is unset), as the transformer role, like
dbt. Reads the marts, so build them first (``dbt build``).
"""

from __future__ import annotations

import argparse
import logging
import sys

from measurement import lift
from warehouse import credentials, database


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m measurement", description=__doc__.splitlines()[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser(
        "lift",
        help="estimate what each campaign caused and replace marts.fct_campaign_lift",
    )
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO, format="%(message)s"
    )
    params = database.role_params(credentials.TRANSFORMER, database.resolve())
    with database.connect(params) as conn:
        summary = lift.rebuild(conn)
    print(summary.describe())
    return 0


if __name__ == "__main__":
    sys.exit(main())
