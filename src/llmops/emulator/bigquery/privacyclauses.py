"""`SELECT WITH DIFFERENTIAL_PRIVACY ...` (differentially private aggregation) and `SELECT WITH
AGGREGATION_THRESHOLD ...` (aggregation threshold analysis rules), which the local warehouse does
not run: refused by name before anything else reads the query (sqlglot failed them as a syntax
error at `WITH`, and their aggregate calls' extra arguments, `AVG(x, contribution_bounds_per_group
=> ...)`, as a wrong signature). Their answers could not be BigQuery's anyway: noisy, or rows left
out by a threshold over privacy units."""

from __future__ import annotations

import re

_CLAUSES = re.compile(r"\bSELECT\s+WITH\s+(DIFFERENTIAL_PRIVACY|AGGREGATION_THRESHOLD)\b", re.IGNORECASE)
_NAMES = {
    "DIFFERENTIAL_PRIVACY": "SELECT WITH DIFFERENTIAL_PRIVACY (differentially private aggregation)",
    "AGGREGATION_THRESHOLD": "SELECT WITH AGGREGATION_THRESHOLD (aggregation threshold analysis rules)",
}


def check_privacy_clauses(sql: str) -> None:
    """Raise the named refusal if `sql` uses differential privacy or an aggregation threshold."""
    if "_" not in sql:
        return
    found = _CLAUSES.search(sql)
    if found:
        from .googlesql import _unsupported

        raise _unsupported(_NAMES[found.group(1).upper()])
