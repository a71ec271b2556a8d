"""Through google-cloud-bigquery: what googleapis/python-bigquery's own system tests exercised and
the emulator got wrong (see "Other emulators' client suites" in docs/emulator.md), as BigQuery
documents it:

- the child jobs of a script that run inside its BEGIN TRANSACTION ... COMMIT had no
  `statistics.transactionInfo` (BigQuery: "Information of the multi-statement transaction if this
  job is part of one", the same `transactionId` for every statement of one transaction);
- a parenthesized join whose first item is an UNNEST (`FROM (UNNEST([1, 2]) a JOIN ... ON ...)`,
  GoogleSQL's `( from_item join_operation )`) was a syntax error, also in the body of a table
  function (test_create_tvf_routine); after another FROM item it is now refused by name;
- a dataset created with `isCaseInsensitive: true` kept the flag but `tables.get` still matched
  table names case-sensitively (BigQuery: "TRUE if the dataset and its table names are
  case-insensitive");
- picosecond timestamps were answered at microseconds without a word: `TIMESTAMP(12)` in CAST and
  DDL, a schema field's `timestampPrecision: 12` (dropped), and `formatOptions.timestampOutputFormat:
  ISO8601_STRING` (ignored: float seconds came back, which the client cannot read). They were
  refused by name, then served exactly (test_picosecond_timestamps.py); `TIMESTAMP(6)` is the
  plain TIMESTAMP (the ISO8601_STRING output format: test_client_suites_regressions_3);
- a JavaScript function with an ARRAY argument or result (test_create_routine's
  `ARRAY<FLOAT64>`; BigQuery passes an ARRAY as a JavaScript Array) was refused, and its
  `importedLibraries` (`OPTIONS(library=...)`) were dropped without a word, so calls failed with
  `ReferenceError`; libraries are now refused by name;
- a query's temporary external tables (`tableDefinitions`, the samples'
  query_external_gcs_temporary_table) were dropped, so the query failed on an unqualified table
  name; they are now refused by name, as permanent external tables are;
- a copy job's source with a snapshot decorator (`t@<ms since the epoch>`, `t@-<ms ago>`, the
  samples' undelete_table) was a table named `t@...` (404); it now copies the table as it was
  then (time travel), also a deleted one (test_restore_deleted_tables.py);
- a query job's `destinationEncryptionConfiguration` was dropped: the destination table had no
  `encryptionConfiguration` (the samples' client_query_destination_table_cmek).
"""

from __future__ import annotations

import pytest
from google.cloud import bigquery
from googlesql_cases import (
    assert_fails_locally,
    assert_fails_through_client,
    case_params,
    check_locally,
    check_through_client,
)

# (query, BigQuery's one value, its type)
PARENTHESIZED_JOINS = [
    (
        "SELECT STRING_AGG(FORMAT('%d:%s', n, s), ' ' ORDER BY n, s) FROM (UNNEST([1, 2, 3]) n "
        "JOIN (SELECT s FROM UNNEST(['one', 'two']) s) ON TRUE) WHERE n > 1",
        "2:one 2:two 3:one 3:two",
        "STRING",
    ),
    ("SELECT SUM(a * b) FROM (UNNEST([1, 2]) a CROSS JOIN UNNEST([10]) b)", 30, "INT64"),
    ("SELECT COUNT(*) FROM (UNNEST([1, 2]) a, UNNEST([3, 4]) b) JOIN UNNEST([4]) c ON b = c", 2, "INT64"),
    (
        "SELECT STRING_AGG(FORMAT('%d/%t', a, b), ' ' ORDER BY o) FROM "
        "(UNNEST([1, 2]) AS a WITH OFFSET AS o LEFT JOIN UNNEST([2]) AS b ON a = b)",
        "1/NULL 2/2",
        "STRING",
    ),
]
FAMILIES = {"parenthesized_joins": PARENTHESIZED_JOINS}
NESTED_UNNEST_JOIN = "SELECT * FROM UNNEST([5]) z JOIN (UNNEST([1]) a JOIN UNNEST([1]) b ON a = b) ON TRUE"


@pytest.mark.parametrize("sql, want, typ", case_params(FAMILIES))
def test_local_warehouse(warehouse, sql, want, typ):
    check_locally(warehouse, sql, want, typ)


