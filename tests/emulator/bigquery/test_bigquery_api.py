"""BigQuery REST v2 through the real google-cloud-bigquery client against the emulator."""

from __future__ import annotations

import datetime as dt
import decimal
import io
import json

import pandas as pd
import pyarrow as pa
import pytest
from google.api_core import exceptions as gexc
from google.cloud import bigquery

from llmops.core.data import COURSE_QUERY

PUBLIC = "bigquery-public-data.stackoverflow"


# ------------------------------------------------------------------ the course's L2 notebook


def test_course_information_schema_tables(bigquery_client):
    query_job = bigquery_client.query(f"SELECT table_name FROM `{PUBLIC}.INFORMATION_SCHEMA.TABLES`")
    names = [value for row in query_job for value in row.values()]
    assert sorted(names) == ["posts_answers", "posts_questions"]


def test_course_inspect_three_rows_to_pandas(bigquery_client):
    query_job = bigquery_client.query(f"SELECT * FROM `{PUBLIC}.posts_questions` LIMIT 3")
    df = query_job.result().to_arrow().to_pandas()
    assert len(df) == 3
    assert "title" in df.columns and "creation_date" in df.columns
    assert str(df["creation_date"].dtype).startswith("datetime64")
    assert df["creation_date"].dt.tz is not None


def test_course_query_returns_500_rows(bigquery_client):
    df = bigquery_client.query(COURSE_QUERY).result().to_arrow().to_pandas()
    assert list(df.columns) == ["input_text", "output_text"]
    assert len(df) == 500
    assert df["input_text"].str.len().min() > 0


def test_to_dataframe_and_query_and_wait_agree(bigquery_client):
    sql = f"SELECT id, title FROM `{PUBLIC}.posts_questions` ORDER BY id LIMIT 25"
    df = bigquery_client.query(sql).to_dataframe()
    rows = list(bigquery_client.query_and_wait(sql))
    assert [r["id"] for r in rows] == df["id"].tolist()


# ------------------------------------------------------------------ types and parameters


def test_typed_int64_and_timestamp_values(bigquery_client):
    rows = list(
        bigquery_client.query_and_wait(
            "SELECT 9007199254740993 AS big, TIMESTAMP '2024-01-02 03:04:05.123456+00' AS ts, "
            "DATE '2024-01-02' AS d, DATETIME '2024-01-02 03:04:05' AS dtm, TIME '03:04:05.5' AS t, "
            "1.5 AS f, TRUE AS b, NUMERIC '1.25' AS n, b'\\x00\\xff' AS by, CAST(NULL AS STRING) AS nothing"
        )
    )
    row = rows[0]
    assert row["big"] == 9007199254740993 and isinstance(row["big"], int)
    assert row["ts"] == dt.datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=dt.UTC)
    assert row["d"] == dt.date(2024, 1, 2)
    assert row["dtm"] == dt.datetime(2024, 1, 2, 3, 4, 5)
    assert row["t"] == dt.time(3, 4, 5, 500000)
    assert row["f"] == 1.5 and row["b"] is True
    assert row["n"] == decimal.Decimal("1.25")
    assert row["by"] == b"\x00\xff"
    assert row["nothing"] is None


def test_interval_and_json_cells(bigquery_client):
    from dateutil.relativedelta import relativedelta

    row = list(
        bigquery_client.query_and_wait(
            "SELECT INTERVAL 1 DAY AS i, INTERVAL -14 MONTH AS j, INTERVAL 90061.5 SECOND AS k, JSON '{\"a\": [1]}' AS js"
        )
    )[0]
    assert row["i"] == relativedelta(days=1)
    assert row["j"] == relativedelta(months=-14)
    assert row["k"] == relativedelta(days=1, hours=1, minutes=1, seconds=1, microseconds=500000)
    assert row["js"] == {"a": [1]}


def test_repeated_and_record_cells(bigquery_client):
    rows = list(
        bigquery_client.query_and_wait(
            "SELECT [1, 2, 3] AS xs, STRUCT(7 AS a, 'z' AS b) AS rec, "
            "[STRUCT(1 AS k, ['p', 'q'] AS vs)] AS nested, ARRAY<INT64>[] AS empty"
        )
    )
    row = rows[0]
    assert row["xs"] == [1, 2, 3]
    assert row["rec"] == {"a": 7, "b": "z"}
    assert row["nested"] == [{"k": 1, "vs": ["p", "q"]}]
    assert row["empty"] == []


