"""Command line: ``python -m warehouse --help``."""

from warehouse.cli import main

raise SystemExit(main())
