"""The joins GoogleSQL has: `[INNER] JOIN`, `CROSS JOIN`, `LEFT|RIGHT|FULL [OUTER] JOIN` and the
comma. sqlglot reads DuckDB's ASOF, SEMI and ANTI joins and NATURAL JOIN in BigQuery text too, so
`FROM a AS t2 ASOF LEFT JOIN b AS t3 ON t2.time >= t3.time` (ibis's `asof_join`) answered DuckDB's
as-of join where BigQuery fails.

- `NATURAL` is a reserved word of GoogleSQL; its join is refused ("Natural join not supported",
  ZetaSQL's resolver).
- `ASOF`, `SEMI` and `ANTI` are plain names in GoogleSQL: after a FROM item with an alias they
  are a syntax error; after one without, they are its alias (`FROM a ASOF JOIN b ON ...` joins `a`
  named `ASOF` with `b`), which is how the join is read here too.
"""

from __future__ import annotations

from sqlglot import exp

from .census import find_all

_NAMES = ("ASOF", "SEMI", "ANTI")
"""DuckDB join words that are names in GoogleSQL."""


def _word(join: exp.Join) -> str | None:
    for key in ("method", "kind"):
        word = str(join.args.get(key) or "").upper()
        if word == "NATURAL" or word in _NAMES:
            return word
    return None


def read_join_words(stmt: exp.Expression) -> None:
    """Refuse NATURAL JOIN; read ASOF, SEMI and ANTI before JOIN as GoogleSQL does (an alias of the
    FROM item before, or a syntax error where that item has one)."""
    from .googlesql import BigQueryError

    for select in find_all(stmt, exp.Select):
        joins = select.args.get("joins") or []
        for i, join in enumerate(joins):
            word = _word(join)
            if word is None:
                continue
            if word == "NATURAL":
                raise BigQueryError("Natural join not supported", fix="write the join with ON or USING")
            from_ = select.args.get("from_")
            before = joins[i - 1].this if i else from_.this if isinstance(from_, exp.From) else None
            if not isinstance(before, exp.Expression) or before.args.get("alias") is not None:
                raise BigQueryError(
                    f"Syntax error: Unexpected identifier {word}",
                    fix="GoogleSQL has no ASOF, SEMI or ANTI join: write a JOIN with ON, or EXISTS/NOT EXISTS",
                )
            before.set("alias", exp.TableAlias(this=exp.to_identifier(word)))
            join.set("method" if str(join.args.get("method") or "").upper() == word else "kind", None)
