"""`SELECT WITH DIFFERENTIAL_PRIVACY ...`, BigQuery's differentially private aggregation, which the
local warehouse does not run: refused by name (sqlglot failed it as a syntax error at `WITH`).
Its noisy answers could not be BigQuery's anyway."""

from __future__ import annotations

import re

_DP = re.compile(r"\bSELECT\s+WITH\s+DIFFERENTIAL_PRIVACY\b", re.IGNORECASE)


def check_differential_privacy(sql: str) -> None:
    """Raise the named refusal if `sql` (which did not parse) uses differential privacy."""
    if _DP.search(sql):
        from .googlesql import _unsupported

        raise _unsupported("SELECT WITH DIFFERENTIAL_PRIVACY (differentially private aggregation)")
