"""Through google-cloud-bigquery: behaviours other emulators' client suites exercised and the
emulator got wrong (see "Other emulators' client suites" in docs/emulator.md), as BigQuery
documents them."""

from __future__ import annotations

import datetime
import decimal
import io

from google.cloud import bigquery


def _rows(client, sql, params=()):
    job = client.query(sql, job_config=bigquery.QueryJobConfig(query_parameters=list(params)))
    result = job.result()
    return [dict(r) for r in result], result.schema


def test_a_tuple_is_an_anonymous_struct_with_positional_field_names(bigquery_client):
    point = bigquery.StructQueryParameter(
        "pt", bigquery.ScalarQueryParameter("x", "INT64", 3), bigquery.ScalarQueryParameter("label", "STRING", "p")
    )
    rows, schema = _rows(bigquery_client, "SELECT (@pt.label, @pt.x) AS pair, STRUCT(7, 'q' AS tag) AS mixed", [point])
    assert rows == [{"pair": {"_field_1": "p", "_field_2": 3}, "mixed": {"_field_1": 7, "tag": "q"}}]
    assert [(f.name, f.field_type) for f in schema[0].fields] == [("_field_1", "STRING"), ("_field_2", "INTEGER")]


def test_tuples_nest(bigquery_client):
    rows, _ = _rows(bigquery_client, "SELECT (('a', 1), 2) AS outer_pair")
    assert rows == [{"outer_pair": {"_field_1": {"_field_1": "a", "_field_2": 1}, "_field_2": 2}}]


def test_unnest_of_tuples_gives_their_fields_as_columns(bigquery_client):
    rows, schema = _rows(bigquery_client, "SELECT * FROM UNNEST([(10, 'a'), (20, 'b')]) ORDER BY 1")
    assert [tuple(r.values()) for r in rows] == [(10, "a"), (20, "b")]
    assert [f.field_type for f in schema] == ["INTEGER", "STRING"]


def test_array_elements_take_the_first_structs_field_names(bigquery_client, dataset):
    table = f"{dataset.project}.{dataset.dataset_id}.scores"
    bigquery_client.query(f"CREATE TABLE `{table}` (tags ARRAY<STRUCT<who STRING, n INT64>>)").result()
    bigquery_client.query(
        f"INSERT INTO `{table}` VALUES ([STRUCT('ann' AS who, 1 AS n), STRUCT('bob', 2), ('cy', 3)])"
    ).result()
    rows, _ = _rows(bigquery_client, f"SELECT t.who, t.n FROM `{table}`, UNNEST(tags) AS t ORDER BY t.n")
    assert rows == [{"who": "ann", "n": 1}, {"who": "bob", "n": 2}, {"who": "cy", "n": 3}]


def test_comparisons_and_in_lists_keep_their_tuples(bigquery_client):
    rows, _ = _rows(bigquery_client, "SELECT (1, 'a') = (1, 'a') AS same, (2, 'b') IN ((1, 'a'), (2, 'b')) AS found")
    assert rows == [{"same": True, "found": True}]


def test_a_timestamp_casts_to_its_utc_time_of_day(bigquery_client):
    moment = bigquery.ScalarQueryParameter(
        "at", "TIMESTAMP", datetime.datetime(2024, 3, 1, 22, 15, 30, 250000, tzinfo=datetime.UTC)
    )
    rows, schema = _rows(
        bigquery_client,
        "SELECT CAST(@at AS TIME) AS c, SAFE_CAST(TIMESTAMP '2024-03-01 10:00:00-03:00' AS TIME) AS s, "
        "TIME(TIMESTAMP '2024-03-01 00:30:00+01:00') AS f, CAST(DATETIME '2024-03-01 07:08:09' AS TIME) AS d",
        [moment],
    )
    assert rows == [
        {
            "c": datetime.time(22, 15, 30, 250000),
            "s": datetime.time(13, 0),
            "f": datetime.time(23, 30),
            "d": datetime.time(7, 8, 9),
        }
    ]
    assert {f.field_type for f in schema} == {"TIME"}


def test_unnest_of_a_struct_array_column_gives_its_fields_as_columns(bigquery_client, dataset):
    table = f"{dataset.project}.{dataset.dataset_id}.orders"
    bigquery_client.query(f"CREATE TABLE `{table}` (id INT64, items ARRAY<STRUCT<sku STRING, qty INT64>>)").result()
    bigquery_client.query(
        f"INSERT INTO `{table}` VALUES (1, [STRUCT('k1' AS sku, 2 AS qty), STRUCT('k2', 5)]), (2, [])"
    ).result()
    rows, schema = _rows(bigquery_client, f"SELECT * FROM `{table}`, UNNEST(items) ORDER BY qty")
    assert [f.name for f in schema] == ["id", "items", "sku", "qty"]
    assert [(r["sku"], r["qty"]) for r in rows] == [("k1", 2), ("k2", 5)]
    rows, _ = _rows(
        bigquery_client,
        f"SELECT id, sku, it.qty FROM `{table}` AS o LEFT JOIN UNNEST(o.items) AS it ORDER BY id, qty",
    )
    assert rows == [
        {"id": 1, "sku": "k1", "qty": 2},
        {"id": 1, "sku": "k2", "qty": 5},
        {"id": 2, "sku": None, "qty": None},
    ]
    rows, _ = _rows(bigquery_client, f"SELECT id, it FROM `{table}` LEFT JOIN UNNEST(items) AS it WHERE id = 2")
    assert rows == [{"id": 2, "it": None}]
    rows, _ = _rows(bigquery_client, f"SELECT it FROM `{table}`, UNNEST(items) AS it WHERE it.qty > 2")
    assert rows == [{"it": {"sku": "k2", "qty": 5}}]
    rows, _ = _rows(
        bigquery_client, f"SELECT it.sku, pos FROM `{table}`, UNNEST(items) AS it WITH OFFSET pos ORDER BY pos"
    )
    assert rows == [{"sku": "k1", "pos": 0}, {"sku": "k2", "pos": 1}]


