"""A session's temporary tables reached from other jobs, and a result's same-named columns.

BigQuery DataFrames makes its temporary tables with `CREATE TEMP TABLE _SESSION.t (...)` in a
session and then uses the job's `destinationTable` (a table of the session's hidden dataset)
from load jobs, streaming inserts, the Storage APIs, tables.get and later queries. Before, the
emulator's temporary tables lived only in the session's own database connection: the job named
no destination (bigframes: "Failure to create temp table"), and a load job into `_SESSION.t`
with the session's `session_id` (JobConfigurationLoad.connectionProperties, documented to
resolve `_SESSION`) answered 404 for a dataset `_SESSION`.

`bigframes.bigquery.vector_search` selects `query.*, base.*`; with an `embedding` column on both
sides the result had two columns named `embedding`, which a table (and so the Storage Read API's
answer) cannot hold: the later one is `embedding_1` now, and a query with a destinationTable is
refused as BigQuery refuses it.
"""

from __future__ import annotations

import io
import json

import pytest
from google.api_core import exceptions
from google.cloud import bigquery


def start_session(client) -> str:
    job = client.query("SELECT 1", job_config=bigquery.QueryJobConfig(create_session=True))
    job.result()
    return job.session_info.session_id


def in_session(session_id: str) -> list[bigquery.ConnectionProperty]:
    return [bigquery.ConnectionProperty("session_id", session_id)]


def rows(client, sql: str, session_id: str | None = None) -> list[tuple]:
    config = bigquery.QueryJobConfig(connection_properties=in_session(session_id)) if session_id else None
    return [tuple(r) for r in client.query_and_wait(sql, job_config=config)]


def temp_table(client, session_id: str, ddl: str) -> bigquery.TableReference:
    """What bigframes does: a temporary table made in the session, named by the job's destination."""
    job = client.query(ddl, job_config=bigquery.QueryJobConfig(connection_properties=in_session(session_id)))
    job.result()
    assert job.destination is not None, "the CREATE TEMP TABLE job names no destinationTable"
    return job.destination


def ndjson(*records: dict) -> io.BytesIO:
    return io.BytesIO("".join(json.dumps(r) + "\n" for r in records).encode())


def session_ref(client, table: str) -> bigquery.TableReference:
    return bigquery.TableReference(bigquery.DatasetReference(client.project, "_SESSION"), table)


SCHEMA = [bigquery.SchemaField("n", "INT64"), bigquery.SchemaField("s", "STRING")]


def test_create_temp_table_names_its_table_as_the_destination(bigquery_client):
    sid = start_session(bigquery_client)
    ref = temp_table(bigquery_client, sid, "CREATE TEMP TABLE `_SESSION`.bqdf_x (n INT64, s STRING)")
    assert ref.project == bigquery_client.project
    assert ref.dataset_id.startswith("_") and ref.table_id == "bqdf_x"
    table = bigquery_client.get_table(ref)
    assert [(f.name, f.field_type) for f in table.schema] == [("n", "INTEGER"), ("s", "STRING")]
    assert table.num_rows == 0
    # in the session the table keeps both of its names
    rows(bigquery_client, "INSERT INTO _SESSION.bqdf_x VALUES (1, 'a')", sid)
    assert rows(bigquery_client, "SELECT n, s FROM bqdf_x", sid) == [(1, "a")]


