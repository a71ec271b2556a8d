"""What Google's Node.js client (@google-cloud/bigquery) sent that the emulator got wrong, found by
running googleapis/nodejs-bigquery's documentation samples against it (see "Other emulators'
client suites" in docs/emulator.md). Each request is reproduced here in Python, through
google-cloud-bigquery where it sends the same request and as plain HTTP where it cannot:

- under BIGQUERY_EMULATOR_HOST the Node.js client takes the variable itself as its base URL, so
  its calls arrive as `/projects/...` without `/bigquery/v2` (goccy/bigquery-emulator serves both);
  every one was a 404;
- a snappy-compressed Avro file (BigQuery's usual Avro codec; the samples' data.avro) could not
  be loaded: fastavro wants cramjam for snappy, which is not installed (pyarrow's snappy reads it);
- a dataset or table whose last label was deleted answered `labels: {}` (BigQuery leaves the field
  out; the samples print `undefined`), and `tables/datasets.update` kept a label set to null;
- `rangePartitioning.range` sent as numbers was read back as numbers (the resource's INT64
  values are strings: `start: '0'`);
- a query job's `writeDisposition: ['WRITE_APPEND']` (the sample relaxColumnQueryAppend sends a
  one-element list; BigQuery runs it) was 400;
- a table created with `defaultCollation` gave its STRING fields no collation (BigQuery: "New
  STRING fields in the table inherit the table default collation");
- dates and times whose month, day, hour, minute or second has one digit, as GoogleSQL's
  canonical formats allow (`bigquery.date('2019-1-12')` of the sample insertingDataTypes), were
  refused by `insertAll` and as query parameters;
- `formatOptions.timestampOutputFormat: ISO8601_STRING`, which nodejs-bigquery's `getRows()` asks
  for by default since its picosecond support, was refused, so every `getRows()` failed;
- a schema field's `precision`, `scale` and `maxLength` sent as numbers were read back as numbers
  (the resource's INT64 values are strings);
- `tables.get?view=BASIC` (the system test's "partial metadata") still carried the storage
  statistics BigQuery leaves out of that view;
- `jobs.getQueryResults?maxResults=0` answered a page token, so the sample browseTable
  (`getQueryResults({maxResults: 0})`, which follows tokens) asked for the same empty page forever.
"""

from __future__ import annotations

import datetime as dt
import io

from google.cloud import bigquery


def test_the_rest_api_answers_without_its_bigquery_v2_prefix(http, bigquery_client, unique):
    project, dataset_id = bigquery_client.project, f"bare_{unique}"
    created = http.post(
        f"/projects/{project}/datasets?prettyPrint=false",
        json={"datasetReference": {"projectId": project, "datasetId": dataset_id}},
    )
    assert created.status_code == 200, created.text
    assert bigquery_client.get_dataset(dataset_id).dataset_id == dataset_id
    table = {"tableReference": {"projectId": project, "datasetId": dataset_id, "tableId": "t"}}
    table["schema"] = {"fields": [{"name": "n", "type": "INTEGER"}]}
    assert http.post(f"/projects/{project}/datasets/{dataset_id}/tables", json=table).status_code == 200
    inserted = http.post(
        f"/projects/{project}/datasets/{dataset_id}/tables/t/insertAll", json={"rows": [{"json": {"n": 2}}]}
    )
    assert inserted.status_code == 200 and "insertErrors" not in inserted.json()
    answer = http.post(
        f"/projects/{project}/queries", json={"query": f"SELECT n + 1 AS m FROM {dataset_id}.t", "useLegacySql": False}
    ).json()
    assert answer["jobComplete"] and answer["rows"] == [{"f": [{"v": "3"}]}]
    rows = http.get(f"/projects/{project}/datasets/{dataset_id}/tables/t/data").json()["rows"]
    assert rows == [{"f": [{"v": "2"}]}]
    assert http.delete(f"/projects/{project}/datasets/{dataset_id}?deleteContents=true").status_code == 204
    assert http.get(f"/projects/{project}/datasets/{dataset_id}").status_code == 404