def test_unnest_of_a_struct_array_parameter_gives_its_fields_as_columns(bigquery_client):
    pairs = bigquery.ArrayQueryParameter(
        "pairs",
        "STRUCT",
        [
            bigquery.StructQueryParameter(
                None, bigquery.ScalarQueryParameter("k", "STRING", k), bigquery.ScalarQueryParameter("v", "INT64", v)
            )
            for k, v in (("a", 1), ("b", 2))
        ],
    )
    rows, schema = _rows(bigquery_client, "SELECT * FROM UNNEST(@pairs) WHERE v > 1", [pairs])
    assert rows == [{"k": "b", "v": 2}] and [f.name for f in schema] == ["k", "v"]


def test_bignumeric_columns_and_casts_keep_eighteen_decimals(bigquery_client, dataset):
    table = f"{dataset.project}.{dataset.dataset_id}.amounts"
    bigquery_client.query(f"CREATE TABLE `{table}` (amount BIGNUMERIC)").result()
    bigquery_client.query(f"INSERT INTO `{table}` VALUES (0.000000001234567891)").result()
    rows, _ = _rows(
        bigquery_client,
        f"SELECT amount, CAST('7.123456789012345678' AS BIGNUMERIC) AS cast_text FROM `{table}`",
    )
    assert rows == [
        {"amount": decimal.Decimal("0.000000001234567891"), "cast_text": decimal.Decimal("7.123456789012345678")}
    ]


def test_db_api_parameters_with_names_that_need_backticks(bigquery_client):
    from google.cloud.bigquery import dbapi

    cursor = dbapi.connect(bigquery_client).cursor()
    cursor.execute(
        'SELECT %(unit price)s * 2 AS doubled, %(odd `quoted` "name")s AS flag',
        {
            "unit price": 21,
            'odd `quoted` "name"': False,
        },
    )
    assert cursor.fetchall()[0].values() == (42, False)


def test_an_empty_line_of_a_one_column_csv_is_a_null_row(bigquery_client, dataset):
    table = f"{dataset.project}.{dataset.dataset_id}.single"
    config = bigquery.LoadJobConfig(
        source_format="CSV", schema=[bigquery.SchemaField("day", "DATE")], write_disposition="WRITE_TRUNCATE"
    )
    bigquery_client.load_table_from_file(io.BytesIO(b"2024-05-01\n\n2024-05-03\n"), table, job_config=config).result()
    assert [r["day"] for r in bigquery_client.list_rows(table)] == [
        datetime.date(2024, 5, 1),
        None,
        datetime.date(2024, 5, 3),
    ]


def test_an_anonymous_struct_fills_a_struct_column_by_position(bigquery_client, dataset):
    table = f"{dataset.project}.{dataset.dataset_id}.points"
    bigquery_client.query(
        f"CREATE TABLE `{table}` (id INT64, p STRUCT<x INT64, tag STRING>, ps ARRAY<STRUCT<x INT64>>)"
    ).result()
    bigquery_client.query(f"INSERT INTO `{table}` VALUES (1, STRUCT(4, 'a'), [STRUCT(7), STRUCT(8)])").result()
    bigquery_client.query(f"INSERT INTO `{table}` (id, p) SELECT 2, (5, 'b')").result()
    rows, _ = _rows(bigquery_client, f"SELECT id, p, ps FROM `{table}` ORDER BY id")
    assert rows == [
        {"id": 1, "p": {"x": 4, "tag": "a"}, "ps": [{"x": 7}, {"x": 8}]},
        {"id": 2, "p": {"x": 5, "tag": "b"}, "ps": []},
    ]


def test_sql_functions_take_range_arguments(bigquery_client, dataset):
    date = bigquery.StandardSqlDataType(type_kind=bigquery.StandardSqlTypeNames.DATE)
    routine = bigquery.Routine(
        f"{dataset.project}.{dataset.dataset_id}.first_day",
        type_="SCALAR_FUNCTION",
        language="SQL",
        body="RANGE_START(span)",
        arguments=[
            bigquery.RoutineArgument(
                name="span",
                data_type=bigquery.StandardSqlDataType(
                    type_kind=bigquery.StandardSqlTypeNames.RANGE, range_element_type=date
                ),
            )
        ],
        return_type=date,
    )
    bigquery_client.create_routine(routine)
    stored = bigquery_client.get_routine(routine.reference)
    assert stored.arguments[0].data_type.to_api_repr() == {
        "typeKind": "RANGE",
        "rangeElementType": {"typeKind": "DATE"},
    }
    rows, _ = _rows(
        bigquery_client,
        f"CREATE TEMP FUNCTION last_day(s RANGE<DATE>) AS (RANGE_END(s)); "
        f"SELECT `{routine.reference}`(RANGE<DATE> '[2021-02-03, UNBOUNDED)') AS a, "
        f"last_day(RANGE<DATE> '[2021-01-01, 2021-03-01)') AS b",
    )
    assert rows == [{"a": datetime.date(2021, 2, 3), "b": datetime.date(2021, 3, 1)}]