def test_named_parameters_scalars_arrays_structs(bigquery_client):
    config = bigquery.QueryJobConfig(
        query_parameters=[
            bigquery.ScalarQueryParameter("n", "INT64", 5),
            bigquery.ScalarQueryParameter("s", "STRING", "py"),
            bigquery.ScalarQueryParameter("ts", "TIMESTAMP", dt.datetime(2020, 1, 1, tzinfo=dt.UTC)),
            bigquery.ArrayQueryParameter("tags", "STRING", ["a", "b"]),
            bigquery.StructQueryParameter(
                "st", bigquery.ScalarQueryParameter("x", "INT64", 2), bigquery.ScalarQueryParameter("y", "STRING", "w")
            ),
            bigquery.ScalarQueryParameter("none", "STRING", None),
        ]
    )
    row = list(
        bigquery_client.query_and_wait(
            "SELECT @n + 1 AS n1, CONCAT(@s, 'thon') AS word, @ts AS ts, ARRAY_LENGTH(@tags) AS k, "
            "@st.x AS sx, @none IS NULL AS isnull",
            job_config=config,
        )
    )[0]
    assert row["n1"] == 6 and row["word"] == "python" and row["k"] == 2 and row["sx"] == 2 and row["isnull"] is True
    assert row["ts"] == dt.datetime(2020, 1, 1, tzinfo=dt.UTC)


def test_named_parameter_filters_public_table(bigquery_client):
    since = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    config = bigquery.QueryJobConfig(query_parameters=[bigquery.ScalarQueryParameter("since", "TIMESTAMP", since)])
    rows = list(
        bigquery_client.query_and_wait(
            f"SELECT COUNT(*) AS n FROM `{PUBLIC}.posts_answers` WHERE creation_date >= @since", job_config=config
        )
    )
    assert rows[0]["n"] >= 500


def test_positional_parameters(bigquery_client):
    config = bigquery.QueryJobConfig(
        query_parameters=[
            bigquery.ScalarQueryParameter(None, "INT64", 2),
            bigquery.ScalarQueryParameter(None, "STRING", "x"),
        ]
    )
    row = list(bigquery_client.query_and_wait("SELECT ? * 10 AS a, ? AS b", job_config=config))[0]
    assert (row["a"], row["b"]) == (20, "x")


def test_paging_through_query_results(bigquery_client):
    job = bigquery_client.query(f"SELECT id FROM `{PUBLIC}.posts_questions` ORDER BY id")
    result = job.result(page_size=100)
    pages = list(result.pages)
    assert len(pages) == 6
    ids = [row["id"] for page in pages for row in page]
    assert len(ids) == 600 and ids == sorted(ids)
    assert result.total_rows == 600


def test_query_and_wait_with_max_results_pages(bigquery_client):
    rows = bigquery_client.query_and_wait(f"SELECT id FROM `{PUBLIC}.posts_answers`", page_size=250)
    assert len(list(rows)) == 600


def test_job_get_and_list(bigquery_client):
    job = bigquery_client.query("SELECT 1 AS x")
    job.result()
    again = bigquery_client.get_job(job.job_id, location=job.location)
    assert again.state == "DONE" and again.statement_type == "SELECT"
    assert job.job_id in {j.job_id for j in bigquery_client.list_jobs(max_results=50)}


# ------------------------------------------------------------------ DDL, DML, scripts


def test_ddl_dml_and_affected_rows(bigquery_client, dataset):
    t = f"{dataset.project}.{dataset.dataset_id}.items"
    bigquery_client.query_and_wait(f"CREATE TABLE `{t}` (id INT64, name STRING, tags ARRAY<STRING>)")
    job = bigquery_client.query(
        f"INSERT INTO `{t}` (id, name, tags) VALUES (1, 'a', ['x']), (2, 'b', []), (3, 'c', NULL)"
    )
    job.result()
    assert job.num_dml_affected_rows == 3
    assert job.statement_type == "INSERT"
    rows = bigquery_client.query_and_wait(f"UPDATE `{t}` SET name = 'z' WHERE id > 1")
    assert rows.num_dml_affected_rows == 2
    got = {r["id"]: (r["name"], r["tags"]) for r in bigquery_client.query_and_wait(f"SELECT * FROM `{t}`")}
    assert got == {1: ("a", ["x"]), 2: ("z", []), 3: ("z", [])}


