"""The `bigquery` warehouse on google-cloud-bigquery, against the emulator."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pyarrow as pa
import pytest

from llmops.backends.gcp.bigquery import BigQueryWarehouse
from llmops.core.errors import ConfigError, DataError, NotFoundError, QueryError

PUBLIC = "bigquery-public-data.stackoverflow"


def test_profile_builds_the_bigquery_warehouse(emulated):
    assert isinstance(emulated.warehouse, BigQueryWarehouse)
    assert emulated.warehouse.project == "llmops-emulated"


def test_query_binds_parameters(emulated):
    table = emulated.warehouse.query(
        f"SELECT COUNT(*) AS n FROM `{PUBLIC}.posts_answers` WHERE creation_date >= @since AND id < @max_id",
        {"since": dt.datetime(2020, 1, 1, tzinfo=dt.UTC), "max_id": 0},
    )
    assert table.column("n").to_pylist() == [500]
    table = emulated.warehouse.query(
        "SELECT @s AS s, @xs AS xs, @flag AS f, @r AS r",
        {"s": "it's; DROP TABLE x", "xs": [1, 2], "flag": True, "r": {"a": 1}},
    )
    assert table.to_pylist() == [{"s": "it's; DROP TABLE x", "xs": [1, 2], "f": True, "r": {"a": 1}}]


def test_query_errors_are_one_line_llmops_errors(emulated):
    with pytest.raises(QueryError, match="BigQuery"):
        emulated.warehouse.query("SELEC 1")
    with pytest.raises(NotFoundError):
        emulated.warehouse.query(f"SELECT * FROM `{PUBLIC}.nope`")


def test_export_to_a_single_gs_object_and_to_shards(emulated, storage_client):
    sql = f"SELECT id, title FROM `{PUBLIC}.posts_questions` WHERE id < @cut ORDER BY id"
    single = f"gs://llmops-emulated/tests/{uuid.uuid4().hex}/questions.jsonl"
    result = emulated.warehouse.export(sql, single, {"cut": 0})
    assert result.uris == [single] and result.rows == 500
    bucket, name = single[5:].split("/", 1)
    lines = storage_client.bucket(bucket).blob(name).download_as_text().splitlines()
    assert len(lines) == 500 and set(json.loads(lines[0])) == {"id", "title"}
    prefix = single.rsplit("/", 1)[0]
    assert [u for u in emulated.artifacts.list(prefix)] == [single]  # the shards were composed and removed
    shards = emulated.warehouse.export(sql, f"{prefix}/shards/", {"cut": 0}, format="csv")
    assert len(shards.uris) == 1 and shards.uris[0].endswith(".csv") and shards.rows == 500


def test_export_needs_a_gs_uri(emulated, tmp_path):
    with pytest.raises(ConfigError, match="gs://"):
        emulated.warehouse.export("SELECT 1 AS x", str(tmp_path / "x.jsonl"))


def test_load_insert_and_tables(emulated):
    ds = f"ds_{uuid.uuid4().hex[:8]}"
    data = pa.table({"id": [1, 2], "name": ["a", "b"]})
    assert emulated.warehouse.load(f"{ds}.people", data) == 2
    assert emulated.warehouse.load(f"{ds}.people", data, mode="append") == 2
    assert emulated.warehouse.insert_rows(f"{ds}.people", [{"id": 3, "name": "c"}]) == 1
    assert emulated.warehouse.query(f"SELECT COUNT(*) AS n FROM {ds}.people").column("n").to_pylist() == [5]
    assert emulated.warehouse.load(f"{ds}.people", data, mode="replace") == 2
    assert f"llmops-emulated.{ds}.people" in emulated.warehouse.tables()
    with pytest.raises(DataError, match="row 1"):
        emulated.warehouse.insert_rows(f"{ds}.people", [{"id": 4}, {"id": "four"}])
    assert emulated.warehouse.query(f"SELECT COUNT(*) AS n FROM {ds}.people").column("n").to_pylist() == [2]
    with pytest.raises(DataError):
        emulated.warehouse.load("no_dataset_part", data)


def test_unreachable_endpoint_is_one_line(tmp_path):
    from llmops.core.config import load_settings
    from llmops.core.session import Session

    settings = load_settings(
        "emulated", overrides={"workspace": str(tmp_path / "ws")}, environ={"LLMOPS_GCP_ENDPOINT": "http://127.0.0.1:9"}
    )
    with Session(settings) as s, pytest.raises(ConfigError, match="llmops emulator start"):
        s.warehouse.query("SELECT 1")


def test_endpoint_without_scheme_is_refused(tmp_path):
    from llmops.core.config import load_settings
    from llmops.core.session import Session

    settings = load_settings(
        "emulated", overrides={"workspace": str(tmp_path / "ws")}, environ={"LLMOPS_GCP_ENDPOINT": "127.0.0.1:9050"}
    )
    with Session(settings) as s, pytest.raises(ConfigError, match="http://"):
        s.warehouse.query("SELECT 1")
