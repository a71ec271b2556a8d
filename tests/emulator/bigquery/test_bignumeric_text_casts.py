"""Text made BIGNUMERIC as a query runs: `CAST(s AS BIGNUMERIC)` of a STRING column and
`PARSE_BIGNUMERIC(s)` (and SAFE_CAST) rounded at 18 decimals (the engine's DECIMAL(38, 18); BigQuery keeps 38),
so `PARSE_BIGNUMERIC('1.123456789012345678901234567890123456789')` answered 1.123456789012345679.
Now a text the engine would round is refused by name, and every other text converts as before.
Each case runs on the local warehouse and through the real BigQuery client against the emulator.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from googlesql_cases import (
    assert_fails_locally,
    assert_fails_through_client,
    case_params,
    check_locally,
    check_through_client,
)

BN = "BIGNUMERIC"

SERVED = [
    ("SELECT CAST(s AS BIGNUMERIC) FROM UNNEST(['1.5']) AS s", Decimal("1.5"), BN),
    ("SELECT CAST(s AS BIGNUMERIC) FROM UNNEST(['0.000000000000000001']) AS s", Decimal("1E-18"), BN),
    ("SELECT CAST(s AS BIGNUMERIC) FROM UNNEST(['-99999999999999999999']) AS s", Decimal("-99999999999999999999"), BN),
    # trailing zeros past the 18th decimal lose nothing
    ("SELECT CAST(s AS BIGNUMERIC) FROM (SELECT '2.50000000000000000000000' AS s)", Decimal("2.5"), BN),
    ("SELECT CAST(s AS BIGNUMERIC) FROM UNNEST([CAST(NULL AS STRING)]) AS s", None, BN),
    ("SELECT PARSE_BIGNUMERIC(s) FROM UNNEST(['1,234.500000000000000000000']) AS s", Decimal("1234.5"), BN),
    ("SELECT PARSE_BIGNUMERIC(s) FROM UNNEST([' -12e-3 ']) AS s", Decimal("-0.012"), BN),
    ("SELECT PARSE_BIGNUMERIC(s) FROM UNNEST(['1.5e18']) AS s", Decimal("1500000000000000000"), BN),
    (
        "SELECT PARSE_BIGNUMERIC(s) FROM UNNEST(['12345678901234567890.123456789012345678']) AS s",
        Decimal("12345678901234567890.123456789012345678"),
        BN,
    ),
    # SAFE_CAST: NULL for text that is no number, as before
    ("SELECT SAFE_CAST(s AS BIGNUMERIC) FROM UNNEST(['abcdefghijklmnopqrstuvwxyz']) AS s", None, BN),
    ("SELECT SAFE_CAST(s AS BIGNUMERIC) FROM UNNEST(['2.5']) AS s", Decimal("2.5"), BN),
    # a NUMERIC source is not text: cast as before
    ("SELECT CAST(x AS BIGNUMERIC) FROM UNNEST([NUMERIC '1.25']) AS x", Decimal("1.25"), BN),
]
ROWS = case_params({"served": SERVED})

REFUSED = [
    "SELECT CAST(s AS BIGNUMERIC) FROM UNNEST(['1.123456789012345678901234567890123456789']) AS s",
    "SELECT CAST(s AS BIGNUMERIC) FROM (SELECT '2.1234567890123456789' AS s)",
    "SELECT PARSE_BIGNUMERIC(s) FROM UNNEST(['1.123456789012345678901234567890123456789']) AS s",
    "SELECT PARSE_BIGNUMERIC(s) FROM UNNEST(['123.456E37']) AS s",
    "SELECT PARSE_BIGNUMERIC(s) FROM UNNEST(['1e-19']) AS s",
    # SAFE_CAST's NULL would be as wrong as the rounded value: BigQuery converts the text
    "SELECT SAFE_CAST(s AS BIGNUMERIC) FROM UNNEST(['1.1234567890123456789012']) AS s",
]
ROUNDING = "digits is not supported by the local warehouse"


@pytest.mark.parametrize("sql, want, typ", ROWS)
def test_local_warehouse(warehouse, sql, want, typ):
    check_locally(warehouse, sql, want, typ)


def test_through_client(bigquery_client):
    check_through_client(bigquery_client, SERVED)


@pytest.mark.parametrize("sql", REFUSED)
def test_text_the_engine_would_round_is_refused(warehouse, bigquery_client, sql):
    assert_fails_locally(warehouse, sql, ROUNDING)
    assert_fails_through_client(bigquery_client, sql, ROUNDING)


def test_bad_text_keeps_bigquerys_error(warehouse):
    assert_fails_locally(
        warehouse, "SELECT PARSE_BIGNUMERIC(s) FROM UNNEST(['abc']) AS s", "Invalid BIGNUMERIC value: abc"
    )