def _snappy_avro(schema: dict, records: list[dict]) -> bytes:
    """An Avro object container file of one snappy block, as BigQuery's exports and Google's
    sample data.avro are written (fastavro needs cramjam to write one, so it is assembled here)."""
    import json
    import zlib

    import fastavro
    import pyarrow as pa

    def long(n: int) -> bytes:
        n = (n << 1) ^ (n >> 63)
        out = bytearray()
        while n > 0x7F:
            out.append((n & 0x7F) | 0x80)
            n >>= 7
        return bytes(out) + bytes([n])

    def text(b: bytes) -> bytes:
        return long(len(b)) + b

    body = io.BytesIO()
    for r in records:
        fastavro.schemaless_writer(body, fastavro.parse_schema(schema), r)
    plain = body.getvalue()
    packed = pa.Codec("snappy").compress(plain, asbytes=True) + zlib.crc32(plain).to_bytes(4, "big")
    meta = {b"avro.schema": json.dumps(schema).encode(), b"avro.codec": b"snappy"}
    sync = bytes(range(16))
    header = b"Obj\x01" + long(len(meta)) + b"".join(text(k) + text(v) for k, v in meta.items()) + long(0) + sync
    return header + long(len(records)) + long(len(packed)) + packed + sync


def test_a_snappy_compressed_avro_file_loads(bigquery_client, dataset):
    schema = {
        "type": "record",
        "name": "characters",
        "fields": [{"name": "Name", "type": "string"}, {"name": "Age", "type": "long"}],
    }
    data = _snappy_avro(schema, [{"Name": "Gandalf", "Age": 2000}, {"Name": "Frodo", "Age": 50}])
    table = f"{dataset.project}.{dataset.dataset_id}.characters"
    config = bigquery.LoadJobConfig(source_format=bigquery.SourceFormat.AVRO)
    bigquery_client.load_table_from_file(io.BytesIO(data), table, job_config=config).result()
    rows = bigquery_client.query(f"SELECT Name, Age FROM `{table}` ORDER BY Age").result()
    assert [tuple(r.values()) for r in rows] == [("Frodo", 50), ("Gandalf", 2000)]


def test_a_resource_whose_last_label_is_deleted_has_no_labels_field(http, bigquery_client, dataset):
    ds_path = f"/bigquery/v2/projects/{dataset.project}/datasets/{dataset.dataset_id}"
    assert http.patch(ds_path, json={"labels": {"color": "green"}}).json()["labels"] == {"color": "green"}
    assert "labels" not in http.patch(ds_path, json={"labels": {"color": None}}).json()
    ds = bigquery_client.get_dataset(dataset.reference)
    ds.labels = {"color": "green"}
    ds = bigquery_client.update_dataset(ds, ["labels"])
    ds.labels = {"color": None}
    assert "labels" not in bigquery_client.update_dataset(ds, ["labels"])._properties
    table = bigquery.Table(f"{dataset.project}.{dataset.dataset_id}.t", [bigquery.SchemaField("n", "INT64")])
    table.labels = {"color": "green"}
    table = bigquery_client.create_table(table)
    table.labels = {"color": None}
    assert "labels" not in bigquery_client.update_table(table, ["labels"])._properties
    # tables.update (PUT) with a null label deletes it too; it was kept as {"color": null}
    put = http.put(f"{ds_path}/tables/t", json={**table.to_api_repr(), "labels": {"color": None, "size": "s"}})
    assert put.json()["labels"] == {"size": "s"}


def test_range_partitioning_bounds_sent_as_numbers_read_back_as_strings(http, dataset):
    path = f"/bigquery/v2/projects/{dataset.project}/datasets/{dataset.dataset_id}/tables"
    body = {
        "tableReference": {"projectId": dataset.project, "datasetId": dataset.dataset_id, "tableId": "ranged"},
        "schema": {"fields": [{"name": "customerId", "type": "INTEGER"}]},
        "rangePartitioning": {"field": "customerId", "range": {"start": 0, "end": 100000, "interval": 10}},
    }
    created = http.post(path, json=body).json()
    assert created["rangePartitioning"]["range"] == {"start": "0", "end": "100000", "interval": "10"}
    got = http.get(f"{path}/ranged").json()
    assert got["rangePartitioning"] == {
        "field": "customerId",
        "range": {"start": "0", "end": "100000", "interval": "10"},
    }
    bad = {**body, "tableReference": {**body["tableReference"], "tableId": "bad"}}
    bad["rangePartitioning"] = {"field": "customerId", "range": {"start": "zero", "end": 10, "interval": 1}}
    refused = http.post(path, json=bad)
    assert refused.status_code == 400 and "rangePartitioning.range.start" in refused.json()["error"]["message"]
    assert http.get(f"{path}/bad").status_code == 404


