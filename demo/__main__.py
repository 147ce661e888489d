"""Command line: ``python -m demo --help``."""

from demo.cli import main

raise SystemExit(main())
