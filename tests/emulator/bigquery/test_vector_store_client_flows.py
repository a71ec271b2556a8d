"""What LangChain's and llama-index's BigQuery integrations send, answered as BigQuery does.

Found by running langchain-google-community 5.1.1 (`BigQueryVectorStore`, `BigQueryLoader`,
`BigQueryCallbackHandler`) and llama-index-vector-stores-bigquery 0.3.0 against the emulator
(a scratch harness outside the repository). Each test replays the library's SQL or call through
the real clients only:

- `FROM (SELECT ARRAY(SELECT AS STRUCT ... UNION ALL SELECT AS STRUCT ...) AS arr), UNNEST(arr)`
  (LangChain's BigQueryLoader documentation query): the STRUCTs' fields were not columns
  ("unrecognized name: id"): sqlglot types a set operation of `SELECT AS STRUCT`s by its first
  column; and `UNNEST(ARRAY(SELECT AS STRUCT ...))` kept one STRUCT column;
- a positional `?` that a rewrite copies (`x = ? OR x = ?`, guarded for NaN; `x IN UNNEST(?)`,
  llama-index's metadata filters) asked for more values than the query has ("Values were not
  provided for the following parameters: 3, 4");
- `VECTOR_SEARCH(..., top_k => @top_k, distance_type => @distance_type)` (llama-index) was refused
  ("distance_type must be a string literal"): BigQuery's docs give both as named arguments with
  an INT64 / STRING value (only `options` must be a literal); a negative top_k, which returns
  every row there, was refused;
- the Storage Write API's default stream named `projects/P/datasets/D/tables/T/_default` (without
  `streams/`, as LangChain's BigQueryCallbackHandler and ADK's analytics plugin write it, and as
  Google's Java client accepts it) was INVALID_ARGUMENT, so every logged event was dropped.
"""

from __future__ import annotations

import pyarrow as pa
import pytest
from google.api_core.exceptions import BadRequest
from google.cloud import bigquery
from google.cloud.bigquery_storage_v1 import types
from googlesql_cases import case_params, check_locally, check_through_client

STR = "STRING"
INT = "INT64"

LOADER_QUERY = """
SELECT id, dna_sequence, organism
FROM (
  SELECT ARRAY (
    SELECT AS STRUCT 1 AS id, "ATTCGA" AS dna_sequence, "Lokiarchaeum sp. (strain GC14_75)." AS organism
    UNION ALL
    SELECT AS STRUCT 2 AS id, "AGGCGA" AS dna_sequence, "Heimdallarchaeota archaeon (strain LC_2)." AS organism
    UNION ALL
    SELECT AS STRUCT 3 AS id, "TCCGGA" AS dna_sequence, "Acidianus hospitalis (strain W1)." AS organism) AS new_array),
  UNNEST(new_array)
"""

STRUCT_UNNESTS = {
    "loader": [
        (
            f"SELECT STRING_AGG(CONCAT(CAST(id AS STRING), ' ', dna_sequence), ', ' ORDER BY id) FROM ({LOADER_QUERY})",
            "1 ATTCGA, 2 AGGCGA, 3 TCCGGA",
            STR,
        ),
    ],
    "set_operation_column": [
        (
            "SELECT SUM(id) FROM (SELECT ARRAY(SELECT AS STRUCT 1 AS id UNION ALL SELECT AS STRUCT 2 AS id) AS arr), "
            "UNNEST(arr)",
            3,
            INT,
        ),
        # the fields take the first input's names, by position
        (
            "SELECT STRING_AGG(s, ',' ORDER BY id) FROM (SELECT ARRAY(SELECT AS STRUCT 1 AS id, 'a' AS s "
            "UNION ALL SELECT AS STRUCT 2, 'b') AS arr), UNNEST(arr)",
            "a,b",
            STR,
        ),
    ],
    "array_subquery": [
        ("SELECT id FROM UNNEST(ARRAY(SELECT AS STRUCT 7 AS id, 'a' AS s))", 7, INT),
        (
            "SELECT STRING_AGG(CONCAT(e.s, CAST(id AS STRING)), ',' ORDER BY id) "
            "FROM UNNEST(ARRAY(SELECT AS STRUCT 1 AS id, 'a' AS s UNION ALL SELECT AS STRUCT 2, 'b')) AS e",
            "a1,b2",
            STR,
        ),
    ],
}


