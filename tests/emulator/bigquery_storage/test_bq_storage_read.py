"""The Storage Read API through google-cloud-bigquery-storage and google-cloud-bigquery."""

from __future__ import annotations

import pytest
from google.api_core import exceptions
from google.cloud import bigquery
from google.cloud.bigquery_storage_v1 import types


def storage_path(table_id: str) -> str:
    project, dataset, table = table_id.split(".")
    return f"projects/{project}/datasets/{dataset}/tables/{table}"


def session(read_client, table_id: str, **options):
    asked = types.ReadSession(
        table=storage_path(table_id),
        data_format=types.DataFormat.ARROW,
        read_options=types.ReadSession.TableReadOptions(**options),
    )
    return read_client.create_read_session(
        parent=f"projects/{table_id.split('.')[0]}", read_session=asked, max_stream_count=1
    )


def read_all(read_client, s) -> list[dict]:
    rows = []
    for stream in s.streams:
        rows += read_client.read_rows(stream.name).to_arrow().to_pylist()
    return rows


def test_to_dataframe_reads_through_the_read_api(bigquery_client, bigquery_read_client, typed_table, read_counters):
    before = read_counters().get(storage_path(typed_table), 0)
    through_grpc = bigquery_client.list_rows(typed_table).to_dataframe(bqstorage_client=bigquery_read_client)
    assert read_counters()[storage_path(typed_table)] == before + 1
    through_rest = bigquery_client.list_rows(typed_table).to_dataframe(create_bqstorage_client=False)
    assert read_counters()[storage_path(typed_table)] == before + 1
    a = through_grpc.sort_values("id").reset_index(drop=True)
    b = through_rest.sort_values("id").reset_index(drop=True)
    assert list(a.columns) == ["id", "name", "score", "even", "at", "day", "amount", "pair", "info"]
    assert len(a) == 3000
    for col in ("id", "name", "score", "even", "at", "day", "amount"):
        assert a[col].tolist() == b[col].tolist(), col
    assert [list(p) for p in a["pair"]] == [list(p) for p in b["pair"]]
    assert a["info"].tolist() == b["info"].tolist()


def test_query_to_arrow_reads_its_destination_through_the_read_api(bigquery_client, dataset, read_counters):
    dest = f"{dataset.project}.{dataset.dataset_id}.dest"
    config = bigquery.QueryJobConfig(destination=dest)
    job = bigquery_client.query("SELECT x, x * x AS sq FROM UNNEST(GENERATE_ARRAY(1, 50000)) AS x", job_config=config)
    before = read_counters().get(storage_path(dest), 0)
    table = job.to_arrow()  # no bqstorage_client: the fixture's client makes one on the emulator
    assert read_counters()[storage_path(dest)] == before + 1
    assert table.num_rows == 50000
    assert sorted(table.column("sq").to_pylist())[-1] == 50000 * 50000


def test_selected_fields_and_row_restriction(bigquery_read_client, typed_table):
    s = session(bigquery_read_client, typed_table, selected_fields=["name", "id"], row_restriction="id <= 10 AND even")
    assert s.estimated_row_count == 5
    rows = read_all(bigquery_read_client, s)
    assert sorted(rows, key=lambda r: r["id"]) == [{"id": i, "name": f"row-{i}"} for i in (2, 4, 6, 8, 10)]


def test_split_read_stream_and_resume_at_an_offset(bigquery_read_client, typed_table):
    s = session(bigquery_read_client, typed_table, selected_fields=["id"])
    whole = [r["id"] for r in read_all(bigquery_read_client, s)]
    split = bigquery_read_client.split_read_stream(request={"name": s.streams[0].name, "fraction": 0.25})
    first = bigquery_read_client.read_rows(split.primary_stream.name).to_arrow().column("id").to_pylist()
    rest = bigquery_read_client.read_rows(split.remainder_stream.name).to_arrow().column("id").to_pylist()
    assert first + rest == whole and len(first) == 750
    resumed = bigquery_read_client.read_rows(s.streams[0].name, offset=2990).to_arrow().column("id").to_pylist()
    assert resumed == whole[2990:]


def test_empty_result_has_a_schema_and_no_streams(bigquery_client, bigquery_read_client, typed_table):
    s = session(bigquery_read_client, typed_table, row_restriction="id < 0")
    assert list(s.streams) == [] and s.arrow_schema.serialized_schema


