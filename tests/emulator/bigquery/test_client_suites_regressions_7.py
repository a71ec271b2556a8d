"""What the Recidiviz-derived BigQuery emulator's own client suites (vantaboard/bigquery-emulator
`test/node`, `test/python`) expect and the emulator answered otherwise, reproduced on the local
warehouse and through google-cloud-bigquery:

- a STRING query parameter compared with a DATE column (`WHERE event_date >= @startDate`, the
  Node.js client types a JavaScript string STRING) failed with DuckDB's "Cannot compare values of
  type DATE and type VARCHAR"; GoogleSQL coerces a STRING parameter to DATE, DATETIME, TIME and
  TIMESTAMP ("Query parameter coercion", conversion rules); `=` and IN already answered. Compared
  with an INT64 (`id = @a`, '2'), DuckDB read the string as the number and answered; BigQuery has
  no signature for it, nor for a STRING script variable compared with a DATE (DuckDB answered
  `d = x`): GoogleSQL coerces query parameters, not variables.
"""

from __future__ import annotations

import pytest
from google.api_core.exceptions import BadRequest
from google.cloud import bigquery

from llmops.emulator.bigquery.engine import QueryError

EVENTS = """
CREATE TABLE {t} (id INT64, d DATE, dtm DATETIME, ts TIMESTAMP, tm TIME) AS
SELECT * FROM UNNEST([
  STRUCT(1 AS id, DATE '2024-01-15' AS d, DATETIME '2024-01-15 08:00:00' AS dtm,
         TIMESTAMP '2024-01-15 08:00:00+00' AS ts, TIME '08:00:00' AS tm),
  (2, DATE '2024-02-20', DATETIME '2024-02-20 09:30:00', TIMESTAMP '2024-02-20 09:30:00+00', TIME '09:30:00'),
  (3, DATE '2024-03-10', DATETIME '2024-03-10 18:00:00', TIMESTAMP '2024-03-10 18:00:00+00', TIME '18:00:00')
])
"""

# (WHERE clause, STRING parameters, the ids BigQuery answers)
CASES = [
    ("d >= @a", {"a": "2024-02-01"}, [2, 3]),
    ("@a < d", {"a": "2024-02-20"}, [3]),
    ("dtm BETWEEN @a AND @b", {"a": "2024-01-15 09:00:00", "b": "2024-03-10 18:00:00"}, [2, 3]),
    ("ts > @a", {"a": "2024-02-20 09:00:00+00"}, [2, 3]),
    ("ts <= @a", {"a": "2024-02-20 09:30:00"}, [1, 2]),  # no zone: UTC
    ("tm >= @a", {"a": "09:00:00"}, [2, 3]),
]


@pytest.fixture(scope="module")
def local_events(warehouse):
    warehouse.query_result("CREATE SCHEMA IF NOT EXISTS string_params")
    warehouse.query_result(EVENTS.format(t="string_params.events"))
    return "string_params.events"


@pytest.fixture(scope="module")
def client_events(bigquery_client):
    dataset = bigquery_client.create_dataset("string_params_client", exists_ok=True)
    table = f"{dataset.project}.{dataset.dataset_id}.events"
    bigquery_client.query_and_wait(EVENTS.format(t=f"`{table}`"))
    yield table
    bigquery_client.delete_dataset(dataset, delete_contents=True)


def _ids_locally(warehouse, table: str, where: str, params: dict) -> list[int]:
    result = warehouse.engine.query(
        f"SELECT id FROM {table} WHERE {where} ORDER BY id", params, param_types={k: "STRING" for k in params}
    )
    return [r["id"] for r in result.table.to_pylist()]


def _ids_through_client(client, table: str, where: str, params: dict) -> list[int]:
    config = bigquery.QueryJobConfig(
        query_parameters=[bigquery.ScalarQueryParameter(k, "STRING", v) for k, v in params.items()]
    )
    rows = client.query_and_wait(f"SELECT id FROM `{table}` WHERE {where} ORDER BY id", job_config=config)
    return [r["id"] for r in rows]


@pytest.mark.parametrize(("where", "params", "want"), CASES)
def test_a_string_parameter_coerces_to_the_temporal_type_it_is_compared_with(
    warehouse, local_events, bigquery_client, client_events, where, params, want
):
    assert _ids_locally(warehouse, local_events, where, params) == want
    assert _ids_through_client(bigquery_client, client_events, where, params) == want


def test_a_string_parameter_that_is_no_date_is_an_error(warehouse, local_events, bigquery_client, client_events):
    assert _ids_through_client(bigquery_client, client_events, "d > @a", {"a": "2024-03-01"}) == [3]
    with pytest.raises(QueryError):
        _ids_locally(warehouse, local_events, "d >= @a", {"a": "not a date"})
    with pytest.raises(BadRequest):
        _ids_through_client(bigquery_client, client_events, "d >= @a", {"a": "not a date"})


def test_a_string_parameter_compared_with_an_int64_is_an_error(warehouse, local_events, bigquery_client, client_events):
    """DuckDB read '2' as 2 and answered row 2."""
    message = "No matching signature for operator = for argument types: INT64, STRING"
    with pytest.raises(QueryError, match=message):
        _ids_locally(warehouse, local_events, "id = @a", {"a": "2"})
    with pytest.raises(BadRequest, match=message):
        _ids_through_client(bigquery_client, client_events, "id = @a", {"a": "2"})


@pytest.mark.parametrize(
    ("script", "message"),
    [
        (
            "DECLARE x STRING DEFAULT '2024-03-10'; SELECT id FROM {t} WHERE d = x",
            "operator = for argument types: DATE, STRING",
        ),
        (
            "DECLARE x STRING DEFAULT '2'; SELECT id FROM {t} WHERE id = x",
            "operator = for argument types: INT64, STRING",
        ),
    ],
)
def test_a_string_script_variable_is_not_coerced(
    warehouse, local_events, bigquery_client, client_events, script, message
):
    """A script variable is no query parameter: BigQuery has no signature for these; DuckDB answered."""
    with pytest.raises(QueryError, match=message):
        warehouse.query_result(script.format(t=local_events))
    with pytest.raises(BadRequest, match=message):
        bigquery_client.query_and_wait(script.format(t=f"`{client_events}`"))
