"""Table metadata that DDL sets, read back as BigQuery shows it.

What was wrong before:
- a view made by `CREATE VIEW` showed `view.query` "" through `tables.get` (only REST-made views
  kept their text);
- `OPTIONS(description = ...)` on a CREATE TABLE column was dropped;
- `PRIMARY KEY (c) NOT ENFORCED` / `FOREIGN KEY ... REFERENCES ... NOT ENFORCED` was a syntax
  error (DuckDB has no NOT ENFORCED), and `id INT64 PRIMARY KEY` (enforced) was enforced by DuckDB
  where BigQuery refuses it;
- INFORMATION_SCHEMA.VIEWS, TABLE_OPTIONS, COLUMN_FIELD_PATHS, TABLE_CONSTRAINTS and
  KEY_COLUMN_USAGE were refused by name.
"""

from __future__ import annotations

import pytest
from google.api_core import exceptions

from llmops.core.errors import QueryError


def run(client, sql: str) -> list[dict]:
    return [dict(r) for r in client.query(sql).result()]


# ------------------------------------------------------------------------- views keep their text


def test_a_view_made_by_ddl_keeps_its_query_text(bigquery_client, dataset):
    ds = f"{dataset.project}.{dataset.dataset_id}"
    run(bigquery_client, f"CREATE TABLE `{ds}.t` (id INT64)")
    body = f"-- newest first\nSELECT id FROM `{ds}.t` WHERE id > 1 ORDER BY id DESC"
    run(bigquery_client, f"CREATE OR REPLACE VIEW `{ds}.v`\nOPTIONS(description = 'a view') AS\n{body}")
    view = bigquery_client.get_table(f"{ds}.v")
    assert view.view_query == body
    assert view.description == "a view"
    # a statement after it, and a ';' inside a string of the view, end where they should
    run(bigquery_client, f"CREATE VIEW `{ds}.w` AS SELECT 'a;b' AS s; SELECT 1")
    assert bigquery_client.get_table(f"{ds}.w").view_query == "SELECT 'a;b' AS s"
    # changing the query through the API shows the new text
    view.view_query = "SELECT 2 AS two"
    bigquery_client.update_table(view, ["view_query"])
    assert bigquery_client.get_table(f"{ds}.v").view_query == "SELECT 2 AS two"
    rows = run(
        bigquery_client,
        f"SELECT table_name, view_definition, use_standard_sql FROM `{ds}.INFORMATION_SCHEMA.VIEWS` ORDER BY 1",
    )
    assert rows == [
        {"table_name": "v", "view_definition": "SELECT 2 AS two", "use_standard_sql": "YES"},
        {"table_name": "w", "view_definition": "SELECT 'a;b' AS s", "use_standard_sql": "YES"},
    ]


def test_a_materialized_view_keeps_its_query_text(bigquery_client, dataset):
    ds = f"{dataset.project}.{dataset.dataset_id}"
    run(bigquery_client, f"CREATE TABLE `{ds}.t` (id INT64)")
    run(bigquery_client, f"CREATE MATERIALIZED VIEW `{ds}.m` AS SELECT COUNT(*) AS n FROM `{ds}.t`")
    assert bigquery_client.get_table(f"{ds}.m").mview_query == f"SELECT COUNT(*) AS n FROM `{ds}.t`"


# ------------------------------------------------------------------------- column descriptions


def test_column_descriptions_in_create_table(bigquery_client, dataset):
    ds = f"{dataset.project}.{dataset.dataset_id}"
    run(
        bigquery_client,
        f"CREATE TABLE `{ds}.t` (id INT64 NOT NULL OPTIONS(description = 'the id'), "
        f"v STRING OPTIONS(description = \"it's v\", rounding_mode = 'ROUND_HALF_EVEN'), w STRING)",
    )
    schema = bigquery_client.get_table(f"{ds}.t").schema
    assert [(f.name, f.mode, f.description) for f in schema] == [
        ("id", "REQUIRED", "the id"),
        ("v", "NULLABLE", "it's v"),
        ("w", "NULLABLE", None),
    ]
    run(bigquery_client, f"CREATE TABLE `{ds}.c` (id INT64 OPTIONS(description = 'x')) AS SELECT 1 AS id")
    assert [f.description for f in bigquery_client.get_table(f"{ds}.c").schema] == ["x"]
    with pytest.raises(exceptions.BadRequest, match="Invalid column option: nope"):
        run(bigquery_client, f"CREATE TABLE `{ds}.bad` (id INT64 OPTIONS(nope = 'x'))")
    assert [t.table_id for t in bigquery_client.list_tables(dataset)] == ["c", "t"]