def test_default_dataset_temp_function_and_script(bigquery_client, dataset):
    config = bigquery.QueryJobConfig(default_dataset=f"{dataset.project}.{dataset.dataset_id}")
    bigquery_client.query_and_wait("CREATE TABLE nums AS SELECT x FROM UNNEST([1, 2, 3]) AS x", job_config=config)
    rows = bigquery_client.query_and_wait(
        "CREATE TEMP FUNCTION twice(x INT64) AS (x * 2); SELECT SUM(twice(x)) AS s FROM nums", job_config=config
    )
    assert list(rows)[0]["s"] == 12


def test_wildcard_tables(bigquery_client, dataset):
    prefix = f"{dataset.project}.{dataset.dataset_id}"
    for year in (2022, 2023):
        bigquery_client.query_and_wait(f"CREATE TABLE `{prefix}.events_{year}` AS SELECT {year} AS y")
    rows = bigquery_client.query_and_wait(f"SELECT y, _TABLE_SUFFIX AS sfx FROM `{prefix}.events_*` ORDER BY y")
    assert [(r["y"], r["sfx"]) for r in rows] == [(2022, "2022"), (2023, "2023")]


def test_query_destination_table_write_truncate(bigquery_client, dataset):
    dest = f"{dataset.project}.{dataset.dataset_id}.dest"
    for n in (3, 2):
        config = bigquery.QueryJobConfig(destination=dest, write_disposition="WRITE_TRUNCATE")
        bigquery_client.query(f"SELECT x FROM UNNEST(GENERATE_ARRAY(1, {n})) AS x", job_config=config).result()
    assert bigquery_client.get_table(dest).num_rows == 2


def test_dry_run_validates_without_running(bigquery_client, dataset):
    t = f"{dataset.project}.{dataset.dataset_id}.never"
    job = bigquery_client.query(f"CREATE TABLE `{t}` (x INT64)", job_config=bigquery.QueryJobConfig(dry_run=True))
    assert job.state == "DONE"
    with pytest.raises(gexc.NotFound):
        bigquery_client.get_table(t)


# ------------------------------------------------------------------ datasets and tables


def test_create_dataset_exists_ok_get_list_delete(bigquery_client, unique):
    ds_id = f"made_{unique}"
    ds = bigquery_client.create_dataset(ds_id)
    assert ds.dataset_id == ds_id and ds.location == "US"
    again = bigquery_client.create_dataset(ds_id, exists_ok=True)
    assert again.dataset_id == ds_id
    with pytest.raises(gexc.Conflict):
        bigquery_client.create_dataset(ds_id)
    assert ds_id in {d.dataset_id for d in bigquery_client.list_datasets()}
    ds.description = "described"
    ds.labels = {"team": "ml"}
    updated = bigquery_client.update_dataset(ds, ["description", "labels"])
    assert updated.description == "described" and updated.labels == {"team": "ml"}
    bigquery_client.create_table(bigquery.Table(f"{ds.project}.{ds_id}.t", schema=[bigquery.SchemaField("x", "INT64")]))
    with pytest.raises(gexc.BadRequest, match="still in use"):
        bigquery_client.delete_dataset(ds_id)
    bigquery_client.delete_dataset(ds_id, delete_contents=True)
    with pytest.raises(gexc.NotFound):
        bigquery_client.get_dataset(ds_id)


