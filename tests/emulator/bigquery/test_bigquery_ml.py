"""BigQuery ML's grounding functions (remote models, ML.GENERATE_EMBEDDING, VECTOR_SEARCH,
ML.GENERATE_TEXT): one grounding pipeline in GoogleSQL, unchanged, on the local warehouse and
through the real BigQuery client against the emulator; and the bad inputs."""

from __future__ import annotations

import json

import pytest

from llmops.core.errors import QueryError

PIPELINE = """
CREATE SCHEMA {ds};
CREATE TABLE {ds}.docs AS
  SELECT 1 AS id, 'Use pip install to add Python packages from PyPI' AS body UNION ALL
  SELECT 2, 'DuckDB is an in-process analytical SQL database' UNION ALL
  SELECT 3, 'Python lists are mutable sequences of items' UNION ALL
  SELECT 4, CAST(NULL AS STRING);
CREATE OR REPLACE MODEL {ds}.embedder REMOTE WITH CONNECTION `us.conn` OPTIONS (endpoint = 'text-embedding-005');
CREATE OR REPLACE MODEL {ds}.gemini REMOTE WITH CONNECTION `us.conn` OPTIONS (endpoint = 'gemini-2.0-flash');
CREATE TABLE {ds}.chunks AS
  SELECT * FROM ML.GENERATE_EMBEDDING(MODEL {ds}.embedder, (SELECT id, body AS content FROM {ds}.docs),
    STRUCT(TRUE AS flatten_json_output, 64 AS output_dimensionality));
CREATE TABLE {ds}.hits AS
  SELECT query.question, base.id, base.content, distance
  FROM VECTOR_SEARCH(TABLE {ds}.chunks, 'ml_generate_embedding_result',
    (SELECT content AS question, ml_generate_embedding_result
     FROM ML.GENERATE_EMBEDDING(MODEL {ds}.embedder,
       (SELECT 'how do I install a Python package' AS content), STRUCT(64 AS output_dimensionality))),
    'ml_generate_embedding_result', top_k => 2, distance_type => 'COSINE');
SELECT ml_generate_text_llm_result, ml_generate_text_rai_result, ml_generate_text_status, prompt
FROM ML.GENERATE_TEXT(MODEL {ds}.gemini,
  (SELECT CONCAT('Answer from the context. Context: ', STRING_AGG(content, ' | ' ORDER BY distance),
                 ' Question: ', ANY_VALUE(question)) AS prompt FROM {ds}.hits),
  STRUCT(0.2 AS temperature, 128 AS max_output_tokens, TRUE AS flatten_json_output))
"""


def _check_answer(rows: list[dict]) -> None:
    assert len(rows) == 1
    row = rows[0]
    assert row["ml_generate_text_status"] == ""
    assert "pip install" in row["prompt"]  # the nearest chunk was retrieved into the prompt
    assert row["ml_generate_text_llm_result"]
    ratings = json.loads(row["ml_generate_text_rai_result"])
    assert {r["category"] for r in ratings} >= {"HARM_CATEGORY_HATE_SPEECH"}


def _check_hits(rows: list[dict]) -> None:
    assert [r["id"] for r in rows] == [1, 3]  # the pip chunk first, then the other Python one
    assert rows[0]["distance"] < rows[1]["distance"]
    assert all(0 <= r["distance"] <= 2 for r in rows)


