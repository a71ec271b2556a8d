"""Through google-cloud-bigquery: what Google's own python-bigquery documentation samples do and
the emulator got wrong (see "Other emulators' client suites" in docs/emulator.md), as BigQuery
documents it."""

from __future__ import annotations

import datetime
import io

import pytest
from google.api_core import exceptions
from google.cloud import bigquery


def _people(client, dataset, name="people"):
    table = bigquery.Table(
        f"{dataset.project}.{dataset.dataset_id}.{name}",
        schema=[
            bigquery.SchemaField("name", "STRING", mode="REQUIRED"),
            bigquery.SchemaField("years", "INT64", mode="REQUIRED"),
        ],
    )
    return client.create_table(table)


def _append(client, table, sql, *options):
    config = bigquery.QueryJobConfig(
        destination=table, write_disposition="WRITE_APPEND", schema_update_options=list(options)
    )
    client.query_and_wait(sql, job_config=config)
    return client.get_table(table)


def test_a_query_appending_a_new_column_adds_it_as_nullable(bigquery_client, dataset):
    table = _people(bigquery_client, dataset)
    after = _append(bigquery_client, table, "SELECT 'ann' AS name, 4 AS years, 'red' AS colour", "ALLOW_FIELD_ADDITION")
    assert [(f.name, f.mode) for f in after.schema] == [
        ("name", "REQUIRED"),
        ("years", "REQUIRED"),
        ("colour", "NULLABLE"),
    ]
    rows = bigquery_client.query_and_wait(f"SELECT colour FROM `{table.full_table_id.replace(':', '.')}`")
    assert [r.colour for r in rows] == ["red"]


def test_a_query_adding_a_column_without_the_option_fails(bigquery_client, dataset):
    table = _people(bigquery_client, dataset)
    with pytest.raises(exceptions.BadRequest, match="colour"):
        _append(bigquery_client, table, "SELECT 'ann' AS name, 4 AS years, 'red' AS colour")


def test_field_relaxation_makes_the_required_fields_a_query_gives_nullable(bigquery_client, dataset):
    table = _people(bigquery_client, dataset)
    after = _append(bigquery_client, table, "SELECT 'bo' AS name", "ALLOW_FIELD_RELAXATION")
    assert [(f.name, f.mode) for f in after.schema] == [("name", "NULLABLE"), ("years", "NULLABLE")]
    assert after.num_rows == 1


def test_a_query_leaving_out_a_required_field_needs_relaxation(bigquery_client, dataset):
    table = _people(bigquery_client, dataset)
    with pytest.raises(exceptions.BadRequest, match="years"):
        _append(bigquery_client, table, "SELECT 'bo' AS name")
    # a query filling every REQUIRED field appends without any option
    after = _append(bigquery_client, table, "SELECT 'cy' AS name, 9 AS years")
    assert after.num_rows == 1 and after.schema[0].mode == "REQUIRED"


def test_a_load_relaxing_a_required_field_needs_the_option(bigquery_client, dataset):
    table = _people(bigquery_client, dataset)
    relaxed = [bigquery.SchemaField("name", "STRING"), bigquery.SchemaField("years", "INT64", mode="REQUIRED")]

    def load(*options):
        config = bigquery.LoadJobConfig(schema=relaxed, source_format="CSV", schema_update_options=list(options))
        bigquery_client.load_table_from_file(io.BytesIO(b"dee,3\n"), table, job_config=config).result()

    with pytest.raises(exceptions.BadRequest, match="REQUIRED to NULLABLE"):
        load()
    load("ALLOW_FIELD_RELAXATION")
    assert [f.mode for f in bigquery_client.get_table(table).schema] == ["NULLABLE", "REQUIRED"]


def test_create_function_reports_its_routine_as_the_ddl_target(bigquery_client, dataset):
    name = f"{dataset.project}.{dataset.dataset_id}.triple"
    job = bigquery_client.query(f"CREATE FUNCTION `{name}`(x INT64) AS (x * 3)")
    job.result()
    assert job.statement_type == "CREATE_FUNCTION"
    assert job.ddl_target_routine is not None and job.ddl_target_routine.path.endswith("/routines/triple")
    assert job.ddl_target_table is None
    dropped = bigquery_client.query(f"DROP FUNCTION `{name}`")
    dropped.result()
    assert dropped.ddl_target_routine.routine_id == "triple"


def test_a_materialized_view_keeps_the_refresh_settings_it_is_given(bigquery_client, dataset):
    ds = f"{dataset.project}.{dataset.dataset_id}"
    bigquery_client.query_and_wait(f"CREATE TABLE `{ds}.base` AS SELECT 1 AS x")
    view = bigquery.Table(f"{ds}.mv")
    view.mview_query = f"SELECT x FROM `{ds}.base`"
    view.mview_refresh_interval = datetime.timedelta(minutes=45)
    view = bigquery_client.create_table(view)
    assert view.mview_refresh_interval == datetime.timedelta(minutes=45)

    fetched = bigquery_client.get_table(view)
    assert fetched.etag == bigquery_client.get_table(view).etag  # stable, so a conditional update passes
    fetched.mview_enable_refresh = False
    fetched.mview_refresh_interval = datetime.timedelta(hours=2)
    bigquery_client.update_table(fetched, ["mview_enable_refresh", "mview_refresh_interval"])
    again = bigquery_client.get_table(view)
    assert (again.mview_enable_refresh, again.mview_refresh_interval) == (False, datetime.timedelta(hours=2))


def test_a_refresh_interval_out_of_range_is_a_bad_request(bigquery_client, dataset):
    ds = f"{dataset.project}.{dataset.dataset_id}"
    bigquery_client.query_and_wait(f"CREATE TABLE `{ds}.base2` AS SELECT 1 AS x")
    view = bigquery.Table(f"{ds}.mv2")
    view.mview_query = f"SELECT x FROM `{ds}.base2`"
    view.mview_refresh_interval = datetime.timedelta(seconds=5)
    with pytest.raises(exceptions.BadRequest, match="refreshIntervalMs"):
        bigquery_client.create_table(view)
    assert "mv2" not in [t.table_id for t in bigquery_client.list_tables(dataset)]