def test_create_get_patch_list_delete_table(bigquery_client, dataset):
    table_id = f"{dataset.project}.{dataset.dataset_id}.people"
    schema = [
        bigquery.SchemaField("name", "STRING", mode="REQUIRED"),
        bigquery.SchemaField("age", "INTEGER"),
        bigquery.SchemaField("addr", "RECORD", fields=[bigquery.SchemaField("city", "STRING")]),
        bigquery.SchemaField("tags", "STRING", mode="REPEATED"),
    ]
    table = bigquery_client.create_table(bigquery.Table(table_id, schema=schema))
    assert [f.name for f in table.schema] == ["name", "age", "addr", "tags"]
    got = bigquery_client.get_table(table_id)
    assert got.schema[0].mode == "REQUIRED" and got.schema[1].field_type == "INTEGER"
    assert got.schema[2].field_type == "RECORD" and got.schema[2].fields[0].name == "city"
    assert got.schema[3].mode == "REPEATED" and got.num_rows == 0 and got.table_type == "TABLE"
    got.description = "people we know"
    got.schema = [*got.schema, bigquery.SchemaField("email", "STRING")]
    patched = bigquery_client.update_table(got, ["description", "schema"])
    assert patched.description == "people we know" and patched.schema[-1].name == "email"
    assert "people" in {t.table_id for t in bigquery_client.list_tables(dataset)}
    bigquery_client.delete_table(table_id)
    with pytest.raises(gexc.NotFound):
        bigquery_client.get_table(table_id)


def test_view_created_through_the_api(bigquery_client, dataset):
    view = bigquery.Table(f"{dataset.project}.{dataset.dataset_id}.v")
    view.view_query = f"SELECT id FROM `{PUBLIC}.posts_questions` WHERE id < 0"
    created = bigquery_client.create_table(view)
    assert created.table_type == "VIEW" and created.view_query == view.view_query
    rows = bigquery_client.query_and_wait(f"SELECT COUNT(*) AS n FROM `{view.project}.{view.dataset_id}.v`")
    assert list(rows)[0]["n"] == 500


# ------------------------------------------------------------------ loads, inserts, list_rows


def test_load_table_from_json_then_insert_rows_json_and_list_rows(bigquery_client, dataset):
    table_id = f"{dataset.project}.{dataset.dataset_id}.loaded"
    job = bigquery_client.load_table_from_json(
        [{"a": 1, "b": "x", "ts": "2024-01-02 03:04:05"}, {"a": 2, "b": "y", "ts": "2024-01-03T00:00:00Z"}], table_id
    )
    job.result()
    assert job.state == "DONE" and job.output_rows == 2
    table = bigquery_client.get_table(table_id)
    assert {f.name: f.field_type for f in table.schema} == {"a": "INTEGER", "b": "STRING", "ts": "TIMESTAMP"}
    assert table.num_rows == 2
    assert bigquery_client.insert_rows_json(table_id, [{"a": 3, "b": "z", "ts": None}]) == []
    rows = sorted((r["a"], r["b"]) for r in bigquery_client.list_rows(table_id))
    assert rows == [(1, "x"), (2, "y"), (3, "z")]
    paged = bigquery_client.list_rows(table_id, page_size=1)
    assert len(list(paged.pages)) == 3


def test_insert_rows_json_reports_per_row_errors(bigquery_client, dataset):
    table_id = f"{dataset.project}.{dataset.dataset_id}.strict"
    bigquery_client.create_table(bigquery.Table(table_id, schema=[bigquery.SchemaField("n", "INT64", mode="REQUIRED")]))
    errors = bigquery_client.insert_rows_json(table_id, [{"n": 1}, {"n": "not a number"}, {"m": 3}])
    by_index = {e["index"]: e["errors"][0]["reason"] for e in errors}
    assert by_index == {0: "stopped", 1: "invalid", 2: "invalid"}
    assert bigquery_client.get_table(table_id).num_rows == 0  # BigQuery inserts none of them
    errors = bigquery_client.insert_rows_json(table_id, [{"n": 1}, {"n": "x"}], skip_invalid_rows=True)
    assert [e["index"] for e in errors] == [1]
    assert bigquery_client.get_table(table_id).num_rows == 1


def test_insert_rows_json_into_missing_table_is_not_found(bigquery_client, dataset):
    with pytest.raises(gexc.NotFound):
        bigquery_client.insert_rows_json(f"{dataset.project}.{dataset.dataset_id}.missing", [{"a": 1}])


