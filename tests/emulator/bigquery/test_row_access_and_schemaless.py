"""Through google-cloud-bigquery: tables created without a schema (BigQuery allows it) and row
access policies (DDL and the REST collection), whose filters the emulator's caller sees through."""

from __future__ import annotations

import uuid

import pytest
from google.api_core import exceptions as gexc
from google.cloud import bigquery


@pytest.fixture
def dataset(bigquery_client):
    name = f"{bigquery_client.project}.rap_{uuid.uuid4().hex[:8]}"
    bigquery_client.create_dataset(name)
    yield name
    bigquery_client.delete_dataset(name, delete_contents=True, not_found_ok=True)


@pytest.fixture
def cities(bigquery_client, dataset):
    name = f"{dataset}.cities"
    bigquery_client.query(
        f"CREATE TABLE `{name}` (id INT64, region STRING); "
        f"INSERT INTO `{name}` VALUES (1, 'EU'), (2, 'EU'), (3, 'US'), (4, NULL)"
    ).result()
    return name


def ids(client, sql):
    return [r["id"] for r in client.query(sql).result()]


def policies_path(table):
    p, d, t = table.split(".")
    return f"/projects/{p}/datasets/{d}/tables/{t}/rowAccessPolicies"


# ---------------------------------------------------------------------- no schema


def test_a_table_created_without_a_schema_has_none_until_an_update_gives_one(bigquery_client, dataset):
    table = bigquery.Table(f"{dataset}.later")
    table.labels = {"stage": "raw"}
    made = bigquery_client.create_table(table)
    assert made.schema == [] and made.num_rows == 0
    fetched = bigquery_client.get_table(f"{dataset}.later")
    assert fetched.schema == [] and fetched.labels == {"stage": "raw"}

    fetched.schema = [bigquery.SchemaField("id", "INT64", mode="REQUIRED"), bigquery.SchemaField("name", "STRING")]
    updated = bigquery_client.update_table(fetched, ["schema"])
    assert [(f.name, f.mode) for f in updated.schema] == [("id", "REQUIRED"), ("name", "NULLABLE")]
    assert updated.labels == {"stage": "raw"}
    assert bigquery_client.insert_rows(updated, [{"id": 1, "name": "a"}]) == []
    assert ids(bigquery_client, f"SELECT id FROM `{dataset}.later`") == [1]


def test_a_load_job_into_a_table_without_a_schema_gives_it_the_data_schema(bigquery_client, dataset):
    made = bigquery_client.create_table(bigquery.Table(f"{dataset}.landing", schema=None))
    config = bigquery.LoadJobConfig(source_format="NEWLINE_DELIMITED_JSON", autodetect=True)
    bigquery_client.load_table_from_json([{"id": 5, "v": 0.5}], f"{dataset}.landing", job_config=config).result()
    got = bigquery_client.get_table(f"{dataset}.landing")
    assert [(f.name, f.field_type) for f in got.schema] == [("id", "INTEGER"), ("v", "FLOAT")]
    assert got.num_rows == 1 and got.created == made.created  # the same table: its REST metadata stays

    bigquery_client.create_table(f"{dataset}.typed")
    typed_config = bigquery.LoadJobConfig(schema=[bigquery.SchemaField("n", "NUMERIC")])
    bigquery_client.load_table_from_json([{"n": "1.5"}], f"{dataset}.typed", job_config=typed_config).result()
    typed = bigquery_client.get_table(f"{dataset}.typed")
    assert [f.field_type for f in typed.schema] == ["NUMERIC"] and typed.num_rows == 1


def test_streaming_into_a_table_without_a_schema_names_the_unknown_field(bigquery_client, dataset):
    made = bigquery_client.create_table(f"{dataset}.empty")
    errors = bigquery_client.insert_rows_json(made, [{"id": 1}])
    assert errors and errors[0]["errors"][0]["reason"] == "invalid"
    with pytest.raises(gexc.Conflict):
        bigquery_client.create_table(f"{dataset}.empty")


# ---------------------------------------------------------------------- DDL


