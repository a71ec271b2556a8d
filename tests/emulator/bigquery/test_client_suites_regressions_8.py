"""What googleapis/python-bigquery's system tests expect and the emulator answered otherwise,
reproduced through google-cloud-bigquery:

- `test_load_table_from_local_parquet_file_decimal_types` loads a Parquet decimal(38, 12) column
  with `decimal_target_types` [NUMERIC, BIGNUMERIC, STRING] (BIGNUMERIC: NUMERIC holds 9 fraction
  digits), then again with WRITE_TRUNCATE and [NUMERIC] alone, which must fail "out of valid
  NUMERIC range". The emulator ignored `decimalTargetTypes` (every column NUMERIC or BIGNUMERIC
  by its precision and scale, STRING never) and a WRITE_TRUNCATE Parquet load kept the table's
  schema, where the REST reference says WRITE_TRUNCATE "uses the schema from the load job".
  Avro decimal fields likewise (BIGNUMERIC beyond 9 fraction digits, the default [NUMERIC] and
  STRING not applied). LOAD DATA's `decimal_target_types` option (BigQuery's LOAD DATA reference lists it) was
  refused as unknown.
"""

from __future__ import annotations

import io
from decimal import Decimal

import pyarrow as pa
import pyarrow.orc as orc
import pyarrow.parquet as pq
import pytest
from google.api_core.exceptions import BadRequest
from google.cloud import bigquery

WIDE = ["123.999999999999", "99999999999999999999999999.999999999999"]


def _parquet(values: list[str], precision: int, scale: int) -> bytes:
    buf = io.BytesIO()
    pq.write_table(pa.table({"d": pa.array([Decimal(v) for v in values], pa.decimal128(precision, scale))}), buf)
    return buf.getvalue()


def _load(client, table_id: str, data: bytes, targets: list[str] | None, fmt: str = "PARQUET"):
    config = bigquery.LoadJobConfig(source_format=fmt, write_disposition="WRITE_TRUNCATE")
    if targets is not None:
        config.decimal_target_types = targets
    client.load_table_from_file(io.BytesIO(data), table_id, job_config=config).result()
    table = client.get_table(table_id)
    return table.schema[0].field_type, sorted(r["d"] for r in client.list_rows(table_id))


@pytest.mark.parametrize(
    ("precision", "scale", "targets", "want"),
    [
        (10, 2, ["BIGNUMERIC"], "BIGNUMERIC"),  # NUMERIC would hold it, but is not listed
        (10, 2, ["STRING"], "STRING"),
        (38, 12, ["NUMERIC", "STRING"], "STRING"),
    ],
)
def test_parquet_decimal_target_type(bigquery_client, dataset, precision, scale, targets, want):
    table_id = f"{dataset.project}.{dataset.dataset_id}.dt_{precision}_{scale}_{len(targets or [])}"
    kind = pa.decimal256 if precision > 38 else pa.decimal128
    buf = io.BytesIO()
    pq.write_table(pa.table({"d": pa.array([Decimal("1.5"), Decimal("-2")], kind(precision, scale))}), buf)
    got_type, rows = _load(bigquery_client, table_id, buf.getvalue(), targets)
    assert got_type == want
    if want == "STRING":
        assert sorted(Decimal(v) for v in rows) == [Decimal("-2"), Decimal("1.5")]
    else:
        assert rows == [Decimal("-2"), Decimal("1.5")]


def test_the_suites_decimal_38_12_load(bigquery_client, dataset):
    """The system test: BIGNUMERIC with the three types, then WRITE_TRUNCATE with NUMERIC alone fails."""
    table_id = f"{dataset.project}.{dataset.dataset_id}.numeric_38_12"
    got = _load(bigquery_client, table_id, _parquet(WIDE, 38, 12), ["NUMERIC", "BIGNUMERIC", "STRING"])
    assert got == ("BIGNUMERIC", [Decimal(v) for v in WIDE])
    for values in (WIDE, WIDE[::-1]):  # either value is the first it cannot hold
        with pytest.raises(BadRequest, match="out of valid NUMERIC range"):
            _load(bigquery_client, table_id, _parquet(values, 38, 12), ["NUMERIC"])
    # a failed load leaves the table as it was
    assert sorted(r["d"] for r in bigquery_client.list_rows(table_id)) == [Decimal(v) for v in WIDE]