def test_grounding_pipeline_local(warehouse):
    result = warehouse.query_result(PIPELINE.format(ds="rag_local"))
    _check_answer(result.table.to_pylist())
    _check_hits(warehouse.query_result("SELECT * FROM rag_local.hits ORDER BY distance").table.to_pylist())
    chunks = warehouse.query_result("SELECT * FROM rag_local.chunks ORDER BY id")
    types = {f["name"]: (f["type"], f["mode"]) for f in chunks.schema}
    assert types["ml_generate_embedding_result"] == ("FLOAT64", "REPEATED")
    assert types["ml_generate_embedding_statistics"][0] == "JSON"
    rows = chunks.table.to_pylist()
    assert [len(r["ml_generate_embedding_result"] or []) for r in rows] == [64, 64, 64, 0]
    assert [r["ml_generate_embedding_status"] == "" for r in rows] == [True, True, True, False]
    from llmops.emulator.vertex.engine.base_model import count_tokens  # what the emulator's countTokens says

    stats = json.loads(rows[0]["ml_generate_embedding_statistics"])
    assert stats == {"token_count": count_tokens(rows[0]["content"]), "truncated": False} and stats["token_count"] == 12


def test_grounding_pipeline_bigquery_client(bigquery_client):
    rows = [dict(r.items()) for r in bigquery_client.query_and_wait(PIPELINE.format(ds="rag_emulated"))]
    _check_answer(rows)
    hits = bigquery_client.query_and_wait("SELECT * FROM rag_emulated.hits ORDER BY distance")
    _check_hits([dict(r.items()) for r in hits])
    chunks = bigquery_client.query_and_wait("SELECT * FROM rag_emulated.chunks WHERE id = 1")
    fields = {f.name: (f.field_type, f.mode) for f in chunks.schema}
    assert fields["ml_generate_embedding_result"] == ("FLOAT", "REPEATED")
    (row,) = list(chunks)
    assert len(row["ml_generate_embedding_result"]) == 64


@pytest.mark.parametrize("distance", ["EUCLIDEAN", "COSINE", "DOT_PRODUCT"])
def test_vector_search_struct_columns_and_distances(warehouse, distance):
    sql = f"""
    SELECT query.qid, base.name, distance FROM VECTOR_SEARCH(
      (SELECT 'a' AS name, [1.0, 0.0] AS v UNION ALL SELECT 'b', [0.0, 2.0] UNION ALL SELECT 'c', [3.0, 3.0]),
      'v', (SELECT 1 AS qid, [1.0, 0.1] AS v UNION ALL SELECT 2, [0.0, 1.0]), top_k => 1,
      distance_type => '{distance}')
    ORDER BY query.qid"""
    rows = [(r["qid"], r["name"], r["distance"]) for r in warehouse.query_result(sql).table.to_pylist()]
    expected = {
        "EUCLIDEAN": [(1, "a", pytest.approx(0.1)), (2, "b", pytest.approx(1.0))],
        "COSINE": [(1, "a", pytest.approx(1 - 1 / 1.01**0.5)), (2, "b", pytest.approx(0.0))],
        "DOT_PRODUCT": [(1, "c", pytest.approx(-3.3)), (2, "c", pytest.approx(-3.0))],
    }[distance]
    assert rows == expected


def test_generate_text_unflattened(warehouse):
    warehouse.query_result(
        "CREATE SCHEMA IF NOT EXISTS rag_raw; CREATE OR REPLACE MODEL rag_raw.g REMOTE WITH CONNECTION `us.c` "
        "OPTIONS (endpoint = 'gemini-2.0-flash')"
    )
    rows = warehouse.query_result(
        "SELECT * FROM ML.GENERATE_TEXT(MODEL rag_raw.g, (SELECT 'What is pip?' AS prompt), STRUCT(16 AS max_output_tokens))"
    ).table.to_pylist()
    assert set(rows[0]) == {"prompt", "ml_generate_text_result", "ml_generate_text_status"}
    result = json.loads(rows[0]["ml_generate_text_result"])
    assert result["candidates"][0]["content"]["parts"][0]["text"]
    assert result["usage_metadata"]["candidates_token_count"] <= 16


