"""Through google-cloud-bigquery: table IAM policies (stored, never enforced) and the project's
BigQuery service account."""

from __future__ import annotations

import uuid

import pytest
from google.api_core import exceptions as gexc
from google.cloud import bigquery


@pytest.fixture
def table(bigquery_client):
    dataset = f"{bigquery_client.project}.iam_{uuid.uuid4().hex[:8]}"
    bigquery_client.create_dataset(dataset)
    made = bigquery_client.create_table(bigquery.Table(f"{dataset}.t", schema=[bigquery.SchemaField("n", "INT64")]))
    yield made
    bigquery_client.delete_dataset(dataset, delete_contents=True, not_found_ok=True)


def test_a_table_policy_is_empty_until_set_and_set_replaces_it(bigquery_client, table):
    empty = bigquery_client.get_iam_policy(table)
    assert empty.bindings == [] and empty.etag

    empty.bindings = [{"role": "roles/bigquery.dataViewer", "members": {"user:ana@example.com"}}]
    saved = bigquery_client.set_iam_policy(table, empty)
    assert saved.etag != empty.etag
    got = bigquery_client.get_iam_policy(table)
    assert [(b["role"], sorted(b["members"])) for b in got.bindings] == [
        ("roles/bigquery.dataViewer", ["user:ana@example.com"])
    ]
    assert got.etag == saved.etag

    with pytest.raises(gexc.Conflict, match="etag"):
        bigquery_client.set_iam_policy(table, empty)  # read before the last change


def test_a_recreated_table_starts_with_no_policy(bigquery_client, table):
    policy = bigquery_client.get_iam_policy(table)
    policy.bindings = [{"role": "roles/bigquery.dataEditor", "members": {"group:ops@example.com"}}]
    bigquery_client.set_iam_policy(table, policy)
    bigquery_client.delete_table(table)
    bigquery_client.create_table(bigquery.Table(table.reference, schema=[bigquery.SchemaField("n", "INT64")]))
    assert bigquery_client.get_iam_policy(table).bindings == []


def test_the_emulators_caller_has_every_bigquery_permission(bigquery_client, table):
    asked = ["bigquery.tables.get", "bigquery.tables.getData", "bigquery.tables.update", "storage.objects.get"]
    got = bigquery_client.test_iam_permissions(table, asked)
    assert got["permissions"] == asked[:3]
    with pytest.raises(gexc.NotFound):
        bigquery_client.test_iam_permissions(f"{table.dataset_id}.missing", asked)


def test_bad_policies_are_refused(bigquery_client, table):
    api = bigquery_client._connection.api_request
    path = f"/projects/{table.project}/datasets/{table.dataset_id}/tables/{table.table_id}:setIamPolicy"
    with pytest.raises(gexc.BadRequest, match="bindings"):
        api(method="POST", path=path, data={"policy": {"bindings": [{"members": ["user:x@example.com"]}]}})
    with pytest.raises(gexc.BadRequest, match="policy"):
        api(method="POST", path=path, data={"policy": "everyone"})
    assert bigquery_client.get_iam_policy(table).bindings == []


def test_the_service_account_is_an_email(bigquery_client):
    email = bigquery_client.get_service_account_email()
    assert email.endswith(".iam.gserviceaccount.com") and bigquery_client.project in email
