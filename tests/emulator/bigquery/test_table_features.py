"""Time travel, snapshots, clones, materialized views, expiration and query results read through
the Storage Read API, through google-cloud-bigquery against the emulator."""

from __future__ import annotations

import datetime as dt
import decimal
import io
import time

import pytest
from google.api_core import exceptions
from google.cloud import bigquery


def run(client, sql: str) -> list[dict]:
    return [dict(r) for r in client.query(sql).result()]


def wait_past(moment: dt.datetime) -> None:
    while dt.datetime.now(dt.UTC) <= moment:
        time.sleep(0.01)


@pytest.fixture
def read_counters(http):
    """How many Storage Read sessions the emulator opened, per table resource name."""
    return lambda: http.get("/emulator/v1/bigquerystorage").json()["read"]["tables"]


@pytest.fixture
def people(bigquery_client, dataset):
    """A 5-row table `people(id, name)`; its `project.dataset.table` id."""
    table_id = f"{dataset.project}.{dataset.dataset_id}.people"
    run(bigquery_client, f"CREATE TABLE `{table_id}` AS SELECT x AS id, 'old' AS name FROM UNNEST([1,2,3,4,5]) x")
    return table_id


def test_time_travel_after_an_update_returns_the_old_rows(bigquery_client, people):
    before = dt.datetime.now(dt.UTC)
    wait_past(before)
    job = bigquery_client.query(f"UPDATE `{people}` SET name = 'new' WHERE id <= 2")
    job.result()
    assert job.num_dml_affected_rows == 2
    at = before.isoformat()
    old = run(bigquery_client, f"SELECT name, COUNT(*) AS n FROM `{people}` FOR SYSTEM_TIME AS OF '{at}' GROUP BY name")
    assert old == [{"name": "old", "n": 5}]
    now = run(bigquery_client, f"SELECT name, COUNT(*) AS n FROM `{people}` GROUP BY name ORDER BY name")
    assert now == [{"name": "new", "n": 2}, {"name": "old", "n": 3}]
    # a later point in time, and an alias, through an expression of CURRENT_TIMESTAMP()
    latest = run(
        bigquery_client,
        f"SELECT COUNTIF(p.name = 'new') AS n FROM `{people}` AS p FOR SYSTEM_TIME AS OF CURRENT_TIMESTAMP()",
    )
    assert latest == [{"n": 2}]


def test_time_travel_in_a_script_sees_the_scripts_earlier_changes(bigquery_client, people):
    before = dt.datetime.now(dt.UTC)
    wait_past(before)
    script = (
        f"DELETE FROM `{people}` WHERE id > 1; "
        f"SELECT COUNT(*) AS n FROM `{people}` FOR SYSTEM_TIME AS OF '{before.isoformat()}'"
    )
    assert run(bigquery_client, script) == [{"n": 5}]
    assert run(bigquery_client, f"SELECT COUNT(*) AS n FROM `{people}`") == [{"n": 1}]


@pytest.mark.parametrize(
    "at, message",
    [
        ("TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 8 DAY)", "Cannot read before"),
        ("TIMESTAMP '2001-01-01 00:00:00+00'", "Cannot read before"),
        ("TIMESTAMP_ADD(CURRENT_TIMESTAMP(), INTERVAL 1 HOUR)", "Cannot read after"),
    ],
)
def test_time_travel_outside_the_window_is_refused(bigquery_client, people, at, message):
    with pytest.raises(exceptions.BadRequest) as err:
        run(bigquery_client, f"SELECT * FROM `{people}` FOR SYSTEM_TIME AS OF {at}")
    assert "Invalid snapshot time" in str(err.value) and message in str(err.value)


