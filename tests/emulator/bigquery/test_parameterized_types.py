"""Through google-cloud-bigquery: STRING(L), BYTES(L), NUMERIC(P, S) and BIGNUMERIC(P, S) columns
keep their parameters in the schema and refuse values that do not fit them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from google.api_core import exceptions as gexc
from google.cloud import bigquery

COLUMNS = (
    ("s", "STRING(3)"),
    ("b", "BYTES(4)"),
    ("n", "NUMERIC(5, 2)"),
    ("n9", "NUMERIC(9)"),
    ("bn", "BIGNUMERIC(38, 22)"),
    ("plain", "STRING"),
)


@pytest.fixture
def typed(bigquery_client, dataset):
    table_id = f"{dataset.project}.{dataset.dataset_id}.typed"
    bigquery_client.query(f"CREATE TABLE `{table_id}` ({', '.join(' '.join(c) for c in COLUMNS)})").result()
    return table_id


def test_type_parameters_round_trip_through_the_schema(bigquery_client, typed):
    table = bigquery_client.get_table(typed)
    assert tuple(f._key()[:2] for f in table.schema) == COLUMNS
    assert (table.schema[0].max_length, table.schema[2].precision, table.schema[2].scale) == (3, 5, 2)
    copy = bigquery_client.create_table(bigquery.Table(f"{typed}_copy", schema=table.schema))
    assert tuple(f._key()[:2] for f in bigquery_client.get_table(copy).schema) == COLUMNS


def test_values_that_fit_are_kept_and_others_refused(bigquery_client, typed):
    bigquery_client.query(f"INSERT INTO `{typed}` (s, b, n) VALUES ('abc', b'abcd', 123.45)").result()
    for column, value, message in [
        ("s", "'abcd'", "longer than the maximum length 3"),
        ("b", "b'abcde'", "longer than the maximum length 4"),
        ("n", "1000", "out of range for NUMERIC\\(5, 2\\)"),
    ]:
        with pytest.raises(gexc.BadRequest, match=message):
            bigquery_client.query(f"INSERT INTO `{typed}` ({column}) VALUES ({value})").result()
    rows = list(bigquery_client.query(f"SELECT s, b, n FROM `{typed}`").result())
    assert [tuple(r.values()) for r in rows] == [("abc", b"abcd", Decimal("123.45"))]


def test_insert_all_reports_the_rows_that_do_not_fit(bigquery_client, typed):
    table = bigquery_client.get_table(typed)
    errors = bigquery_client.insert_rows(table, [{"s": "ok"}, {"s": "too long"}])
    assert errors[0]["index"] == 1 and errors[0]["errors"][0]["reason"] == "invalid"
    assert errors[0]["errors"][0]["location"] == "s" and errors[1] == {
        "index": 0,
        "errors": [{"reason": "stopped", "location": "", "debugInfo": "", "message": ""}],
    }
    assert bigquery_client.insert_rows(table, [{"s": "ok"}, {"s": "too long"}], skip_invalid_rows=True)[0]["index"] == 1
    assert [r.s for r in bigquery_client.query(f"SELECT s FROM `{typed}`").result()] == ["ok"]


@pytest.mark.parametrize("bad", ["STRING(0)", "NUMERIC(40, 2)", "NUMERIC(5, 10)", "BIGNUMERIC(80, 2)"])
def test_parameters_out_of_range_are_a_400(bigquery_client, dataset, bad):
    with pytest.raises(gexc.BadRequest, match="Invalid type parameters"):
        bigquery_client.query(f"CREATE TABLE `{dataset.project}.{dataset.dataset_id}.bad` (c {bad})").result()


def test_add_column_keeps_type_parameters_in_the_schema(bigquery_client, typed):
    bigquery_client.query(f"ALTER TABLE `{typed}` ADD COLUMN extra BYTES(8)").result()
    bigquery_client.query(f"ALTER TABLE `{typed}` ADD COLUMN IF NOT EXISTS s STRING(50)").result()
    fields = {f.name: f for f in bigquery_client.get_table(typed).schema}
    assert fields["extra"].max_length == 8 and fields["s"].max_length == 3
    errors = bigquery_client.insert_rows(bigquery_client.get_table(typed), [{"extra": "AAAAAAAAAAAAAA=="}])
    assert errors[0]["errors"][0]["location"] == "extra"
