"""Through google-cloud-bigquery: DDL PARTITION BY / CLUSTER BY kept in the tables resource, and
ALTER {TABLE|VIEW|MATERIALIZED VIEW|SCHEMA} ... SET OPTIONS, ALTER COLUMN SET OPTIONS and RENAME TO
shown by tables.get and datasets.get."""

from __future__ import annotations

import io
import uuid

import pytest
from google.api_core import exceptions as gexc
from google.cloud import bigquery


@pytest.fixture
def dataset(bigquery_client):
    name = f"{bigquery_client.project}.ddlopt_{uuid.uuid4().hex[:8]}"
    bigquery_client.create_dataset(name)
    yield name
    bigquery_client.delete_dataset(name, delete_contents=True, not_found_ok=True)


def run(client, sql):
    job = client.query(sql)
    job.result()
    return job


@pytest.mark.parametrize(
    ("partition_by", "expected"),
    [
        ("DATE(ts)", {"timePartitioning": {"type": "DAY", "field": "ts"}}),
        ("day", {"timePartitioning": {"type": "DAY", "field": "day"}}),
        ("TIMESTAMP_TRUNC(ts, HOUR)", {"timePartitioning": {"type": "HOUR", "field": "ts"}}),
        ("DATE_TRUNC(day, MONTH)", {"timePartitioning": {"type": "MONTH", "field": "day"}}),
        ("_PARTITIONDATE", {"timePartitioning": {"type": "DAY"}}),
        (
            "RANGE_BUCKET(n, GENERATE_ARRAY(0, 100, 10))",
            {"rangePartitioning": {"field": "n", "range": {"start": "0", "end": "100", "interval": "10"}}},
        ),
    ],
)
def test_partition_by_is_kept_as_the_tables_resource_shows_it(bigquery_client, dataset, partition_by, expected):
    run(
        bigquery_client,
        f"CREATE TABLE `{dataset}.events` (ts TIMESTAMP, day DATE, n INT64) PARTITION BY {partition_by}",
    )
    got = bigquery_client.get_table(f"{dataset}.events")._properties
    assert {k: got[k] for k in expected} == expected
    assert "clustering" not in got


def test_clustering_and_partition_options_reach_the_client_objects(bigquery_client, dataset):
    job = run(
        bigquery_client,
        f"CREATE TABLE `{dataset}.clicks` (ts TIMESTAMP, user STRING, n INT64) PARTITION BY DATE(ts) "
        "CLUSTER BY user, n OPTIONS(partition_expiration_days = 3, require_partition_filter = TRUE, "
        "labels = [('team', 'growth')], friendly_name = 'Clicks')",
    )
    assert job.statement_type == "CREATE_TABLE"
    table = bigquery_client.get_table(f"{dataset}.clicks")
    assert table.time_partitioning.type_ == "DAY" and table.time_partitioning.field == "ts"
    assert table.time_partitioning.expiration_ms == 3 * 86_400_000
    assert table.require_partition_filter is True
    assert table.clustering_fields == ["user", "n"]
    assert table.labels == {"team": "growth"} and table.friendly_name == "Clicks"
    listed = {t.table_id: t for t in bigquery_client.list_tables(dataset)}
    assert listed["clicks"].clustering_fields == ["user", "n"]

    run(
        bigquery_client,
        f"ALTER TABLE `{dataset}.clicks` SET OPTIONS(partition_expiration_days = NULL, "
        "require_partition_filter = FALSE)",
    )
    table = bigquery_client.get_table(f"{dataset}.clicks")
    assert table.time_partitioning.expiration_ms is None and table.require_partition_filter is False


def test_create_table_as_select_checks_the_partitioning_column_type(bigquery_client, dataset):
    run(bigquery_client, f"CREATE TABLE `{dataset}.ok` PARTITION BY DATE(ts) AS SELECT TIMESTAMP '2024-01-01' AS ts")
    assert bigquery_client.get_table(f"{dataset}.ok").time_partitioning.field == "ts"
    with pytest.raises(gexc.BadRequest, match="PARTITION BY expression must be"):
        run(bigquery_client, f"CREATE TABLE `{dataset}.bad` PARTITION BY DATE(ts) AS SELECT 1 AS ts")
    assert "bad" not in [t.table_id for t in bigquery_client.list_tables(dataset)]