def test_snapshot_is_read_only_and_clone_is_independent(bigquery_client, dataset, people):
    before = dt.datetime.now(dt.UTC)
    wait_past(before)
    run(bigquery_client, f"DELETE FROM `{people}` WHERE id = 1")
    ds = f"{dataset.project}.{dataset.dataset_id}"
    job = bigquery_client.query(
        f"CREATE SNAPSHOT TABLE `{ds}.snap` CLONE `{people}` FOR SYSTEM_TIME AS OF '{before.isoformat()}' "
        "OPTIONS(expiration_timestamp = TIMESTAMP '2099-01-01 00:00:00 UTC')"
    )
    job.result()
    assert job.statement_type == "CREATE_SNAPSHOT_TABLE" and job.ddl_target_table.table_id == "snap"
    assert run(bigquery_client, f"SELECT COUNT(*) AS n FROM `{ds}.snap`") == [{"n": 5}]
    snap = bigquery_client.get_table(f"{ds}.snap")
    assert snap.table_type == "SNAPSHOT"
    assert snap.snapshot_definition.base_table_reference.table_id == "people"
    assert abs((snap.snapshot_definition.snapshot_time - before).total_seconds()) < 1
    assert snap.expires == dt.datetime(2099, 1, 1, tzinfo=dt.UTC)
    with pytest.raises(exceptions.BadRequest, match="read-only"):
        run(bigquery_client, f"UPDATE `{ds}.snap` SET name = 'x' WHERE true")
    with pytest.raises(exceptions.BadRequest, match="read-only"):
        bigquery_client.insert_rows_json(f"{ds}.snap", [{"id": 9, "name": "x"}])

    run(bigquery_client, f"CREATE TABLE `{ds}.clone` CLONE `{people}`")
    run(bigquery_client, f"INSERT INTO `{ds}.clone` VALUES (10, 'c')")
    assert run(bigquery_client, f"SELECT COUNT(*) AS n FROM `{ds}.clone`") == [{"n": 5}]
    assert run(bigquery_client, f"SELECT COUNT(*) AS n FROM `{people}`") == [{"n": 4}]
    clone = bigquery_client.get_table(f"{ds}.clone")
    assert clone.table_type == "TABLE" and clone.clone_definition.base_table_reference.table_id == "people"

    run(bigquery_client, f"CREATE TABLE `{ds}.copy` COPY `{people}`")
    copy = bigquery_client.get_table(f"{ds}.copy")
    assert copy.num_rows == 4 and copy.clone_definition is None and copy.snapshot_definition is None
    kinds = {t.table_id: t.table_type for t in bigquery_client.list_tables(ds)}
    assert kinds == {"people": "TABLE", "snap": "SNAPSHOT", "clone": "TABLE", "copy": "TABLE"}
    info = run(bigquery_client, f"SELECT table_name, table_type, base_table_name FROM `{ds}.INFORMATION_SCHEMA.TABLES`")
    assert {r["table_name"]: (r["table_type"], r["base_table_name"]) for r in info} == {
        "people": ("BASE TABLE", None),
        "snap": ("SNAPSHOT", "people"),
        "clone": ("CLONE", "people"),
        "copy": ("BASE TABLE", None),
    }
    run(bigquery_client, f"DROP SNAPSHOT TABLE `{ds}.snap`")
    with pytest.raises(exceptions.NotFound):
        bigquery_client.get_table(f"{ds}.snap")


def test_copy_jobs_snapshot_clone_and_restore(bigquery_client, dataset, people):
    ds = f"{dataset.project}.{dataset.dataset_id}"
    snap = bigquery_client.copy_table(
        people, f"{ds}.snap2", job_config=bigquery.CopyJobConfig(operation_type="SNAPSHOT")
    )
    snap.result()
    assert bigquery_client.get_table(f"{ds}.snap2").table_type == "SNAPSHOT"
    run(bigquery_client, f"DELETE FROM `{people}` WHERE true")
    restore = bigquery_client.copy_table(
        f"{ds}.snap2",
        people,
        job_config=bigquery.CopyJobConfig(operation_type="RESTORE", write_disposition="WRITE_TRUNCATE"),
    )
    restore.result()
    assert run(bigquery_client, f"SELECT COUNT(*) AS n FROM `{people}`") == [{"n": 5}]
    bigquery_client.copy_table(
        people, f"{ds}.clone2", job_config=bigquery.CopyJobConfig(operation_type="CLONE")
    ).result()
    assert bigquery_client.get_table(f"{ds}.clone2").clone_definition is not None
    with pytest.raises(exceptions.BadRequest, match="snapshot"):
        bigquery_client.copy_table(
            people, f"{ds}.bad", job_config=bigquery.CopyJobConfig(operation_type="RESTORE")
        ).result()