def test_jobs_outside_the_session_use_the_destination(bigquery_client, dataset):
    sid = start_session(bigquery_client)
    ref = temp_table(bigquery_client, sid, "CREATE TEMP TABLE `_SESSION`.staged (n INT64, s STRING)")
    load = bigquery.LoadJobConfig(source_format="NEWLINE_DELIMITED_JSON", schema=SCHEMA)
    bigquery_client.load_table_from_file(ndjson({"n": 1, "s": "a"}, {"n": 2, "s": "b"}), ref, job_config=load).result()
    assert bigquery_client.insert_rows(bigquery_client.get_table(ref), [(3, "c")]) == []
    assert sorted(tuple(r) for r in bigquery_client.list_rows(ref)) == [(1, "a"), (2, "b"), (3, "c")]
    full = f"`{ref.project}.{ref.dataset_id}.{ref.table_id}`"
    assert rows(bigquery_client, f"SELECT SUM(n) FROM {full}") == [(6,)]
    assert rows(bigquery_client, "SELECT SUM(n) FROM _SESSION.staged", sid) == [(6,)]
    copy = dataset.table("kept")
    bigquery_client.copy_table(ref, copy).result()
    assert rows(bigquery_client, f"SELECT COUNT(*) FROM `{dataset.project}.{dataset.dataset_id}.kept`") == [(3,)]
    # to_gbq's append: a query of the session table into a table of a dataset
    append = bigquery.QueryJobConfig(destination=copy, write_disposition="WRITE_APPEND")
    bigquery_client.query(f"SELECT n, s FROM {full} WHERE n > 2", job_config=append).result()
    assert rows(bigquery_client, f"SELECT COUNT(*) FROM `{dataset.project}.{dataset.dataset_id}.kept`") == [(4,)]


def test_a_load_job_with_the_session_id_writes_session_tables(bigquery_client):
    sid = start_session(bigquery_client)
    config = bigquery.LoadJobConfig(
        source_format="NEWLINE_DELIMITED_JSON", schema=SCHEMA, connection_properties=in_session(sid)
    )
    job = bigquery_client.load_table_from_file(
        ndjson({"n": 5, "s": "x"}), session_ref(bigquery_client, "loaded"), job_config=config
    )
    job.result()
    assert job.session_info.session_id == sid
    assert rows(bigquery_client, "SELECT n, s FROM _SESSION.loaded", sid) == [(5, "x")]
    assert rows(bigquery_client, "SELECT COUNT(*) FROM loaded", sid) == [(1,)]


def test_a_load_job_can_create_the_session(bigquery_client):
    config = bigquery.LoadJobConfig(source_format="NEWLINE_DELIMITED_JSON", schema=SCHEMA, create_session=True)
    job = bigquery_client.load_table_from_file(
        ndjson({"n": 7, "s": "y"}), session_ref(bigquery_client, "first"), job_config=config
    )
    job.result()
    sid = job.session_info.session_id
    assert sid
    assert rows(bigquery_client, "SELECT n FROM _SESSION.first", sid) == [(7,)]


def test_other_sessions_and_sessionless_jobs_do_not_see_it(bigquery_client):
    one, two = start_session(bigquery_client), start_session(bigquery_client)
    ref = temp_table(bigquery_client, one, "CREATE TEMP TABLE `_SESSION`.mine AS SELECT 1 AS n")
    assert rows(bigquery_client, "SELECT n FROM _SESSION.mine", one) == [(1,)]
    with pytest.raises(exceptions.NotFound, match="_SESSION.mine"):
        rows(bigquery_client, "SELECT n FROM _SESSION.mine", two)
    with pytest.raises(exceptions.NotFound, match="_SESSION.mine"):
        rows(bigquery_client, "SELECT n FROM _SESSION.mine")
    # hidden: listed only with all=true
    assert ref.dataset_id not in [d.dataset_id for d in bigquery_client.list_datasets()]
    assert ref.dataset_id in [d.dataset_id for d in bigquery_client.list_datasets(include_all=True)]
    rows(bigquery_client, f"CALL BQ.ABORT_SESSION('{one}')")
    with pytest.raises(exceptions.NotFound):
        bigquery_client.get_table(ref)  # the session's temporary tables went with it


