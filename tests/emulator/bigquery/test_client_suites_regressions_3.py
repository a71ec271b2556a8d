"""What Google's Node.js client (@google-cloud/bigquery) sent that the emulator got wrong, found by
running googleapis/nodejs-bigquery's documentation samples against it (see "Other emulators'
client suites" in docs/emulator.md). Each request is reproduced here in Python, through
google-cloud-bigquery where it sends the same request and as plain HTTP where it cannot:

- under BIGQUERY_EMULATOR_HOST the Node.js client takes the variable itself as its base URL, so
  its calls arrive as `/projects/...` without `/bigquery/v2` (goccy/bigquery-emulator serves both);
  every one was a 404.
"""

from __future__ import annotations


def test_the_rest_api_answers_without_its_bigquery_v2_prefix(http, bigquery_client, unique):
    project, dataset_id = bigquery_client.project, f"bare_{unique}"
    created = http.post(
        f"/projects/{project}/datasets?prettyPrint=false",
        json={"datasetReference": {"projectId": project, "datasetId": dataset_id}},
    )
    assert created.status_code == 200, created.text
    assert bigquery_client.get_dataset(dataset_id).dataset_id == dataset_id
    table = {"tableReference": {"projectId": project, "datasetId": dataset_id, "tableId": "t"}}
    table["schema"] = {"fields": [{"name": "n", "type": "INTEGER"}]}
    assert http.post(f"/projects/{project}/datasets/{dataset_id}/tables", json=table).status_code == 200
    inserted = http.post(
        f"/projects/{project}/datasets/{dataset_id}/tables/t/insertAll", json={"rows": [{"json": {"n": 2}}]}
    )
    assert inserted.status_code == 200 and "insertErrors" not in inserted.json()
    answer = http.post(
        f"/projects/{project}/queries", json={"query": f"SELECT n + 1 AS m FROM {dataset_id}.t", "useLegacySql": False}
    ).json()
    assert answer["jobComplete"] and answer["rows"] == [{"f": [{"v": "3"}]}]
    rows = http.get(f"/projects/{project}/datasets/{dataset_id}/tables/t/data").json()["rows"]
    assert rows == [{"f": [{"v": "2"}]}]
    assert http.delete(f"/projects/{project}/datasets/{dataset_id}?deleteContents=true").status_code == 204
    assert http.get(f"/projects/{project}/datasets/{dataset_id}").status_code == 404