# ------------------------------------------------------------------------- primary and foreign keys


@pytest.fixture
def keyed(bigquery_client, dataset):
    """Tables `o` (primary key k, j) and `t` (primary key id, foreign key (v, w) -> o(k, j))."""
    ds = f"{dataset.project}.{dataset.dataset_id}"
    run(bigquery_client, f"CREATE TABLE `{ds}.o` (k STRING, j INT64, PRIMARY KEY (k, j) NOT ENFORCED)")
    run(
        bigquery_client,
        f"CREATE TABLE `{ds}.t` (id INT64 PRIMARY KEY NOT ENFORCED, v STRING, w INT64, "
        f"CONSTRAINT fk_o FOREIGN KEY (v, w) REFERENCES `{ds}.o`(k, j) NOT ENFORCED)",
    )
    return ds


def test_keys_are_kept_and_not_enforced(bigquery_client, keyed):
    constraints = bigquery_client.get_table(f"{keyed}.t").table_constraints
    assert constraints.primary_key.columns == ["id"]
    (fk,) = constraints.foreign_keys
    assert fk.name == "fk_o" and fk.referenced_table.table_id == "o"
    assert [(r.referencing_column, r.referenced_column) for r in fk.column_references] == [("v", "k"), ("w", "j")]
    run(bigquery_client, f"INSERT `{keyed}.t` (id, v) VALUES (1, 'no such o'), (1, 'x')")  # BigQuery does not enforce
    assert run(bigquery_client, f"SELECT COUNT(*) AS n FROM `{keyed}.t`") == [{"n": 2}]


def test_information_schema_lists_the_keys(bigquery_client, keyed):
    rows = run(
        bigquery_client,
        f"SELECT constraint_name, table_name, constraint_type, enforced FROM `{keyed}.INFORMATION_SCHEMA.TABLE_CONSTRAINTS` "
        "ORDER BY table_name, constraint_type DESC",
    )
    assert rows == [
        {"constraint_name": "o.pk$", "table_name": "o", "constraint_type": "PRIMARY KEY", "enforced": "NO"},
        {"constraint_name": "t.pk$", "table_name": "t", "constraint_type": "PRIMARY KEY", "enforced": "NO"},
        {"constraint_name": "t.fk_o", "table_name": "t", "constraint_type": "FOREIGN KEY", "enforced": "NO"},
    ]
    usage = run(
        bigquery_client,
        f"SELECT constraint_name, column_name, ordinal_position, position_in_unique_constraint "
        f"FROM `{keyed}.INFORMATION_SCHEMA.KEY_COLUMN_USAGE` WHERE table_name = 't' ORDER BY 1, 3",
    )
    assert usage == [
        {"constraint_name": "t.fk_o", "column_name": "v", "ordinal_position": 1, "position_in_unique_constraint": 1},
        {"constraint_name": "t.fk_o", "column_name": "w", "ordinal_position": 2, "position_in_unique_constraint": 2},
        {"constraint_name": "t.pk$", "column_name": "id", "ordinal_position": 1, "position_in_unique_constraint": None},
    ]


