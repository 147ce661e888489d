"""Files the app hands out: CSV a spreadsheet opens as data, never as formulas.

A campaign named ``=HYPERLINK("https://…","open")`` would be a live formula
in the leaderboard's export. OWASP's rule for CSV injection: a text cell
starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
leading ``'``, which spreadsheets read as "this is text". Numbers stay
numbers (a negative profit is not text).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from pandas.api import types

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """A text value that cannot start a formula; anything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(frame: pd.DataFrame) -> str:
    """The frame as CSV text, every text cell made safe."""
    safe = frame.copy()
    for column in safe.columns:
        if not (
            types.is_numeric_dtype(safe[column])
            or types.is_datetime64_any_dtype(safe[column])
            or types.is_bool_dtype(safe[column])
        ):
            safe[column] = safe[column].map(safe_cell)
    return safe.to_csv(index=False)
