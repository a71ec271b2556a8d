"""User SQL cannot reach the host: the reproductions of issue 14 (read files through
json_execute_serialized_sql, glob, settings, EXPORT DATA and extract jobs to host paths) answer a
clean 4xx through the real BigQuery client and change nothing; query cost is bounded; a long query
delays no other request and jobs.cancel stops it."""

from __future__ import annotations

import threading
import time
import uuid
from pathlib import Path

import duckdb
import pytest
from google.api_core import exceptions
from google.cloud import bigquery

from llmops.core.errors import QueryError
from llmops.emulator.bigquery.engine import BigQueryEngine
from llmops.emulator.bigquery.googlesql import BigQueryError, translate
from llmops.emulator.bigquery.sandbox import QueryControl, QueryLimits, allowed_functions

HOSTNAME = Path("/etc/hostname")


@pytest.fixture
def secret(tmp_path_factory) -> Path:
    """A host file with content no answer may ever contain."""
    path = tmp_path_factory.mktemp("host") / "secret.txt"
    path.write_text(f"SECRET-{uuid.uuid4().hex}\n")
    return path


def _leaks(text: str, secret: Path) -> bool:
    contents = [secret.read_text().strip()]
    if HOSTNAME.is_file() and HOSTNAME.read_text().strip():
        contents.append(HOSTNAME.read_text().strip())
    return any(c in text for c in contents)


def _reads(path: Path) -> list[str]:
    return [
        f"""SELECT * FROM json_execute_serialized_sql(json_serialize_sql("SELECT content FROM read_text('{path}')"))""",
        f"SELECT content FROM read_text('{path}')",
        f"SELECT * FROM read_csv('{path}', header = false)",
        f"SELECT * FROM read_json_objects('{path}')",
        f"SELECT * FROM `{path}`",
        f"SELECT * FROM glob('{path.parent}/*')",
        "SELECT * FROM glob('/etc/*')",
        "SELECT current_setting('temp_directory') AS t",
        "SELECT * FROM duckdb_settings()",
        "SELECT * FROM duckdb_databases()",
        f"SELECT * FROM query('SELECT content FROM read_text(''{path}'')')",
        "SELECT * FROM pragma_database_list",
    ]


def _statements(path: Path) -> list[str]:
    return [
        f"COPY (SELECT 1) TO '{path}'",
        f"ATTACH '{path}.db' AS other",
        "INSTALL httpfs",
        "LOAD httpfs",
        "SET enable_external_access = true",
        "PRAGMA enable_profiling",
        f"EXPORT DATABASE '{path.parent / 'dump'}'",
        "CREATE SECRET s (TYPE s3, KEY_ID 'x', SECRET 'y')",
        "CREATE MACRO m() AS TABLE SELECT 1",
    ]


# ---------------------------------------------------------------------- through the BigQuery client


def test_reading_host_files_and_settings_is_a_clean_4xx(bigquery_client, secret):
    for sql in _reads(secret):
        with pytest.raises(exceptions.ClientError) as info:  # 400, or 404 for `path` as a table name
            bigquery_client.query(sql).result()
        assert not _leaks(str(info.value), secret), sql


def test_host_statements_are_a_clean_400(bigquery_client, secret):
    for sql in _statements(secret):
        with pytest.raises(exceptions.BadRequest):
            bigquery_client.query(sql).result()
    assert sorted(p.name for p in secret.parent.iterdir()) == ["secret.txt"]


def test_jobs_query_answers_googles_error_shape(http, secret):
    sql = f"SELECT content FROM read_text('{secret}')"
    r = http.post("/bigquery/v2/projects/p/queries", json={"query": sql, "useLegacySql": False})
    assert r.status_code == 400
    err = r.json()["error"]
    assert err["status"] == "INVALID_ARGUMENT" and err["errors"][0]["reason"] == "invalidQuery"
    assert not _leaks(r.text, secret)


@pytest.mark.parametrize("kind", ["file", "plain", "overwrite"])
def test_export_data_to_host_paths_is_refused(bigquery_client, dataset, tmp_path, kind):
    target = tmp_path / "out"
    target.mkdir()
    victim = target / "existing-000000000000.json"
    victim.write_text("keep me\n")
    uri = {
        "file": f"file://{target}/new-*.json",
        "plain": f"{target}/new-*.json",
        "overwrite": f"file://{target}/existing-*.json",
    }[kind]
    sql = f"EXPORT DATA OPTIONS(uri='{uri}', format='JSON', overwrite=true) AS SELECT 1 AS x"
    with pytest.raises(exceptions.BadRequest, match="exports only to its Cloud Storage"):
        bigquery_client.query(sql).result()
    assert sorted(p.name for p in target.iterdir()) == [victim.name]
    assert victim.read_text() == "keep me\n"