def test_numeric_as_the_only_type_takes_values_it_holds_exactly(bigquery_client, dataset):
    """decimal(38, 12) with [NUMERIC]: NUMERIC is picked (the only listed type); values whose
    digits it holds load, trailing zeros beyond its 9 fraction digits included."""
    table_id = f"{dataset.project}.{dataset.dataset_id}.numeric_only"
    got = _load(bigquery_client, table_id, _parquet(["1.500000000000", "-7"], 38, 12), ["NUMERIC"])
    assert got == ("NUMERIC", [Decimal("-7"), Decimal("1.5")])


def test_write_truncate_takes_the_parquet_files_schema(bigquery_client, dataset):
    table_id = f"{dataset.project}.{dataset.dataset_id}.replaced"
    bigquery_client.create_table(
        bigquery.Table(table_id, schema=[bigquery.SchemaField("d", "STRING"), bigquery.SchemaField("x", "INT64")])
    )
    got = _load(bigquery_client, table_id, _parquet(["2.25"], 10, 2), None)
    assert got == ("NUMERIC", [Decimal("2.25")])
    assert [f.name for f in bigquery_client.get_table(table_id).schema] == ["d"]


def test_orc_default_targets_fall_back_to_string(bigquery_client, dataset):
    """ORC's default is [NUMERIC, STRING]: a decimal(38, 12) column is STRING."""
    table_id = f"{dataset.project}.{dataset.dataset_id}.orc_default"
    buf = io.BytesIO()
    orc.write_table(pa.table({"d": pa.array([Decimal("1.250000000000")], pa.decimal128(38, 12))}), buf)
    got_type, rows = _load(bigquery_client, table_id, buf.getvalue(), None, fmt="ORC")
    assert got_type == "STRING"
    assert [Decimal(v) for v in rows] == [Decimal("1.25")]


def test_duplicate_target_types_are_refused(bigquery_client, dataset):
    table_id = f"{dataset.project}.{dataset.dataset_id}.dup_targets"
    with pytest.raises(BadRequest, match="duplicate"):
        _load(bigquery_client, table_id, _parquet(["1"], 10, 2), ["NUMERIC", "NUMERIC"])


def test_load_data_takes_decimal_target_types(bigquery_client, dataset, storage_client, unique):
    """LOAD DATA's FILES(decimal_target_types = [...]) is the load's decimalTargetTypes (it was
    refused as an unknown option)."""
    bucket = storage_client.create_bucket(f"decimal-targets-{unique}")
    bucket.blob("d.parquet").upload_from_string(_parquet(["1.25", "-3"], 10, 2))
    table_id = f"{dataset.project}.{dataset.dataset_id}.load_data_targets"
    bigquery_client.query_and_wait(
        f"LOAD DATA INTO `{table_id}` FROM FILES(format = 'PARQUET', uris = ['gs://{bucket.name}/d.parquet'], "
        "decimal_target_types = ['STRING'])"
    )
    assert bigquery_client.get_table(table_id).schema[0].field_type == "STRING"
    assert sorted(Decimal(r["d"]) for r in bigquery_client.list_rows(table_id)) == [Decimal("-3"), Decimal("1.25")]


def _avro(values: list[str], precision: int, scale: int) -> bytes:
    import fastavro

    schema = {
        "type": "record",
        "name": "r",
        "fields": [
            {
                "name": "d",
                "type": ["null", {"type": "bytes", "logicalType": "decimal", "precision": precision, "scale": scale}],
            }
        ],
    }
    buf = io.BytesIO()
    fastavro.writer(buf, fastavro.parse_schema(schema), [{"d": Decimal(v)} for v in values])
    return buf.getvalue()


def test_avro_decimal_target_types(bigquery_client, dataset):
    table_id = f"{dataset.project}.{dataset.dataset_id}.avro_targets"
    got_type, rows = _load(bigquery_client, table_id, _avro(["1.25", "-3"], 38, 12), ["STRING"], fmt="AVRO")
    assert got_type == "STRING"
    assert sorted(Decimal(v) for v in rows) == [Decimal("-3"), Decimal("1.25")]
    # Avro's default is [NUMERIC]: a decimal(38, 12) field is NUMERIC, and a value with more
    # than 9 fraction digits fails the load
    assert _load(bigquery_client, table_id, _avro(["1.25"], 38, 12), None, fmt="AVRO") == ("NUMERIC", [Decimal("1.25")])
    with pytest.raises(BadRequest, match="out of valid NUMERIC range"):
        _load(bigquery_client, table_id, _avro(WIDE, 38, 12), None, fmt="AVRO")
