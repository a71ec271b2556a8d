"""What BigQuery DataFrames (bigframes 2.51) sends when it reads a table, answered as BigQuery does.

Each case is the part that matters of SQL bigframes sent to the emulator, run on the local
warehouse and through the real BigQuery client:

- `SELECT CURRENT_TIMESTAMP() AS current_timestamp` (the first query of every bigframes session)
  failed: DuckDB bound the bare CURRENT_TIMESTAMP to the select-list alias of the same name (also
  CURRENT_DATE);
- a STRING cast of a value whose type only DuckDB knows was written once per type it may have;
  nested casts (bigframes orders a table by `CAST(FARM_FINGERPRINT(CONCAT(... CAST(col AS
  STRING) ...)) AS STRING)`) grew tenfold per level, and the translation of one such read took
  minutes;
- a window ordered or partitioned by RAND() or GENERATE_UUID() (bigframes breaks ties between equal
  rows with RAND()) was DuckDB's "ORDER BY window expressions cannot be volatile";
- jobs.query with `jobCreationMode: JOB_CREATION_OPTIONAL` always made a job, whose anonymous
  destination table bigframes then asked tables.get for (404): a SELECT answered whole now names
  no job, as BigQuery's short queries do.
"""

from __future__ import annotations

import datetime as dt

import pytest
from googlesql_cases import case_params, check_locally, check_through_client

from llmops.core.errors import QueryError
from llmops.emulator.bigquery.googlesql import translate

STR = "STRING"
INT = "INT64"

# the FARM_FINGERPRINT page's example rows, with a column of the type bigframes hashes
EXAMPLE = "(SELECT * FROM UNNEST([STRUCT(1 AS x, 'foo' AS y, TRUE AS z), (2, 'apple', FALSE), (3, '', TRUE)])) AS t0"


def _row_hash(x: str) -> str:
    """bigframes' ordering key of a row: each column's text escaped, hashed, as a STRING."""
    escaped = ", ".join(
        f"CONCAT('\\\\', REPLACE(COALESCE({c}, ''), '\\\\', '\\\\\\\\'))"
        for c in (f"CAST({x} AS STRING)", "t0.y", "CAST(t0.z AS STRING)")
    )
    return f"CAST(FARM_FINGERPRINT(CONCAT({escaped})) AS STRING)"


FAMILIES = {
    "current_time_aliases": [
        ("SELECT CURRENT_TIMESTAMP() AS `current_timestamp` FROM (SELECT 1) WHERE FALSE", None, "TIMESTAMP"),
        ("SELECT CURRENT_DATE() AS current_date FROM (SELECT 1) WHERE FALSE", None, "DATE"),
        (
            "SELECT current_date = CURRENT_DATE('UTC') FROM (SELECT CURRENT_DATE() AS current_date, "
            "CURRENT_TIMESTAMP() AS current_timestamp)",
            True,
            "BOOL",
        ),
    ],
    "nested_string_casts": [
        # FARM_FINGERPRINT(CONCAT(CAST(x AS STRING), y, CAST(z AS STRING))) of the function's page
        (
            "SELECT CAST(FARM_FINGERPRINT(CONCAT(CAST(t0.x AS STRING), t0.y, CAST(t0.z AS STRING))) AS STRING) "
            f"FROM {EXAMPLE} WHERE t0.x = 1",
            "-1541654101129638711",
            STR,
        ),
        (
            "SELECT STRING_AGG(CAST(FARM_FINGERPRINT(CONCAT(CAST(IF(t0.x > 0, t0.x, NULL) AS STRING), t0.y, "
            f"CAST(t0.z AS STRING))) AS STRING), ',' ORDER BY t0.x) FROM {EXAMPLE}",
            "-1541654101129638711,2794438866806483259,-4880158226897771312",
            STR,
        ),
        # the text of a FLOAT64, NUMERIC and INTERVAL under an expression of unknown type
        ("SELECT CAST(IF(t0.x > 0, t0.x * 1.5, NULL) AS STRING) FROM " + EXAMPLE + " WHERE t0.x = 2", "3", STR),
        (
            "SELECT CAST(IF(t0.x > 0, NUMERIC '1.50' * t0.x, NULL) AS STRING) FROM " + EXAMPLE + " WHERE t0.x = 1",
            "1.5",
            STR,
        ),
        (
            "SELECT SAFE_CAST(IF(t0.x > 0, MAKE_INTERVAL(day => t0.x), NULL) AS STRING) FROM "
            + EXAMPLE
            + " WHERE t0.x = 3",
            "0-0 3 0:0:0",
            STR,
        ),
    ],
    "volatile_window_keys": [
        (
            "SELECT STRING_AGG(CAST(n AS STRING), ',' ORDER BY n) FROM (SELECT ROW_NUMBER() OVER (ORDER BY RAND()) AS n "
            f"FROM {EXAMPLE})",
            "1,2,3",
            STR,
        ),
        # bigframes' default index: the row hash, then RAND() for equal rows
        (
            f"SELECT SUM(n) FROM (SELECT ROW_NUMBER() OVER (ORDER BY CONCAT({_row_hash('t0.x')}, "
            f"CAST(RAND() AS STRING)) ASC) - 1 AS n FROM {EXAMPLE})",
            3,
            INT,
        ),
        (
            "SELECT COUNT(DISTINCT u) + SUM(c) FROM (SELECT GENERATE_UUID() AS u, COUNT(*) OVER "
            f"(PARTITION BY RAND() < 2) AS c FROM {EXAMPLE} WHERE t0.x > 1)",
            6,
            INT,
        ),
        (
            "SELECT COUNT(DISTINCT n) FROM (SELECT RANK() OVER (PARTITION BY y ORDER BY GENERATE_UUID()) AS n "
            f"FROM {EXAMPLE})",
            1,
            INT,
        ),
    ],
}

