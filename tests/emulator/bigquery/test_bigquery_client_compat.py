"""Job results for DDL as BigQuery reports them through the real client: the schema a
CREATE TABLE answers with, the statement type of a lone routine statement, and the error
for dropping a dataset that still holds tables."""

from __future__ import annotations

import uuid

import pytest
from google.cloud import bigquery


@pytest.fixture
def dataset(bigquery_client):
    name = f"{bigquery_client.project}.compat_{uuid.uuid4().hex[:8]}"
    bigquery_client.create_dataset(name)
    yield name
    bigquery_client.delete_dataset(name, delete_contents=True, not_found_ok=True)


def test_create_table_answers_with_its_columns_and_no_rows(bigquery_client, dataset):
    job = bigquery_client.query(f"CREATE TABLE `{dataset}.events` (n INT64, label STRING, at TIMESTAMP)")
    rows = job.result()
    assert list(rows) == []
    assert [(f.name, f.field_type) for f in rows.schema] == [("n", "INTEGER"), ("label", "STRING"), ("at", "TIMESTAMP")]
    assert (job.statement_type, job.ddl_operation_performed) == ("CREATE_TABLE", "CREATE")


def test_create_table_as_select_answers_with_the_select_columns(bigquery_client, dataset):
    job = bigquery_client.query(f"CREATE TABLE `{dataset}.copy` AS SELECT 7 AS k, 'v' AS val UNION ALL SELECT 8, 'w'")
    rows = job.result()
    assert list(rows) == []
    assert [f.name for f in rows.schema] == ["k", "val"]
    assert bigquery_client.get_table(f"{dataset}.copy").num_rows == 2


def test_drop_table_answers_with_nothing(bigquery_client, dataset):
    bigquery_client.query(f"CREATE TABLE `{dataset}.gone` (n INT64)").result()
    job = bigquery_client.query(f"DROP TABLE `{dataset}.gone`")
    rows = job.result()
    assert list(rows) == [] and not rows.schema
    assert job.ddl_operation_performed == "DROP"


@pytest.mark.parametrize(
    ("sql", "kind"),
    [
        ("CREATE FUNCTION `{ds}.twice`(x INT64) RETURNS INT64 AS (x * 2)", "CREATE_FUNCTION"),
        (
            "CREATE TABLE FUNCTION `{ds}.upto`(n INT64) AS SELECT x FROM UNNEST(GENERATE_ARRAY(1, n)) AS x",
            "CREATE_TABLE_FUNCTION",
        ),
        ("CREATE PROCEDURE `{ds}.nothing`() BEGIN SELECT 1; END", "SCRIPT"),
    ],
)
def test_a_lone_routine_statement_reports_its_own_type(bigquery_client, dataset, sql, kind):
    job = bigquery_client.query(sql.format(ds=dataset))
    job.result()
    assert job.statement_type == kind


def test_dropping_routines_reports_each_kind_and_removes_them(bigquery_client, dataset):
    from google.api_core.exceptions import BadRequest

    for sql in (
        f"CREATE FUNCTION `{dataset}.inc`(x INT64) RETURNS INT64 AS (x + 1)",
        f"CREATE TABLE FUNCTION `{dataset}.rows_of`(n INT64) AS SELECT n AS v",
        f"CREATE PROCEDURE `{dataset}.idle`() BEGIN SELECT 1; END",
    ):
        bigquery_client.query(sql).result()
    assert list(bigquery_client.query(f"SELECT v FROM `{dataset}.rows_of`(5)").result())[0]["v"] == 5
    for sql, kind in (
        (f"DROP FUNCTION `{dataset}.inc`", "DROP_FUNCTION"),
        (f"DROP TABLE FUNCTION `{dataset}.rows_of`", "DROP_TABLE_FUNCTION"),
        (f"DROP PROCEDURE `{dataset}.idle`", "DROP_PROCEDURE"),
    ):
        job = bigquery_client.query(sql)
        job.result()
        assert job.statement_type == kind
    assert list(bigquery_client.list_routines(dataset)) == []
    with pytest.raises(BadRequest, match="Function not found: .*rows_of"):  # BigQuery's invalidQuery
        bigquery_client.query(f"SELECT v FROM `{dataset}.rows_of`(5)").result()


def test_a_script_of_routine_ddl_stays_a_script(bigquery_client, dataset):
    job = bigquery_client.query(
        f"CREATE FUNCTION `{dataset}.neg`(x INT64) RETURNS INT64 AS (-x); SELECT `{dataset}.neg`(3) AS r"
    )
    assert [r["r"] for r in job.result()] == [-3]
    assert job.statement_type == "SCRIPT"