@pytest.mark.parametrize(("sql", "want", "typ"), case_params(STRUCT_UNNESTS))
def test_struct_unnest_locally(warehouse, sql, want, typ):
    check_locally(warehouse, sql, want, typ)


def test_struct_unnest_through_client(bigquery_client):
    check_through_client(bigquery_client, [row for rows in STRUCT_UNNESTS.values() for row in rows])


def test_loader_query_columns_through_client(bigquery_client):
    """`BigQueryLoader(query).load()`: the fields are the result's columns, in order."""
    result = bigquery_client.query(LOADER_QUERY).result()
    assert [f.name for f in result.schema] == ["id", "dna_sequence", "organism"]
    assert [tuple(r.values()) for r in result] == [
        (1, "ATTCGA", "Lokiarchaeum sp. (strain GC14_75)."),
        (2, "AGGCGA", "Heimdallarchaeota archaeon (strain LC_2)."),
        (3, "TCCGGA", "Acidianus hospitalis (strain W1)."),
    ]


def test_select_star_of_struct_unnest_through_client(bigquery_client):
    rows = bigquery_client.query_and_wait(
        "SELECT * FROM UNNEST(ARRAY(SELECT AS STRUCT 1 AS id, 'a' AS s UNION ALL SELECT AS STRUCT 2, 'b'))"
    )
    assert [f.name for f in rows.schema] == ["id", "s"]
    assert [tuple(r.values()) for r in rows] == [(1, "a"), (2, "b")]


# --------------------------------------------------------------------- positional parameters


def _positional(client, sql, *params):
    config = bigquery.QueryJobConfig(query_parameters=list(params))
    return [tuple(r.values()) for r in client.query_and_wait(sql, job_config=config)]


def test_copied_positional_parameters_locally(warehouse):
    sql = "SELECT COUNT(*) FROM UNNEST(['a', 'b', 'c']) AS m WHERE (m = ? OR m = ?)"
    assert warehouse.query_result(sql, ["a", "c"]).table.to_pylist() == [{"f0_": 2}]
    sql = "SELECT COUNT(*) FROM UNNEST(['a', 'b', 'c']) AS m WHERE m IN UNNEST(?)"
    assert warehouse.query_result(sql, [["b", "c", "z"]]).table.to_pylist() == [{"f0_": 2}]


def test_llama_index_filters_through_client(bigquery_client, dataset):
    """llama-index's `get_nodes(filters=...)` SQL: metadata JSON values compared with `?`."""
    table = f"{dataset.dataset_id}.nodes"
    bigquery_client.query_and_wait(
        f"CREATE TABLE {table} AS SELECT * FROM UNNEST(["
        "STRUCT('n1' AS node_id, JSON '{\"kind\": \"fruit\"}' AS metadata), "
        "('n2', JSON '{\"kind\": \"planet\"}'), ('n3', JSON '{\"kind\": \"treat\"}')])"
    )
    kind = "SAFE.JSON_VALUE(metadata, '$.\"kind\"')"
    string = bigquery.ScalarQueryParameter(None, "STRING", "planet")
    other = bigquery.ScalarQueryParameter(None, "STRING", "treat")
    got = _positional(
        bigquery_client, f"SELECT node_id FROM {table} WHERE ({kind} = ? OR {kind} = ?) ORDER BY 1", string, other
    )
    assert got == [("n2",), ("n3",)]
    kinds = bigquery.ArrayQueryParameter(None, "STRING", ["planet", "treat"])
    assert _positional(
        bigquery_client, f"SELECT node_id FROM {table} WHERE ({kind} IN UNNEST(?)) ORDER BY 1", kinds
    ) == [
        ("n2",),
        ("n3",),
    ]
    assert _positional(
        bigquery_client, f"SELECT node_id FROM {table} WHERE ({kind} NOT IN UNNEST(?)) ORDER BY 1", kinds
    ) == [("n1",)]


# --------------------------------------------------------------------- VECTOR_SEARCH arguments

BASE = "(SELECT * FROM UNNEST([STRUCT('a' AS id, [1.0, 0.0] AS e), ('b', [0.0, 1.0]), ('c', [0.6, 0.8])]))"