BAD = [
    ("SELECT * FROM ML.GENERATE_EMBEDDING(MODEL bad.nope, (SELECT 'x' AS content))", "Not found: Model"),
    ("SELECT * FROM ML.GENERATE_EMBEDDING(MODEL bad.emb, (SELECT 'x' AS text))", "input column named content"),
    ("SELECT * FROM ML.GENERATE_TEXT(MODEL bad.emb, (SELECT 'x' AS prompt))", "needs a Gemini model"),
    (
        "SELECT * FROM VECTOR_SEARCH((SELECT [1.0] AS v), 'v', (SELECT [1.0] AS v), top_k => 0)",
        "top_k must be at least 1",
    ),
    (
        "SELECT * FROM VECTOR_SEARCH((SELECT [1.0] AS v), 'v', (SELECT [1.0] AS v), distance_type => 'MANHATTAN')",
        "distance_type",
    ),
    (
        "SELECT * FROM ML.GENERATE_EMBEDDING(MODEL bad.emb, (SELECT 'x' AS content), STRUCT(4096 AS output_dimensionality))",
        "output_dimensionality 4096",
    ),
    ("CREATE MODEL bad.m2 REMOTE WITH CONNECTION `us.c` OPTIONS (endpoint = 'gpt-4')", "not a model"),
    ("CREATE MODEL bad.emb REMOTE WITH CONNECTION `us.c` OPTIONS (endpoint = 'text-embedding-005')", "Already Exists"),
]


@pytest.fixture(scope="module")
def bad_models(warehouse, bigquery_client):
    setup = (
        "CREATE SCHEMA bad; CREATE MODEL bad.emb REMOTE WITH CONNECTION `us.c` "
        "OPTIONS (endpoint = 'text-embedding-005')"
    )
    warehouse.query_result(setup)
    bigquery_client.query_and_wait(setup)


@pytest.mark.parametrize("sql, fragment", BAD)
def test_bad_input_local(warehouse, bad_models, sql, fragment):
    with pytest.raises(QueryError) as info:
        warehouse.query_result(sql)
    assert fragment in str(info.value) and "\n" not in str(info.value)


@pytest.mark.parametrize("sql, fragment", BAD)
def test_bad_input_bigquery_client(bigquery_client, bad_models, sql, fragment):
    from google.api_core.exceptions import ClientError

    with pytest.raises(ClientError) as info:
        bigquery_client.query_and_wait(sql)
    assert fragment in str(info.value)
    assert info.value.code in (400, 404, 409)


def test_no_table_function_reaches_duckdb(warehouse):
    from llmops.emulator.bigquery.googlesql import translate

    sql = translate(
        "SELECT * FROM VECTOR_SEARCH(TABLE d.b, 'v', (SELECT * FROM ML.GENERATE_EMBEDDING(MODEL d.m, TABLE d.q)), "
        "top_k => 3)"
    ).sql
    assert "__llmops_embed(" in sql.lower() and "list_distance(" in sql.lower()
    # the generated SQL reads only tables, subqueries and the two engine UDFs
    assert "read_" not in sql.lower() and "query(" not in sql.lower()


def test_embeddings_as_wide_as_googles_models(warehouse):
    warehouse.query_result(
        "CREATE SCHEMA IF NOT EXISTS rag_wide; CREATE OR REPLACE MODEL rag_wide.e REMOTE WITH CONNECTION `us.c` "
        "OPTIONS (endpoint = 'text-embedding-005')"
    )
    sql = (
        "SELECT ml_generate_embedding_result AS v FROM ML.GENERATE_EMBEDDING(MODEL rag_wide.e, "
        "(SELECT 'how do I install a Python package' AS content), STRUCT({n} AS output_dimensionality))"
    )
    wide = warehouse.query_result(sql.format(n=768)).table.to_pylist()[0]["v"]
    narrow = warehouse.query_result(sql.format(n=256)).table.to_pylist()[0]["v"]
    # 768 values: the local 256-d unit vector, zero-padded (as the Vertex emulator's embeddings)
    assert len(wide) == 768 and wide[:256] == pytest.approx(narrow) and not any(wide[256:])
