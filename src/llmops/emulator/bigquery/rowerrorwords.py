"""BigQuery's words for a row value that does not fit its field, where they are known.

`tabledata.insertAll` answers each invalid row with `{"reason": "invalid", "location": <field>,
"message": ...}`, and a JSON load reports the same text inside its "Error while reading data"
error. The wordings below are BigQuery's own: googleapis/nodejs-bigquery's system test ("should
return partial errors", run against BigQuery) asserts "Conversion from bool to std::string is
unsupported." for `{name: true}` streamed into a STRING field, and insertAll responses logged
from BigQuery show "Array specified for non-repeated field: f.", "This field: f is not a
record.", "Cannot convert value to integer (bad value): 5.69" and "Cannot convert value to
floating point (bad value): SPY". Other types keep the emulator's "Cannot convert value to <type>:
<value> (field <f>)." (BigQuery's words for them are not known here).
"""

from __future__ import annotations

import json
from typing import Any

_TYPE_WORDS = {"INT64": "integer", "FLOAT64": "floating point"}


def mismatch(value: Any, field_type: str, location: str) -> str:
    """The message for `value` (as decoded from the request's JSON) that field `location` of type
    `field_type` (not REPEATED) cannot hold."""
    if isinstance(value, list) and field_type != "JSON":
        return f"Array specified for non-repeated field: {location}."
    if isinstance(value, dict) and field_type not in ("JSON", "RECORD", "RANGE"):
        return f"This field: {location} is not a record."
    if isinstance(value, bool) and field_type == "STRING":
        return "Conversion from bool to std::string is unsupported."
    shown = value if isinstance(value, str) else json.dumps(value, default=str)
    if field_type in _TYPE_WORDS:
        return f"Cannot convert value to {_TYPE_WORDS[field_type]} (bad value): {shown[:80]}"
    return f"Cannot convert value to {field_type.lower()}: {json.dumps(value, default=str)[:80]} (field {location})."