def test_alter_table_adds_and_drops_keys(bigquery_client, keyed):
    run(bigquery_client, f"ALTER TABLE `{keyed}.t` DROP PRIMARY KEY")
    run(bigquery_client, f"ALTER TABLE `{keyed}.t` ADD PRIMARY KEY (id, v) NOT ENFORCED")
    run(bigquery_client, f"ALTER TABLE `{keyed}.t` DROP CONSTRAINT fk_o")
    run(bigquery_client, f"ALTER TABLE `{keyed}.t` DROP CONSTRAINT IF EXISTS fk_o")
    # a referenced table named without its dataset is in the constrained table's dataset
    run(
        bigquery_client,
        f"ALTER TABLE `{keyed}.t` ADD CONSTRAINT fk2 FOREIGN KEY (v, w) REFERENCES o(k, j) NOT ENFORCED",
    )
    constraints = bigquery_client.get_table(f"{keyed}.t").table_constraints
    assert constraints.primary_key.columns == ["id", "v"]
    assert [(f.name, f.referenced_table.table_id) for f in constraints.foreign_keys] == [("fk2", "o")]
    job = bigquery_client.query(f"ALTER TABLE `{keyed}.t` DROP PRIMARY KEY")
    job.result()
    assert job.statement_type == "ALTER_TABLE"
    assert bigquery_client.get_table(f"{keyed}.t").table_constraints.primary_key is None


@pytest.mark.parametrize(
    "ddl, error",
    [
        ("CREATE TABLE `{ds}.bad` (id INT64 PRIMARY KEY)", "PRIMARY KEY constraints must be declared NOT ENFORCED"),
        ("CREATE TABLE `{ds}.bad` (id INT64, PRIMARY KEY (nope) NOT ENFORCED)", "Column nope in a key constraint"),
        ("CREATE TABLE `{ds}.bad` (a ARRAY<INT64>, PRIMARY KEY (a) NOT ENFORCED)", "cannot be part of a key"),
        (
            "CREATE TABLE `{ds}.bad` (id INT64, PRIMARY KEY (id) NOT ENFORCED, PRIMARY KEY (id) NOT ENFORCED)",
            "only one primary key",
        ),
        (
            "CREATE TABLE `{ds}.bad` (id INT64, FOREIGN KEY (id) REFERENCES `{ds}.o`(k, j) NOT ENFORCED)",
            "references 2 column(s)",
        ),
        (
            "CREATE TABLE `{ds}.bad` (k STRING, FOREIGN KEY (k) REFERENCES `{ds}.o`(nope) NOT ENFORCED)",
            "Column nope referenced",
        ),
        ("CREATE TABLE `{ds}.bad` (k STRING, FOREIGN KEY (k) REFERENCES other.o(k) NOT ENFORCED)", "same dataset"),
        ("CREATE TABLE `{ds}.bad` (x INT64, PRIMARY KEY (id) NOT ENFORCED) AS SELECT 1 AS x", "Column id in a key"),
        ("ALTER TABLE `{ds}.t` ADD PRIMARY KEY (v) NOT ENFORCED", "already has a primary key"),
        ("ALTER TABLE `{ds}.t` DROP CONSTRAINT nope", "Constraint nope not found"),
        ("ALTER TABLE `{ds}.t` RENAME TO t2", "cannot be renamed"),
    ],
)
def test_bad_keys_are_refused_and_create_nothing(bigquery_client, keyed, dataset, ddl, error):
    with pytest.raises((exceptions.BadRequest, exceptions.NotFound), match=None) as info:
        run(bigquery_client, ddl.format(ds=keyed))
    assert error in str(info.value)
    assert [t.table_id for t in bigquery_client.list_tables(dataset)] == ["o", "t"]


def test_a_missing_referenced_table_is_not_found(bigquery_client, keyed, dataset):
    with pytest.raises(exceptions.NotFound, match="missing"):
        run(
            bigquery_client,
            f"CREATE TABLE `{keyed}.bad` (id INT64, FOREIGN KEY (id) REFERENCES `{keyed}.missing`(x) NOT ENFORCED)",
        )
    assert [t.table_id for t in bigquery_client.list_tables(dataset)] == ["o", "t"]


# ------------------------------------------------------------------------- options and field paths


