"""Parameterized columns and ARRAY columns store what BigQuery stores, whichever statement
writes them (the data types page, "Parameterized data types": "Parameterized type constraints are
enforced when writing a value to a parameterized column"; "If a value has more than S decimal
digits, the value is rounded to S decimal digits"; "When you write a NULL array to a table, it's
converted to an empty array"; the schemas guide's rounding mode example). Each case runs on the
local warehouse and through the real BigQuery client (the `env` fixture)."""

from __future__ import annotations

from decimal import Decimal

import pytest


def _fails(env, sql: str, fragment: str) -> None:
    run, _, error = env
    with pytest.raises(error) as info:
        run(sql)
    assert fragment in str(info.value), str(info.value)


def test_rounding_mode_example_of_the_schemas_guide(env):
    run, ds, _ = env
    run(
        f"CREATE TABLE {ds}.mytable (x NUMERIC(5,2) OPTIONS (rounding_mode='ROUND_HALF_EVEN'), "
        "y NUMERIC(5,2) OPTIONS (rounding_mode='ROUND_HALF_AWAY_FROM_ZERO'))"
    )
    run(
        f'INSERT {ds}.mytable (x, y) VALUES (NUMERIC "1.025", NUMERIC "1.025"), (NUMERIC "1.0251", NUMERIC "1.0251"), '
        '(NUMERIC "1.035", NUMERIC "1.035"), (NUMERIC "-1.025", NUMERIC "-1.025")'
    )
    rows = run(f"SELECT x, y FROM {ds}.mytable ORDER BY y, x")
    assert rows == [
        (Decimal("-1.02"), Decimal("-1.03")),
        (Decimal("1.02"), Decimal("1.03")),
        (Decimal("1.03"), Decimal("1.03")),
        (Decimal("1.04"), Decimal("1.04")),
    ]
    modes = run(
        f"SELECT column_name, rounding_mode FROM {ds}.INFORMATION_SCHEMA.COLUMNS "
        "WHERE table_name = 'mytable' ORDER BY column_name"
    )
    assert modes == [("x", "ROUND_HALF_EVEN"), ("y", "ROUND_HALF_AWAY_FROM_ZERO")]


def test_more_decimals_than_the_scale_are_rounded_by_every_dml_write(env):
    run, ds, _ = env
    run(f"CREATE TABLE {ds}.n (id INT64, n NUMERIC(5, 2), b BIGNUMERIC(10, 1))")
    # the data types page: 1.125 into NUMERIC(5, 2) is 1.13 (half away from zero)
    run(f"INSERT {ds}.n (id, n, b) VALUES (1, 1.125, 2.25)")
    run(f"INSERT {ds}.n (id, n, b) SELECT 2, -2.125, -2.25")
    run(f"INSERT {ds}.n (id, n) VALUES (3, 0)")
    run(f"UPDATE {ds}.n SET n = 7.775 WHERE id = 3")
    run(
        f"MERGE {ds}.n AS t USING (SELECT 4 AS id, 4.445 AS v) AS s ON t.id = s.id "
        "WHEN NOT MATCHED THEN INSERT (id, n) VALUES (s.id, s.v)"
    )
    rows = run(f"SELECT id, n, b FROM {ds}.n ORDER BY id")
    assert rows == [
        (1, Decimal("1.13"), Decimal("2.3")),
        (2, Decimal("-2.13"), Decimal("-2.3")),
        (3, Decimal("7.78"), None),
        (4, Decimal("4.45"), None),
    ]


def test_a_table_default_rounding_mode_applies_where_the_column_sets_none(env):
    run, ds, _ = env
    run(f"CREATE TABLE {ds}.e (n NUMERIC(5, 2)) OPTIONS (default_rounding_mode = 'ROUND_HALF_EVEN')")
    run(f"INSERT {ds}.e (n) VALUES (1.025), (1.035)")
    assert run(f"SELECT n FROM {ds}.e ORDER BY n") == [(Decimal("1.02"),), (Decimal("1.04"),)]


def test_a_value_out_of_range_after_rounding_is_refused(env):
    run, ds, _ = env
    run(f"CREATE TABLE {ds}.r (n NUMERIC(5, 2))")
    run(f"INSERT {ds}.r (n) VALUES (999.994)")
    # 999.995 rounds to 1000.00, which NUMERIC(5, 2) cannot hold (its largest value is 999.99)
    message = "NUMERIC has precision 5 and scale 2 but got a value that is not in range of [-999.99, 999.99]"
    _fails(env, f"INSERT {ds}.r (n) VALUES (999.995)", message)
    _fails(env, f"UPDATE {ds}.r SET n = -1111 WHERE TRUE", message)
    assert run(f"SELECT n FROM {ds}.r") == [(Decimal("999.99"),)]


