"""Command line: ``python -m attribution --help``."""

from attribution.cli import main

raise SystemExit(main())