def test_policies_filter_queries_and_tabledata_list_to_the_union_of_their_filters(bigquery_client, cities):
    job = bigquery_client.query(
        f'CREATE ROW ACCESS POLICY eu ON `{cities}` GRANT TO ("user:ana@example.com") FILTER USING (region = "EU")'
    )
    job.result()
    assert job.statement_type == "CREATE_ROW_ACCESS_POLICY"
    assert ids(bigquery_client, f"SELECT id FROM `{cities}` ORDER BY id") == [1, 2]
    assert sorted(r["id"] for r in bigquery_client.list_rows(cities)) == [1, 2]
    assert bigquery_client.get_table(cities).num_rows == 4  # metadata is not filtered

    bigquery_client.query(
        f'CREATE ROW ACCESS POLICY us ON `{cities}` GRANT TO ("group:ops@example.com", "allUsers") '
        "FILTER USING (id = 3)"
    ).result()
    joined = f"SELECT a.id FROM `{cities}` a JOIN `{cities}` b USING (id) ORDER BY id"
    assert ids(bigquery_client, joined) == [1, 2, 3]

    bigquery_client.query(f"DROP ROW ACCESS POLICY eu ON `{cities}`").result()
    assert ids(bigquery_client, f"SELECT id FROM `{cities}`") == [3]
    job = bigquery_client.query(f"DROP ALL ROW ACCESS POLICIES ON `{cities}`")
    job.result()
    assert job.statement_type == "DROP_ALL_ROW_ACCESS_POLICIES"
    assert ids(bigquery_client, f"SELECT id FROM `{cities}` ORDER BY id") == [1, 2, 3, 4]


def test_policies_apply_through_views_and_under_the_tables_own_name(bigquery_client, cities):
    dataset = cities.rsplit(".", 1)[0]
    bigquery_client.query(f"CREATE VIEW `{dataset}.eu_view` AS SELECT cities.id FROM `{cities}` WHERE id < 10").result()
    bigquery_client.query(f"CREATE VIEW `{dataset}.outer_view` AS SELECT id FROM `{dataset}.eu_view`").result()
    bigquery_client.query(f"CREATE ROW ACCESS POLICY us ON `{cities}` FILTER USING (region = 'US')").result()
    assert ids(bigquery_client, f"SELECT id FROM `{dataset}.outer_view`") == [3]
    assert ids(bigquery_client, f"SELECT cities.id FROM `{cities}`") == [3]
    assert ids(bigquery_client, f"SELECT c.id FROM `{cities}` AS c") == [3]


def test_replacing_a_table_drops_its_policies(bigquery_client, cities):
    bigquery_client.query(f"CREATE ROW ACCESS POLICY none ON `{cities}` FILTER USING (FALSE)").result()
    assert ids(bigquery_client, f"SELECT id FROM `{cities}`") == []
    bigquery_client.query(f"CREATE OR REPLACE TABLE `{cities}` AS SELECT 9 AS id").result()
    assert ids(bigquery_client, f"SELECT id FROM `{cities}`") == [9]


@pytest.mark.parametrize(
    ("ddl", "error", "match"),
    [
        ("CREATE ROW ACCESS POLICY p ON `{t}` FILTER USING (no_such_column = 1)", gexc.BadRequest, "filter"),
        ('CREATE ROW ACCESS POLICY p ON `{t}` GRANT TO ("bob") FILTER USING (TRUE)', gexc.BadRequest, "grantee"),
        ("CREATE ROW ACCESS POLICY p ON `{t}_missing` FILTER USING (TRUE)", gexc.NotFound, "cities_missing"),
        ("DROP ROW ACCESS POLICY never ON `{t}`", gexc.NotFound, "never"),
    ],
)
def test_bad_policy_statements_name_the_problem(bigquery_client, cities, ddl, error, match):
    with pytest.raises(error, match=match):
        bigquery_client.query(ddl.format(t=cities)).result()
    bigquery_client.query(f"DROP ROW ACCESS POLICY IF EXISTS never ON `{cities}`").result()
    assert len(ids(bigquery_client, f"SELECT id FROM `{cities}`")) == 4