def test_materialized_view_is_fresh_on_read(bigquery_client, dataset, people):
    ds = f"{dataset.project}.{dataset.dataset_id}"
    job = bigquery_client.query(
        f"CREATE MATERIALIZED VIEW `{ds}.mv` AS SELECT name, COUNT(*) AS n FROM `{people}` GROUP BY name"
    )
    job.result()
    assert job.statement_type == "CREATE_MATERIALIZED_VIEW"
    run(bigquery_client, f"INSERT INTO `{people}` VALUES (6, 'late')")
    assert run(bigquery_client, f"SELECT * FROM `{ds}.mv` ORDER BY name") == [
        {"name": "late", "n": 1},
        {"name": "old", "n": 5},
    ]
    mv = bigquery_client.get_table(f"{ds}.mv")
    assert mv.table_type == "MATERIALIZED_VIEW" and "GROUP BY name" in mv.mview_query
    assert mv.view_query is None

    table = bigquery.Table(f"{ds}.mv2")
    table.mview_query = f"SELECT id FROM `{people}` WHERE id > 3"
    made = bigquery_client.create_table(table)
    assert made.table_type == "MATERIALIZED_VIEW" and made.mview_query == table.mview_query
    assert run(bigquery_client, f"SELECT COUNT(*) AS n FROM `{ds}.mv2`") == [{"n": 3}]


def test_expired_tables_are_gone(bigquery_client, dataset, people):
    ds = f"{dataset.project}.{dataset.dataset_id}"
    table = bigquery_client.get_table(people)
    soon = dt.datetime.now(dt.UTC) + dt.timedelta(milliseconds=1500)
    table.expires = soon
    updated = bigquery_client.update_table(table, ["expires"])
    assert abs((updated.expires - soon).total_seconds()) < 0.01
    run(
        bigquery_client,
        f"CREATE TABLE `{ds}.short` (x INT64) "
        "OPTIONS(expiration_timestamp = TIMESTAMP_ADD(CURRENT_TIMESTAMP(), INTERVAL 1600 MILLISECOND))",
    )
    short_expires = bigquery_client.get_table(f"{ds}.short").expires
    assert short_expires > soon
    wait_past(short_expires + dt.timedelta(milliseconds=50))
    with pytest.raises(exceptions.NotFound):
        bigquery_client.get_table(people)
    with pytest.raises(exceptions.NotFound, match="not found"):
        run(bigquery_client, f"SELECT * FROM `{ds}.short`")
    assert [t.table_id for t in bigquery_client.list_tables(ds)] == []


def test_dataset_default_expiration_applies_to_new_tables(bigquery_client, unique):
    ds = bigquery.Dataset(f"{bigquery_client.project}.exp_{unique}")
    ds.default_table_expiration_ms = 3_600_000
    made = bigquery_client.create_dataset(ds)
    try:
        assert made.default_table_expiration_ms == 3_600_000
        run(bigquery_client, f"CREATE TABLE `{made.dataset_id}.t` (x INT64)")
        expires = bigquery_client.get_table(f"{made.dataset_id}.t").expires
        assert dt.timedelta(minutes=59) < expires - dt.datetime.now(dt.UTC) <= dt.timedelta(hours=1)
    finally:
        bigquery_client.delete_dataset(made, delete_contents=True)


def test_bad_expirations_are_400(bigquery_client, http, dataset, unique):
    base = f"/bigquery/v2/projects/{dataset.project}"
    r = http.post(
        f"{base}/datasets",
        json={"datasetReference": {"datasetId": f"bad_{unique}"}, "defaultTableExpirationMs": "60000"},
    )
    assert r.status_code == 400 and "defaultTableExpirationMs" in r.json()["error"]["message"]
    assert r.json()["error"]["errors"][0]["reason"] == "invalid"
    assert http.get(f"{base}/datasets/bad_{unique}").status_code == 404  # nothing half-made
    r = http.post(
        f"{base}/datasets/{dataset.dataset_id}/tables",
        json={
            "tableReference": {"tableId": "t"},
            "schema": {"fields": [{"name": "x", "type": "INT64"}]},
            "expirationTime": "soon",
        },
    )
    assert r.status_code == 400 and "expirationTime" in r.json()["error"]["message"]
    assert http.get(f"{base}/datasets/{dataset.dataset_id}/tables/t").status_code == 404


def test_query_to_dataframe_reads_its_anonymous_destination_through_the_read_api(bigquery_client, read_counters):
    job = bigquery_client.query("SELECT x, x * 2 AS twice FROM UNNEST(GENERATE_ARRAY(1, 60000)) AS x")
    frame = job.to_dataframe()  # the fixture's client creates a read client on the emulator
    dest = job.destination
    assert dest.dataset_id.startswith("_") and dest.table_id.startswith("anon")
    path = f"projects/{dest.project}/datasets/{dest.dataset_id}/tables/{dest.table_id}"
    assert read_counters().get(path) == 1
    assert len(frame) == 60000 and int(frame["twice"].sum()) == 60000 * 60001


