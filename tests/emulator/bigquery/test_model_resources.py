"""The `models` REST resource over remote models made by CREATE MODEL, through the BigQuery client:
`list_models`, `get_model`, `delete_model` answered 404 "no such API method" before."""

from __future__ import annotations

import pytest
from google.api_core import exceptions


def run(client, sql: str) -> list[dict]:
    return [dict(r) for r in client.query(sql).result()]


def test_models_are_listed_read_and_deleted(bigquery_client, dataset):
    ds = f"{dataset.project}.{dataset.dataset_id}"
    assert list(bigquery_client.list_models(dataset)) == []
    run(
        bigquery_client,
        f"CREATE MODEL `{ds}.embedder` REMOTE WITH CONNECTION `us.conn` OPTIONS(endpoint = 'text-embedding-005')",
    )
    run(
        bigquery_client,
        f"CREATE MODEL `{ds}.writer` REMOTE WITH CONNECTION `us.conn` OPTIONS(endpoint = 'gemini-2.0-flash')",
    )
    assert [m.model_id for m in bigquery_client.list_models(dataset)] == ["embedder", "writer"]
    assert [m.model_id for m in bigquery_client.list_models(dataset, page_size=1)] == ["embedder", "writer"]  # paged
    model = bigquery_client.get_model(f"{ds}.writer")
    assert model.reference.model_id == "writer" and model.created is not None
    info = model._properties["remoteModelInfo"]
    assert info == {
        "endpoint": "gemini-2.0-flash",
        "connection": f"projects/{dataset.project}/locations/us/connections/conn",
    }
    bigquery_client.delete_model(f"{ds}.writer")
    assert [m.model_id for m in bigquery_client.list_models(dataset)] == ["embedder"]
    with pytest.raises(exceptions.NotFound, match="Not found: Model"):
        bigquery_client.get_model(f"{ds}.writer")
    with pytest.raises(exceptions.NotFound):
        bigquery_client.delete_model(f"{ds}.writer")
    bigquery_client.delete_model(f"{ds}.writer", not_found_ok=True)
    # the catalog is the same one SQL reads: DROP MODEL sees the API's delete
    with pytest.raises(exceptions.NotFound):
        run(bigquery_client, f"DROP MODEL `{ds}.writer`")


def test_a_remote_model_is_updated_through_models_patch(bigquery_client, dataset):
    # models.patch was refused (501) before; BigQuery lets a client write these fields of any model
    ds = f"{dataset.project}.{dataset.dataset_id}"
    run(
        bigquery_client,
        f"CREATE MODEL `{ds}.m` REMOTE WITH CONNECTION `us.conn` OPTIONS(endpoint = 'gemini-2.0-flash')",
    )
    model = bigquery_client.get_model(f"{ds}.m")
    model.description = "new"
    assert bigquery_client.update_model(model, ["description"]).description == "new"
    again = bigquery_client.get_model(f"{ds}.m")
    assert again.description == "new"
    assert again._properties["remoteModelInfo"]["endpoint"] == "gemini-2.0-flash"
    model = bigquery_client.get_model(f"{ds}.m")
    model.description = None
    assert bigquery_client.update_model(model, ["description"]).description is None