ROWS = case_params(FAMILIES)


@pytest.mark.parametrize("sql, want, typ", [r for r in ROWS if r.values[1] is not None])
def test_local_warehouse(warehouse, sql, want, typ):
    check_locally(warehouse, sql, want, typ)


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_bigquery_client(bigquery_client, family):
    rows = [r for r in FAMILIES[family] if r[1] is not None]
    check_through_client(bigquery_client, rows)


@pytest.mark.parametrize("sql", [r[0] for r in FAMILIES["current_time_aliases"] if r[1] is None])
def test_current_time_calls_named_like_themselves(warehouse, bigquery_client, sql):
    """The column keeps its name and type (the rows are filtered out: the value is the clock's)."""
    local = warehouse.query_result(sql)
    remote = bigquery_client.query_and_wait(sql)
    name = sql.split(" AS ")[1].split()[0].strip("`")
    assert [f["name"] for f in local.schema] == [name]
    assert [f.name for f in remote.schema] == [name]
    assert remote.schema[0].field_type == local.schema[0]["type"] == ("TIMESTAMP" if "timestamp" in name else "DATE")


def test_current_timestamp_named_current_timestamp_is_now(bigquery_client):
    before = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=5)
    (row,) = bigquery_client.query_and_wait("SELECT CURRENT_TIMESTAMP() AS `current_timestamp`")
    assert before <= row["current_timestamp"] <= dt.datetime.now(dt.UTC) + dt.timedelta(seconds=5)


def test_the_row_hash_of_seven_columns_translates_to_linear_sql():
    """bigframes' ordering key of a seven-column table read through a subquery: each column is
    written once per type it may have, the hash of them once."""
    columns = [f"c{i}" for i in range(7)]
    escaped = ", ".join(
        f"CONCAT('\\\\', REPLACE(COALESCE(CAST(t0.{c} AS STRING), ''), '\\\\', '\\\\\\\\'))" for c in columns
    )
    key = f"CAST(FARM_FINGERPRINT(CONCAT({escaped})) AS STRING)"
    inner = ", ".join(f"IF(TRUE, {i}, NULL) AS {c}" for i, c in enumerate(columns))
    sql = f"SELECT {key} AS k, CAST(IF(TRUE, {key}, NULL) AS STRING) AS k2 FROM (SELECT {inner}) AS t0"
    one = translate(f"SELECT CAST(t0.c0 AS STRING) FROM (SELECT {inner}) AS t0").statements[0].sql
    text = translate(sql).statements[0].sql
    assert len(text) < 30 * len(one), len(text)


