"""Window frame offsets (`x PRECEDING`, `x FOLLOWING`) checked as BigQuery checks them.

BigQuery refuses an offset that is NULL ("The boundary offset value cannot be null"), negative
or NaN ("Window frame offset for PRECEDING or FOLLOWING must be non-negative, but was nan"), and
in a RANGE frame a +inf offset that would reach past an infinite key of the other sign (a +inf
key minus +inf PRECEDING on an ascending key is NaN, and so on for the other three). DuckDB ran a
NULL offset of a query parameter as 0 rows and took NaN and +inf for bounds. Each offset that is
not a non-negative number literal is wrapped in a CASE that raises BigQuery's error, folded away
by DuckDB for a constant; the infinity test is per row, written only where the offset may be
FLOAT64.

A RANGE frame with an offset over an INT64 key sorts the key as a HUGEINT, so that its bounds
(key ± offset, up to ±2^64) never overflow: a bound past INT64's range takes in every key on that
side, as ZetaSQL's saturating bound does.
"""

from __future__ import annotations

from typing import cast

from sqlglot import exp

from .nanorder import inferred_type, sorted_key_of

_NULL = "The boundary offset value cannot be null"
_NEGATIVE = "Window frame offset for PRECEDING or FOLLOWING must be non-negative, but was "


def check_frame_offsets(stmt: exp.Expression) -> None:
    """Wrap each frame offset of `stmt` in BigQuery's checks (before its ORDER BY key is rewritten)."""
    for window in stmt.find_all(exp.Window):
        spec = window.args.get("spec")
        if spec is None:
            continue
        ordered, _ = sorted_key_of(window)
        ranged = str(spec.args.get("kind") or "").upper() == "RANGE"
        offsets = [b for b in ("start", "end") if isinstance(spec.args.get(b), exp.Expression)]
        for bound in offsets:
            offset = spec.args[bound]
            if _plain(offset):
                continue
            side = str(spec.args.get(f"{bound}_side") or "").upper()
            spec.set(bound, _checked(offset, side, ordered if ranged else None))
        if ranged and offsets and ordered is not None and inferred_type(ordered) == "INT64":
            # ZetaSQL's bound past INT64's range reaches every key on that side; DuckDB computed
            # it in BIGINT and failed ("Overflow in addition of INT64")
            ordered.set("this", exp.cast(ordered.this, "HUGEINT"))


def _plain(offset: exp.Expression) -> bool:
    """A non-negative number literal: nothing to check."""
    return isinstance(offset, exp.Literal) and not offset.is_string


def _checked(offset: exp.Expression, side: str, ordered: exp.Ordered | None) -> exp.Expression:
    from .semantics import case, fail

    negative = exp.or_(_is_nan(offset), exp.LT(this=offset.copy(), expression=exp.Literal.number(0)))
    whens: list[tuple[exp.Expression, exp.Expression]] = [
        (exp.Is(this=offset.copy(), expression=exp.Null()), fail(_NULL)),
        (cast(exp.Expression, negative), fail(_NEGATIVE, _text(offset))),
    ]
    if ordered is not None and _may_be_float(offset):
        whens.append(_infinite_reach(offset, side, ordered))
    return exp.paren(case(*whens, default=offset.copy()), copy=False)


def _infinite_reach(offset: exp.Expression, side: str, ordered: exp.Ordered) -> tuple[exp.Expression, exp.Expression]:
    """The test and error of a +inf offset that reaches from an infinite key to NaN: PRECEDING
    subtracts on an ascending key and adds on a descending one, FOLLOWING the other way round."""
    from .semantics import fail

    descending = bool(ordered.args.get("desc"))
    positive_key = (side == "PRECEDING") != descending
    key_sign = "positive" if positive_key else "negative"
    direction = "a descending" if descending else "an ascending"
    message = (
        f"Offset value cannot be positive infinity when there exists a {key_sign} infinity order key "
        f"for an offset {side} on {direction} partition"
    )
    test = exp.and_(
        exp.EQ(this=offset.copy(), expression=_infinity("inf")),
        exp.EQ(this=ordered.this.copy(), expression=_infinity("inf" if positive_key else "-inf")),
    )
    return cast(exp.Expression, test), fail(message)


def _infinity(text: str) -> exp.Expression:
    return exp.cast(exp.Literal.string(text), "DOUBLE")


def _may_be_float(offset: exp.Expression) -> bool:
    """Whether the offset may be a FLOAT64 (so +inf): not an integer literal nor an INT64 cast."""
    if isinstance(offset, exp.Cast):
        return not offset.to.is_type(*exp.DataType.INTEGER_TYPES)
    return not (isinstance(offset, exp.Literal) and offset.is_int)


def _is_nan(value: exp.Expression) -> exp.Expression:
    from .nancompare import is_nan

    return cast(exp.Expression, is_nan(value))


def _text(value: exp.Expression) -> exp.Expression:
    """The offset as BigQuery writes it in its error (`nan`, `-1`, `-1.5`)."""
    from .formats import float_text, numeric_text
    from .semantics import case, type_is

    return case(
        (type_is(value, "DOUBLE", "FLOAT"), float_text(value)),
        (
            exp.Like(
                this=exp.Anonymous(this="typeof", expressions=[value.copy()]), expression=exp.Literal.string("DECIMAL%")
            ),
            numeric_text(value),
        ),
        default=exp.cast(value.copy(), "VARCHAR"),
    )