def test_drop_schema_of_a_dataset_with_tables_is_refused_as_in_use(bigquery_client, dataset):
    from google.api_core.exceptions import BadRequest

    bigquery_client.query(f"CREATE TABLE `{dataset}.kept` (n INT64)").result()
    with pytest.raises(BadRequest) as raised:
        bigquery_client.query(f"DROP SCHEMA `{dataset}`").result()
    project, ds = dataset.split(".")
    assert f"Dataset {project}:{ds} is still in use" in str(raised.value)
    assert raised.value.errors[0]["reason"] == "resourceInUse"
    assert bigquery_client.get_table(f"{dataset}.kept").table_id == "kept"
    bigquery_client.query(f"DROP SCHEMA `{dataset}` CASCADE").result()
    assert [d.dataset_id for d in bigquery_client.list_datasets()].count(ds) == 0


def test_information_schema_lists_materialized_views_only(bigquery_client, dataset):
    bigquery_client.query(f"CREATE TABLE `{dataset}.sales` AS SELECT 'a' AS k, 2 AS n").result()
    bigquery_client.query(f"CREATE VIEW `{dataset}.plain` AS SELECT k FROM `{dataset}.sales`").result()
    bigquery_client.query(
        f"CREATE MATERIALIZED VIEW `{dataset}.totals` AS SELECT k, SUM(n) AS n FROM `{dataset}.sales` GROUP BY k"
    ).result()
    rows = list(
        bigquery_client.query(
            "SELECT table_schema, table_name, last_refresh_time IS NOT NULL AS refreshed, last_refresh_status "
            f"FROM `{dataset}`.INFORMATION_SCHEMA.MATERIALIZED_VIEWS"
        ).result()
    )
    assert [(r["table_schema"], r["table_name"], r["refreshed"], r["last_refresh_status"]) for r in rows] == [
        (dataset.split(".")[1], "totals", True, None)
    ]


@pytest.fixture
def typed_source(bigquery_client, dataset):
    table_id = f"{dataset}.typed_rows"
    bigquery_client.query(
        f"CREATE TABLE `{table_id}` AS SELECT n, CONCAT('r', CAST(n AS STRING)) AS label, "
        "DATE_ADD(DATE '2024-02-27', INTERVAL n DAY) AS day, TIME '10:11:12' AS t, "
        "DATETIME '2024-01-02 03:04:05' AS dt, TIMESTAMP '2024-01-02 03:04:05+00' AS ts, "
        "CAST(n AS NUMERIC) / 4 AS amount, IF(n = 2, NULL, [n, n * 10]) AS pair, STRUCT(n AS k) AS info "
        "FROM UNNEST([1, 2]) AS n"
    ).result()
    return table_id


def _avro_records(storage_client, uri: str) -> tuple[dict, list[dict]]:
    import io

    import fastavro

    bucket, _, name = uri.removeprefix("gs://").partition("/")
    reader = fastavro.reader(io.BytesIO(storage_client.bucket(bucket).blob(name).download_as_bytes()))
    return reader.writer_schema, sorted(reader, key=lambda r: r["n"])


def test_extract_to_avro_writes_bigquery_types(bigquery_client, storage_client, typed_source):
    import datetime as dt
    import decimal

    from google.cloud import bigquery

    bucket = storage_client.create_bucket(f"avro-{uuid.uuid4().hex[:8]}")
    uri = f"gs://{bucket.name}/out/rows.avro"
    config = bigquery.ExtractJobConfig(destination_format="AVRO")
    bigquery_client.extract_table(typed_source, uri, job_config=config).result()
    schema, rows = _avro_records(storage_client, uri)
    assert [f["name"] for f in schema["fields"]] == ["n", "label", "day", "t", "dt", "ts", "amount", "pair", "info"]
    first, second = rows
    # without useAvroLogicalTypes DATE, TIME and DATETIME are text; TIMESTAMP is always timestamp-micros
    assert (first["day"], first["t"], first["dt"]) == ("2024-02-28", "10:11:12", "2024-01-02T03:04:05")
    assert first["ts"] == dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    assert first["amount"] == decimal.Decimal("0.25") and first["pair"] == [1, 10] and first["info"] == {"k": 1}
    assert second["pair"] == [] and second["label"] == "r2"

    logical = f"gs://{bucket.name}/out/logical.avro"
    config = bigquery.ExtractJobConfig(destination_format="AVRO", use_avro_logical_types=True, compression="DEFLATE")
    bigquery_client.extract_table(typed_source, logical, job_config=config).result()
    _, rows = _avro_records(storage_client, logical)
    assert (rows[0]["day"], rows[0]["t"]) == (dt.date(2024, 2, 28), dt.time(10, 11, 12))