def _search(client, tail, *params):
    sql = (
        "SELECT base.id AS id, distance FROM VECTOR_SEARCH("
        f"{BASE}, 'e', (SELECT [1.0, 0.0] AS input_embedding), 'input_embedding', {tail}) ORDER BY distance, id"
    )
    config = bigquery.QueryJobConfig(query_parameters=list(params))
    return [(r.id, round(r.distance, 6)) for r in client.query_and_wait(sql, job_config=config)]


def test_vector_search_parameters_through_client(bigquery_client):
    """llama-index's `query()`: `top_k => @top_k, distance_type => @distance_type`."""

    def params(k, distance):
        return (
            bigquery.ScalarQueryParameter("top_k", "INTEGER", k),
            bigquery.ScalarQueryParameter("distance_type", "STRING", distance),
        )

    tail = "top_k => @top_k, distance_type => @distance_type"
    assert _search(bigquery_client, tail, *params(2, "COSINE")) == [("a", 0.0), ("c", 0.4)]
    assert _search(bigquery_client, tail, *params(1, "EUCLIDEAN")) == [("a", 0.0)]
    assert _search(bigquery_client, tail, *params(2, "DOT_PRODUCT")) == [("a", -1.0), ("c", -0.6)]
    with pytest.raises(BadRequest, match="distance_type is not one of"):
        _search(bigquery_client, tail, *params(2, "MANHATTAN"))
    with pytest.raises(BadRequest, match="is not supported by the local warehouse"):
        _search(bigquery_client, tail, *params(0, "COSINE"))


def test_vector_search_positional_parameters_through_client(bigquery_client):
    k = bigquery.ScalarQueryParameter(None, "INT64", 1)
    distance = bigquery.ScalarQueryParameter(None, "STRING", "COSINE")
    assert _search(bigquery_client, "top_k => ?, distance_type => ?", k, distance) == [("a", 0.0)]


def test_vector_search_negative_top_k_returns_every_row(bigquery_client, warehouse):
    assert _search(bigquery_client, "top_k => -1") == [("a", 0.0), ("c", 0.894427), ("b", 1.414214)]
    sql = f"SELECT COUNT(*) FROM VECTOR_SEARCH({BASE}, 'e', (SELECT [1.0, 0.0] AS e), top_k => @k)"
    assert warehouse.query_result(sql, {"k": -5}).table.to_pylist() == [{"f0_": 3}]


# --------------------------------------------------------------------- Storage Write API


def test_default_stream_named_without_streams(bigquery_client, bigquery_write_client, dataset):
    """BigQueryCallbackHandler's append: Arrow rows to `.../tables/T/_default`."""
    table_id = f"{dataset.project}.{dataset.dataset_id}.agent_events"
    bigquery_client.query_and_wait(f"CREATE TABLE `{table_id}` (event_type STRING, content JSON)")
    batch = pa.record_batch({"event_type": ["LLM_REQUEST", "LLM_RESPONSE"], "content": ['{"a": 1}', '{"b": 2}']})
    request = types.AppendRowsRequest(
        write_stream=f"projects/{dataset.project}/datasets/{dataset.dataset_id}/tables/agent_events/_default",
        trace_id="langchain-bq-logger",
        arrow_rows=types.AppendRowsRequest.ArrowData(
            writer_schema=types.ArrowSchema(serialized_schema=batch.schema.serialize().to_pybytes()),
            rows=types.ArrowRecordBatch(serialized_record_batch=batch.serialize().to_pybytes()),
        ),
    )
    responses = list(bigquery_write_client.append_rows(iter([request])))
    assert [r.error.code for r in responses] == [0]
    rows = bigquery_client.query_and_wait(f"SELECT event_type, JSON_VALUE(content, '$.b') FROM `{table_id}` ORDER BY 1")
    assert [tuple(r.values()) for r in rows] == [("LLM_REQUEST", None), ("LLM_RESPONSE", "2")]

    other = types.AppendRowsRequest(write_stream=request.write_stream.replace("/_default", "/other"))
    responses = list(bigquery_write_client.append_rows(iter([other])))
    assert "is not a stream name" in responses[0].error.message
