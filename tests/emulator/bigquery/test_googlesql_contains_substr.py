"""CONTAINS_SUBSTR as Google's string functions reference documents it.

What was wrong: sqlglot reads `CONTAINS_SUBSTR(x, s)` as `CONTAINS(LOWER(x), LOWER(s))`, so

- the search was not NFKC-normalized and case folded: `CONTAINS_SUBSTR('Ⅸ', 'IX')` and
  `CONTAINS_SUBSTR('Straße', 'STRASSE')` answered FALSE (BigQuery: TRUE), silently;
- a STRUCT, ARRAY, table row (`WHERE CONTAINS_SUBSTR(Recipes, 'toast')`, the reference's
  search-every-column idiom) or JSON value failed with `No matching signature for function LOWER`;
- a NUMERIC or FLOAT64 was searched in DuckDB's text (`1.500000000`, `10.0`), not BigQuery's
  CAST(... AS STRING) (`1.5`, `10`);
- `json_scope` was dropped, and a NULL or column search value was accepted.
"""

from __future__ import annotations

import pytest
from googlesql_cases import (
    assert_fails_locally,
    assert_fails_through_client,
    case_params,
    check_locally,
    check_through_client,
)

RECIPES = (
    "WITH Recipes AS (SELECT 'Blueberry pancakes' AS Breakfast, 'Egg salad sandwich' AS Lunch, "
    "'Potato dumplings' AS Dinner UNION ALL SELECT 'Potato pancakes', 'Toasted cheese sandwich', "
    "'Beef stroganoff' UNION ALL SELECT 'Ham scramble', 'Steak avocado salad', 'Tomato pasta' UNION ALL "
    "SELECT 'Avocado toast', 'Tomato soup', 'Blueberry salmon' UNION ALL SELECT 'Corned beef hash', "
    "'Lentil potato soup', 'Glazed ham') "
)

# (SQL, BigQuery's documented value, type), from the reference's examples and its rules
FAMILIES = {
    "strings": [
        ("CONTAINS_SUBSTR('the blue house', 'Blue house')", True, "BOOL"),
        ("CONTAINS_SUBSTR('the blue house', CONCAT('Blue ', 'house'))", True, "BOOL"),
        ("CONTAINS_SUBSTR('the red house', 'blue')", False, "BOOL"),
        ("CONTAINS_SUBSTR('\\u2168', 'IX')", True, "BOOL"),  # NFKC: the Roman numeral nine is IX
        ("CONTAINS_SUBSTR('Straße', 'STRASSE')", True, "BOOL"),  # full case folding
        ("CONTAINS_SUBSTR(CAST(NULL AS STRING), 'a')", None, "BOOL"),
    ],
    "other-scalars": [
        ("CONTAINS_SUBSTR(NUMERIC '1.5', '1.50')", False, "BOOL"),  # its text is 1.5
        ("CONTAINS_SUBSTR(NUMERIC '1.5', '1.5')", True, "BOOL"),
        ("CONTAINS_SUBSTR(10.0, '10.0')", False, "BOOL"),  # its text is 10
        ("CONTAINS_SUBSTR(DATE '2024-01-02', '01-02')", True, "BOOL"),
        ("CONTAINS_SUBSTR(TRUE, 'TRU')", True, "BOOL"),
    ],
    "structs-and-arrays": [
        ("CONTAINS_SUBSTR((23, 35, 41), '35')", True, "BOOL"),
        ("CONTAINS_SUBSTR(('abc', ['def', 'ghi', 'jkl'], 'mno'), 'jk')", True, "BOOL"),
        ("CONTAINS_SUBSTR((23, NULL, 41), '41')", True, "BOOL"),
        ("CONTAINS_SUBSTR((23, NULL, 41), '35')", None, "BOOL"),  # no match, and a NULL field
        ("CONTAINS_SUBSTR(STRUCT('x' AS a, 1.5 AS b), '1.5')", True, "BOOL"),
        ("CONTAINS_SUBSTR(['Apple', 'Pear'], 'PEA')", True, "BOOL"),
        ("CONTAINS_SUBSTR(ARRAY<STRING>[], 'a')", False, "BOOL"),
    ],
    "json": [
        ("""CONTAINS_SUBSTR(JSON '{"lunch":"soup"}', 'lunch')""", False, "BOOL"),  # values only
        ("""CONTAINS_SUBSTR(JSON '{"lunch":"soup"}', 'lunch', json_scope => 'JSON_VALUES')""", False, "BOOL"),
        ("""CONTAINS_SUBSTR(JSON '{"lunch":"soup"}', 'lunch', json_scope => 'JSON_KEYS_AND_VALUES')""", True, "BOOL"),
        ("""CONTAINS_SUBSTR(JSON '{"lunch":"soup"}', 'lunch', json_scope => 'JSON_KEYS')""", True, "BOOL"),
        ("""CONTAINS_SUBSTR(JSON '{"lunch":"soup"}', 'SOUP', json_scope => 'JSON_KEYS')""", False, "BOOL"),
        ("""CONTAINS_SUBSTR(JSON '{"a": [1, {"b": "Soup"}]}', 'soup')""", True, "BOOL"),
    ],
    "table-rows": [
        # every column of the row: the reference's "search all columns" example
        (
            RECIPES + "SELECT STRING_AGG(Breakfast, ', ' ORDER BY Breakfast) FROM Recipes "
            "WHERE CONTAINS_SUBSTR(Recipes, 'toast')",
            "Avocado toast, Potato pancakes",
            "STRING",
        ),
        (
            RECIPES + "SELECT STRING_AGG(Breakfast, ', ' ORDER BY Breakfast) FROM Recipes "
            "WHERE CONTAINS_SUBSTR((Lunch, Dinner), 'potato')",
            "Blueberry pancakes, Corned beef hash",
            "STRING",
        ),
        (
            RECIPES + "SELECT STRING_AGG(Breakfast, ', ' ORDER BY Breakfast) FROM Recipes "
            "WHERE CONTAINS_SUBSTR((SELECT AS STRUCT Recipes.* EXCEPT (Lunch, Dinner)), 'potato')",
            "Potato pancakes",
            "STRING",
        ),
    ],
}

ERRORS = [
    ("SELECT CONTAINS_SUBSTR('hello', NULL)", "must be a non-NULL STRING literal"),
    ("SELECT CONTAINS_SUBSTR('hello', x) FROM UNNEST(['h']) x", "a STRING literal or a constant expression"),
    ("SELECT CONTAINS_SUBSTR(JSON '{}', 'a', json_scope => 'KEYS')", "json_scope must be one of"),
    ("SELECT CONTAINS_SUBSTR(b'abc', 'b')", "No matching signature for function CONTAINS_SUBSTR"),
]


@pytest.mark.parametrize(("sql", "want", "typ"), case_params(FAMILIES))
def test_contains_substr_locally(warehouse, sql, want, typ):
    check_locally(warehouse, sql, want, typ)


@pytest.mark.parametrize("family", list(FAMILIES))
def test_contains_substr_through_the_client(bigquery_client, family):
    check_through_client(bigquery_client, FAMILIES[family])


@pytest.mark.parametrize(("sql", "fragment"), ERRORS, ids=[e[1] for e in ERRORS])
def test_contains_substr_errors(warehouse, bigquery_client, sql, fragment):
    assert_fails_locally(warehouse, sql, fragment)
    assert_fails_through_client(bigquery_client, sql, fragment)