def test_export_data_as_avro_and_its_refused_compression(bigquery_client, storage_client, typed_source):
    from google.api_core.exceptions import BadRequest

    bucket = storage_client.create_bucket(f"avro-{uuid.uuid4().hex[:8]}")
    uri = f"gs://{bucket.name}/export-000000000000.avro"
    bigquery_client.query(
        f"EXPORT DATA OPTIONS(uri='gs://{bucket.name}/export-*.avro', format='AVRO') AS SELECT n, label FROM `{typed_source}`"
    ).result()
    schema, rows = _avro_records(storage_client, uri)
    assert rows == [{"n": 1, "label": "r1"}, {"n": 2, "label": "r2"}]
    with pytest.raises(BadRequest, match="Avro export compression 'GZIP'"):
        bigquery_client.query(
            f"EXPORT DATA OPTIONS(uri='gs://{bucket.name}/x-*.avro', format='AVRO', compression='GZIP') "
            f"AS SELECT n FROM `{typed_source}`"
        ).result()
    assert [b.name for b in bucket.list_blobs()] == ["export-000000000000.avro"]


def test_insert_errors_list_the_invalid_rows_first_then_the_rows_they_stopped(bigquery_client, dataset):
    from google.cloud import bigquery

    table = bigquery_client.create_table(
        bigquery.Table(
            f"{dataset}.people",
            schema=[bigquery.SchemaField("name", "STRING", mode="REQUIRED"), bigquery.SchemaField("age", "INT64")],
        )
    )
    rows = [{"name": "a", "age": 1}, {"name": "b", "extra": 1}, {"name": "c"}, {"age": 4}]
    errors = bigquery_client.insert_rows_json(table, rows)
    assert [(e["index"], e["errors"][0]["reason"]) for e in errors] == [
        (1, "invalid"),
        (3, "invalid"),
        (0, "stopped"),
        (2, "stopped"),
    ]
    assert errors[0]["errors"][0] == {
        "reason": "invalid",
        "location": "extra",
        "debugInfo": "",
        "message": "no such field: extra.",
    }
    assert errors[2]["errors"][0] == {"reason": "stopped", "location": "", "debugInfo": "", "message": ""}
    assert bigquery_client.get_table(table).num_rows == 0


@pytest.mark.parametrize(
    ("skip", "data", "names", "rows"),
    [
        # skipLeadingRows 0: no header, even one that looks like it
        (0, b"id,word\n1,x\n", ["string_field_0", "string_field_1"], 2),
        # unset: the first row is a header when it looks like one
        (None, b"id,word\n1,x\n", ["id", "word"], 1),
        # N > 0: row N names the columns only if it looks like a header, and is skipped either way
        (2, b"junk\nid,word\n1,x\n", ["id", "word"], 1),
        (1, b"7,y\nz,x\n", ["string_field_0", "string_field_1"], 1),
    ],
)
def test_csv_autodetect_reads_a_header_as_skip_leading_rows_says(bigquery_client, dataset, skip, data, names, rows):
    import io

    from google.cloud import bigquery

    config = bigquery.LoadJobConfig(source_format="CSV", autodetect=True, allow_jagged_rows=True)
    if skip is not None:
        config.skip_leading_rows = skip
    target = f"{dataset}.csv_{uuid.uuid4().hex[:6]}"
    bigquery_client.load_table_from_file(io.BytesIO(data), target, job_config=config).result()
    table = bigquery_client.get_table(target)
    assert [f.name for f in table.schema] == names and table.num_rows == rows


def test_rows_take_iso_8601_intervals_wrapped_base64_and_numeric_at_its_limits(bigquery_client, dataset):
    import decimal

    from google.cloud import bigquery

    schema = [
        bigquery.SchemaField("i", "INTERVAL"),
        bigquery.SchemaField("b", "BYTES"),
        bigquery.SchemaField("n", "NUMERIC"),
        bigquery.SchemaField("k", "INT64"),
    ]
    target = f"{dataset}.limits"
    rows = [
        {"i": "P7Y11M9DT4H15M37.123456S", "b": "DQo=\n", "n": "9.9999999999999999999999999999999999999E+28", "k": 1},
        {"i": "P-1Y0M-2DT-3H0M0S", "b": "SGk=", "n": "-9.9999999999999999999999999999999999999E+28", "k": 2},
        {"i": "1-2 3 4:5:6.5", "k": 3},
    ]
    config = bigquery.LoadJobConfig(schema=schema)
    bigquery_client.load_table_from_json(rows[:2], target, job_config=config).result()
    assert bigquery_client.insert_rows_json(target, rows[2:]) == []
    got = {r["k"]: r for r in bigquery_client.query(f"SELECT k, i, b, n FROM `{target}`").result()}
    assert got[1]["b"] == b"\r\n" and got[2]["b"] == b"Hi"
    assert got[1]["n"] == decimal.Decimal("99999999999999999999999999999.999999999")
    assert got[2]["n"] == decimal.Decimal("-99999999999999999999999999999.999999999")
    first = bigquery_client.query(f"SELECT CAST(i AS STRING) AS s FROM `{target}` ORDER BY k").result()
    assert [r["s"] for r in first] == ["7-11 9 4:15:37.123456", "-1-0 -2 -3:0:0", "1-2 3 4:5:6.5"]


