"""Leftover differences from BigQuery, each checked against Google's documented behaviour:

- EXTRACT of a STRING query parameter reads it as the type ZetaSQL's signature matching picks
  (the cheapest coercion of a STRING: DATE, or TIMESTAMP for the DATE, TIME and DATETIME parts);
  it was "No matching signature for function DATE_PART". LAST_DAY, UNIX_SECONDS/MILLIS/MICROS and
  GENERATE_TIMESTAMP_ARRAY coerce a STRING parameter too. EXTRACT of a part its argument's type
  has not (`EXTRACT(HOUR FROM DATE ...)`, which DuckDB answered 0) and of a STRING literal are
  BigQuery's errors ("EXTRACT from DATE does not support the HOUR date part", "EXTRACT does not
  support literal STRING arguments").
"""

from __future__ import annotations

import datetime as dt

import pytest
from googlesql_cases import LOCAL_TYPES, assert_fails_locally, assert_fails_through_client

from llmops.core.errors import QueryError

# ---------------------------------------------------------------- EXTRACT and STRING parameters

# (query, its STRING parameters, BigQuery's value, its type)
STRING_PARAMETERS = [
    ("SELECT EXTRACT(YEAR FROM @p)", {"p": "2024-03-05"}, 2024, "INT64"),
    ("SELECT EXTRACT(DAYOFYEAR FROM @p)", {"p": "2024-03-05"}, 65, "INT64"),
    ("SELECT EXTRACT(DAYOFWEEK FROM @p)", {"p": "2024-03-05"}, 3, "INT64"),
    ("SELECT EXTRACT(ISOWEEK FROM @p)", {"p": "2024-03-05"}, 10, "INT64"),
    # the DATE, TIME and DATETIME parts take a TIMESTAMP (in UTC)
    ("SELECT EXTRACT(DATE FROM @p)", {"p": "2024-03-05 23:00:00-05"}, dt.date(2024, 3, 6), "DATE"),
    ("SELECT EXTRACT(TIME FROM @p)", {"p": "2024-03-05 23:00:00-05"}, dt.time(4, 0), "TIME"),
    ("SELECT EXTRACT(DATETIME FROM @p)", {"p": "2024-03-05 23:00:00-05"}, dt.datetime(2024, 3, 6, 4, 0), "DATETIME"),
    ("SELECT LAST_DAY(@p)", {"p": "2024-02-05"}, dt.date(2024, 2, 29), "DATE"),
    ("SELECT LAST_DAY(@p, YEAR)", {"p": "2024-02-05"}, dt.date(2024, 12, 31), "DATE"),
    ("SELECT UNIX_SECONDS(@p)", {"p": "2024-01-01 00:00:01+00"}, 1704067201, "INT64"),
    ("SELECT UNIX_MILLIS(@p)", {"p": "2024-01-01 00:00:01.5+00"}, 1704067201500, "INT64"),
    ("SELECT UNIX_MICROS(@p)", {"p": "1970-01-01 00:00:00.000002+00"}, 2, "INT64"),
    (
        "SELECT ARRAY_LENGTH(GENERATE_TIMESTAMP_ARRAY(@a, @b, INTERVAL 1 HOUR))",
        {"a": "2024-01-01 00:00:00+00", "b": "2024-01-01 05:00:00+00"},
        6,
        "INT64",
    ),
]


@pytest.mark.parametrize(("sql", "params", "want", "typ"), STRING_PARAMETERS)
def test_a_string_parameter_coerces_where_the_function_takes_a_date_or_time(
    warehouse, bigquery_client, sql, params, want, typ
):
    from google.cloud import bigquery

    result = warehouse.engine.query(sql, params, param_types={k: "STRING" for k in params})
    assert list(result.table.to_pylist()[0].values()) == [want]
    assert LOCAL_TYPES.get(result.schema[0]["type"], result.schema[0]["type"]) == typ
    config = bigquery.QueryJobConfig(
        query_parameters=[bigquery.ScalarQueryParameter(k, "STRING", v) for k, v in params.items()]
    )
    rows = bigquery_client.query_and_wait(sql, job_config=config)
    assert [list(r.values()) for r in rows] == [[want]]
    assert LOCAL_TYPES.get(rows.schema[0].field_type, rows.schema[0].field_type) == typ


def test_extract_of_a_string_parameter_refuses_a_part_a_date_has_not(warehouse, bigquery_client):
    """The parameter reads as a DATE, whatever its text holds (ZetaSQL picks the signature before
    it looks at the value), so HOUR is the analyzer's error."""
    from google.api_core.exceptions import BadRequest
    from google.cloud import bigquery

    sql, value = "SELECT EXTRACT(HOUR FROM @p)", "2024-03-05 10:11:12"
    fragment = "EXTRACT from DATE does not support the HOUR date part"
    with pytest.raises(QueryError, match=fragment):
        warehouse.engine.query(sql, {"p": value}, param_types={"p": "STRING"})
    config = bigquery.QueryJobConfig(query_parameters=[bigquery.ScalarQueryParameter("p", "STRING", value)])
    with pytest.raises(BadRequest, match=fragment):
        bigquery_client.query_and_wait(sql, job_config=config)
    # the parts a value has are still answered, of columns whose type the translator does not know too
    sql = (
        "SELECT EXTRACT(HOUR FROM ts) AS h, EXTRACT(YEAR FROM d) AS y, EXTRACT(DATE FROM ts) AS dd "
        "FROM UNNEST([STRUCT(TIMESTAMP '2024-01-01 10:00:00+00' AS ts, DATE '2023-05-06' AS d)])"
    )
    want = {"h": 10, "y": 2023, "dd": dt.date(2024, 1, 1)}
    assert warehouse.query_result(sql).table.to_pylist() == [want]
    assert [dict(r) for r in bigquery_client.query_and_wait(sql)] == [want]


EXTRACT_REFUSALS = [
    ("SELECT EXTRACT(YEAR FROM '2024-03-05')", "EXTRACT does not support literal STRING arguments"),
    ("SELECT EXTRACT(HOUR FROM DATE '2024-01-01')", "EXTRACT from DATE does not support the HOUR date part"),
    ("SELECT EXTRACT(MINUTE FROM CURRENT_DATE())", "EXTRACT from DATE does not support the MINUTE date part"),
    ("SELECT EXTRACT(DATE FROM DATE '2024-01-01')", "EXTRACT from DATE does not support the DATE date part"),
    ("SELECT EXTRACT(TIME FROM TIME '10:00:00')", "EXTRACT from TIME does not support the TIME date part"),
    ("SELECT EXTRACT(YEAR FROM TIME '10:00:00')", "EXTRACT from TIME does not support the YEAR date part"),
    (
        "SELECT EXTRACT(DATETIME FROM DATETIME '2024-01-01 10:00:00')",
        "EXTRACT from DATETIME does not support the DATETIME date part",
    ),
    # a DATE column the translator does not type: DuckDB checks it when the query runs
    (
        "SELECT EXTRACT(SECOND FROM d) FROM UNNEST([DATE '2024-01-01']) AS d",
        "EXTRACT from DATE does not support the SECOND date part",
    ),
]


@pytest.mark.parametrize(("sql", "fragment"), EXTRACT_REFUSALS)
def test_extract_of_a_part_its_argument_has_not_is_bigquerys_error(warehouse, bigquery_client, sql, fragment):
    assert_fails_locally(warehouse, sql, fragment)
    assert_fails_through_client(bigquery_client, sql, fragment)