def test_load_with_schema_rejects_rows_that_do_not_match(bigquery_client, dataset):
    table_id = f"{dataset.project}.{dataset.dataset_id}.typed"
    config = bigquery.LoadJobConfig(schema=[bigquery.SchemaField("n", "INT64")], source_format="NEWLINE_DELIMITED_JSON")
    job = bigquery_client.load_table_from_json([{"n": 1}, {"n": "nope"}], table_id, job_config=config)
    with pytest.raises(gexc.BadRequest, match="too many errors"):
        job.result()
    assert any("nope" in e["message"] for e in job.errors)
    config.max_bad_records = 1
    job = bigquery_client.load_table_from_json([{"n": 1}, {"n": "nope"}], table_id, job_config=config)
    job.result()
    assert job.output_rows == 1


def test_load_csv_with_header_and_write_truncate(bigquery_client, dataset):
    table_id = f"{dataset.project}.{dataset.dataset_id}.csv"
    config = bigquery.LoadJobConfig(source_format="CSV", skip_leading_rows=1, autodetect=True)
    data = b"name,score,when\nada,1.5,2024-01-01\nbob,2,2024-02-01\n"
    bigquery_client.load_table_from_file(io.BytesIO(data), table_id, job_config=config).result()
    table = bigquery_client.get_table(table_id)
    assert [(f.name, f.field_type) for f in table.schema] == [("name", "STRING"), ("score", "FLOAT"), ("when", "DATE")]
    config = bigquery.LoadJobConfig(source_format="CSV", skip_leading_rows=1, write_disposition="WRITE_TRUNCATE")
    bigquery_client.load_table_from_file(
        io.BytesIO(b"name,score,when\ncy,3,2024-03-01\n"), table_id, job_config=config
    ).result()
    assert [r["name"] for r in bigquery_client.list_rows(table_id)] == ["cy"]


def test_load_table_from_dataframe_parquet(bigquery_client, dataset):
    table_id = f"{dataset.project}.{dataset.dataset_id}.frame"
    df = pd.DataFrame({"id": [1, 2], "text": ["a", "b"], "score": [0.5, 1.5]})
    bigquery_client.load_table_from_dataframe(df, table_id).result()
    back = bigquery_client.list_rows(table_id).to_dataframe().sort_values("id")
    assert back["text"].tolist() == ["a", "b"] and back["score"].tolist() == [0.5, 1.5]