def test_a_write_disposition_sent_as_a_one_element_list(http, bigquery_client, dataset):
    table = f"{dataset.project}.{dataset.dataset_id}.ages"
    bigquery_client.query(f"CREATE TABLE `{table}` (age STRING NOT NULL) AS SELECT '7' AS age").result()
    query = {
        "query": f"SELECT age FROM `{table}`",
        "destinationTable": {"projectId": dataset.project, "datasetId": dataset.dataset_id, "tableId": "ages"},
        "schemaUpdateOptions": ["ALLOW_FIELD_RELAXATION"],
        "writeDisposition": ["WRITE_APPEND"],
        "useLegacySql": False,
    }
    job = http.post(f"/bigquery/v2/projects/{dataset.project}/jobs", json={"configuration": {"query": query}}).json()
    assert "errorResult" not in job["status"], job["status"]
    assert job["configuration"]["query"]["writeDisposition"] == "WRITE_APPEND"
    assert [r.age for r in bigquery_client.query(f"SELECT age FROM `{table}`").result()] == ["7", "7"]


def test_new_string_fields_inherit_the_tables_default_collation(bigquery_client, dataset):
    table = bigquery.Table(
        f"{dataset.project}.{dataset.dataset_id}.collated",
        [
            bigquery.SchemaField("name", "STRING"),
            bigquery.SchemaField("nums", "INTEGER"),
            bigquery.SchemaField("inner", "RECORD", fields=[bigquery.SchemaField("s", "STRING")]),
        ],
    )
    table._properties["defaultCollation"] = "und:ci"
    created = bigquery_client.create_table(table)
    fields = created._properties["schema"]["fields"]
    assert [f.get("collation") for f in fields] == ["und:ci", None, None]
    assert fields[2]["fields"][0]["collation"] == "und:ci"
    got = bigquery_client.get_table(created)._properties["schema"]["fields"]
    assert got[0]["collation"] == "und:ci" and got[2]["fields"][0]["collation"] == "und:ci"


ONE_DIGIT_PARTS = [
    # (type, text in a canonical format with one-digit parts, the value it is)
    ("DATE", "2019-1-12", dt.date(2019, 1, 12)),
    ("DATETIME", "2019-2-7 1:24:00.5", dt.datetime(2019, 2, 7, 1, 24, 0, 500000)),
    ("TIME", "4:5:6", dt.time(4, 5, 6)),
    ("TIMESTAMP", "2020-4-7 8:07:25.356Z", dt.datetime(2020, 4, 7, 8, 7, 25, 356000, tzinfo=dt.UTC)),
]


def test_insert_all_reads_dates_and_times_with_one_digit_parts(bigquery_client, dataset):
    schema = [bigquery.SchemaField(f"c{i}", typ) for i, (typ, _, _) in enumerate(ONE_DIGIT_PARTS)]
    table = bigquery_client.create_table(bigquery.Table(f"{dataset.project}.{dataset.dataset_id}.when", schema))
    row = {f"c{i}": text for i, (_, text, _) in enumerate(ONE_DIGIT_PARTS)}
    assert bigquery_client.insert_rows_json(table, [row]) == []
    (got,) = bigquery_client.list_rows(table)
    assert list(got.values()) == [want for _, _, want in ONE_DIGIT_PARTS]


def test_query_parameters_read_dates_and_times_with_one_digit_parts(bigquery_client):
    params = [bigquery.ScalarQueryParameter(f"p{i}", typ, text) for i, (typ, text, _) in enumerate(ONE_DIGIT_PARTS)]
    config = bigquery.QueryJobConfig(query_parameters=params)
    (got,) = bigquery_client.query("SELECT @p0, @p1, @p2, @p3", job_config=config).result()
    assert list(got.values()) == [want for _, _, want in ONE_DIGIT_PARTS]


