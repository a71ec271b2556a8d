"""GoogleSQL's canonical date and time text as Python's ISO parser reads it.

BigQuery's canonical formats let the month, day, hour, minute and second have one digit
(`YYYY-[M]M-[D]D[( |T)[H]H:[M]M:[S]S[.F]]`, `[H]H:[M]M:[S]S[.F]`): Google's Node.js sample sends
`bigquery.date('2019-1-12')` as the value '2019-1-12'. `datetime.fromisoformat` wants two digits,
so the text is padded first.
"""

from __future__ import annotations

import re

_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?=$|[ Tt])")
_TIME = re.compile(r"(^|[ Tt])(\d{1,2}):(\d{1,2}):(\d{1,2})(?=$|[.+\-zZ ])")


def padded(text: str) -> str:
    """`text` with one-digit date and time parts given their leading zero (other text unchanged)."""
    text = _DATE.sub(lambda m: f"{m[1]}-{int(m[2]):02d}-{int(m[3]):02d}", text, count=1)
    return _TIME.sub(lambda m: f"{m[1]}{int(m[2]):02d}:{int(m[3]):02d}:{int(m[4]):02d}", text, count=1)