def test_table_options_and_column_field_paths(bigquery_client, dataset):
    ds = f"{dataset.project}.{dataset.dataset_id}"
    run(
        bigquery_client,
        f"CREATE TABLE `{ds}.t` (id INT64 OPTIONS(description = 'the id'), s STRUCT<a INT64, b ARRAY<STRUCT<c STRING>>>, "
        "d DATE) PARTITION BY d OPTIONS(description = 'say \"hi\"', labels = [('team', 'ml')], friendly_name = 'T', "
        "partition_expiration_days = 1.5, expiration_timestamp = TIMESTAMP '2090-01-01 00:00:00 UTC')",
    )
    options = run(
        bigquery_client,
        f"SELECT option_name, option_type, option_value FROM `{ds}.INFORMATION_SCHEMA.TABLE_OPTIONS` "
        "WHERE table_name = 't' ORDER BY option_name",
    )
    assert options == [
        {"option_name": "description", "option_type": "STRING", "option_value": '"say \\"hi\\""'},
        {
            "option_name": "expiration_timestamp",
            "option_type": "TIMESTAMP",
            "option_value": 'TIMESTAMP "2090-01-01T00:00:00.000Z"',
        },
        {"option_name": "friendly_name", "option_type": "STRING", "option_value": '"T"'},
        {
            "option_name": "labels",
            "option_type": "ARRAY<STRUCT<STRING, STRING>>",
            "option_value": '[STRUCT("team", "ml")]',
        },
        {"option_name": "partition_expiration_days", "option_type": "FLOAT64", "option_value": "1.5"},
    ]
    paths = run(
        bigquery_client,
        f"SELECT column_name, field_path, data_type, description FROM `{ds}.INFORMATION_SCHEMA.COLUMN_FIELD_PATHS` "
        "WHERE table_name = 't'",
    )
    assert paths == [
        {"column_name": "id", "field_path": "id", "data_type": "INT64", "description": "the id"},
        {
            "column_name": "s",
            "field_path": "s",
            "data_type": "STRUCT<a INT64, b ARRAY<STRUCT<c STRING>>>",
            "description": None,
        },
        {"column_name": "s", "field_path": "s.a", "data_type": "INT64", "description": None},
        {"column_name": "s", "field_path": "s.b", "data_type": "ARRAY<STRUCT<c STRING>>", "description": None},
        {"column_name": "s", "field_path": "s.b.c", "data_type": "STRING", "description": None},
        {"column_name": "d", "field_path": "d", "data_type": "DATE", "description": None},
    ]


def test_the_local_warehouse_reads_keys_and_views(scratch_warehouse):
    wh = scratch_warehouse
    wh.query("CREATE SCHEMA meta_ddl")
    wh.query("CREATE TABLE meta_ddl.o (k STRING, PRIMARY KEY (k) NOT ENFORCED)")
    wh.query("CREATE TABLE meta_ddl.t (id INT64, k STRING REFERENCES meta_ddl.o(k) NOT ENFORCED)")
    wh.query("CREATE VIEW meta_ddl.v AS SELECT k FROM meta_ddl.o")
    rows = wh.query(
        "SELECT table_name, constraint_type FROM meta_ddl.INFORMATION_SCHEMA.TABLE_CONSTRAINTS ORDER BY 1"
    ).to_pylist()
    assert rows == [
        {"table_name": "o", "constraint_type": "PRIMARY KEY"},
        {"table_name": "t", "constraint_type": "FOREIGN KEY"},
    ]
    views = wh.query("SELECT view_definition FROM meta_ddl.INFORMATION_SCHEMA.VIEWS").to_pylist()
    assert views == [{"view_definition": "SELECT k FROM meta_ddl.o"}]
    with pytest.raises(QueryError, match="must be declared NOT ENFORCED"):
        wh.query("CREATE TABLE meta_ddl.bad (id INT64 PRIMARY KEY)")
    with pytest.raises(QueryError, match="INFORMATION_SCHEMA.NOPE is not supported"):
        wh.query("SELECT * FROM meta_ddl.INFORMATION_SCHEMA.NOPE")


# ------------------------------------------------------------------------- CREATE TABLE LIKE