@pytest.mark.parametrize(
    ("ddl", "message"),
    [
        ("(ts TIMESTAMP) PARTITION BY ts", "PARTITION BY expression must be"),
        ("(d DATE) PARTITION BY DATE_TRUNC(d, DAY)", "PARTITION BY expression must be"),
        ("(n INT64) PARTITION BY DATE(n)", "PARTITION BY expression must be"),
        ("(ts TIMESTAMP) PARTITION BY DATE(missing)", "Partitioning column missing not found"),
        ("(n INT64) PARTITION BY RANGE_BUCKET(n, GENERATE_ARRAY(10, 0, 1))", "Invalid RANGE_BUCKET"),
        ("(a INT64, b INT64, c INT64, d INT64, e INT64) CLUSTER BY a, b, c, d, e", "Too many clustering columns: 5"),
        ("(a FLOAT64) CLUSTER BY a", "not supported for clustering"),
        ("(a INT64) OPTIONS(partition_expiration_days = 1)", "only allowed on a time-partitioned table"),
        ("(a INT64) OPTIONS(no_such_option = 1)", "Invalid table option: no_such_option"),
    ],
)
def test_bad_partitioning_is_a_400_and_creates_nothing(bigquery_client, dataset, ddl, message):
    with pytest.raises(gexc.BadRequest, match=message):
        run(bigquery_client, f"CREATE TABLE `{dataset}.t` {ddl}")
    assert list(bigquery_client.list_tables(dataset)) == []


def test_tables_insert_echoes_partitioning_and_clustering(bigquery_client, dataset):
    table = bigquery.Table(f"{dataset}.api", schema=[bigquery.SchemaField("ts", "TIMESTAMP")])
    table.time_partitioning = bigquery.TimePartitioning(type_="HOUR", field="ts", expiration_ms=7_200_000)
    table.clustering_fields = ["ts"]
    made = bigquery_client.create_table(table)
    assert made.time_partitioning.type_ == "HOUR" and made.time_partitioning.expiration_ms == 7_200_000
    assert bigquery_client.get_table(made).clustering_fields == ["ts"]


def test_alter_table_set_options_is_visible_and_later_rest_updates_win(bigquery_client, dataset):
    run(bigquery_client, f"CREATE TABLE `{dataset}.t` (x INT64, y STRING)")
    job = run(
        bigquery_client,
        f"ALTER TABLE `{dataset}.t` SET OPTIONS(description = 'about t', labels = [('env', 'dev')], "
        "friendly_name = 'T', expiration_timestamp = TIMESTAMP '2099-01-01 00:00:00 UTC')",
    )
    assert job.statement_type == "ALTER_TABLE"
    t = bigquery_client.get_table(f"{dataset}.t")
    assert (t.description, t.labels, t.friendly_name) == ("about t", {"env": "dev"}, "T")
    assert t.expires.year == 2099

    t.description = "from REST"
    bigquery_client.update_table(t, ["description"])
    assert bigquery_client.get_table(f"{dataset}.t").description == "from REST"
    run(bigquery_client, f"ALTER TABLE `{dataset}.t` SET OPTIONS(description = NULL, labels = NULL)")
    t = bigquery_client.get_table(f"{dataset}.t")
    assert t.description is None and t.labels == {} and t.friendly_name == "T"

    run(bigquery_client, f"ALTER TABLE `{dataset}.t` ALTER COLUMN y SET OPTIONS(description = 'the y')")
    assert [f.description for f in bigquery_client.get_table(f"{dataset}.t").schema] == [None, "the y"]


