"""CREATE/DROP VECTOR INDEX and SEARCH INDEX, and INFORMATION_SCHEMA.VECTOR_INDEXES/SEARCH_INDEXES,
through the BigQuery client and the local warehouse. They were refused ("the CREATE statement is
not supported"), which broke RAG pipelines that index their embeddings before VECTOR_SEARCH. The
local searches are exact, so an index is metadata: kept, checked, listed."""

from __future__ import annotations

import pytest
from google.api_core import exceptions

from llmops.core.errors import QueryError


def run(client, sql: str) -> list[dict]:
    return [dict(r) for r in client.query(sql).result()]


@pytest.fixture
def docs(bigquery_client, dataset):
    ds = f"{dataset.project}.{dataset.dataset_id}"
    run(
        bigquery_client,
        f"CREATE TABLE `{ds}.docs` AS SELECT 1 AS id, 'hello world' AS txt, [0.1, 0.2, 0.3] AS emb "
        "UNION ALL SELECT 2, 'bye', [0.3, 0.2, 0.1]",
    )
    return ds


def test_a_vector_index_is_kept_listed_and_dropped(bigquery_client, docs):
    job = bigquery_client.query(
        f"CREATE VECTOR INDEX idx ON `{docs}.docs`(emb) STORING(id) OPTIONS(index_type = 'IVF', distance_type = 'COSINE')"
    )
    job.result()
    assert job.statement_type == "CREATE_VECTOR_INDEX"
    rows = run(
        bigquery_client,
        f"SELECT table_name, index_name, index_status, coverage_percentage, ddl FROM `{docs}.INFORMATION_SCHEMA.VECTOR_INDEXES`",
    )
    assert rows == [
        {
            "table_name": "docs",
            "index_name": "idx",
            "index_status": "ACTIVE",
            "coverage_percentage": 100,
            "ddl": f"CREATE VECTOR INDEX idx ON `{docs}.docs`(emb) STORING(id) OPTIONS(index_type = 'IVF', distance_type = 'COSINE')",
        }
    ]
    # VECTOR_SEARCH answers as before (exactly)
    nearest = run(
        bigquery_client,
        f"SELECT base.id FROM VECTOR_SEARCH(TABLE `{docs}.docs`, 'emb', (SELECT [0.1, 0.2, 0.3] AS q), 'q', top_k => 1, distance_type => 'COSINE')",
    )
    assert nearest == [{"id": 1}]
    run(bigquery_client, f"CREATE VECTOR INDEX IF NOT EXISTS other ON `{docs}.docs`(emb) OPTIONS(index_type = 'IVF')")
    run(bigquery_client, f"CREATE OR REPLACE VECTOR INDEX idx2 ON `{docs}.docs`(emb) OPTIONS(index_type = 'TREE_AH')")
    names = run(bigquery_client, f"SELECT index_name FROM `{docs}.INFORMATION_SCHEMA.VECTOR_INDEXES`")
    assert names == [{"index_name": "idx2"}]
    run(bigquery_client, f"DROP VECTOR INDEX idx2 ON `{docs}.docs`")
    run(bigquery_client, f"DROP VECTOR INDEX IF EXISTS idx2 ON `{docs}.docs`")
    assert run(bigquery_client, f"SELECT COUNT(*) AS n FROM `{docs}.INFORMATION_SCHEMA.VECTOR_INDEXES`") == [{"n": 0}]


def test_a_search_index(bigquery_client, docs):
    run(bigquery_client, f"CREATE SEARCH INDEX s ON `{docs}.docs`(ALL COLUMNS) OPTIONS(analyzer = 'NO_OP_ANALYZER')")
    rows = run(
        bigquery_client, f"SELECT table_name, index_name, analyzer FROM `{docs}.INFORMATION_SCHEMA.SEARCH_INDEXES`"
    )
    assert rows == [{"table_name": "docs", "index_name": "s", "analyzer": "NO_OP_ANALYZER"}]
    # the index goes with its table
    run(bigquery_client, f"DROP TABLE `{docs}.docs`")
    assert run(bigquery_client, f"SELECT COUNT(*) AS n FROM `{docs}.INFORMATION_SCHEMA.SEARCH_INDEXES`") == [{"n": 0}]


@pytest.mark.parametrize(
    "ddl, error, kind",
    [
        ("CREATE VECTOR INDEX i ON `{ds}.nope`(emb) OPTIONS(index_type = 'IVF')", "not found", exceptions.NotFound),
        (
            "CREATE VECTOR INDEX i ON `{ds}.docs`(txt) OPTIONS(index_type = 'IVF')",
            "needs an ARRAY<FLOAT64> column",
            exceptions.BadRequest,
        ),
        ("CREATE VECTOR INDEX i ON `{ds}.docs`(emb)", "needs OPTIONS(index_type", exceptions.BadRequest),
        (
            "CREATE VECTOR INDEX i ON `{ds}.docs`(emb) OPTIONS(index_type = 'HNSW')",
            "Invalid value for vector index option index_type",
            exceptions.BadRequest,
        ),
        (
            "CREATE VECTOR INDEX i ON `{ds}.docs`(emb) OPTIONS(index_type = 'IVF', nope = 1)",
            "Invalid vector index option: nope",
            exceptions.BadRequest,
        ),
        ("CREATE SEARCH INDEX i ON `{ds}.docs`(nope)", "Column nope of the search index", exceptions.BadRequest),
        ("DROP VECTOR INDEX i ON `{ds}.docs`", "Not found: Index i", exceptions.NotFound),
        ("CREATE VECTOR INDEX i ON `{ds}.v`(emb) OPTIONS(index_type = 'IVF')", "is a view", exceptions.BadRequest),
    ],
)
def test_index_mistakes(bigquery_client, docs, ddl, error, kind):
    run(bigquery_client, f"CREATE VIEW `{docs}.v` AS SELECT * FROM `{docs}.docs`")
    with pytest.raises(kind) as info:
        run(bigquery_client, ddl.format(ds=docs))
    assert error in str(info.value)


def test_a_table_has_one_vector_index(bigquery_client, docs):
    run(bigquery_client, f"CREATE VECTOR INDEX a ON `{docs}.docs`(emb) OPTIONS(index_type = 'IVF')")
    with pytest.raises(exceptions.Conflict, match="at most one vector index"):
        run(bigquery_client, f"CREATE VECTOR INDEX b ON `{docs}.docs`(emb) OPTIONS(index_type = 'IVF')")


def test_indexes_on_the_local_warehouse(scratch_warehouse):
    wh = scratch_warehouse
    wh.query("CREATE SCHEMA idx_local")
    wh.query("CREATE TABLE idx_local.t AS SELECT [1.0, 2.0] AS emb")
    wh.query("CREATE VECTOR INDEX i ON idx_local.t(emb) OPTIONS(index_type = 'IVF')")
    assert wh.query("SELECT index_name FROM idx_local.INFORMATION_SCHEMA.VECTOR_INDEXES").to_pylist() == [
        {"index_name": "i"}
    ]
    with pytest.raises(QueryError, match="ARRAY<FLOAT64>"):
        wh.query(
            "CREATE TABLE idx_local.s AS SELECT 'x' AS txt; CREATE VECTOR INDEX j ON idx_local.s(txt) OPTIONS(index_type = 'IVF')"
        )