def test_a_bignumeric_beyond_bigquerys_range_is_a_row_error(bigquery_client, dataset):
    """1E+25 and 1E+38 are within BigQuery's BIGNUMERIC and are stored (bignumerics.py; 1E+38
    was refused until test_client_suites_regressions_9.py); 6E+38, past its maximum, is a row
    error that stops the other rows."""
    import decimal

    from google.cloud import bigquery

    table = bigquery_client.create_table(
        bigquery.Table(f"{dataset}.big", schema=[bigquery.SchemaField("v", "BIGNUMERIC")])
    )
    assert bigquery_client.insert_rows_json(table, [{"v": "1E+25"}, {"v": "12345678901234567890.5"}]) == []
    assert bigquery_client.insert_rows_json(table, [{"v": "1E+38"}]) == []
    got = sorted(r["v"] for r in bigquery_client.list_rows(table))
    assert got == [decimal.Decimal("12345678901234567890.5"), decimal.Decimal("1E+25"), decimal.Decimal("1E+38")]
    errors = bigquery_client.insert_rows_json(table, [{"v": "6E+38"}, {"v": "1"}])
    assert [(e["index"], e["errors"][0]["reason"]) for e in errors] == [(0, "invalid"), (1, "stopped")]
    assert "Cannot convert value to bignumeric" in errors[0]["errors"][0]["message"]


def test_numeric_rows_round_half_away_from_zero_as_bigquery_does_by_default(bigquery_client, dataset):
    import decimal

    from google.cloud import bigquery

    made = bigquery_client.create_table(
        bigquery.Table(f"{dataset}.money", schema=[bigquery.SchemaField("v", "NUMERIC")])
    )
    values = ["0.0000000025", "-0.0000000025", "0.0000000035"]
    assert bigquery_client.insert_rows_json(made, [{"v": v} for v in values]) == []
    got = sorted(r["v"] for r in bigquery_client.list_rows(made))
    assert got == [decimal.Decimal("-0.000000003"), decimal.Decimal("0.000000003"), decimal.Decimal("0.000000004")]


def test_default_rounding_modes_of_tables_and_datasets_are_kept(bigquery_client, dataset):
    p, d = dataset.split(".")
    resource = {
        "tableReference": {"projectId": p, "datasetId": d, "tableId": "money"},
        "schema": {"fields": [{"name": "v", "type": "NUMERIC"}]},
        "defaultRoundingMode": "ROUND_HALF_EVEN",
    }
    bigquery_client._connection.api_request(method="POST", path=f"/projects/{p}/datasets/{d}/tables", data=resource)
    assert bigquery_client.get_table(f"{dataset}.money")._properties["defaultRoundingMode"] == "ROUND_HALF_EVEN"
    ds = bigquery_client.get_dataset(dataset)
    ds.default_rounding_mode = "ROUND_HALF_AWAY_FROM_ZERO"
    updated = bigquery_client.update_dataset(ds, ["default_rounding_mode"])
    assert updated.default_rounding_mode == "ROUND_HALF_AWAY_FROM_ZERO"


def test_ddl_options_description_is_the_tables_description(bigquery_client, dataset):
    bigquery_client.query(f"CREATE TABLE `{dataset}.described` (n INT64) OPTIONS(description='daily counts')").result()
    bigquery_client.query(f'CREATE VIEW `{dataset}.seen` OPTIONS(description="it\'s a view") AS SELECT 1 AS n').result()
    assert bigquery_client.get_table(f"{dataset}.described").description == "daily counts"
    assert bigquery_client.get_table(f"{dataset}.seen").description == "it's a view"
    bigquery_client.query(f"CREATE OR REPLACE TABLE `{dataset}.described` (n INT64)").result()
    assert bigquery_client.get_table(f"{dataset}.described").description is None


def test_rows_with_a_repeated_insert_id_are_kept_once_within_a_request_and_across_retries(bigquery_client, dataset):
    table = bigquery_client.create_table(bigquery.Table(f"{dataset}.dedup", [bigquery.SchemaField("n", "INT64")]))
    rows = [{"n": 1}, {"n": 2}, {"n": 3}]
    assert bigquery_client.insert_rows_json(table, rows, row_ids=["a", "a", "b"]) == []
    assert bigquery_client.insert_rows_json(table, rows[:1], row_ids=["b"]) == []  # a retry of row "b"
    assert bigquery_client.insert_rows_json(table, rows[:1], row_ids=[None]) == []  # no id: always kept
    got = sorted(r["n"] for r in bigquery_client.query(f"SELECT n FROM `{dataset}.dedup`").result())
    assert got == [1, 1, 3]