@pytest.mark.parametrize("family", list(FAMILIES))
def test_bigquery_client(bigquery_client, family):
    check_through_client(bigquery_client, FAMILIES[family])


def test_a_parenthesized_unnest_join_after_another_from_item_is_refused(warehouse, bigquery_client):
    fragment = "starts with UNNEST after another FROM item is not supported by the local warehouse"
    assert_fails_locally(warehouse, NESTED_UNNEST_JOIN, fragment)
    assert_fails_through_client(bigquery_client, NESTED_UNNEST_JOIN, fragment)


def test_a_table_function_whose_from_is_a_parenthesized_unnest_join(bigquery_client, dataset):
    int64 = bigquery.StandardSqlDataType(type_kind=bigquery.StandardSqlTypeNames.INT64)
    string = bigquery.StandardSqlDataType(type_kind=bigquery.StandardSqlTypeNames.STRING)
    routine = bigquery.Routine(
        dataset.routine("numbered_words"),
        type_=bigquery.RoutineType.TABLE_VALUED_FUNCTION,
        arguments=[bigquery.RoutineArgument(name="threshold", data_type=int64)],
        return_table_type=bigquery.StandardSqlTableType(
            columns=[
                bigquery.StandardSqlField(name="int_col", type=int64),
                bigquery.StandardSqlField(name="str_col", type=string),
            ]
        ),
        body="SELECT int_col, str_col FROM (UNNEST([1, 2, 3]) int_col JOIN "
        "(SELECT str_col FROM UNNEST(['one', 'two', 'three']) str_col) ON TRUE) WHERE int_col > threshold",
    )
    routine = bigquery_client.create_routine(routine)
    rows = bigquery_client.query_and_wait(
        f"SELECT int_col, str_col FROM `{routine.reference}`(1) ORDER BY int_col, str_col"
    )
    assert [tuple(r.values()) for r in rows] == [
        (2, "one"),
        (2, "three"),
        (2, "two"),
        (3, "one"),
        (3, "three"),
        (3, "two"),
    ]


def test_child_jobs_inside_a_transaction_carry_its_transaction_info(bigquery_client, dataset):
    table = f"{dataset.project}.{dataset.dataset_id}.ledger"
    bigquery_client.query(f"CREATE TABLE `{table}` (foo STRING, bar INT64)").result()
    script = (
        f"SELECT 0 AS before_tx; BEGIN TRANSACTION; "
        f"INSERT INTO `{table}` VALUES ('one', 1), ('two', 2), ('three', 3); "
        f"UPDATE `{table}` SET bar = bar + 1 WHERE bar > 1; COMMIT TRANSACTION; "
        f"BEGIN TRANSACTION; DELETE FROM `{table}` WHERE bar = 1; COMMIT TRANSACTION; SELECT 1 AS after_tx"
    )
    job = bigquery_client.query(script)
    job.result()
    assert job.transaction_info is None  # a script's parent job is not part of its transactions
    children = {c.query: c for c in bigquery_client.list_jobs(parent_job=job)}
    first = {children[q].transaction_info.transaction_id for q in children if q.startswith(("INSERT", "UPDATE"))}
    second = children[f"DELETE FROM `{table}` WHERE bar = 1"].transaction_info.transaction_id
    assert len(first) == 1 and "" not in first and second and second not in first
    assert children["SELECT 0 AS before_tx"].transaction_info is None
    assert children["SELECT 1 AS after_tx"].transaction_info is None


def test_a_case_insensitive_dataset_finds_its_tables_in_any_case(bigquery_client, unique):
    from google.api_core.exceptions import NotFound

    insensitive = bigquery.Dataset(f"{bigquery_client.project}.ci_{unique}")
    insensitive.is_case_insensitive = True
    insensitive = bigquery_client.create_dataset(insensitive)
    sensitive = bigquery_client.create_dataset(f"cs_{unique}")
    try:
        assert insensitive.is_case_insensitive is True
        assert bigquery_client.get_dataset(insensitive.reference).is_case_insensitive is True
        schema = [bigquery.SchemaField("full_name", "STRING")]
        for ds in (insensitive, sensitive):
            bigquery_client.create_table(bigquery.Table(ds.table("test_table2"), schema=schema))
        found = bigquery_client.get_table(insensitive.table("Test_taBLe2"))
        assert found.table_id == "test_table2" and [f.name for f in found.schema] == ["full_name"]
        with pytest.raises(NotFound):
            bigquery_client.get_table(sensitive.table("Test_taBLe2"))
        with pytest.raises(NotFound):
            bigquery_client.get_table(insensitive.table("test_table3"))
        bigquery_client.delete_table(insensitive.table("TEST_TABLE2"))
        with pytest.raises(NotFound):
            bigquery_client.get_table(insensitive.table("test_table2"))
    finally:
        for ds in (insensitive, sensitive):
            bigquery_client.delete_dataset(ds, delete_contents=True, not_found_ok=True)


