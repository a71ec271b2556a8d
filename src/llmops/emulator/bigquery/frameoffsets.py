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
side, as ZetaSQL's saturating bound does. A NUMERIC or BIGNUMERIC key, whose DECIMAL(38) has no
wider decimal, is sorted as its scaled HUGEINT (the DECIMAL's digits without the point, below
10^38), and each row's offset is cut to what takes the bound one past the type's edge: the bound
past the edge takes in every key on that side, or none, instead of overflowing.
"""

from __future__ import annotations

from typing import cast

from sqlglot import exp

from .census import find_all
from .floatframes import cut_float_offset, may_overflow
from .nanorder import _volatile, inferred_type, sorted_key_of

_NULL = "The boundary offset value cannot be null"
_NEGATIVE = "Window frame offset for PRECEDING or FOLLOWING must be non-negative, but was "
_DECIMAL_DIGITS = {"NUMERIC": (29, 9), "BIGNUMERIC": (20, 18)}  # integer and fraction digits kept locally
_PAST_EDGE = 10**38  # one past the largest scaled DECIMAL(38) key
_SCALED = "llmops_scaled_range_key"


def check_frame_offsets(stmt: exp.Expression) -> None:
    """Wrap each frame offset of `stmt` in BigQuery's checks (before its ORDER BY key is rewritten)."""
    for window in find_all(stmt, exp.Window):
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
        if ranged and offsets and ordered is not None:
            _scale_decimal_range(spec, offsets, ordered)
        if ranged and offsets and ordered is not None and inferred_type(ordered) == "FLOAT64":
            for bound in offsets:
                if not may_overflow(spec.args[bound]):
                    continue
                side = str(spec.args.get(f"{bound}_side") or "").upper()
                spec.set(bound, cut_float_offset(spec.args[bound], side, ordered))
        if ranged and offsets and ordered is not None and inferred_type(ordered) == "INT64":
            # ZetaSQL's bound past INT64's range reaches every key on that side; DuckDB computed
            # it in BIGINT and failed ("Overflow in addition of INT64")
            ordered.set("this", exp.cast(ordered.this, "HUGEINT"))


def _scale_decimal_range(spec: exp.Expression, bounds: list[str], ordered: exp.Ordered) -> None:
    """Sort a NUMERIC / BIGNUMERIC key as its scaled HUGEINT and cut each offset to the type's edge;
    an offset whose digits the scaling cannot hold is left as it was (DuckDB's overflow error)."""
    digits = _DECIMAL_DIGITS.get(inferred_type(ordered) or "")
    if digits is None or _volatile(ordered.this):
        return
    scaled = [_scaled(spec.args[b], *digits) for b in bounds]
    if any(s is None for s in scaled):
        return
    if not (ordered._meta and ordered.meta.get(_SCALED)):  # a named window's key serves each OVER
        key = _scaled(ordered.this, *digits, known=True)
        assert key is not None
        ordered.set("this", key)
        ordered.meta[_SCALED] = True
    for bound, offset in zip(bounds, scaled):
        side = str(spec.args.get(f"{bound}_side") or "").upper()
        spec.set(bound, _saturated(cast(exp.Expression, offset), side, ordered))


def _scaled(value: exp.Expression, integer_digits: int, scale: int, *, known: bool = False) -> exp.Expression | None:
    """`value` times 10^scale as a HUGEINT (exact), or None where `value`'s type is not known to
    be an integer or a decimal within the key's digits."""
    factor = exp.Literal.number(10**scale)
    whole = exp.Anonymous(this="trunc", expressions=[exp.paren(value.copy(), copy=False)])
    if _integral(value):
        return exp.Mul(this=exp.cast(exp.paren(value.copy(), copy=False), "HUGEINT"), expression=factor)
    if not (known or _decimal_within(value, integer_digits, scale)):
        return None
    fraction = exp.Sub(this=exp.paren(value.copy(), copy=False), expression=whole.copy())
    return exp.paren(
        exp.Add(
            this=exp.Mul(this=exp.cast(whole, "HUGEINT"), expression=factor),
            expression=exp.cast(exp.Mul(this=exp.paren(fraction, copy=False), expression=factor.copy()), "HUGEINT"),
        ),
        copy=False,
    )


def _integral(value: exp.Expression) -> bool:
    """An integer literal or an integer cast (the offset as `_checked` wraps it, too)."""
    if isinstance(value, exp.Paren):
        return _integral(value.this)
    if isinstance(value, exp.Case):
        return _integral(value.args["default"]) if value.args.get("default") is not None else False
    if isinstance(value, exp.Literal):
        return value.is_int
    return isinstance(value, exp.Cast) and value.to.is_type(*exp.DataType.INTEGER_TYPES)


def _decimal_within(value: exp.Expression, integer_digits: int, scale: int) -> bool:
    """A cast to a DECIMAL with no more integer or fraction digits than the key's."""
    if isinstance(value, exp.Paren):
        return _decimal_within(value.this, integer_digits, scale)
    if isinstance(value, exp.Case):
        default = value.args.get("default")
        return default is not None and _decimal_within(default, integer_digits, scale)
    if not (isinstance(value, exp.Cast) and value.to.is_type(exp.DataType.Type.DECIMAL)):
        return False
    params = [int(p.name) for p in value.to.expressions if p.name.isdigit()]
    if len(params) != 2:
        return False
    return params[1] <= scale and params[0] - params[1] <= integer_digits


def _saturated(offset: exp.Expression, side: str, ordered: exp.Ordered) -> exp.Expression:
    """The scaled offset cut, row by row, to what takes the scaled key one past the type's edge:
    PRECEDING subtracts on an ascending key and adds on a descending one, FOLLOWING the other way
    round. The cut bounds stay in key order, as DuckDB's frame search needs."""
    from .semantics import case

    past_edge = exp.cast(exp.Literal.number(_PAST_EDGE), "HUGEINT")
    key = ordered.this
    if (side == "PRECEDING") != bool(ordered.args.get("desc")):  # key - offset >= -past_edge
        beyond: exp.Expression = exp.LT(this=key.copy(), expression=exp.Sub(this=offset.copy(), expression=past_edge))
        reach: exp.Expression = exp.Add(this=key.copy(), expression=past_edge.copy())
    else:  # key + offset <= past_edge
        beyond = exp.GT(this=key.copy(), expression=exp.Sub(this=past_edge, expression=offset.copy()))
        reach = exp.Sub(this=past_edge.copy(), expression=key.copy())
    return exp.paren(case((beyond, reach), default=offset), copy=False)


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
