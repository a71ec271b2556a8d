"""Silently wrong answers left by the fifth ZetaSQL compliance sweep, now BigQuery's.

- FORMAT's %T of a STRING wrote control characters raw and always used double quotes; it is
  GoogleSQL's literal (ZetaSQL's ToStringLiteral): `"a\\nb"`, `'say "hi"'`, `"\\x01"`;
- `FORMAT('%0.*d', 4, 12)` dropped the precision ("12"; C's printf: "0012");
- CONCAT with an INTERVAL column wrote DuckDB's text (`1 month 2 days 03:00:00`), and CONCAT of the
  column alone stayed an INTERVAL;
- JSON_EXTRACT / JSON_QUERY of TO_JSON_STRING(...) answered JSON, not the STRING a STRING input gives;
- CAST(text AS TIMESTAMP FORMAT ... AT TIME ZONE zone) ignored the zone.
"""

from __future__ import annotations

import datetime as dt

import pytest
from googlesql_cases import case_params, check_locally, check_through_client

UTC = dt.UTC
IV = "(SELECT INTERVAL '1 2 3' MONTH TO HOUR AS i)"
FMT = "YYYY-MM-DD HH24:MI:SS"

FORMATS = [
    # ZetaSQL format_string_T cases
    ("FORMAT('%T', 'a\\nb')", '"a\\nb"', "STRING"),
    ("FORMAT('%T', 'tab\\there\\r')", '"tab\\there\\r"', "STRING"),
    ("FORMAT('%T', 'say \"hi\"')", "'say \"hi\"'", "STRING"),
    ("FORMAT('%T', 'it\\'s \"x\"')", '"it\'s \\"x\\""', "STRING"),
    ("FORMAT('%T', 'a\\x01b')", '"a\\x01\\x62"', "STRING"),
    ("FORMAT('%T', 'back\\\\slash')", '"back\\\\slash"', "STRING"),
    ("FORMAT('%T', 'é')", '"é"', "STRING"),
    ("FORMAT('%t', 'a\\nb')", "a\nb", "STRING"),
    ("FORMAT('%0.*d', 4, 12)", "0012", "STRING"),
    ("FORMAT('%08.3d|', 7)", "     007|", "STRING"),
    ("FORMAT('%05d', 7)", "00007", "STRING"),
]

INTERVAL_TEXTS = [
    # interval:concat (a column, not a literal)
    (f"SELECT CONCAT('a', i) FROM {IV}", "a0-1 2 3:0:0", "STRING"),
    (f"SELECT CONCAT(i) FROM {IV}", "0-1 2 3:0:0", "STRING"),
]

JSON_OF_STRINGS = [
    ("JSON_EXTRACT(TO_JSON_STRING(STRUCT([1, 2] AS c)), '$')", '{"c":[1,2]}', "STRING"),
    ("JSON_QUERY(TO_JSON_STRING(STRUCT([1, 2] AS c)), '$.c')", "[1,2]", "STRING"),
    ("JSON_VALUE(TO_JSON_STRING(STRUCT(1 AS c)), '$.c')", "1", "STRING"),
    ("JSON_QUERY(TO_JSON(STRUCT([1, 2] AS c)), '$.c')", None, "JSON"),
]

ZONED_CASTS = [
    # cast_function:cast_string_to_timestamp_with_format_and_time_zone
    (
        f"CAST('1234-05-06 07:08:09' AS TIMESTAMP FORMAT '{FMT}' AT TIME ZONE '+7:00')",
        dt.datetime(1234, 5, 6, 0, 8, 9, tzinfo=UTC),
        "TIMESTAMP",
    ),
    (
        f"CAST('2020-05-06 07:08:09' AS TIMESTAMP FORMAT '{FMT}' AT TIME ZONE 'Asia/Tokyo')",
        dt.datetime(2020, 5, 5, 22, 8, 9, tzinfo=UTC),
        "TIMESTAMP",
    ),
    (
        f"SAFE_CAST('2020-05-06 07:08:09' AS TIMESTAMP FORMAT '{FMT}' AT TIME ZONE 'America/New_York')",
        dt.datetime(2020, 5, 6, 11, 8, 9, tzinfo=UTC),
        "TIMESTAMP",
    ),
    # an offset in the text wins over AT TIME ZONE
    (
        f"CAST('2020-05-06 07:08:09 +03:00' AS TIMESTAMP FORMAT '{FMT} TZH:TZM' AT TIME ZONE 'Asia/Tokyo')",
        dt.datetime(2020, 5, 6, 4, 8, 9, tzinfo=UTC),
        "TIMESTAMP",
    ),
]

FAMILIES = {
    "formats": FORMATS,
    "interval_texts": INTERVAL_TEXTS,
    "json_of_strings": JSON_OF_STRINGS,
    "zoned_casts": ZONED_CASTS,
}


@pytest.mark.parametrize("sql, want, typ", [p for p in case_params(FAMILIES) if p.values[1] is not None])
def test_local_warehouse(warehouse, sql, want, typ):
    check_locally(warehouse, sql, want, typ)


@pytest.mark.parametrize("family", list(FAMILIES))
def test_bigquery_client(bigquery_client, family):
    rows = [r for r in FAMILIES[family] if r[1] is not None]
    check_through_client(bigquery_client, rows)


def test_json_query_of_json_stays_json(warehouse):
    result = warehouse.query_result("SELECT JSON_QUERY(TO_JSON(STRUCT([1, 2] AS c)), '$.c') AS j")
    assert result.schema[0]["type"] == "JSON"
    assert result.table.to_pylist() == [{"j": "[1,2]"}]