def test_the_iso8601_string_timestamp_output_format_is_served(http, bigquery_client, dataset):
    # nodejs-bigquery's getRows() asks for it by default (its picosecond support); a TIMESTAMP(6)
    # column's microseconds are written exactly, six digits (its system test "Provided Tests"
    # expects such values to equal BigQuery.timestamp('2015-10-31T23:59:56.000Z'), which twelve
    # digits, kept as sent by the client, would not)
    table = f"{dataset.project}.{dataset.dataset_id}.stamps"
    bigquery_client.query(
        f"CREATE TABLE `{table}` AS SELECT TIMESTAMP '2023-01-01 12:00:00.123456' AS ts, "
        "[TIMESTAMP '1969-12-31 23:59:59.5'] AS tss, STRUCT(TIMESTAMP '2023-01-01 12:00:00' AS t) AS st"
    ).result()
    want = [
        {"v": "2023-01-01T12:00:00.123456Z"},
        {"v": [{"v": "1969-12-31T23:59:59.500000Z"}]},
        {"v": {"f": [{"v": "2023-01-01T12:00:00.000000Z"}]}},
    ]
    path = f"/bigquery/v2/projects/{dataset.project}"
    iso = {"formatOptions.timestampOutputFormat": "ISO8601_STRING"}
    listed = http.get(f"{path}/datasets/{dataset.dataset_id}/tables/stamps/data", params=iso).json()
    assert listed["rows"] == [{"f": want}]
    query = {"query": f"SELECT * FROM `{table}`", "useLegacySql": False}
    answer = http.post(f"{path}/queries", json={**query, "formatOptions": {"timestampOutputFormat": "ISO8601_STRING"}})
    assert answer.json()["rows"] == [{"f": want}]
    results = http.get(f"{path}/queries/{answer.json()['jobReference']['jobId']}", params=iso).json()
    assert results["rows"] == [{"f": want}]
    both = http.get(
        f"{path}/datasets/{dataset.dataset_id}/tables/stamps/data",
        params={**iso, "formatOptions.useInt64Timestamp": "true"},
    )
    assert both.status_code == 400
    assert both.json()["error"]["message"] == "Cannot specify both use_int64_timestamp and timestamp_output_format."


def test_field_precision_scale_and_max_length_sent_as_numbers_read_back_as_strings(http, dataset):
    path = f"/bigquery/v2/projects/{dataset.project}/datasets/{dataset.dataset_id}/tables"
    fields = [
        {"name": "amount", "type": "NUMERIC", "precision": 12, "scale": 2},
        {"name": "code", "type": "STRING", "maxLength": 8},
    ]
    ref = {"projectId": dataset.project, "datasetId": dataset.dataset_id, "tableId": "bounded"}
    created = http.post(path, json={"tableReference": ref, "schema": {"fields": fields}}).json()
    for got in (created, http.get(f"{path}/bounded").json()):
        amount, code = got["schema"]["fields"]
        assert (amount["precision"], amount["scale"], code["maxLength"]) == ("12", "2", "8")


def test_tables_get_with_the_basic_view_leaves_out_storage_statistics(http, bigquery_client, dataset):
    table = f"{dataset.project}.{dataset.dataset_id}.viewed"
    bigquery_client.query(f"CREATE TABLE `{table}` AS SELECT 1 AS n").result()
    path = f"/bigquery/v2/projects/{dataset.project}/datasets/{dataset.dataset_id}/tables/viewed"
    basic = http.get(path, params={"view": "BASIC"}).json()
    assert basic["schema"]["fields"][0]["name"] == "n"
    assert not {"numBytes", "numRows", "numLongTermBytes", "lastModifiedTime"} & set(basic)
    for view in ("STORAGE_STATS", "FULL", "TABLE_METADATA_VIEW_UNSPECIFIED"):
        full = http.get(path, params={"view": view}).json()
        assert full["numRows"] == "1" and "lastModifiedTime" in full
    assert http.get(path, params={"view": "SOME"}).status_code == 400


def test_query_results_asked_with_max_results_zero_carry_no_page_token(http, bigquery_client):
    # the sample browseTable calls getQueryResults({maxResults: 0}), which follows page tokens:
    # the emulator answered each zero-row page with a token to the same place, for ever
    job = bigquery_client.query("SELECT n FROM UNNEST(GENERATE_ARRAY(1, 5)) AS n")
    job.result()
    path = f"/bigquery/v2/projects/{job.project}/queries/{job.job_id}"
    waited = http.get(path, params={"maxResults": 0, "location": job.location}).json()
    assert waited["jobComplete"] and waited["totalRows"] == "5"
    assert "rows" not in waited and "pageToken" not in waited
    page = http.get(path, params={"maxResults": 2, "location": job.location}).json()
    assert len(page["rows"]) == 2 and page["pageToken"]