def test_create_table_with_a_column_list_as_select_enforces_its_parameters(env):
    run, ds, _ = env
    _fails(
        env,
        f"CREATE TABLE {ds}.c (x NUMERIC(5, 2), s STRING(3)) AS SELECT NUMERIC '1234.5', 'abc'",
        "not in range of [-999.99, 999.99]",
    )
    _fails(
        env,
        f"CREATE TABLE {ds}.c (x NUMERIC(5, 2), s STRING(3)) AS SELECT 1.5, 'abcdef'",
        "STRING has maximum length 3 but got a value with length 6",
    )
    run(
        f"CREATE TABLE {ds}.c (x NUMERIC(5, 2), s STRING(3)) AS SELECT 1.005 AS a, 'abc' AS b UNION ALL SELECT -2.125, 'é'"
    )
    assert run(f"SELECT x, s FROM {ds}.c ORDER BY x") == [(Decimal("-2.13"), "é"), (Decimal("1.01"), "abc")]
    # later writes keep to the parameters too
    _fails(env, f"INSERT {ds}.c (x, s) VALUES (1, 'wxyz')", "STRING has maximum length 3")
    run(f"INSERT {ds}.c (x, s) VALUES (3.335, 'xyz')")
    assert run(f"SELECT x FROM {ds}.c WHERE s = 'xyz'") == [(Decimal("3.34"),)]


def test_columns_added_with_parameters_refuse_and_round_later_writes(env):
    run, ds, _ = env
    run(f"CREATE TABLE {ds}.a (id INT64)")
    run(f"ALTER TABLE {ds}.a ADD COLUMN c STRING(3), ADD COLUMN n NUMERIC(5, 2), ADD COLUMN b BYTES(2)")
    _fails(
        env, f"INSERT {ds}.a (id, c) VALUES (1, 'abcd')", "STRING has maximum length 3 but got a value with length 4"
    )
    _fails(env, f"INSERT {ds}.a (id, b) VALUES (1, b'abc')", "BYTES has maximum length 2 but got a value with length 3")
    _fails(env, f"INSERT {ds}.a (id, n) VALUES (1, 1000)", "not in range of [-999.99, 999.99]")
    run(f"INSERT {ds}.a (id, c, n) VALUES (1, 'abc', 1.125)")
    _fails(env, f"UPDATE {ds}.a SET c = 'toolong' WHERE id = 1", "STRING has maximum length 3")
    assert run(f"SELECT id, c, n FROM {ds}.a") == [(1, "abc", Decimal("1.13"))]


def test_a_null_array_inside_a_struct_is_stored_empty(env):
    run, ds, _ = env
    run(f"CREATE TABLE {ds}.t (id INT64, st STRUCT<a ARRAY<INT64>, b INT64>, ls ARRAY<STRUCT<q ARRAY<STRING>>>)")
    run(f"INSERT {ds}.t VALUES (1, STRUCT(NULL, 2), [STRUCT(NULL)])")
    run(f"INSERT {ds}.t (id, st) VALUES (2, NULL)")
    run(f"UPDATE {ds}.t SET st = STRUCT(NULL AS a, 3 AS b) WHERE id = 1")
    rows = run(
        f"SELECT id, st.a IS NULL, ARRAY_LENGTH(st.a), st IS NULL, ARRAY_LENGTH(ls[SAFE_OFFSET(0)].q) "
        f"FROM {ds}.t ORDER BY id"
    )
    # the ARRAYs inside a written STRUCT are []; a NULL STRUCT stays NULL (so st.a reads NULL)
    assert rows == [(1, False, 0, False, 0), (2, True, None, True, None)]


def test_an_added_array_column_reads_empty_in_existing_rows(env):
    run, ds, _ = env
    run(f"CREATE TABLE {ds}.t (id INT64)")
    run(f"INSERT {ds}.t (id) VALUES (1)")
    run(f"ALTER TABLE {ds}.t ADD COLUMN c ARRAY<INT64>")
    assert run(f"SELECT id, c IS NULL, ARRAY_LENGTH(c) FROM {ds}.t") == [(1, False, 0)]


def test_insert_all_rounds_to_the_scale(bigquery_client, dataset):
    table_id = f"{dataset.project}.{dataset.dataset_id}.ia"
    bigquery_client.query(
        f"CREATE TABLE `{table_id}` (n NUMERIC(5, 2), e NUMERIC(5, 2) OPTIONS (rounding_mode = 'ROUND_HALF_EVEN'))"
    ).result()
    table = bigquery_client.get_table(table_id)
    assert (table.schema[1].precision, table.schema[1].scale, table.schema[1].rounding_mode) == (
        5,
        2,
        "ROUND_HALF_EVEN",
    )
    assert bigquery_client.insert_rows(table, [{"n": "1.125", "e": "1.125"}]) == []
    errors = bigquery_client.insert_rows(table, [{"n": "999.995"}])
    assert errors[0]["errors"][0]["location"] == "n"
    assert "not in range of [-999.99, 999.99]" in errors[0]["errors"][0]["message"]
    rows = [tuple(r.values()) for r in bigquery_client.query(f"SELECT n, e FROM `{table_id}`").result()]
    assert rows == [(Decimal("1.13"), Decimal("1.12"))]


