"""DDL's NOT NULL on a field inside a STRUCT: a REQUIRED field inside a RECORD.

BigQuery's CREATE TABLE column schema takes `STRUCT<field_name column_schema [NOT NULL], ...>`
(the DDL reference: "When the NOT NULL constraint is present for a column or field, the column
or field is created with REQUIRED mode"). The local warehouse failed such a CREATE as a syntax
error (DuckDB's STRUCT fields take no constraint). Now the table is created, `tables.get` shows
the nested fields REQUIRED, and DML refuses a NULL in them within a present record ("Required
field rec.a cannot be null"), as for a table made through the REST API (nestedrequired.py).
Each case runs on the local warehouse (`llmops sql`) and through the real BigQuery client.
"""

from __future__ import annotations

import pytest

DDL = "CREATE TABLE {ds}.t (id INT64, rec STRUCT<a INT64 NOT NULL, b STRING>, reps ARRAY<STRUCT<x INT64 NOT NULL>>)"

REFUSED = [
    ("INSERT INTO {ds}.t (id, rec) VALUES (2, STRUCT(NULL, 'x'))", "rec.a"),
    ("INSERT INTO {ds}.t (id, reps) VALUES (2, [STRUCT(1), STRUCT(NULL)])", "reps.x"),
    ("UPDATE {ds}.t SET rec = STRUCT(NULL AS a, 'y' AS b) WHERE id = 1", "rec.a"),
]

ONE = [(1, {"a": 1, "b": "one"}, [{"x": 10}])]


def _create(run, ds: str) -> None:
    run(DDL.format(ds=ds))
    run(f"INSERT INTO {ds}.t (id, rec, reps) VALUES (1, STRUCT(1, 'one'), [STRUCT(10)])")


@pytest.mark.parametrize(("sql", "path"), REFUSED)
def test_dml_refuses_null_in_a_ddl_required_field(env, sql, path):
    run, ds, error = env
    _create(run, ds)
    with pytest.raises(error, match=f"Required field {path} cannot be null"):
        run(sql.format(ds=ds))
    assert run(f"SELECT id, rec, reps FROM {ds}.t ORDER BY id") == ONE


def test_valid_rows_are_written(env):
    """A NULL record, an empty repeated record and a record with its REQUIRED field are fine."""
    run, ds, _ = env
    _create(run, ds)
    run(f"INSERT INTO {ds}.t (id, rec, reps) VALUES (2, NULL, []), (3, STRUCT(3, NULL), [STRUCT(4)])")
    assert run(f"SELECT id, rec, reps FROM {ds}.t ORDER BY id") == [
        *ONE,
        (2, None, []),
        (3, {"a": 3, "b": None}, [{"x": 4}]),
    ]


def test_nested_records_bind_at_every_depth(env):
    run, ds, error = env
    run(f"CREATE TABLE {ds}.n (r STRUCT<i STRUCT<z INT64 NOT NULL> NOT NULL>)")
    with pytest.raises(error, match="Required field r.i cannot be null"):
        run(f"INSERT INTO {ds}.n VALUES (STRUCT(NULL))")
    with pytest.raises(error, match="Required field r.i.z cannot be null"):
        run(f"INSERT INTO {ds}.n VALUES (STRUCT(STRUCT(NULL)))")
    run(f"INSERT INTO {ds}.n VALUES (STRUCT(STRUCT(1))), (NULL)")
    assert sorted(run(f"SELECT r.i.z FROM {ds}.n"), key=str) == [(1,), (None,)]


def test_ctas_with_a_column_list(env):
    """`CREATE TABLE t (rec STRUCT<a INT64 NOT NULL>) AS SELECT ...`: the query's rows must fill
    the REQUIRED field (the statement fails and no table is left); valid rows are written."""
    run, ds, error = env
    ctas = "CREATE TABLE {ds}.c (id INT64, rec STRUCT<a INT64 NOT NULL, b STRING>) AS SELECT 1, STRUCT({v}, 'x')"
    with pytest.raises(error, match="Required field rec.a cannot be null"):
        run(ctas.format(ds=ds, v="CAST(NULL AS INT64)"))
    assert run(f"SELECT count(*) FROM {ds}.INFORMATION_SCHEMA.TABLES WHERE table_name = 'c'") == [(0,)]
    run(ctas.format(ds=ds, v="2"))
    assert run(f"SELECT id, rec FROM {ds}.c") == [(1, {"a": 2, "b": "x"})]
    with pytest.raises(error, match="Required field rec.a cannot be null"):
        run(f"INSERT INTO {ds}.c VALUES (3, STRUCT(NULL, 'y'))")


def test_field_paths_as_before(env):
    run, ds, _ = env
    _create(run, ds)
    got = run(
        f"SELECT field_path, data_type FROM {ds}.INFORMATION_SCHEMA.COLUMN_FIELD_PATHS "
        "WHERE table_name = 't' ORDER BY field_path"
    )
    assert [p for p, _ in got] == ["id", "rec", "rec.a", "rec.b", "reps", "reps.x"]
    assert dict(got)["rec.a"] == "INT64"


def test_temp_table_is_refused_by_name(scratch_warehouse):
    """A script's temporary table keeps no field options here: refused by name, not left unchecked."""
    from llmops.core.errors import QueryError

    with pytest.raises(QueryError, match="NOT NULL field inside a STRUCT of a temporary table"):
        scratch_warehouse.query_result(
            "BEGIN CREATE TEMP TABLE tt (r STRUCT<z INT64 NOT NULL>); INSERT INTO tt VALUES (STRUCT(NULL)); END"
        )


def test_get_table_shows_required_modes_and_list_rows_reads(bigquery_client):
    import uuid

    ds = f"ds_{uuid.uuid4().hex[:8]}"
    bigquery_client.create_dataset(ds)
    try:
        bigquery_client.query_and_wait(DDL.format(ds=ds))
        ref = f"{bigquery_client.project}.{ds}.t"
        fields = {f.name: f for f in bigquery_client.get_table(ref).schema}
        assert [(s.name, s.mode) for s in fields["rec"].fields] == [("a", "REQUIRED"), ("b", "NULLABLE")]
        assert [(s.name, s.mode) for s in fields["reps"].fields] == [("x", "REQUIRED")]
        assert (fields["id"].mode, fields["rec"].mode, fields["reps"].mode) == ("NULLABLE", "NULLABLE", "REPEATED")
        bigquery_client.query_and_wait(
            f"INSERT INTO {ds}.t (id, rec, reps) VALUES (1, STRUCT(1, 'one'), [STRUCT(10)]), (2, NULL, [])"
        )
        rows = sorted((r["id"], r["rec"], r["reps"]) for r in bigquery_client.list_rows(ref))
        assert rows == [(1, {"a": 1, "b": "one"}, [{"x": 10}]), (2, None, [])]
    finally:
        bigquery_client.delete_dataset(ds, delete_contents=True, not_found_ok=True)