@pytest.mark.parametrize(
    "uri",
    [
        "gs://bkt-sandbox/../../escape-*.json",
        "gs://bkt-sandbox/a/../../../escape-*.json",
        "gs://../escape-*.json",
        "gs://bkt-sandbox//abs-*.json",
        "gs://bkt-sandbox/./x-*.json",
    ],
)
def test_export_data_gs_traversal_is_refused(bigquery_client, llmops_emulator, uri):
    data = Path(llmops_emulator.data_dir)
    before = sorted(p for p in data.parent.rglob("escape*"))
    sql = f"EXPORT DATA OPTIONS(uri='{uri}', format='JSON', overwrite=true) AS SELECT 1 AS x"
    with pytest.raises(exceptions.BadRequest, match="invalid export uri"):
        bigquery_client.query(sql).result()
    assert sorted(p for p in data.parent.rglob("escape*")) == before


def test_extract_job_to_a_host_path_is_a_400(bigquery_client, dataset, http, tmp_path):
    table = bigquery_client.create_table(
        bigquery.Table(f"{dataset.project}.{dataset.dataset_id}.t", schema=[bigquery.SchemaField("x", "INT64")])
    )
    bigquery_client.insert_rows(table, [{"x": 1}])
    for uri in (f"file://{tmp_path}/out-*.csv", f"{tmp_path}/out-*.csv"):
        with pytest.raises(exceptions.BadRequest, match="extracts only to its Cloud Storage"):
            bigquery_client.extract_table(table, uri).result()
    assert list(tmp_path.iterdir()) == []
    body = {
        "configuration": {
            "extract": {
                "sourceTable": {"projectId": dataset.project, "datasetId": dataset.dataset_id, "tableId": "t"},
                "destinationUris": [f"file://{tmp_path}/raw.csv"],
            }
        }
    }
    r = http.post(f"/bigquery/v2/projects/{dataset.project}/jobs", json=body)
    assert r.status_code == 400 and r.json()["error"]["errors"][0]["reason"] == "invalid"
    assert list(tmp_path.iterdir()) == []


def test_export_to_emulated_storage_still_works(bigquery_client, storage_client, unique):
    bucket = storage_client.create_bucket(f"sandbox-{unique}")
    sql = f"EXPORT DATA OPTIONS(uri='gs://{bucket.name}/out/part-*.json', format='JSON') AS SELECT 1 AS x, JSON '{{\"a\": [1]}}' AS j"
    bigquery_client.query(sql).result()
    blob = bucket.blob("out/part-000000000000.json")
    assert blob.download_as_text() == '{"x":"1","j":{"a":[1]}}\n'  # INT64 as a string in JSON exports


# ---------------------------------------------------------------------- bounded work


def test_query_text_over_the_limit_is_refused_before_parsing(http):
    huge = "SELECT '" + "x" * (1024 * 1024) + "' AS s"
    r = http.post("/bigquery/v2/projects/p/queries", json={"query": huge})
    assert r.status_code == 400
    assert r.json()["error"]["errors"][0]["reason"] == "invalidQuery"
    assert "too large" in r.json()["error"]["message"]


def test_a_megabyte_of_one_plus_one_is_refused_quickly(http):
    sql = "SELECT 1" + " + 1" * 250_000  # just under 1 MiB; parsing it would take many seconds and GBs
    r = http.post("/bigquery/v2/projects/p/queries", json={"query": sql})
    assert r.status_code == 400 and "too many tokens" in r.json()["error"]["message"]


def test_deep_nesting_is_a_400_not_a_500(http):
    sql = "SELECT " + "(" * 3000 + "1" + ")" * 3000
    r = http.post("/bigquery/v2/projects/p/queries", json={"query": sql})
    assert r.status_code == 400, r.text


LONG_QUERY = (
    "SELECT COUNT(*) AS n FROM UNNEST(GENERATE_ARRAY(1, 300000)) AS a "
    "CROSS JOIN UNNEST(GENERATE_ARRAY(1, 300000)) AS b WHERE MOD(a * b, 7) = 3"
)


def test_a_long_query_does_not_delay_a_small_one_and_cancel_stops_it(bigquery_client):
    job_id = f"long_{uuid.uuid4().hex}"
    outcome: dict = {}

    def long() -> None:
        try:
            bigquery_client.query(LONG_QUERY, job_id=job_id, job_retry=None).result()
        except exceptions.GoogleAPICallError as exc:
            outcome["error"] = exc

    worker = threading.Thread(target=long, daemon=True)
    worker.start()
    deadline = time.monotonic() + 30
    while True:  # until jobs.get sees it running
        try:
            if bigquery_client.get_job(job_id).state == "RUNNING":
                break
        except exceptions.NotFound:
            pass
        assert time.monotonic() < deadline and worker.is_alive(), outcome
        time.sleep(0.05)
    assert [tuple(r) for r in bigquery_client.query("SELECT 1 AS one").result()] == [(1,)]
    assert worker.is_alive(), "the small query waited for the long one"
    assert bigquery_client.cancel_job(job_id).state == "DONE"
    worker.join(30)
    assert not worker.is_alive()
    job = bigquery_client.get_job(job_id)
    assert job.state == "DONE" and job.error_result["reason"] == "stopped"
    assert "cancelled" in str(outcome["error"])