def test_create_table_as_select_shows_the_column_list_parameters(bigquery_client, dataset):
    table_id = f"{dataset.project}.{dataset.dataset_id}.shown"
    bigquery_client.query(
        f"CREATE TABLE `{table_id}` (x NUMERIC(5, 2) OPTIONS (rounding_mode = 'ROUND_HALF_EVEN'), s STRING(3)) "
        "AS SELECT 1.025, 'abc'"
    ).result()
    x, s = bigquery_client.get_table(table_id).schema
    assert (x.precision, x.scale, x.rounding_mode, s.max_length) == (5, 2, "ROUND_HALF_EVEN", 3)
    assert [r.x for r in bigquery_client.query(f"SELECT x FROM `{table_id}`").result()] == [Decimal("1.02")]


def test_a_load_job_rounds_and_refuses_as_dml_does(bigquery_client, dataset):
    table_id = f"{dataset.project}.{dataset.dataset_id}.loaded"
    bigquery_client.query(f"CREATE TABLE `{table_id}` (n NUMERIC(5, 2), s STRING(3)) AS SELECT 1.0, 'a'").result()
    bigquery_client.load_table_from_json([{"n": "1.125", "s": "ab"}], table_id).result()
    rows = [tuple(r.values()) for r in bigquery_client.query(f"SELECT n, s FROM `{table_id}` ORDER BY n").result()]
    assert rows == [(Decimal("1.00"), "a"), (Decimal("1.13"), "ab")]
    job = bigquery_client.load_table_from_json([{"n": "1", "s": "abcd"}], table_id)
    with pytest.raises(Exception, match="STRING has maximum length 3 but got a value with length 4"):
        job.result()


def test_a_write_that_cannot_be_rounded_is_refused_by_name(env):
    run, ds, _ = env
    run(f"CREATE TABLE {ds}.m (n NUMERIC(5, 2), s STRING(3)) AS SELECT 1.0, 'a'")
    # MERGE's INSERT ROW names no columns: its values are not rounded or checked here
    _fails(
        env,
        f"MERGE {ds}.m AS t USING (SELECT 1.005 AS n, 'abcd' AS s) AS s ON FALSE WHEN NOT MATCHED THEN INSERT ROW",
        "is not supported by the local warehouse",
    )
    assert run(f"SELECT n, s FROM {ds}.m") == [(Decimal("1.00"), "a")]


def test_query_parameters_are_rounded_and_checked(bigquery_client, dataset):
    from google.cloud import bigquery

    table_id = f"{dataset.project}.{dataset.dataset_id}.qp"
    bigquery_client.query(f"CREATE TABLE `{table_id}` (n NUMERIC(5, 2), s STRING(3), a ARRAY<INT64>)").result()

    def insert(n: str, s: str) -> None:
        params = [bigquery.ScalarQueryParameter("n", "NUMERIC", n), bigquery.ScalarQueryParameter("s", "STRING", s)]
        config = bigquery.QueryJobConfig(query_parameters=params)
        bigquery_client.query(f"INSERT `{table_id}` (n, s, a) VALUES (@n, @s, NULL)", job_config=config).result()

    insert("2.675", "abc")
    with pytest.raises(Exception, match="STRING has maximum length 3 but got a value with length 5"):
        insert("1", "abcde")
    rows = [tuple(r.values()) for r in bigquery_client.query(f"SELECT n, s, a FROM `{table_id}`").result()]
    assert rows == [(Decimal("2.68"), "abc", [])]


def test_an_insert_of_many_values_rows_is_rounded_and_checked(env):
    run, ds, _ = env
    run(f"CREATE TABLE {ds}.big (id INT64, a ARRAY<INT64>, n NUMERIC(5, 2), s STRING(3))")
    rows = ", ".join(f"({i}, {i}.125, 'ab')" for i in range(600))
    run(f"INSERT {ds}.big (id, n, s) VALUES {rows}")
    got = run(f"SELECT COUNT(*), COUNTIF(a IS NULL), SUM(ARRAY_LENGTH(a)), MIN(n), MAX(n) FROM {ds}.big")
    assert got == [(600, 0, 0, Decimal("0.13"), Decimal("599.13"))]
    too_long = ", ".join(f"({i}, 1, 'abcd')" for i in range(600))
    _fails(env, f"INSERT {ds}.big (id, n, s) VALUES {too_long}", "STRING has maximum length 3")


def test_the_largest_values_of_wide_parameters_are_stored(env):
    run, ds, _ = env
    run(f"CREATE TABLE {ds}.w (x NUMERIC(20, 9), q NUMERIC(38, 9), f NUMERIC(2, 2))")
    # compared as decimals: as a FLOAT64, 99999999999.999999999 is 1e11, out of NUMERIC(20, 9)'s range
    largest = ("99999999999.999999999", "99999999999999999999999999999.999999999", "0.99")
    run(f"INSERT {ds}.w (x, q, f) VALUES (NUMERIC '{largest[0]}', NUMERIC '{largest[1]}', NUMERIC '{largest[2]}')")
    assert run(f"SELECT x, q, f FROM {ds}.w") == [tuple(Decimal(v) for v in largest)]
    _fails(env, f"INSERT {ds}.w (f) VALUES (0.995)", "not in range of [-0.99, 0.99]")
