"""Through google-cloud-bigquery: a deleted table is restored by copying it from a snapshot
decorator, as BigQuery's "Restore deleted tables" documents: `table@<ms since the epoch>`,
`table@-<ms ago>` and `table@0` (the oldest content kept), within the 7-day time travel window,
whether the table was deleted by `tables.delete`, `DROP TABLE` or with its dataset. SQL cannot
read a deleted table, even AS OF a time it lived ("Not found: Table"). Before, the emulator
dropped a table's history with the table and answered 404 to every restore."""

from __future__ import annotations

import time

import pytest
from google.api_core.exceptions import BadRequest, NotFound
from google.cloud import bigquery


def _ms() -> int:
    time.sleep(0.01)
    now = int(time.time() * 1000)
    time.sleep(0.01)
    return now


def _rows(client, table: str) -> list[tuple]:
    return sorted(tuple(r.values()) for r in client.list_rows(table))


def _filled(client, table: str) -> tuple[int, int]:
    """Create `table` with one row, then add a second: the ms before and after the insert."""
    client.query(
        f"CREATE TABLE `{table}` (id INT64 NOT NULL OPTIONS(description='key'), name STRING) "
        f"AS SELECT 1 AS id, 'one' AS name"
    ).result()
    before_insert = _ms()
    client.query(f"INSERT INTO `{table}` VALUES (2, 'two')").result()
    return before_insert, _ms()


def test_a_table_deleted_through_the_api_is_restored_as_it_was(bigquery_client, dataset):
    table = f"{dataset.project}.{dataset.dataset_id}.orders"
    before_insert, after_insert = _filled(bigquery_client, table)
    bigquery_client.delete_table(table)

    bigquery_client.copy_table(f"{table}@{after_insert}", f"{table}_restored").result()
    restored = bigquery_client.get_table(f"{table}_restored")
    assert _rows(bigquery_client, restored) == [(1, "one"), (2, "two")]
    assert [(f.name, f.field_type, f.mode, f.description) for f in restored.schema] == [
        ("id", "INTEGER", "REQUIRED", "key"),
        ("name", "STRING", "NULLABLE", None),
    ]
    bigquery_client.copy_table(f"{table}@{before_insert}", f"{table}_before_insert").result()
    assert _rows(bigquery_client, f"{table}_before_insert") == [(1, "one")]


def test_relative_and_oldest_decorators_restore_a_dropped_table(bigquery_client, dataset):
    table = f"{dataset.project}.{dataset.dataset_id}.events"
    _, after_insert = _filled(bigquery_client, table)
    bigquery_client.query(f"DROP TABLE `{table}`").result()
    ago = int(time.time() * 1000) - after_insert
    bigquery_client.copy_table(f"{table}@-{ago}", f"{table}_relative").result()
    assert _rows(bigquery_client, f"{table}_relative") == [(1, "one"), (2, "two")]
    bigquery_client.copy_table(f"{table}@0", f"{table}_oldest").result()
    assert _rows(bigquery_client, f"{table}_oldest") == [(1, "one")]


def test_the_oldest_decorator_of_a_live_table_is_its_first_content(bigquery_client, dataset):
    table = f"{dataset.project}.{dataset.dataset_id}.live"
    _filled(bigquery_client, table)
    bigquery_client.copy_table(f"{table}@0", f"{table}_oldest").result()
    assert _rows(bigquery_client, f"{table}_oldest") == [(1, "one")]


def test_a_table_of_a_deleted_dataset_is_restored_once_the_dataset_is_back(bigquery_client, unique):
    name = f"{bigquery_client.project}.restore_{unique}"
    bigquery_client.create_dataset(name)
    try:
        _, after_insert = _filled(bigquery_client, f"{name}.t")
        bigquery_client.delete_dataset(name, delete_contents=True)
        bigquery_client.create_dataset(name)
        bigquery_client.copy_table(f"{name}.t@{after_insert}", f"{name}.t").result()
        assert _rows(bigquery_client, f"{name}.t") == [(1, "one"), (2, "two")]
    finally:
        bigquery_client.delete_dataset(name, delete_contents=True, not_found_ok=True)


def test_sql_cannot_read_a_deleted_table_even_as_of_a_time_it_lived(bigquery_client, dataset):
    table = f"{dataset.project}.{dataset.dataset_id}.gone"
    _, after_insert = _filled(bigquery_client, table)
    bigquery_client.delete_table(table)
    with pytest.raises(NotFound, match="Not found: Table"):
        bigquery_client.query(
            f"SELECT * FROM `{table}` FOR SYSTEM_TIME AS OF TIMESTAMP_MILLIS({after_insert})"
        ).result()


def test_a_time_outside_the_deleted_tables_life_is_refused(bigquery_client, dataset):
    table = f"{dataset.project}.{dataset.dataset_id}.short"
    before = int(time.time() * 1000) - 60_000
    _filled(bigquery_client, table)
    bigquery_client.delete_table(table)
    after_delete = _ms()
    with pytest.raises(NotFound, match="was deleted at"):
        bigquery_client.copy_table(f"{table}@{after_delete}", f"{table}_late").result()
    with pytest.raises(BadRequest, match="Invalid snapshot time .* Cannot read before"):
        bigquery_client.copy_table(f"{table}@{before}", f"{table}_early").result()
    with pytest.raises(NotFound, match="Not found: Table"):
        bigquery_client.copy_table(f"{table}_never@{after_delete}", f"{table}_none").result()


def test_a_recreated_table_keeps_only_its_own_history(bigquery_client, dataset):
    table = f"{dataset.project}.{dataset.dataset_id}.again"
    _filled(bigquery_client, table)
    bigquery_client.delete_table(table)
    bigquery_client.create_table(bigquery.Table(table, schema=[bigquery.SchemaField("x", "STRING")]))
    bigquery_client.query(f"INSERT INTO `{table}` VALUES ('new')").result()
    now = _ms()
    bigquery_client.copy_table(f"{table}@{now}", f"{table}_now").result()
    assert _rows(bigquery_client, f"{table}_now") == [("new",)]


def test_an_expired_table_is_restored(bigquery_client, dataset):
    table = f"{dataset.project}.{dataset.dataset_id}.brief"
    bigquery_client.query(
        f"CREATE TABLE `{table}` OPTIONS(expiration_timestamp=TIMESTAMP_ADD(CURRENT_TIMESTAMP(), "
        "INTERVAL 1 SECOND)) AS SELECT 7 AS x"
    ).result()
    lived = _ms()
    time.sleep(1.2)
    with pytest.raises(NotFound):
        bigquery_client.get_table(table)
    bigquery_client.copy_table(f"{table}@{lived}", f"{table}_back").result()
    assert _rows(bigquery_client, f"{table}_back") == [(7,)]