def test_create_policy_twice_is_a_conflict_unless_replaced_or_if_not_exists(bigquery_client, cities):
    ddl = f"CREATE {{}}ROW ACCESS POLICY {{}}p ON `{cities}` FILTER USING (id {{}})"
    bigquery_client.query(ddl.format("", "", "= 1")).result()
    with pytest.raises(gexc.Conflict, match="already exists"):
        bigquery_client.query(ddl.format("", "", "= 2")).result()
    bigquery_client.query(ddl.format("", "IF NOT EXISTS ", "= 2")).result()
    assert ids(bigquery_client, f"SELECT id FROM `{cities}`") == [1]
    bigquery_client.query(ddl.format("OR REPLACE ", "", "= 2")).result()
    assert ids(bigquery_client, f"SELECT id FROM `{cities}`") == [2]


# ---------------------------------------------------------------------- REST


def test_the_rest_collection_lists_inserts_updates_and_deletes_policies(bigquery_client, cities):
    api = bigquery_client._connection.api_request
    path = policies_path(cities)
    p, d, t = cities.split(".")
    made = api(
        method="POST",
        path=path,
        data={
            "rowAccessPolicyReference": {"projectId": p, "datasetId": d, "tableId": t, "policyId": "us"},
            "filterPredicate": "region = 'US'",
            "grantees": ["user:ana@example.com"],
        },
    )
    assert made["rowAccessPolicyReference"]["policyId"] == "us" and "grantees" not in made
    assert made["creationTime"].endswith("Z") and made["etag"]
    assert ids(bigquery_client, f"SELECT id FROM `{cities}`") == [3]

    bigquery_client.query(f"CREATE ROW ACCESS POLICY eu ON `{cities}` FILTER USING (region = 'EU')").result()
    listed = api(method="GET", path=path)
    assert [x["rowAccessPolicyReference"]["policyId"] for x in listed["rowAccessPolicies"]] == ["eu", "us"]
    first = api(method="GET", path=path, query_params={"pageSize": 1})
    assert len(first["rowAccessPolicies"]) == 1 and first["nextPageToken"]

    api(method="PUT", path=f"{path}/us", data={"filterPredicate": "id = 4"})
    assert api(method="GET", path=f"{path}/us")["filterPredicate"] == "id = 4"
    assert ids(bigquery_client, f"SELECT id FROM `{cities}` ORDER BY id") == [1, 2, 4]

    api(method="DELETE", path=f"{path}/us")
    api(method="POST", path=f"{path}:batchDelete", data={"policyIds": ["eu"]})
    assert api(method="GET", path=path) == {}
    assert len(ids(bigquery_client, f"SELECT id FROM `{cities}`")) == 4


def test_the_rest_collection_answers_google_errors(bigquery_client, cities):
    api = bigquery_client._connection.api_request
    path = policies_path(cities)
    body = {"rowAccessPolicyReference": {"policyId": "p"}, "filterPredicate": "TRUE"}
    api(method="POST", path=path, data=body)
    with pytest.raises(gexc.Conflict):
        api(method="POST", path=path, data=body)
    with pytest.raises(gexc.NotFound):
        api(method="GET", path=f"{path}/nope")
    with pytest.raises(gexc.BadRequest, match="filterPredicate"):
        api(method="POST", path=path, data={"rowAccessPolicyReference": {"policyId": "q"}})
    with pytest.raises(gexc.BadRequest, match="filter"):
        api(
            method="POST",
            path=path,
            data={**body, "rowAccessPolicyReference": {"policyId": "q"}, "filterPredicate": "nope > 1"},
        )
    with pytest.raises(gexc.NotFound):
        api(method="GET", path=policies_path(cities + "_missing"))
    with pytest.raises(gexc.NotFound):
        api(method="POST", path=f"{path}:batchDelete", data={"policyIds": ["p", "nope"]})
    assert len(api(method="GET", path=path)["rowAccessPolicies"]) == 1