def test_job_timeout_stops_a_query(bigquery_client):
    config = bigquery.QueryJobConfig(job_timeout_ms=300)
    with pytest.raises(exceptions.GoogleAPICallError, match="timed out") as info:
        bigquery_client.query(LONG_QUERY, job_config=config).result()
    assert info.value.errors[0]["reason"] == "stopped"


# ---------------------------------------------------------------------- engine and translator


def test_the_engine_database_itself_refuses_host_access(secret):
    """Layer 1 without layer 2: raw DuckDB SQL on the engine's own connection."""
    with BigQueryEngine() as engine:
        with engine.connection() as con:
            for sql in _reads(secret)[:4] + [
                f"COPY (SELECT 1) TO '{secret}.copy'",
                "SET enable_external_access = true",
            ]:
                with pytest.raises(duckdb.Error):
                    con.execute(sql).fetchall()
    assert sorted(p.name for p in secret.parent.iterdir()) == ["secret.txt"]


def test_engine_time_limit_and_cancel():
    with BigQueryEngine(limits=QueryLimits(timeout_s=0.3)) as engine:
        with pytest.raises(QueryError, match="timed out") as info:
            engine.query(LONG_QUERY)
        assert getattr(info.value, "reason", "") == "stopped"
        control = QueryControl()
        threading.Timer(0.3, control.cancel).start()
        with pytest.raises(QueryError, match="cancelled"):
            engine.query(LONG_QUERY, control=control)
        assert engine.query("SELECT 1 AS x").table.num_rows == 1  # the engine is still usable


def _duckdb_functions() -> dict[str, set[str]]:
    with duckdb.connect(":memory:") as con:
        rows = con.execute("SELECT DISTINCT function_name, function_type FROM duckdb_functions()").fetchall()
    kinds: dict[str, set[str]] = {}
    for name, kind in rows:
        kinds.setdefault(str(kind), set()).add(str(name))
    return kinds


def test_no_duckdb_table_function_is_reachable_from_googlesql(secret):
    kinds = _duckdb_functions()
    table_functions = kinds["table"] | kinds.get("table_macro", set()) | kinds.get("pragma", set())
    assert {"read_text", "glob", "json_execute_serialized_sql", "query", "read_blob"} <= table_functions
    for name in sorted(table_functions - {"unnest"}):  # GoogleSQL's UNNEST: arrays only
        for sql in (
            f"SELECT * FROM {name}('{secret}')",
            f"SELECT * FROM `{name}`('{secret}')",
            f"SELECT * FROM {name}()",
        ):
            try:
                translate(sql)
            except BigQueryError:
                continue
            pytest.fail(f"{sql} was translated")


def test_allowed_functions_touch_no_files_or_settings():
    kinds = _duckdb_functions()
    table_functions = kinds["table"] | kinds.get("table_macro", set()) | kinds.get("pragma", set())
    allowed = allowed_functions()
    # names that are also table functions are compute-only there too
    assert allowed & table_functions <= {"range", "generate_series", "repeat", "histogram", "unnest"}
    for name in ("current_setting", "json_serialize_sql", "json_deserialize_sql", "getvariable", "version"):
        assert name not in allowed
        with pytest.raises(BigQueryError, match="not supported by the local warehouse|Function not found"):
            translate(f"SELECT {name}('x')")
    # and every DuckDB scalar that mentions files, paths or settings by name is either refused
    # or a pure string function
    pure = {"parse_dirname", "parse_dirpath", "parse_filename", "parse_path", "path_join"}
    for name in kinds["scalar"] | kinds.get("macro", set()):
        if any(k in name for k in ("file", "path", "dir", "setting", "env", "sql", "extension", "secret")):
            assert name not in allowed or name in pure or name.startswith("json_extract"), name


def test_googlesql_still_translates():
    sql = (
        "SELECT REGEXP_CONTAINS(s, 'a'), SAFE_CAST(s AS INT64), FORMAT('%d', 1), ARRAY_LENGTH([1]), "
        "TO_JSON_STRING(STRUCT(1 AS a)), FARM_FINGERPRINT(s), DATE_TRUNC(CURRENT_DATE(), MONTH), "
        "STRING_AGG(s, ','), LOGICAL_AND(TRUE), ANY_VALUE(s) FROM UNNEST(['x']) AS s"
    )
    assert "REGEXP_MATCHES" in translate(sql).sql