def test_create_table_like_copies_the_sources_metadata(bigquery_client, dataset):
    ds = f"{dataset.project}.{dataset.dataset_id}"
    run(
        bigquery_client,
        f"CREATE TABLE `{ds}.t` (id INT64 NOT NULL OPTIONS(description = 'the id'), s STRING(5), d DATE) "
        "PARTITION BY d CLUSTER BY id OPTIONS(description = 'source', labels = [('team', 'ml')])",
    )
    run(bigquery_client, f"INSERT `{ds}.t` VALUES (1, 'x', '2024-01-01')")
    job = bigquery_client.query(f"CREATE TABLE `{ds}.copy` LIKE `{ds}.t`")
    job.result()
    assert job.statement_type == "CREATE_TABLE"
    copy = bigquery_client.get_table(f"{ds}.copy")
    assert [(f.name, f.mode, f.description, f.max_length) for f in copy.schema] == [
        ("id", "REQUIRED", "the id", None),
        ("s", "NULLABLE", None, 5),
        ("d", "NULLABLE", None, None),
    ]
    assert (copy.description, copy.labels, copy.num_rows) == ("source", {"team": "ml"}, 0)
    assert copy.time_partitioning.field == "d" and copy.clustering_fields == ["id"]
    # the statement's own clauses replace the source's
    run(
        bigquery_client, f"CREATE OR REPLACE TABLE `{ds}.mine` LIKE `{ds}.t` CLUSTER BY s OPTIONS(description = 'mine')"
    )
    mine = bigquery_client.get_table(f"{ds}.mine")
    assert (mine.description, mine.clustering_fields, mine.time_partitioning.field) == ("mine", ["s"], "d")
    run(bigquery_client, f"CREATE TABLE IF NOT EXISTS `{ds}.copy` LIKE `{ds}.t`")  # leaves it as it is


@pytest.mark.parametrize(
    "ddl, error, kind",
    [
        ("CREATE TABLE `{ds}.copy` LIKE `{ds}.t`", "Already Exists: Table", exceptions.Conflict),
        ("CREATE TABLE `{ds}.x` LIKE `{ds}.nope`", "not found", exceptions.NotFound),
        (
            "CREATE TABLE `{ds}.x` LIKE `{ds}.t` AS SELECT 1 AS id",
            "LIKE ... AS SELECT is not supported",
            exceptions.BadRequest,
        ),
        (
            "CREATE TABLE `{ds}.x` LIKE `{ds}.t` PARTITION BY zz",
            "Partitioning column zz not found",
            exceptions.BadRequest,
        ),
        ("CREATE TABLE `{ds}.x` LIKE `{ds}.v`", "CREATE TABLE ... LIKE copies a table", exceptions.BadRequest),
    ],
)
def test_create_table_like_mistakes(bigquery_client, dataset, ddl, error, kind):
    ds = f"{dataset.project}.{dataset.dataset_id}"
    run(bigquery_client, f"CREATE TABLE `{ds}.t` (id INT64)")
    run(bigquery_client, f"CREATE TABLE `{ds}.copy` (id INT64)")
    run(bigquery_client, f"CREATE VIEW `{ds}.v` AS SELECT 1 AS id")
    with pytest.raises(kind) as info:
        run(bigquery_client, ddl.format(ds=ds))
    assert error in str(info.value)
    assert sorted(t.table_id for t in bigquery_client.list_tables(dataset)) == ["copy", "t", "v"]


# ------------------------------------------------------------------------- routines