PICOSECOND_CAST = "SELECT CAST('2025-10-20' AS TIMESTAMP(12))"


def test_picosecond_timestamps_are_served_and_timestamp_6_is_the_plain_timestamp(warehouse, bigquery_client, dataset):
    # refused by name at first; served since (test_picosecond_timestamps.py): picoseconds exact
    rows = warehouse.query_result(PICOSECOND_CAST).table.to_pylist()
    assert rows[0]["f0_"]["__bq_ts12_picos"] == 0
    job = bigquery_client.query(
        PICOSECOND_CAST, api_method="QUERY", timestamp_precision=bigquery.enums.TimestampPrecision.PICOSECOND
    )
    assert [r[0] for r in job.result()] == ["2025-10-20T00:00:00.000000000000Z"]
    bigquery_client.query_and_wait(f"CREATE TABLE `{dataset.dataset_id}.pico` (t TIMESTAMP(12))")
    got = bigquery_client.get_table(f"{dataset.dataset_id}.pico")
    assert got.schema[0].timestamp_precision == bigquery.enums.TimestampPrecision.PICOSECOND

    # TIMESTAMP(6) and a field without picoseconds are the plain TIMESTAMP
    micro = bigquery.SchemaField("t", "TIMESTAMP")
    micro._properties["timestampPrecision"] = "6"
    table = bigquery_client.create_table(bigquery.Table(dataset.table("micro_rest"), schema=[micro]))
    assert [f.field_type for f in table.schema] == ["TIMESTAMP"]
    rows = bigquery_client.query_and_wait("SELECT CAST('2025-10-20 01:02:03.123456' AS TIMESTAMP(6)) AS t")
    assert [r["t"].isoformat() for r in rows] == ["2025-10-20T01:02:03.123456+00:00"]


def test_javascript_functions_take_and_give_arrays(warehouse, bigquery_client, dataset):
    pytest.importorskip("py_mini_racer")
    float64 = bigquery.StandardSqlDataType(type_kind=bigquery.StandardSqlTypeNames.FLOAT64)
    routine = bigquery.Routine(
        dataset.routine("max_value"),
        language="JAVASCRIPT",
        type_=bigquery.RoutineType.SCALAR_FUNCTION,
        return_type=float64,
        arguments=[
            bigquery.RoutineArgument(
                name="arr",
                data_type=bigquery.StandardSqlDataType(
                    type_kind=bigquery.StandardSqlTypeNames.ARRAY, array_element_type=float64
                ),
            )
        ],
        body="return Math.max(...arr);",
    )
    routine = bigquery_client.create_routine(routine)
    rows = bigquery_client.query_and_wait(f"SELECT `{routine.reference}`([-100.0, 3.14, 100.0, 42.0]) AS max_value")
    assert [r["max_value"] for r in rows] == [100.0]
    split = (
        "CREATE TEMP FUNCTION parts(s STRING, seps ARRAY<STRING>) RETURNS ARRAY<STRING> LANGUAGE js "
        'AS r"""return s.split(seps[0]);"""; SELECT parts(\'a,b,,c\', [\',\']) AS p'
    )
    rows = bigquery_client.query_and_wait(split)
    assert [r["p"] for r in rows] == [["a", "b", "", "c"]]
    result = warehouse.query_result(split)
    assert result.table.to_pylist() == [{"p": ["a", "b", "", "c"]}]
    assert result.schema[0]["mode"] == "REPEATED" and result.schema[0]["type"] == "STRING"
    # an INT64 reaches JavaScript as a String of its digits (test_googlesql_bigquery_utils_udfs_3.py)
    sql = (
        "CREATE TEMP FUNCTION f(a ARRAY<INT64>) RETURNS STRING LANGUAGE js AS 'return typeof a[0];'; SELECT f([1]) AS k"
    )
    assert [r["k"] for r in bigquery_client.query_and_wait(sql)] == ["string"]
    assert warehouse.query_result(sql).table.to_pylist() == [{"k": "string"}]