def test_alter_statements_bad_inputs(bigquery_client, dataset):
    run(bigquery_client, f"CREATE TABLE `{dataset}.t` (x INT64); CREATE VIEW `{dataset}.v` AS SELECT 1 AS x")
    with pytest.raises(gexc.NotFound):
        run(bigquery_client, f"ALTER TABLE `{dataset}.missing` SET OPTIONS(description = 'x')")
    run(bigquery_client, f"ALTER TABLE IF EXISTS `{dataset}.missing` SET OPTIONS(description = 'x')")
    with pytest.raises(gexc.BadRequest, match="which is a view"):
        run(bigquery_client, f"ALTER TABLE `{dataset}.v` SET OPTIONS(description = 'x')")
    with pytest.raises(gexc.BadRequest, match="Invalid label"):
        run(bigquery_client, f"ALTER TABLE `{dataset}.t` SET OPTIONS(labels = [('Upper', 'x')])")
    with pytest.raises(gexc.BadRequest, match="Column not found: nope"):
        run(bigquery_client, f"ALTER TABLE `{dataset}.t` ALTER COLUMN nope SET OPTIONS(description = 'x')")
    with pytest.raises(gexc.BadRequest, match="only allowed on a partitioned table"):
        run(bigquery_client, f"ALTER TABLE `{dataset}.t` SET OPTIONS(require_partition_filter = TRUE)")
    with pytest.raises(gexc.Conflict):
        run(bigquery_client, f"ALTER TABLE `{dataset}.t` RENAME TO v")
    for options, message in [
        ("description = 5", "description option must be a STRING"),
        ("expiration_timestamp = 'soon'", "expiration_timestamp must be a TIMESTAMP"),
        ("require_partition_filter = 'yes'", "must be a BOOL"),
    ]:
        with pytest.raises(gexc.BadRequest, match=message):
            run(bigquery_client, f"ALTER TABLE `{dataset}.t` SET OPTIONS({options})")
    with pytest.raises(gexc.BadRequest, match="must be a FLOAT64"):
        run(bigquery_client, f"ALTER SCHEMA `{dataset}` SET OPTIONS(default_table_expiration_days = 'x')")


def test_views_materialized_views_and_datasets_take_set_options(bigquery_client, dataset):
    run(bigquery_client, f"CREATE TABLE `{dataset}.t` (x INT64); INSERT INTO `{dataset}.t` VALUES (1)")
    run(bigquery_client, f"CREATE VIEW `{dataset}.v` AS SELECT x FROM `{dataset}.t`")
    run(bigquery_client, f"CREATE MATERIALIZED VIEW `{dataset}.mv` AS SELECT x FROM `{dataset}.t`")
    assert run(bigquery_client, f"ALTER VIEW `{dataset}.v` SET OPTIONS(friendly_name = 'V')").statement_type == (
        "ALTER_VIEW"
    )
    run(
        bigquery_client,
        f"ALTER MATERIALIZED VIEW `{dataset}.mv` SET OPTIONS(description = 'mv', enable_refresh = TRUE)",
    )
    assert bigquery_client.get_table(f"{dataset}.v").friendly_name == "V"
    assert bigquery_client.get_table(f"{dataset}.mv").description == "mv"

    job = run(
        bigquery_client,
        f"ALTER SCHEMA `{dataset}` SET OPTIONS(description = 'ds', labels = [('k', 'v')], "
        "default_table_expiration_days = 2)",
    )
    assert job.statement_type == "ALTER_SCHEMA"
    ds = bigquery_client.get_dataset(dataset)
    assert (ds.description, ds.labels, ds.default_table_expiration_ms) == ("ds", {"k": "v"}, 2 * 86_400_000)


def test_rename_to_keeps_rows_and_options(bigquery_client, dataset):
    run(bigquery_client, f"CREATE TABLE `{dataset}.old` (x INT64) CLUSTER BY x; INSERT INTO `{dataset}.old` VALUES (7)")
    run(bigquery_client, f"ALTER TABLE `{dataset}.old` RENAME TO new")
    assert [r.x for r in bigquery_client.query(f"SELECT x FROM `{dataset}.new`").result()] == [7]
    assert bigquery_client.get_table(f"{dataset}.new").clustering_fields == ["x"]
    with pytest.raises(gexc.NotFound):
        bigquery_client.get_table(f"{dataset}.old")