def test_information_schema_routines_and_parameters(bigquery_client, dataset):
    ds = f"{dataset.project}.{dataset.dataset_id}"
    run(bigquery_client, f"CREATE FUNCTION `{ds}.add1`(x INT64) RETURNS INT64 AS (x + 1)")
    run(bigquery_client, f"CREATE TABLE FUNCTION `{ds}.tf`(n INT64) AS SELECT n AS v")
    run(bigquery_client, f"CREATE PROCEDURE `{ds}.p`(IN a INT64, OUT b STRING) BEGIN SET b = CAST(a AS STRING); END")
    routines = run(
        bigquery_client,
        f"SELECT routine_name, routine_type, data_type, routine_body, routine_definition, external_language "
        f"FROM `{ds}.INFORMATION_SCHEMA.ROUTINES` ORDER BY routine_name",
    )
    assert routines == [
        {"routine_name": "add1", "routine_type": "FUNCTION", "data_type": "INT64", "routine_body": "SQL",
         "routine_definition": "x + 1", "external_language": None},
        {"routine_name": "p", "routine_type": "PROCEDURE", "data_type": None, "routine_body": "SQL",
         "routine_definition": "BEGIN SET b = CAST(a AS STRING); END", "external_language": None},
        {"routine_name": "tf", "routine_type": "TABLE FUNCTION", "data_type": None, "routine_body": "SQL",
         "routine_definition": "SELECT n AS v", "external_language": None},
    ]  # fmt: skip
    parameters = run(
        bigquery_client,
        f"SELECT specific_name, ordinal_position, parameter_mode, is_result, parameter_name, data_type "
        f"FROM `{ds}.INFORMATION_SCHEMA.PARAMETERS` ORDER BY specific_name, ordinal_position",
    )
    assert [tuple(r.values()) for r in parameters] == [
        ("add1", 0, None, "YES", None, "INT64"),
        ("add1", 1, None, "NO", "x", "INT64"),
        ("p", 1, "IN", "NO", "a", "INT64"),
        ("p", 2, "OUT", "NO", "b", "STRING"),
        ("tf", 1, None, "NO", "n", "INT64"),
    ]
    run(bigquery_client, f"DROP FUNCTION `{ds}.add1`")
    names = run(bigquery_client, f"SELECT routine_name FROM `{ds}.INFORMATION_SCHEMA.ROUTINES` ORDER BY 1")
    assert names == [{"routine_name": "p"}, {"routine_name": "tf"}]


# ------------------------------------------------------------------------- jobs


def test_information_schema_jobs_lists_the_emulators_jobs(bigquery_client, dataset):
    from google.cloud import bigquery

    marker = f"jobs_{dataset.dataset_id}"
    config = bigquery.QueryJobConfig(labels={"marker": marker})
    bigquery_client.query(f"SELECT '{marker}' AS m", job_config=config).result()
    with pytest.raises(exceptions.BadRequest):
        bigquery_client.query(f"SELECT nope_{marker}").result()
    rows = run(
        bigquery_client,
        "SELECT job_type, statement_type, state, query, labels, error_result.reason AS reason, user_email "
        f"FROM `region-us`.INFORMATION_SCHEMA.JOBS WHERE query LIKE '%{marker}%' AND query NOT LIKE '%JOBS%' "
        "ORDER BY creation_time",
    )
    assert rows == [
        {"job_type": "QUERY", "statement_type": "SELECT", "state": "DONE", "query": f"SELECT '{marker}' AS m",
         "labels": [{"key": "marker", "value": marker}], "reason": None, "user_email": "emulator@llmops.local"},
        {"job_type": "QUERY", "statement_type": None, "state": "DONE", "query": f"SELECT nope_{marker}",
         "labels": [], "reason": "invalidQuery", "user_email": "emulator@llmops.local"},
    ]  # fmt: skip
    by_project = run(
        bigquery_client,
        f"SELECT COUNT(*) AS n FROM `{dataset.project}.region-us.INFORMATION_SCHEMA.JOBS_BY_PROJECT` "
        f"WHERE query LIKE '%{marker}%' AND query NOT LIKE '%JOBS%'",
    )
    assert by_project == [{"n": 2}]
    with pytest.raises(exceptions.BadRequest, match="qualified by project or region, not by dataset"):
        run(bigquery_client, f"SELECT * FROM `{dataset.dataset_id}.INFORMATION_SCHEMA.JOBS`")


def test_the_local_warehouse_has_no_jobs(scratch_warehouse):
    with pytest.raises(QueryError, match="INFORMATION_SCHEMA.JOBS is not supported by the local warehouse"):
        scratch_warehouse.query("SELECT * FROM `region-us`.INFORMATION_SCHEMA.JOBS")


