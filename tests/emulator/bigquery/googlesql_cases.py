"""Running the GoogleSQL case tables (query or expression, BigQuery's value, its type) both ways:
on the local warehouse (`llmops sql`'s path) and through the real BigQuery client."""

from __future__ import annotations

from typing import Any

import pytest

from llmops.core.errors import QueryError

# BigQuery's type names where the local warehouse's schema names them the legacy way
LOCAL_TYPES = {"INTEGER": "INT64", "FLOAT": "FLOAT64", "BOOLEAN": "BOOL"}


def as_query(text: str) -> str:
    """An expression as a FROM-less SELECT; a query as it is."""
    return text if has_select(text) else f"SELECT {text}"


def has_select(text: str) -> bool:
    return text.lstrip().upper().startswith(("SELECT", "WITH"))


def single_value(warehouse, sql: str) -> tuple[Any, str]:
    """The one value of a one-row, one-column query on the local warehouse, and its BigQuery type."""
    result = warehouse.query_result(sql)
    rows = [list(r.values()) for r in result.table.to_pylist()]
    assert len(rows) == 1 and len(rows[0]) == 1, rows
    kind = result.schema[0]["type"]
    return rows[0][0], LOCAL_TYPES.get(kind, kind)


def client_queries(rows: list[tuple[str, Any, Any]]) -> list[tuple[str, list[tuple[str, Any, Any]]]]:
    """The rows as few client queries: the FROM-less expressions as the columns of one SELECT, each
    row that is a query of its own alone."""
    scalar = [row for row in rows if not has_select(row[0])]
    queries = [("SELECT " + ", ".join(f"{q} AS c{i}" for i, (q, _, _) in enumerate(scalar)), scalar)] if scalar else []
    return queries + [(row[0], [row]) for row in rows if has_select(row[0])]


def case_params(families: dict[str, list[tuple[str, Any, Any]]]) -> list[Any]:
    """Every family's rows as pytest parameters (sql, want, typ), named `<family>-<n>`."""
    return [
        pytest.param(q, want, typ, id=f"{name}-{i}")
        for name, rows in families.items()
        for i, (q, want, typ) in enumerate(rows)
    ]


def check_locally(warehouse, sql: str, want: Any, typ: str | None) -> None:
    """The case's value and type on the local warehouse."""
    got, kind = single_value(warehouse, as_query(sql))
    assert got == want, got
    assert same_type(kind, typ), kind


def check_through_client(client, rows: list[tuple[str, Any, Any]]) -> None:
    """The rows' values and types through the real BigQuery client, in as few queries as
    `client_queries` makes of them."""
    for sql, batch in client_queries(rows):
        result = client.query_and_wait(sql)
        values = list(next(iter(result)).values())
        for (q, want, typ), got, field in zip(batch, values, result.schema, strict=True):
            assert got == want, (q, got)
            assert same_type(field.field_type, typ), (q, field.field_type)


def same_type(bigquery_type: str, want: str | None) -> bool:
    """Whether a result's type is the case's (None: the case names no type)."""
    return want is None or LOCAL_TYPES.get(want, want) == LOCAL_TYPES.get(bigquery_type, bigquery_type)


def assert_fails_locally(warehouse, sql: str, fragment: str) -> None:
    with pytest.raises(QueryError) as info:
        warehouse.query_result(sql)
    assert fragment in str(info.value)


def assert_fails_through_client(client, sql: str, fragment: str) -> None:
    from google.api_core.exceptions import BadRequest

    with pytest.raises(BadRequest) as info:
        client.query_and_wait(sql)
    assert fragment in str(info.value)