def test_javascript_libraries_are_refused_by_name(warehouse, bigquery_client, dataset):
    from google.api_core.exceptions import BadRequest

    fragment = "JavaScript libraries (OPTIONS(library=...), importedLibraries) are not supported by the local warehouse"
    sql = (
        "CREATE TEMP FUNCTION mx(arr ARRAY<FLOAT64>) RETURNS FLOAT64 LANGUAGE js "
        "OPTIONS (library=['gs://samples/max-value.js']) AS 'return maxValue(arr);'; SELECT mx([1.0])"
    )
    assert_fails_locally(warehouse, sql, fragment)
    assert_fails_through_client(bigquery_client, sql, fragment)
    routine = bigquery.Routine(
        dataset.routine("with_library"),
        language="JAVASCRIPT",
        type_=bigquery.RoutineType.SCALAR_FUNCTION,
        return_type=bigquery.StandardSqlDataType(type_kind=bigquery.StandardSqlTypeNames.FLOAT64),
        imported_libraries=["gs://samples/max-value.js"],
        body="return maxValue([1]);",
    )
    with pytest.raises(BadRequest, match=r"JavaScript libraries \(OPTIONS"):
        bigquery_client.create_routine(routine)


def test_temporary_external_tables_are_refused_by_name(bigquery_client):
    from google.api_core.exceptions import MethodNotImplemented

    external = bigquery.ExternalConfig("CSV")
    external.source_uris = ["gs://samples/us-states.csv"]
    external.schema = [bigquery.SchemaField("name", "STRING")]
    config = bigquery.QueryJobConfig(table_definitions={"us_states": external})
    with pytest.raises(MethodNotImplemented, match=r"tableDefinitions: us_states\) are not supported by the local"):
        bigquery_client.query("SELECT * FROM us_states", job_config=config).result()


def test_a_copy_source_with_a_snapshot_decorator_is_the_table_as_it_was(bigquery_client, dataset):
    import time

    from google.api_core.exceptions import NotFound

    table = f"{dataset.project}.{dataset.dataset_id}.history"
    bigquery_client.query(f"CREATE TABLE `{table}` AS SELECT 1 AS x").result()
    time.sleep(0.05)
    before_insert = int(time.time() * 1000)
    time.sleep(0.05)
    bigquery_client.query(f"INSERT INTO `{table}` VALUES (2)").result()
    bigquery_client.copy_table(f"{table}@{before_insert}", f"{table}_then").result()
    assert [r.x for r in bigquery_client.list_rows(f"{table}_then")] == [1]
    ago = int(time.time() * 1000) - before_insert
    bigquery_client.copy_table(f"{table}@-{ago}", f"{table}_relative").result()
    assert [r.x for r in bigquery_client.list_rows(f"{table}_relative")] == [1]
    bigquery_client.copy_table(table, f"{table}_now").result()
    assert sorted(r.x for r in bigquery_client.list_rows(f"{table}_now")) == [1, 2]
    bigquery_client.delete_table(table)
    bigquery_client.copy_table(f"{table}@{before_insert}", f"{table}_undeleted").result()
    assert [r.x for r in bigquery_client.list_rows(f"{table}_undeleted")] == [1]
    with pytest.raises(NotFound, match="Not found: Table"):
        bigquery_client.copy_table(f"{table}_never@{before_insert}", f"{table}_none").result()


def test_a_query_destination_keeps_its_encryption_configuration(bigquery_client, dataset):
    key = f"projects/{dataset.project}/locations/us/keyRings/ring/cryptoKeys/key"
    config = bigquery.QueryJobConfig(
        destination=dataset.table("encrypted"),
        destination_encryption_configuration=bigquery.EncryptionConfiguration(kms_key_name=key),
    )
    bigquery_client.query("SELECT 1 AS x", job_config=config).result()
    table = bigquery_client.get_table(dataset.table("encrypted"))
    assert table.encryption_configuration.kms_key_name == key
    assert [r.x for r in bigquery_client.list_rows(table)] == [1]