def test_resumable_load_of_a_large_file(bigquery_client, dataset):
    table_id = f"{dataset.project}.{dataset.dataset_id}.big"
    line = json.dumps({"n": 1, "pad": "x" * 200}) + "\n"
    data = (line * (6 * 1024 * 1024 // len(line) + 1)).encode()  # > 5 MiB: the client goes resumable
    config = bigquery.LoadJobConfig(source_format="NEWLINE_DELIMITED_JSON", autodetect=True)
    job = bigquery_client.load_table_from_file(io.BytesIO(data), table_id, job_config=config)
    job.result()
    assert job.output_rows == data.count(b"\n")


def test_load_from_gcs_uri_and_extract_back(bigquery_client, storage_client, bucket, dataset):
    bucket.blob("in/part-1.jsonl").upload_from_string('{"k": 1}\n{"k": 2}\n')
    bucket.blob("in/part-2.jsonl").upload_from_string('{"k": 3}\n')
    table_id = f"{dataset.project}.{dataset.dataset_id}.fromgcs"
    config = bigquery.LoadJobConfig(source_format="NEWLINE_DELIMITED_JSON", autodetect=True)
    bigquery_client.load_table_from_uri(f"gs://{bucket.name}/in/part-*.jsonl", table_id, job_config=config).result()
    assert bigquery_client.get_table(table_id).num_rows == 3
    extract = bigquery_client.extract_table(table_id, f"gs://{bucket.name}/out/k-*.csv")
    extract.result()
    names = [b.name for b in storage_client.list_blobs(bucket, prefix="out/")]
    assert len(names) == 1
    lines = bucket.blob(names[0]).download_as_text().splitlines()
    assert lines[0] == "k" and sorted(lines[1:]) == ["1", "2", "3"]


def test_copy_table(bigquery_client, dataset):
    src = f"{dataset.project}.{dataset.dataset_id}.src"
    bigquery_client.query_and_wait(f"CREATE TABLE `{src}` AS SELECT 1 AS a UNION ALL SELECT 2")
    dst = f"{dataset.project}.{dataset.dataset_id}.dst"
    bigquery_client.copy_table(src, dst).result()
    assert bigquery_client.get_table(dst).num_rows == 2
    with pytest.raises(gexc.Conflict):
        bigquery_client.copy_table(src, dst).result()  # WRITE_EMPTY is the default for copies


# ------------------------------------------------------------------ EXPORT DATA into the GCS emulator


def test_export_data_lands_jsonl_in_cloud_storage(bigquery_client, storage_client, bucket):
    job = bigquery_client.query(
        f"EXPORT DATA OPTIONS(uri='gs://{bucket.name}/export/course-*.jsonl', format='JSON', overwrite=true) AS "
        + COURSE_QUERY.replace("LIMIT\n    10000", "")
    )
    assert list(job.result()) == []
    assert job.statement_type == "EXPORT_DATA"
    blobs = list(storage_client.list_blobs(bucket, prefix="export/"))
    assert [b.name for b in blobs] == ["export/course-000000000000.jsonl"]
    assert blobs[0].md5_hash and blobs[0].crc32c and int(blobs[0].size) > 0
    lines = blobs[0].download_as_text().splitlines()
    assert len(lines) == 500
    assert set(json.loads(lines[0])) == {"input_text", "output_text"}


# ------------------------------------------------------------------ errors


def test_bad_sql_raises_bad_request_from_query_and_result(bigquery_client):
    job = bigquery_client.query("SELEC 1")
    with pytest.raises(gexc.BadRequest) as info:
        job.result()
    assert job.error_result["reason"] == "invalidQuery"
    assert "syntax" in str(info.value).lower()
    with pytest.raises(gexc.BadRequest):
        bigquery_client.query_and_wait("SELECT FROM WHERE")


def test_missing_table_is_not_found(bigquery_client):
    with pytest.raises(gexc.NotFound):
        bigquery_client.query_and_wait(f"SELECT * FROM `{PUBLIC}.no_such_table`")
    with pytest.raises(gexc.NotFound):
        bigquery_client.query(f"SELECT * FROM `{PUBLIC}.no_such_table`").result()
    with pytest.raises(gexc.NotFound):
        bigquery_client.get_table(f"{PUBLIC}.no_such_table")


def test_missing_query_parameter_is_bad_request(bigquery_client):
    with pytest.raises(gexc.BadRequest, match="@missing"):
        bigquery_client.query_and_wait("SELECT @missing")


def test_result_to_arrow_schema_types(bigquery_client):
    table = bigquery_client.query_and_wait(
        f"SELECT id, creation_date, title FROM `{PUBLIC}.posts_questions` LIMIT 5"
    ).to_arrow()
    assert table.schema.field("id").type == pa.int64()
    assert pa.types.is_timestamp(table.schema.field("creation_date").type)
    assert table.num_rows == 5


def test_arrow_results_format_inline(http):
    """jobs.query with queryResultsFormat=ARROW (the client's beta fast path) returns every row
    as one Arrow IPC record batch, readable the way the client reads it."""
    import base64

    body = {
        "query": f"SELECT id, creation_date FROM `{PUBLIC}.posts_questions` ORDER BY id",
        "useLegacySql": False,
        "queryResultsFormat": "ARROW",
    }
    out = http.post("/bigquery/v2/projects/p/queries", json=body).json()
    assert out["jobComplete"] and "pageToken" not in out and "rows" not in out
    schema = pa.ipc.read_schema(pa.py_buffer(base64.b64decode(out["arrowSchema"]["serializedSchema"])))
    batch = pa.ipc.read_record_batch(
        pa.py_buffer(base64.b64decode(out["arrowRecordBatch"]["serializedRecordBatch"])), schema
    )
    assert batch.num_rows == 600 == int(out["totalRows"])
    assert batch.schema.field("id").type == pa.int64() and pa.types.is_timestamp(
        batch.schema.field("creation_date").type
    )
    assert batch.column(0).to_pylist() == sorted(batch.column(0).to_pylist())