def test_unknown_session_stream_and_table_are_not_found(bigquery_read_client, typed_table):
    s = session(bigquery_read_client, typed_table, selected_fields=["id"])
    with pytest.raises(exceptions.NotFound, match="not found"):
        list(bigquery_read_client.read_rows(s.streams[0].name.replace("/streams/0", "/streams/99")))
    with pytest.raises(exceptions.NotFound):
        list(bigquery_read_client.read_rows(f"projects/p/locations/us/sessions/{'0' * 32}/streams/0"))
    with pytest.raises(exceptions.NotFound):
        bigquery_read_client.split_read_stream(request={"name": "projects/p/locations/us/sessions/nope/streams/0"})
    with pytest.raises(exceptions.NotFound):
        session(bigquery_read_client, typed_table + "_missing")


@pytest.mark.parametrize(
    "options, message",
    [
        ({"selected_fields": ["nope"]}, "not a column"),
        ({"row_restriction": "id <"}, "row_restriction"),
        ({"row_restriction": "TRUE); DROP TABLE typed; SELECT (1"}, "row_restriction"),
        ({"row_restriction": "id IN (SELECT 1)"}, "subquery"),
    ],
)
def test_bad_read_options_are_invalid_argument(bigquery_client, bigquery_read_client, typed_table, options, message):
    with pytest.raises(exceptions.InvalidArgument, match=message):
        session(bigquery_read_client, typed_table, **options)
    assert bigquery_client.get_table(typed_table).num_rows == 3000


def test_avro_sessions_decode_in_the_client_to_the_rows_arrow_reads(bigquery_read_client, typed_table):
    options = types.ReadSession.TableReadOptions(row_restriction="id <= 40 AND MOD(id, 7) = 0")
    asked = types.ReadSession(table=storage_path(typed_table), data_format=types.DataFormat.AVRO, read_options=options)
    s = bigquery_read_client.create_read_session(parent="projects/p", read_session=asked, max_stream_count=1)
    assert s.data_format == types.DataFormat.AVRO and '"name": "day"' in s.avro_schema.schema
    avro = [row for stream in s.streams for row in bigquery_read_client.read_rows(stream.name).rows(s)]
    arrow = read_all(
        bigquery_read_client, session(bigquery_read_client, typed_table, row_restriction=options.row_restriction)
    )
    assert [r["id"] for r in avro] == [7, 14, 21, 28, 35]
    assert sorted(avro, key=lambda r: r["id"]) == sorted(arrow, key=lambda r: r["id"])


def test_avro_rows_carry_datetime_json_and_nulls(bigquery_client, bigquery_read_client, dataset):
    table_id = f"{dataset.project}.{dataset.dataset_id}.odd_types"
    bigquery_client.query(
        f"CREATE TABLE `{table_id}` AS SELECT DATETIME '2024-05-06 07:08:09.250' AS dt, JSON '{{\"a\": [1]}}' AS doc, "
        "CAST(NULL AS STRING) AS missing, TIME '01:02:03' AS t"
    ).result()
    asked = types.ReadSession(table=storage_path(table_id), data_format=types.DataFormat.AVRO)
    s = bigquery_read_client.create_read_session(parent="projects/p", read_session=asked, max_stream_count=1)
    (row,) = [r for stream in s.streams for r in bigquery_read_client.read_rows(stream.name).rows(s)]
    assert row["dt"] == "2024-05-06T07:08:09.250000"
    assert row["missing"] is None and str(row["t"]) == "01:02:03"
    assert row["doc"].replace(" ", "") == '{"a":[1]}'


def test_a_token_protected_emulator_refuses_calls_without_it(tmp_path):
    from llmops.emulator.bigquery_storage.api import BigQueryStorageApi
    from llmops.emulator.bigquery_storage.clients import read_client
    from llmops.testing import start_emulator

    running = start_emulator(tmp_path, token="t" * 24)
    try:
        endpoint = running.server.app.state.emulator.api(BigQueryStorageApi).endpoint
        asked = types.ReadSession(table="projects/p/datasets/d/tables/t", data_format=types.DataFormat.ARROW)
        with pytest.raises(exceptions.Unauthenticated, match="access token"):
            read_client(endpoint).create_read_session(parent="projects/p", read_session=asked)
        with pytest.raises(exceptions.Unauthenticated):
            read_client(endpoint, token="x" * 24).create_read_session(parent="projects/p", read_session=asked)
        with pytest.raises(exceptions.NotFound):  # through the token check, to the (missing) table
            read_client(endpoint, token="t" * 24).create_read_session(parent="projects/p", read_session=asked)
    finally:
        running.server.stop()