def test_a_bigframes_read_with_a_row_hash_and_rand(bigquery_client, dataset):
    table = f"{dataset.project}.{dataset.dataset_id}.events"
    bigquery_client.query_and_wait(
        f"CREATE TABLE `{table}` AS SELECT * FROM UNNEST([STRUCT(1 AS id, 'a' AS name, 1.5 AS score), "
        "(2, 'b', NULL), (2, 'b', NULL)])"
    )
    key = (
        "CONCAT("
        + ", ".join(
            f"CONCAT('\\\\', REPLACE(COALESCE({c}, ''), '\\\\', '\\\\\\\\'))"
            for c in ("CAST(`t0`.`id` AS STRING)", "`t0`.`name`", "CAST(`t0`.`score` AS STRING)")
        )
        + ")"
    )
    sql = f"""SELECT `bfuid_col_1`, `id`, `name`, `score` FROM (SELECT
  ROW_NUMBER() OVER (
    ORDER BY CONCAT(CAST(FARM_FINGERPRINT({key}) AS STRING), CAST(FARM_FINGERPRINT(CONCAT({key}, '_')) AS STRING),
      CAST(RAND() AS STRING)) ASC
  ) - 1 AS `bfuid_col_1`,
  `t0`.`id`, `t0`.`name`, `t0`.`score`
FROM (
  SELECT `_bf_source`.`id`, `_bf_source`.`name`, `_bf_source`.`score`
  FROM `{table}` AS _bf_source FOR SYSTEM_TIME AS OF CURRENT_TIMESTAMP()
) AS `t0`) AS `t`
ORDER BY `bfuid_col_1` ASC NULLS LAST"""
    rows = [tuple(r.values()) for r in bigquery_client.query_and_wait(sql)]
    assert [r[0] for r in rows] == [0, 1, 2]
    assert sorted(r[1:] for r in rows if r[1] == 2) == [(2, "b", None), (2, "b", None)]


def test_job_creation_optional_answers_a_short_select_without_a_job(bigquery_client, dataset):
    """bigframes' client asks for JOB_CREATION_OPTIONAL; a SELECT answered whole then names no
    job (BigQuery's short-query mode), so bigframes keeps the rows instead of reading the job's
    destination table. A statement that is not a SELECT, or rows beyond the page, keep their job."""
    from google.cloud import bigquery

    client = bigquery.Client(
        project=bigquery_client.project,
        credentials=bigquery_client._credentials,
        client_options={"api_endpoint": bigquery_client._connection.API_BASE_URL},
    )
    client.default_job_creation_mode = "JOB_CREATION_OPTIONAL"
    rows = client.query_and_wait("SELECT 1 AS x UNION ALL SELECT 2")
    assert rows.job_id is None and rows.query_id
    assert sorted(r["x"] for r in rows) == [1, 2]
    table = f"`{dataset.project}.{dataset.dataset_id}.t`"
    ddl = client.query_and_wait(f"CREATE TABLE {table} AS SELECT x FROM UNNEST(GENERATE_ARRAY(1, 5)) AS x")
    assert ddl.job_id is not None
    paged = client.query_and_wait(f"SELECT x FROM {table} ORDER BY x", page_size=2)
    assert paged.job_id is not None
    assert [r["x"] for r in paged] == [1, 2, 3, 4, 5]


@pytest.mark.parametrize(
    "sql",
    [
        "WITH t AS (SELECT 1 AS a UNION ALL SELECT 2) SELECT *, ROW_NUMBER() OVER (ORDER BY RAND()) AS rn FROM t",
        "WITH t AS (SELECT 1 AS a) SELECT t.*, ROW_NUMBER() OVER (PARTITION BY a ORDER BY RAND()) AS rn FROM t AS t",
    ],
)
def test_a_star_beside_a_volatile_window_key_never_lists_the_key(warehouse, sql):
    """The key is not moved into the FROM item when a `*` would list it as a column: DuckDB's
    refusal stays, never an extra column."""
    try:
        names = [f["name"] for f in warehouse.query_result(sql).schema]
    except QueryError as exc:
        assert "volatile" in str(exc)
    else:
        assert names == ["a", "rn"]