def test_bad_session_references_are_refused_naming_the_fix(bigquery_client, dataset):
    load = bigquery.LoadJobConfig(
        source_format="NEWLINE_DELIMITED_JSON", schema=SCHEMA, connection_properties=in_session("no-such-session")
    )
    with pytest.raises(exceptions.BadRequest, match="createSession"):
        bigquery_client.load_table_from_file(
            ndjson({"n": 1}), session_ref(bigquery_client, "t"), job_config=load
        ).result()
    sessionless = bigquery.LoadJobConfig(source_format="NEWLINE_DELIMITED_JSON", schema=SCHEMA)
    with pytest.raises(exceptions.BadRequest, match="session_id connection property"):
        bigquery_client.load_table_from_file(
            ndjson({"n": 1}), session_ref(bigquery_client, "t"), job_config=sessionless
        ).result()
    sid = start_session(bigquery_client)
    into_session = bigquery.QueryJobConfig(
        destination=session_ref(bigquery_client, "t"), connection_properties=in_session(sid)
    )
    with pytest.raises(exceptions.BadRequest, match="CREATE TEMP TABLE"):
        bigquery_client.query("SELECT 1 AS n", job_config=into_session).result()
    with pytest.raises(exceptions.BadRequest, match="destinationTable of the job that created it"):
        bigquery_client.copy_table(session_ref(bigquery_client, "t"), dataset.table("c")).result()


def test_same_named_result_columns_are_numbered(bigquery_client, dataset):
    sql = (
        "SELECT q.*, b.* FROM (SELECT 'q' AS id, [1.0, 0.0] AS embedding) AS q, "
        "(SELECT 'b' AS id, [0.0, 1.0] AS embedding) AS b"
    )
    result = bigquery_client.query(sql).result()
    assert [f.name for f in result.schema] == ["id", "embedding", "id_1", "embedding_1"]
    assert [tuple(r) for r in result] == [("q", [1.0, 0.0], "b", [0.0, 1.0])]
    assert bigquery_client.query(sql).to_arrow().column_names == ["id", "embedding", "id_1", "embedding_1"]
    dry = bigquery_client.query(sql, job_config=bigquery.QueryJobConfig(dry_run=True))
    assert [f.name for f in dry.schema] == ["id", "embedding", "id_1", "embedding_1"]
    # a name the result already has is skipped; names differing in case are the same name
    assert [f.name for f in bigquery_client.query("SELECT 1 AS x, 2 AS x_1, 3 AS X").result().schema] == [
        "x",
        "x_1",
        "X_2",
    ]
    into_table = bigquery.QueryJobConfig(destination=dataset.table("dups"))
    with pytest.raises(exceptions.BadRequest, match=r"Duplicate column names .* Found duplicate\(s\): id, embedding"):
        bigquery_client.query(sql, job_config=into_table).result()


def test_hidden_datasets_of_sessions_left_open_go_at_the_next_start(tmp_path):
    from google.api_core.client_options import ClientOptions
    from google.auth.credentials import AnonymousCredentials

    from llmops.emulator.bigquery.api import BigQueryApi
    from llmops.testing import start_emulator

    def client_of(running):
        return bigquery.Client(
            project="p",
            credentials=AnonymousCredentials(),
            client_options=ClientOptions(api_endpoint=running.endpoint),
            location="US",
        )

    first = start_emulator(tmp_path)
    try:
        client = client_of(first)
        sid = start_session(client)
        hidden = temp_table(client, sid, "CREATE TEMP TABLE t AS SELECT 1 AS n").dataset_id
        client.create_dataset("_session_kept_by_its_user")  # a dataset of that name made by hand stays
        # as after a crash: the emulator stops without ending the session
        first.server.app.state.emulator.api(BigQueryApi).sessions.get(sid, "p").on_close = None
    finally:
        first.server.stop()
    second = start_emulator(tmp_path)
    try:
        names = [d.dataset_id for d in client_of(second).list_datasets(include_all=True)]
        assert hidden not in names
        assert "_session_kept_by_its_user" in names
    finally:
        second.server.stop()
