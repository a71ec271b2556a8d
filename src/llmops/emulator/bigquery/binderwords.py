"""DuckDB's binder errors for the commonest query mistakes, in BigQuery's words.

A user who misspells a column, forgets a GROUP BY column or sums a STRING gets the message
BigQuery would give (without its `at [line:column]`), in GoogleSQL's type names, not DuckDB's.
A STRUCT with two fields of one name, which GoogleSQL allows and a DuckDB STRUCT cannot hold, and
a subquery in a PIVOT aggregate, which DuckDB's PIVOT refuses, are named refusals.
"""

from __future__ import annotations

import re

from .googlesql import BigQueryError

TYPE_NAMES = {
    "VARCHAR": "STRING",
    "STRING_LITERAL": "STRING",
    "BIGINT": "INT64",
    "INTEGER": "INT64",
    "INTEGER_LITERAL": "INT64",
    "HUGEINT": "INT64",
    "SMALLINT": "INT64",
    "TINYINT": "INT64",
    "DOUBLE": "FLOAT64",
    "FLOAT": "FLOAT64",
    "BOOLEAN": "BOOL",
    "BLOB": "BYTES",
    "DATE": "DATE",
    "TIME": "TIME",
    "TIMESTAMP": "DATETIME",
    "TIMESTAMP WITH TIME ZONE": "TIMESTAMP",
    "INTERVAL": "INTERVAL",
    "JSON": "JSON",
    "NULL": "NULL",
    "DECIMAL(38,9)": "NUMERIC",
    "DECIMAL(38,18)": "BIGNUMERIC",
}
"""DuckDB's type names (as `typeof` and error messages write them) with GoogleSQL's."""


def googlesql_type_name(duckdb_name: str) -> str:
    """A DuckDB type as an error message writes it (`VARCHAR`, `BIGINT[]`, `DECIMAL(38,9)`),
    in GoogleSQL's name where there is one; else as given."""
    name = duckdb_name.strip()
    if name.endswith("[]"):
        return f"ARRAY<{googlesql_type_name(name[:-2])}>"
    decimal = re.fullmatch(r"DECIMAL\((\d+),\s*(\d+)\)", name)
    if decimal:
        return "NUMERIC" if decimal.group(2) == "9" else "BIGNUMERIC"
    if name.startswith("STRUCT("):
        return "STRUCT"
    return TYPE_NAMES.get(name.upper(), name)


def _argument_types(text: str) -> str:
    """`VARCHAR, BIGINT[]` as `STRING, ARRAY<INT64>` (commas inside parentheses kept)."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return ", ".join(googlesql_type_name(p) for p in parts if p.strip())


def reworded(first: str) -> BigQueryError | None:
    """BigQuery's error for DuckDB's binder message `first` (its first line), or None."""
    m = re.search(r'(?:Table|Values list) "([^"]+)" does not have a column named "([^"]+)"', first)
    if m:
        return BigQueryError(
            f"Name {m.group(2)} not found inside {m.group(1)}", fix="check the column names in the query"
        )
    m = re.search(r'Duplicate named argument "([^"]+)" in function call to "struct_pack"', first)
    if m:  # GoogleSQL allows it ("Duplicate field names are allowed"); a DuckDB STRUCT does not
        return BigQueryError(
            f"a STRUCT with two fields named {m.group(1)} is not supported by the local warehouse",
            fix="give the STRUCT's fields different names (`AS`), or run on BigQuery",
        )
    if "In a DISTINCT aggregate, ORDER BY expressions must appear in the argument list" in first:
        return BigQueryError(
            "An aggregate function that has both DISTINCT and ORDER BY arguments can only ORDER BY expressions "
            "that are arguments to the function",
            fix="order by the aggregated expression itself, or drop DISTINCT",
        )
    if "Pivot expression cannot contain subqueries" in first:  # GoogleSQL's PIVOT rules allow one
        return BigQueryError(
            "a subquery inside a PIVOT aggregate is not supported by the local warehouse",
            fix="compute the subquery's value in the PIVOT's input (a column or a CTE), or run on BigQuery",
        )
    m = re.search(r'Referenced table "([^"]+)" not found', first)
    if m:
        return BigQueryError(
            f"Unrecognized name: {m.group(1)}", fix="use a table name or alias that the query's FROM clause defines"
        )
    m = re.search(r'column "?([^"]+?)"? must appear in the GROUP BY clause', first)
    if m:
        return BigQueryError(
            f"SELECT list expression references column {m.group(1)} which is neither grouped nor aggregated",
            fix="add the column to GROUP BY, or aggregate it (ANY_VALUE, MAX, ...)",
        )
    m = re.search(
        r"(?:No function matches the given name and argument types|"
        r"Could not choose a best candidate function for the function call) \"?'?(\w+|[-+*/%<>=!|&^~]+)\((.*?)\)'?\"?[.!]?",
        first,
    )
    if m and not m.group(1).startswith("__"):
        name, types = m.group(1), _argument_types(m.group(2))
        if name in ("+", "-") and sorted(types.split(", ")) == ["DATE", "INT64"]:
            # GoogleSQL has DATE +/- INT64; DuckDB's binder lacks it where the columns' types were not known
            return BigQueryError(
                f"DATE {name} INT64 of values whose types the local warehouse could not infer here (a script of "
                "several statements) is not supported by the local warehouse",
                fix="write DATE_ADD(d, INTERVAL n DAY) / DATE_SUB(d, INTERVAL n DAY)",
            )
        what = f"function {name.upper()}" if name[0].isalnum() or name[0] == "_" else f"operator {name}"
        return BigQueryError(
            f"No matching signature for {what} for argument types: {types}",
            fix="check the argument types in the GoogleSQL function reference, or CAST the arguments",
        )
    return None