def test_a_partition_decorator_is_taken_by_loads_and_copies(bigquery_client, dataset):
    """Loads write the partition (test_partition_decorators.py has the rest); a copy of `t$p`
    copies that partition, as BigQuery's "Copy partitions" does (test_dbt_generated_sql.py)."""
    run(bigquery_client, f"CREATE TABLE `{dataset}.daily` (day DATE, n INT64) PARTITION BY day")
    csv = bigquery.LoadJobConfig(source_format="CSV")
    bigquery_client.load_table_from_file(
        io.BytesIO(b"2024-01-01,1\n"), f"{dataset}.daily$20240101", job_config=csv
    ).result()
    assert [r.n for r in bigquery_client.query(f"SELECT n FROM `{dataset}.daily`").result()] == [1]
    truncate = bigquery.LoadJobConfig(source_format="CSV", write_disposition="WRITE_TRUNCATE")
    bigquery_client.load_table_from_file(
        io.BytesIO(b"2024-01-01,2\n"), f"{dataset}.daily$20240101", job_config=truncate
    ).result()
    bigquery_client.copy_table(f"{dataset}.daily$20240101", f"{dataset}.copy").result()
    assert [r.n for r in bigquery_client.query(f"SELECT n FROM `{dataset}.copy`").result()] == [2]
    assert [r.n for r in bigquery_client.query(f"SELECT n FROM `{dataset}.daily`").result()] == [2]


def test_create_if_not_exists_leaves_an_existing_table_as_it_was(bigquery_client, dataset):
    run(bigquery_client, f"CREATE TABLE `{dataset}.keep` (n INT64) CLUSTER BY n")
    run(bigquery_client, f"INSERT INTO `{dataset}.keep` VALUES (1)")
    before = bigquery_client.get_table(f"{dataset}.keep")
    before.labels = {"set": "by-rest"}
    bigquery_client.update_table(before, ["labels"])
    run(
        bigquery_client,
        f"CREATE TABLE IF NOT EXISTS `{dataset}.keep` PARTITION BY DATE(ts) AS SELECT TIMESTAMP '2024-01-01' AS ts",
    )
    table = bigquery_client.get_table(f"{dataset}.keep")
    assert table.clustering_fields == ["n"] and table.time_partitioning is None and table.num_rows == 1
    assert table.created == before.created and table.labels == {"set": "by-rest"}


def test_information_schema_partitions_counts_rows_per_partition(bigquery_client, dataset):
    for sql in (
        f"CREATE TABLE `{dataset}.by_day` (ts TIMESTAMP, n INT64) PARTITION BY DATE(ts)",
        f"INSERT INTO `{dataset}.by_day` VALUES (TIMESTAMP '2024-01-01 23:00:00+00', 1), "
        "(TIMESTAMP '2024-01-01 01:00:00+00', 2), (TIMESTAMP '2024-01-02 00:00:00+00', 3), (NULL, 4)",
        f"CREATE TABLE `{dataset}.by_range` (n INT64) PARTITION BY RANGE_BUCKET(n, GENERATE_ARRAY(0, 100, 10))",
        f"INSERT INTO `{dataset}.by_range` VALUES (5), (15), (17), (500)",
        f"CREATE TABLE `{dataset}.plain` (n INT64)",
        f"INSERT INTO `{dataset}.plain` VALUES (1), (2)",
    ):
        run(bigquery_client, sql)
    rows = bigquery_client.query(
        f"SELECT table_name, partition_id, total_rows FROM `{dataset}.INFORMATION_SCHEMA.PARTITIONS` "
        "ORDER BY table_name, partition_id"
    ).result()
    assert [tuple(r.values()) for r in rows] == [
        ("by_day", "20240101", 2),
        ("by_day", "20240102", 1),
        ("by_day", "__NULL__", 1),
        ("by_range", "0", 1),
        ("by_range", "10", 2),
        ("by_range", "__UNPARTITIONED__", 1),
        ("plain", None, 2),
    ]


def test_alter_statements_dry_run_with_bigquery_statement_types(bigquery_client, dataset):
    run(bigquery_client, f"CREATE TABLE `{dataset}.t` (x INT64)")
    dry = bigquery.QueryJobConfig(dry_run=True)
    for sql, kind in [
        (f"ALTER TABLE `{dataset}.t` SET OPTIONS(description = 'x')", "ALTER_TABLE"),
        (f"ALTER TABLE `{dataset}.t` ALTER COLUMN x SET OPTIONS(description = 'x')", "ALTER_TABLE"),
        (f"ALTER TABLE `{dataset}.t` RENAME TO u", "ALTER_TABLE"),
        (f"ALTER SCHEMA `{dataset}` SET OPTIONS(description = 'x')", "ALTER_SCHEMA"),
    ]:
        assert bigquery_client.query(sql, job_config=dry).statement_type == kind
    table = bigquery_client.get_table(f"{dataset}.t")
    assert table.description is None and table.schema[0].description is None