def test_the_tables_meta_table(bigquery_client, dataset):
    ds = f"{dataset.project}.{dataset.dataset_id}"
    run(bigquery_client, f"CREATE TABLE `{ds}.t` AS SELECT x AS id FROM UNNEST([1, 2, 3]) x")
    run(bigquery_client, f"CREATE VIEW `{ds}.v` AS SELECT 1 AS x")
    rows = run(
        bigquery_client,
        f"SELECT project_id, dataset_id, table_id, row_count, size_bytes, type, creation_time > 0 AS timed "
        f"FROM `{ds}.__TABLES__` ORDER BY table_id",
    )
    assert rows == [
        {"project_id": dataset.project, "dataset_id": dataset.dataset_id, "table_id": "t", "row_count": 3,
         "size_bytes": 24, "type": 1, "timed": True},
        {"project_id": dataset.project, "dataset_id": dataset.dataset_id, "table_id": "v", "row_count": 0,
         "size_bytes": 0, "type": 2, "timed": True},
    ]  # fmt: skip
    summary = run(bigquery_client, f"SELECT table_id, type FROM `{ds}.__TABLES_SUMMARY__` ORDER BY 1")
    assert summary == [{"table_id": "t", "type": 1}, {"table_id": "v", "type": 2}]


def test_an_external_table_is_refused_by_name(bigquery_client, dataset):
    with pytest.raises(exceptions.BadRequest, match="CREATE EXTERNAL TABLE is not supported by the local warehouse"):
        run(
            bigquery_client,
            f"CREATE EXTERNAL TABLE `{dataset.dataset_id}.ext` OPTIONS(format = 'CSV', uris = ['gs://b/x.csv'])",
        )


def test_a_query_job_lists_the_tables_it_read(bigquery_client, dataset):
    ds = f"{dataset.project}.{dataset.dataset_id}"
    run(bigquery_client, f"CREATE TABLE `{ds}.a` AS SELECT 1 AS x")
    run(bigquery_client, f"CREATE VIEW `{ds}.v` AS SELECT x FROM `{ds}.a`")
    job = bigquery_client.query(f"SELECT * FROM `{ds}.a` JOIN `{ds}.v` USING (x)")
    job.result()
    assert sorted(t.table_id for t in job.referenced_tables) == ["a", "v"]
    assert bigquery_client.query("SELECT 1").referenced_tables == []


def test_list_partitions_reads_the_partitions_summary(bigquery_client, dataset):
    ds = f"{dataset.project}.{dataset.dataset_id}"
    run(bigquery_client, f"CREATE TABLE `{ds}.t` (d DATE, x INT64) PARTITION BY d")
    run(bigquery_client, f"INSERT `{ds}.t` VALUES ('2024-01-01', 1), ('2024-01-02', 2), ('2024-01-02', 3)")
    assert bigquery_client.list_partitions(f"{ds}.t") == ["20240101", "20240102"]  # an IndexError before
    summary = bigquery_client.get_table(f"{ds}.t$__PARTITIONS_SUMMARY__")
    assert [f.name for f in summary.schema][:4] == ["project_id", "dataset_id", "table_id", "partition_id"]
    assert summary.num_rows == 2
    run(bigquery_client, f"CREATE TABLE `{ds}.plain` (x INT64)")
    assert bigquery_client.list_partitions(f"{ds}.plain") == []


def test_table_storage(bigquery_client, dataset):
    ds = f"{dataset.project}.{dataset.dataset_id}"
    run(bigquery_client, f"CREATE TABLE `{ds}.t` AS SELECT x AS id FROM UNNEST([1, 2, 3]) x")
    run(bigquery_client, f"CREATE VIEW `{ds}.v` AS SELECT 1 AS x")  # views have no storage
    rows = run(
        bigquery_client,
        "SELECT table_name, total_rows, total_logical_bytes, active_logical_bytes, long_term_logical_bytes, deleted "
        f"FROM `region-us`.INFORMATION_SCHEMA.TABLE_STORAGE WHERE table_schema = '{dataset.dataset_id}'",
    )
    assert rows == [
        {"table_name": "t", "total_rows": 3, "total_logical_bytes": 24, "active_logical_bytes": 24,
         "long_term_logical_bytes": 0, "deleted": False},
    ]  # fmt: skip
    with pytest.raises(exceptions.BadRequest, match="qualified by project or region, not by dataset"):
        run(bigquery_client, f"SELECT * FROM `{ds}.INFORMATION_SCHEMA.TABLE_STORAGE`")