def test_table_to_dataframe_reads_through_the_read_api(bigquery_client, people, read_counters):
    project, ds, table = people.split(".")
    frame = bigquery_client.list_rows(people).to_dataframe()
    assert sorted(frame["id"]) == [1, 2, 3, 4, 5]
    assert read_counters().get(f"projects/{project}/datasets/{ds}/tables/{table}") == 1


def avro_file(records: list[dict]) -> bytes:
    import fastavro

    schema = {
        "type": "record",
        "name": "Row",
        "fields": [
            {"name": "id", "type": "long"},
            {"name": "name", "type": ["null", "string"]},
            {"name": "at", "type": {"type": "long", "logicalType": "timestamp-micros"}},
            {"name": "day", "type": {"type": "int", "logicalType": "date"}},
            {"name": "price", "type": {"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 2}},
            {"name": "tags", "type": {"type": "array", "items": "string"}},
            {"name": "pos", "type": {"type": "record", "name": "Pos", "fields": [{"name": "x", "type": "double"}]}},
        ],
    }
    out = io.BytesIO()
    fastavro.writer(out, fastavro.parse_schema(schema), records)
    return out.getvalue()


AVRO_ROWS = [
    {
        "id": i,
        "name": None if i == 2 else f"n{i}",
        "at": dt.datetime(2024, 1, 1, 0, 0, i, tzinfo=dt.UTC),
        "day": dt.date(2024, 1, i),
        "price": decimal.Decimal(f"{i}.25"),
        "tags": ["a", "b"][:i],
        "pos": {"x": i / 2},
    }
    for i in (1, 2, 3)
]


def test_avro_load_from_file_takes_the_schema_from_the_file(bigquery_client, dataset):
    table_id = f"{dataset.project}.{dataset.dataset_id}.avro_logical"
    config = bigquery.LoadJobConfig(source_format="AVRO", use_avro_logical_types=True)
    job = bigquery_client.load_table_from_file(io.BytesIO(avro_file(AVRO_ROWS)), table_id, job_config=config)
    job.result()
    assert job.output_rows == 3
    table = bigquery_client.get_table(table_id)
    types = {f.name: (f.field_type, f.mode) for f in table.schema}
    assert types == {
        "id": ("INTEGER", "REQUIRED"),
        "name": ("STRING", "NULLABLE"),
        "at": ("TIMESTAMP", "REQUIRED"),
        "day": ("DATE", "REQUIRED"),
        "price": ("NUMERIC", "REQUIRED"),
        "tags": ("STRING", "REPEATED"),
        "pos": ("RECORD", "REQUIRED"),
    }
    rows = run(bigquery_client, f"SELECT * FROM `{table_id}` ORDER BY id")
    assert rows[1]["name"] is None and rows[2]["at"] == dt.datetime(2024, 1, 1, 0, 0, 3, tzinfo=dt.UTC)
    assert rows[0]["day"] == dt.date(2024, 1, 1) and rows[2]["price"] == decimal.Decimal("3.25")
    assert rows[2]["tags"] == ["a", "b"] and rows[1]["pos"] == {"x": 1.0}

    raw_id = f"{dataset.project}.{dataset.dataset_id}.avro_raw"
    raw = bigquery.LoadJobConfig(source_format="AVRO")
    bigquery_client.load_table_from_file(io.BytesIO(avro_file(AVRO_ROWS)), raw_id, job_config=raw).result()
    types = {f.name: f.field_type for f in bigquery_client.get_table(raw_id).schema}
    assert types["at"] == "INTEGER" and types["day"] == "INTEGER"
    rows = run(bigquery_client, f"SELECT at, day FROM `{raw_id}` ORDER BY id")
    assert rows[0] == {"at": 1704067201000000, "day": 19723}


def test_avro_and_orc_loads_from_cloud_storage(bigquery_client, storage_client, bucket, dataset):
    import pyarrow as pa
    import pyarrow.orc as orc

    bucket.blob("rows.avro").upload_from_string(avro_file(AVRO_ROWS))
    orc_bytes = io.BytesIO()
    orc.write_table(pa.table({"id": [1, 2, 3, 4], "word": ["a", "b", None, "d"]}), orc_bytes)
    bucket.blob("rows.orc").upload_from_string(orc_bytes.getvalue())
    ds = f"{dataset.project}.{dataset.dataset_id}"
    avro_job = bigquery_client.load_table_from_uri(
        f"gs://{bucket.name}/rows.avro",
        f"{ds}.from_avro",
        job_config=bigquery.LoadJobConfig(source_format="AVRO", use_avro_logical_types=True),
    )
    avro_job.result()
    orc_job = bigquery_client.load_table_from_uri(
        f"gs://{bucket.name}/rows.orc", f"{ds}.from_orc", job_config=bigquery.LoadJobConfig(source_format="ORC")
    )
    orc_job.result()
    assert run(bigquery_client, f"SELECT COUNT(*) AS n FROM `{ds}.from_avro`") == [{"n": 3}]
    assert run(bigquery_client, f"SELECT COUNTIF(word IS NULL) AS nulls, SUM(id) AS s FROM `{ds}.from_orc`") == [
        {"nulls": 1, "s": 10}
    ]
    assert {f.name: f.field_type for f in bigquery_client.get_table(f"{ds}.from_orc").schema} == {
        "id": "INTEGER",
        "word": "STRING",
    }


def test_bad_avro_fails_the_load_job_with_a_400(bigquery_client, dataset):
    config = bigquery.LoadJobConfig(source_format="AVRO")
    job = bigquery_client.load_table_from_file(
        io.BytesIO(b"not an avro file"), f"{dataset.project}.{dataset.dataset_id}.bad", job_config=config
    )
    with pytest.raises(exceptions.BadRequest, match="Avro data cannot be read"):
        job.result()
    with pytest.raises(exceptions.NotFound):
        bigquery_client.get_table(f"{dataset.project}.{dataset.dataset_id}.bad")


def test_time_travel_before_a_load_job_sees_the_rows_before_it(bigquery_client, people):
    before = dt.datetime.now(dt.UTC)
    wait_past(before)
    config = bigquery.LoadJobConfig(source_format="NEWLINE_DELIMITED_JSON")
    rows = io.BytesIO(b'{"id": 6, "name": "loaded"}\n')
    bigquery_client.load_table_from_file(rows, people, job_config=config).result()
    at = before.isoformat()
    assert run(bigquery_client, f"SELECT COUNT(*) AS n FROM `{people}` FOR SYSTEM_TIME AS OF '{at}'") == [{"n": 5}]
    assert run(bigquery_client, f"SELECT COUNT(*) AS n FROM `{people}`") == [{"n": 6}]


def test_bad_table_feature_statements_answer_4xx(bigquery_client, dataset, people):
    ds = f"{dataset.project}.{dataset.dataset_id}"
    run(bigquery_client, f"CREATE VIEW `{ds}.v` AS SELECT id FROM `{people}`")
    run(bigquery_client, f"CREATE MATERIALIZED VIEW `{ds}.mv` AS SELECT id FROM `{people}`")
    bad = {
        f"SELECT * FROM `{ds}.v` FOR SYSTEM_TIME AS OF CURRENT_TIMESTAMP()": (exceptions.BadRequest, "is a view"),
        f"SELECT * FROM `{ds}.nope` FOR SYSTEM_TIME AS OF CURRENT_TIMESTAMP()": (exceptions.NotFound, "Not found"),
        f"SELECT * FROM `{people}` FOR SYSTEM_TIME AS OF 'yesterday'": (exceptions.BadRequest, "needs a TIMESTAMP"),
        f"INSERT INTO `{ds}.mv` VALUES (1)": (exceptions.BadRequest, "Cannot modify materialized view"),
        f"CREATE TABLE `{ds}.c` CLONE `{ds}.v`": (exceptions.BadRequest, "only tables can be cloned"),
        f"CREATE TABLE `{ds}.people` CLONE `{people}`": (exceptions.Conflict, "Already Exists"),
        f"CREATE SNAPSHOT TABLE `{ds}.s` COPY `{people}`": (exceptions.BadRequest, "takes CLONE"),
    }
    for sql, (error, message) in bad.items():
        with pytest.raises(error, match=message):
            run(bigquery_client, sql)
    assert {t.table_id for t in bigquery_client.list_tables(ds)} == {"people", "v", "mv"}


def test_a_recreated_dataset_forgets_the_old_ones_expiration(bigquery_client, unique):
    name = f"{bigquery_client.project}.again_{unique}"
    ds = bigquery.Dataset(name)
    ds.default_table_expiration_ms = 3_600_000
    bigquery_client.create_dataset(ds)
    bigquery_client.delete_dataset(name)
    bigquery_client.create_dataset(name)
    try:
        run(bigquery_client, f"CREATE TABLE `{name}.t` (x INT64)")
        assert bigquery_client.get_table(f"{name}.t").expires is None
    finally:
        bigquery_client.delete_dataset(name, delete_contents=True)
