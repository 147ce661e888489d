"""dbt's `modules` in the linter's Jinja context."""

import re

__all__ = ["re"]
