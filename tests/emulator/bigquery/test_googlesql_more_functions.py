"""GoogleSQL forms that BigQuery documents and the local warehouse refused or failed on.

Each case is a ZetaSQL compliance case or our own query, with BigQuery's documented answer, run on
the local warehouse and through the real BigQuery client:

- `x LIKE y` of two BYTES values neither of which the query text shows as BYTES (a BYTES column
  compared with itself, `col LIKE ALL (b'a%', col)`) failed with DuckDB's "No function matches
  like_escape(BLOB, BLOB, ...)" (like_any / like_all: *_bytes_nulls, *_bytes_array_nulls,
  *_bytes_nonconstant_patterns).
"""

from __future__ import annotations


def test_bytes_like_of_columns(env):
    """A BYTES column on both sides of LIKE, also in LIKE ANY/ALL lists and arrays, with
    BigQuery's NULLs (like_all_bytes_nulls, like_any_bytes_array_nulls)."""
    run, ds, _ = env
    run(f"CREATE TABLE {ds}.kvb (k INT64, v BYTES)")
    run(f"INSERT INTO {ds}.kvb VALUES (1, b'Value1'), (2, b'Value2'), (3, NULL)")
    rows = run(
        f"SELECT v LIKE v, v LIKE ALL (NULL, b'Value1', v), v LIKE ANY UNNEST([b'x', v]), "
        f"v NOT LIKE ANY (v, b'Value1') FROM {ds}.kvb ORDER BY k"
    )
    assert rows == [(True, None, True, False), (True, False, True, True), (None, None, None, None)]
