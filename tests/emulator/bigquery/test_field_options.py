"""Through google-cloud-bigquery: schema field options are kept, and default value expressions
fill what streamed rows and DML INSERTs leave out, as on BigQuery."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from google.api_core import exceptions as gexc
from google.cloud import bigquery


@pytest.fixture
def dataset(bigquery_client):
    name = f"{bigquery_client.project}.opts_{uuid.uuid4().hex[:8]}"
    bigquery_client.create_dataset(name)
    yield name
    bigquery_client.delete_dataset(name, delete_contents=True, not_found_ok=True)


def schema():
    return [
        bigquery.SchemaField("who", "STRING", default_value_expression="'FOO'", max_length=20),
        bigquery.SchemaField("at", "TIMESTAMP", default_value_expression="CURRENT_TIMESTAMP()"),
        bigquery.SchemaField("amount", "NUMERIC", precision=10, scale=2),
        bigquery.SchemaField("n", "INTEGER"),
    ]


def test_options_round_trip_and_defaults_fill_omitted_fields(bigquery_client, dataset):
    made = bigquery_client.create_table(bigquery.Table(f"{dataset}.t", schema=schema()))
    assert made.schema == schema()
    fetched = bigquery_client.get_table(made)
    assert fetched.schema == schema() and fetched.etag == made.etag

    before = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=5)
    # an explicit null is a value; only an absent field takes the default
    assert bigquery_client.insert_rows_json(fetched, [{"n": 1, "who": "ann"}, {"n": 2, "who": None}, {"n": 3}]) == []
    bigquery_client.query(f"INSERT INTO `{dataset}.t` (n) VALUES (4)").result()
    rows = {r["n"]: r for r in bigquery_client.query(f"SELECT * FROM `{dataset}.t`").result()}
    assert [rows[n]["who"] for n in (1, 2, 3, 4)] == ["ann", None, "FOO", "FOO"]
    assert all(rows[n]["at"] >= before for n in (1, 3, 4))


def test_an_update_replaces_the_options_and_drops_a_removed_default(bigquery_client, dataset):
    table = bigquery_client.create_table(bigquery.Table(f"{dataset}.t", schema=schema()))
    table.schema = [
        bigquery.SchemaField(
            "who", "STRING", policy_tags=bigquery.PolicyTagList(["projects/p/taxonomies/1/policyTags/2"])
        ),
        *schema()[1:],
        bigquery.SchemaField("extra", "STRING", default_value_expression="'x'"),
    ]
    updated = bigquery_client.update_table(table, ["schema"])
    assert updated.schema[0].default_value_expression is None
    assert updated.schema[0].policy_tags.names == ("projects/p/taxonomies/1/policyTags/2",)
    assert bigquery_client.insert_rows(updated, [{"n": 1}]) == []
    (row,) = bigquery_client.query(f"SELECT who, extra FROM `{dataset}.t`").result()
    assert (row["who"], row["extra"]) == (None, "x")


def test_a_default_that_does_not_run_is_refused_and_nothing_is_created(bigquery_client, dataset):
    bad = [bigquery.SchemaField("who", "STRING", default_value_expression="NO_SUCH_FUNCTION()")]
    with pytest.raises(gexc.BadRequest, match="defaultValueExpression of field 'who'"):
        bigquery_client.create_table(bigquery.Table(f"{dataset}.t", schema=bad))
    with pytest.raises(gexc.NotFound):
        bigquery_client.get_table(f"{dataset}.t")


def test_a_schema_update_removes_the_descriptions_and_options_it_leaves_out(bigquery_client, dataset):
    tags = bigquery.PolicyTagList(["projects/p/locations/us/taxonomies/1/policyTags/2"])
    table = bigquery_client.create_table(
        bigquery.Table(
            f"{dataset}.t",
            schema=[bigquery.SchemaField("secret", "INTEGER", description="numeric", policy_tags=tags)],
        )
    )
    assert table.schema[0].policy_tags == tags
    table.schema = [bigquery.SchemaField("secret", "INTEGER", policy_tags=bigquery.PolicyTagList())]
    updated = bigquery_client.update_table(table, ["schema"])
    assert not updated.schema[0].description and updated.schema[0].policy_tags is None
    assert bigquery_client.get_table(table).schema[0].description is None
