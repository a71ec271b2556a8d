"""BYTES values in load files (CSV, JSON) and `insertAll` rows are base64 text, read as
BigQuery's reader (absl's `Base64Unescape`) reads it: white space is skipped (wrapped lines) and
the `=` padding is optional (`abc` is the two bytes of `abc=`); padding that is written must be
right, and text that is not base64 is refused.

googleapis/python-bigquery's system test `test_load_table_from_dataframe_w_explicit_schema_
source_format_csv` loads `abc` and `def` into a BYTES column, as it does against BigQuery.
"""

from __future__ import annotations

import base64


def decode(text: str) -> bytes:
    """The bytes of base64 `text`; `binascii.Error` (a ValueError) when it is not base64."""
    compact = "".join(text.split())
    if "=" not in compact:
        compact += "=" * (-len(compact) % 4)
    return base64.b64decode(compact, validate=True)
