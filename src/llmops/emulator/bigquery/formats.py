"""GoogleSQL format strings on DuckDB: FORMAT_DATE/DATETIME/TIME/TIMESTAMP elements DuckDB's
strftime lacks (%E3S %E*S %E4Y %Ez %k %l %e %R %C %g %Q %n %t), their time-zone argument, and
FORMAT's %t / %T / %'d.

A literal format string is compiled into a concatenation of strftime pieces and expressions; a
format that is not a literal goes to strftime as written (DuckDB names an element it lacks).
"""

from __future__ import annotations

import re
from typing import Any

from sqlglot import exp

from .census import find_all
from .jsonorder import SORTED_JSON_UDF
from .udfs import STRING_LITERAL_UDF

_ELEMENT = re.compile(r"%(E\*S|E4Y|E\dS|Ez|-d|[A-Za-z%])")


def _call(name: str, *args: exp.Expression) -> exp.Expression:
    return exp.Anonymous(this=name, expressions=list(args))


def _lit(text: str) -> exp.Literal:
    return exp.Literal.string(text)


def _concat(parts: list[exp.Expression]) -> exp.Expression:
    if not parts:
        return _lit("")
    out = parts[0]
    for p in parts[1:]:
        out = exp.DPipe(this=out, expression=p, safe=True)
    return out


def _text(value: exp.Expression) -> exp.Expression:
    # TRY_CAST: the cast rewrite of semantics.py leaves it alone (a cast to VARCHAR cannot fail)
    return exp.TryCast(this=value.copy(), to=exp.DataType.build("VARCHAR"))


def float_text(value: exp.Expression) -> exp.Expression:
    """A FLOAT64 as BigQuery writes it: 15 significant digits, or 17 where 15 do not round-trip
    (`%.15g` / `%.17g`: 1e+20, 0.1, 0.33333333333333331, inf), and `nan` for every NaN (printf
    writes `-nan` for one with its sign bit set, as `inf - inf` makes)."""
    as_double = exp.cast(value.copy(), "DOUBLE")
    short = _call("printf", _lit("%.15g"), as_double)
    exact = exp.EQ(this=exp.cast(short.copy(), "DOUBLE"), expression=as_double.copy())
    return exp.Case(
        ifs=[exp.If(this=_call("isnan", as_double.copy()), true=_lit("nan")), exp.If(this=exact, true=short)],
        default=_call("printf", _lit("%.17g"), as_double.copy()),
    )


def numeric_text(value: exp.Expression) -> exp.Expression:
    """A NUMERIC or BIGNUMERIC without trailing fractional zeros (1.50 is "1.5", 100.0 "100")."""
    text = _text(value)
    trimmed = _call("rtrim", _call("rtrim", text.copy(), _lit("0")), _lit("."))
    return exp.Case(ifs=[exp.If(this=_call("contains", text, _lit(".")), true=trimmed)], default=text.copy())


def _pad(value: exp.Expression, width: int, fill: str) -> exp.Expression:
    return _call("lpad", exp.cast(value, "VARCHAR"), exp.Literal.number(width), _lit(fill))


def _part(part: str, value: exp.Expression) -> exp.Expression:
    return _call("date_part", _lit(part), value.copy())


def _offset_seconds(original: exp.Expression, zone: exp.Expression | None) -> exp.Expression:
    if zone is None:
        return exp.Literal.number(0)
    local = _call("epoch", _call("timezone", zone.copy(), original.copy()))
    return exp.Sub(this=local, expression=_call("epoch", original.copy()))


def _offset(seconds: exp.Expression, sep: str) -> exp.Expression:
    sign = exp.Case(
        ifs=[exp.If(this=exp.LT(this=seconds.copy(), expression=exp.Literal.number(0)), true=_lit("-"))],
        default=_lit("+"),
    )
    absolute = _call("abs", exp.cast(seconds.copy(), "BIGINT"))
    hours = exp.IntDiv(this=absolute.copy(), expression=exp.Literal.number(3600))
    minutes = exp.IntDiv(
        this=exp.Mod(this=absolute, expression=exp.Literal.number(3600)), expression=exp.Literal.number(60)
    )
    return _concat([sign, _pad(hours, 2, "0"), _lit(sep), _pad(minutes, 2, "0")])


def zone_name(seconds: exp.Expression) -> exp.Expression:
    """%Z as ZetaSQL writes it (ExpandPercentZQJ): `UTC`, or `UTC` and the offset at that
    instant, hours alone when whole (`UTC-8`), else hours and minutes (`UTC+0530`)."""
    from .functions import _t

    # printf, not CAST AS VARCHAR: semantics.py's CAST AS STRING rewrite would copy the offset per type
    return _t(
        "CASE WHEN _A = 0 THEN 'UTC' ELSE 'UTC' || CASE WHEN _A < 0 THEN '-' ELSE '+' END || "
        "CASE WHEN abs(_A) % 3600 = 0 THEN printf('%d', abs(_A) // 3600) "
        "ELSE lpad(printf('%d', abs(_A) // 3600), 2, '0') || lpad(printf('%d', abs(_A) % 3600 // 60), 2, '0') END END",
        exp.cast(seconds, "BIGINT"),
    )


def timestamp_text(ts: exp.Expression, zone: exp.Expression) -> exp.Expression:
    """STRING(timestamp, zone): the local time in `zone` as CAST(... AS STRING) writes it, and the
    zone's offset at that instant (`-08`, `+05:30`)."""
    from .functions import _t

    return _t(
        "CAST(timezone(_B, _A) AS VARCHAR) || CASE WHEN _C < 0 THEN '-' ELSE '+' END || "
        "lpad(printf('%d', abs(_C) // 3600), 2, '0') || "
        "CASE WHEN abs(_C) % 3600 = 0 THEN '' ELSE ':' || lpad(printf('%d', abs(_C) % 3600 // 60), 2, '0') END",
        exp.cast(ts, "TIMESTAMPTZ"),
        zone,
        exp.cast(_offset_seconds(exp.cast(ts, "TIMESTAMPTZ"), zone), "BIGINT"),
    )


# Format elements the reference lists for DATE, DATETIME and TIMESTAMP values but not for TIME
# ("Format elements for date and time parts"), and those it lists for TIMESTAMP alone: FORMAT_TIME
# and FORMAT_DATETIME write them as they are (BigQuery: FORMAT_TIME('%Y', ...) is "%Y",
# FORMAT_DATETIME('%Z', ...) "%Z"). `-d` is sqlglot's spelling of %e.
_DATE_ELEMENTS = frozenset("AaBbCcDdeFGghJjmQUuVWwxYyZz") | {"-d", "E4Y"}
_ZONE_ELEMENTS = frozenset("Zz")
# sqlglot's BigQuery->strftime mapping spells %D and %x, %F and %c with date elements: of a TIME,
# the element as written is lost, so such a format is refused rather than guessed
_EXPANDED_DATE_ELEMENTS = ("%m/%d/%y", "%Y-%m-%d", "%a %b %-d %H:%M:%S %Y")


def compile_format(
    fmt: str,
    value: exp.Expression,
    *,
    original: exp.Expression | None = None,
    zone: exp.Expression | None = None,
    as_written: frozenset[str] = frozenset(),
) -> exp.Expression:
    """An expression formatting `value` (a DuckDB TIMESTAMP or DATE) with format `fmt` (already
    through sqlglot's BigQuery->strftime mapping, which turns %e into %-d); the elements in
    `as_written` (those the value's type has not) are written as they are."""
    parts: list[exp.Expression] = []
    plain: list[str] = []

    def flush() -> None:
        if plain:
            parts.append(_call("strftime", value.copy(), _lit("".join(plain))))
            plain.clear()

    def special(expr: exp.Expression) -> None:
        flush()
        parts.append(expr)

    pos = 0
    for m in _ELEMENT.finditer(fmt):
        literal = fmt[pos : m.start()]
        if literal:
            plain.append(literal.replace("%", "%%"))
        pos = m.end()
        el = m.group(1)
        if el in as_written:
            plain.append("%%" + ("e" if el == "-d" else el))
            continue
        micros = _call("strftime", value.copy(), _lit("%f"))
        if el in ("-d", "e"):
            special(_pad(_part("day", value), 2, " "))
        elif el == "k":
            special(_pad(_part("hour", value), 2, " "))
        elif el == "l":
            hour12 = exp.Add(
                this=exp.Mod(
                    this=exp.paren(exp.Add(this=_part("hour", value), expression=exp.Literal.number(11))),
                    expression=exp.Literal.number(12),
                ),
                expression=exp.Literal.number(1),
            )
            special(_pad(hour12, 2, " "))
        elif el == "R":
            plain.append("%H:%M")
        elif el == "E4Y":
            special(_pad(_part("year", value), 4, "0"))
        elif el == "C":
            special(_pad(exp.IntDiv(this=_part("year", value), expression=exp.Literal.number(100)), 2, "0"))
        elif el == "g":  # the ISO 8601 year without its century; DuckDB's strftime writes 000
            special(_pad(exp.Mod(this=_part("isoyear", value), expression=exp.Literal.number(100)), 2, "0"))
        elif el == "Q":
            special(exp.cast(_part("quarter", value), "VARCHAR"))
        elif el == "n":
            plain.append("\n")
        elif el == "t":
            plain.append("\t")
        elif el == "s":
            # whole seconds rounded down, as UNIX_SECONDS counts them (a cast would round 0.9 up)
            seconds = _call("floor", _call("epoch", exp.cast(original or value, "TIMESTAMPTZ")))
            special(exp.cast(exp.cast(seconds, "BIGINT"), "VARCHAR"))
        elif el == "J":  # the ISO 8601 day of the year: days since the ISO year's first Monday, plus one
            iso_day = exp.Add(
                this=exp.Mul(
                    this=exp.paren(exp.Sub(this=_part("week", value), expression=exp.Literal.number(1))),
                    expression=exp.Literal.number(7),
                ),
                expression=_part("isodow", value),
            )
            special(_pad(iso_day, 3, "0"))
        elif el == "P":
            special(_call("lower", _call("strftime", value.copy(), _lit("%p"))))
        elif el == "E*S":
            plain.append("%S")
            special(_call("rtrim", _concat([_lit("."), _call("rtrim", micros, _lit("0"))]), _lit(".")))
        elif el.startswith("E") and el.endswith("S"):
            digits = int(el[1:-1])
            plain.append("%S")
            if digits:
                special(_concat([_lit("."), _call("left", micros, exp.Literal.number(min(digits, 6)))]))
                if digits > 6:
                    special(_lit("0" * (digits - 6)))
        elif el == "Ez":
            special(_offset(_offset_seconds(original or value, zone), ":"))
        elif el == "z":
            special(_offset(_offset_seconds(original or value, zone), ""))
        elif el == "Z":
            if zone is not None and not (isinstance(zone, exp.Literal) and zone.name.upper() in ("UTC", "ETC/UTC")):
                special(zone_name(_offset_seconds(original or value, zone)))
            else:
                special(_lit("UTC"))
        else:
            plain.append("%" + el)
    if fmt[pos:]:
        plain.append(fmt[pos:].replace("%", "%%"))
    flush()
    return _concat(parts)


def rewrite_format_calls(stmt: exp.Expression) -> None:
    """FORMAT_* with BigQuery's elements and time zones, and FORMAT with %t %T %'d."""
    node: Any
    for node in reversed(find_all(stmt, exp.TimeToStr)):
        fmt = node.args.get("format")
        if not isinstance(fmt, exp.Literal) or not fmt.is_string:
            continue
        this = node.this
        zone = node.args.get("zone")
        as_written: frozenset[str] = frozenset()
        if isinstance(this, exp.TsOrDsToTime) or (
            isinstance(this, exp.Cast) and this.to.this == exp.DataType.Type.TIME
        ):
            time = exp.cast(this.this if isinstance(this, exp.TsOrDsToTime) else this, "TIME")
            value: exp.Expression = exp.Add(this=exp.cast(_lit("1970-01-01"), "DATE"), expression=time)
            as_written = _DATE_ELEMENTS
            if any(spelled in fmt.name for spelled in _EXPANDED_DATE_ELEMENTS):
                from .googlesql import BigQueryError

                raise BigQueryError(
                    "FORMAT_TIME with the date elements %D, %x, %F or %c is not supported by the local warehouse",
                    fix="format the time with time elements only (%H, %M, %S, %T, ...)",
                )
        elif zone is not None:
            if isinstance(this, exp.TsOrDsToTimestamp):
                this = exp.cast(this.this, "TIMESTAMPTZ")
            value = _call("timezone", zone.copy(), this.copy())
        else:
            value = exp.cast(this.copy(), "TIMESTAMP")
            if isinstance(this, exp.TsOrDsToDatetime):
                as_written = _ZONE_ELEMENTS
        # a TIME is formatted as that time of 1970-01-01 UTC (its %s: the seconds of the day)
        original = value if as_written is _DATE_ELEMENTS else this
        node.replace(compile_format(fmt.name, value, original=original, zone=zone, as_written=as_written))
    for node in reversed(find_all(stmt, exp.StrToTime, exp.StrToDate)):
        fmt = node.args.get("format")
        if isinstance(fmt, exp.Literal) and fmt.is_string:
            node.set("format", _lit(_parse_format(fmt.name)))
    _parse_formats_in_parts(stmt)
    for node in reversed(find_all(stmt, exp.Format)):
        node.replace(_printf(node))


def epoch_second_parses(stmt: exp.Expression) -> None:
    """PARSE_TIMESTAMP('%s', text) and PARSE_DATETIME('%s', text): the seconds since the epoch
    (DuckDB's strptime has no %s). BigQuery's %s overrides every other element of the format; a
    format with others beside it is refused by name."""
    import sqlglot

    from .googlesql import BigQueryError

    for node in find_all(stmt, exp.StrToTime, exp.ParseDatetime):
        fmt = node.args.get("format")
        if not (isinstance(fmt, exp.Literal) and fmt.is_string and "%s" in fmt.name.replace("%%", "")):
            continue
        if fmt.name.strip() != "%s":
            raise BigQueryError(
                f"the format {fmt.name!r} (%s beside other elements) is not supported by the local warehouse",
                fix="parse the seconds alone: TIMESTAMP_SECONDS(CAST(text AS INT64))",
            )
        template = "TIMESTAMP_SECONDS(CAST(__bq_text AS INT64))"
        if isinstance(node, exp.ParseDatetime):
            template = f"DATETIME({template})"
        parsed = sqlglot.parse_one(template, read="bigquery")
        for placeholder in list(parsed.find_all(exp.Column)):
            if placeholder.name == "__bq_text":
                placeholder.replace(exp.Trim(this=node.this.copy()))
        node.replace(parsed)


def _parse_format(fmt: str) -> str:
    """PARSE_*: BigQuery's elements as DuckDB strptime ones."""
    fmt = re.sub(r"%E[*\d]S", "%S.%f", fmt)
    fmt = fmt.replace("%E4Y", "%Y").replace("%Ez", "%z").replace("%R", "%H:%M").replace("%k", "%-H")
    return fmt.replace("%l", "%-I")


def _parse_formats_in_parts(stmt: exp.Expression) -> None:
    """PARSE_TIME's format, and PARSE_TIMESTAMP's where sqlglot prefixed a default year to it
    (`'%Y ' || fmt`): BigQuery's elements in each literal part as DuckDB's."""
    for node in reversed(find_all(stmt, exp.StrToTime, exp.StrToDate, exp.ParseTime)):
        fmt = node.args.get("format")
        if isinstance(fmt, exp.Literal) and fmt.is_string and isinstance(node, exp.ParseTime):
            node.set("format", _lit(_parse_format(fmt.name)))
        elif isinstance(fmt, exp.DPipe):
            for part in fmt.find_all(exp.Literal):
                if part.is_string:
                    part.replace(_lit(_parse_format(part.name)))


_PRINTF_SPEC = re.compile(r"%([-+ #0']*)(\d+|\*)?(?:\.(\d+|\*))?([a-zA-Z%])")


def _printf(node: exp.Format) -> exp.Expression:
    """GoogleSQL's FORMAT is printf-style (DuckDB's PRINTF) plus %t (text), %T (literal) and
    %'d (digit grouping)."""
    args = list(node.expressions)
    fmt = node.this
    if not isinstance(fmt, exp.Literal) or not fmt.is_string:
        return _runtime_printf(fmt, args)
    text = fmt.name
    wrong = _arity_error(text, len(args))
    if wrong is not None:
        from .semantics import fail

        # at run time, as BigQuery: a query without rows answers no error; typed as FORMAT's STRING
        return exp.cast(fail(wrong), "VARCHAR")
    out: list[str] = []
    new_args: list[exp.Expression] = []
    pos = 0
    i = 0
    for m in _PRINTF_SPEC.finditer(text):
        out.append(text[pos : m.start()])
        pos = m.end()
        flags, width, _prec, conv = m.groups()
        if conv == "%":
            out.append("%%")
            continue
        if i >= len(args):
            out.append(m.group(0))
            continue
        arg = args[i]
        i += 1
        if conv in "tT":
            out.append(f"%{flags or ''}{width or ''}s")
            new_args.append(_typed_value_text(arg, _static_type(arg), literal=conv == "T"))
        elif "'" in (flags or "") and conv in "di":
            out.append(f"%{(flags or '').replace(chr(39), '')}{width or ''}s")
            new_args.append(_call("format", _lit("{:,}"), arg))
        elif conv == "s":
            out.append(m.group(0))
            new_args.append(_string_argument(arg, i))
        elif conv in "di" and _prec is not None and "0" in (flags or ""):
            # C's printf ignores the 0 flag of an integer with a precision; DuckDB's drops the precision
            out.append(m.group(0).replace("%" + flags, "%" + flags.replace("0", ""), 1))
            new_args.append(arg)
        else:
            out.append(m.group(0))
            new_args.append(arg)
    out.append(text[pos:])
    new_args.extend(args[i:])
    return _call("printf", _lit("".join(out)), *new_args)


# a spec's count of values: none for %%, one more for each `*` width or precision
_VALUES_OF_SPEC = "s -> CASE WHEN s = '%%' THEN 0 ELSE 1 + length(s) - length(replace(s, '*', '')) END"
# an integer spec with a precision: C's printf ignores its 0 flag, DuckDB's drops the precision
_ZERO_FLAG_WITH_PRECISION = r"%([-+ #']*)0+([-+ #']*)(\d*|\*)(\.(?:\d+|\*)[di])"


def _runtime_printf(fmt: exp.Expression, args: list[exp.Expression]) -> exp.Expression:
    """FORMAT with a pattern that is not a literal: DuckDB's PRINTF, with the pattern's count of
    values (BigQuery's error when it differs from the arguments) and integer precision checked
    as it runs (%t, %T and %'d are the literal pattern's only)."""
    from .functions import _t

    spec = _PRINTF_SPEC.pattern.replace("'", "''")
    wanted = f"coalesce(list_sum(list_transform(regexp_extract_all(_A, '{spec}'), {_VALUES_OF_SPEC})), 0)"
    given = len(args)
    pattern = f"regexp_replace(_A, '{_ZERO_FLAG_WITH_PRECISION.replace(chr(39), chr(39) * 2)}', '%\\1\\2\\3\\4', 'g')"
    names = [f"_{chr(ord('B') + i)}" for i in range(len(args))]
    return _t(
        f"CASE WHEN {wanted} <> {given} THEN error('Too ' || CASE WHEN {wanted} > {given} THEN 'few' ELSE 'many' END "
        f"|| ' arguments to FORMAT for pattern \"' || _A || '\"; Expected ' || ({wanted} + 1) || '; Got {given + 1}') "
        f"ELSE printf({', '.join([pattern, *names])}) END",
        fmt,
        *args,
    )


def _arity_error(pattern: str, given: int) -> str | None:
    """BigQuery's error when a FORMAT pattern takes more or fewer values than `given` (each
    `*` width or precision takes one too), else None; the counts include the pattern."""
    wanted = 0
    for m in _PRINTF_SPEC.finditer(pattern):
        flags, width, prec, conv = m.groups()
        if conv != "%":
            wanted += 1 + (width == "*") + (prec == "*")
    if wanted == given:
        return None
    few = "few" if wanted > given else "many"
    return f'Too {few} arguments to FORMAT for pattern "{pattern}"; Expected {wanted + 1}; Got {given + 1}'


def _static_type(arg: exp.Expression) -> str | None:
    """The BigQuery type the query text gives `arg` (literals, casts, constructors), or None."""
    from sqlglot.optimizer.annotate_types import annotate_types

    from .coltypes import known_type

    if known_type(arg) is not None:
        return known_type(arg)
    if isinstance(arg, exp.Null) or any(True for _ in arg.find_all(exp.Column, exp.Placeholder, exp.Parameter)):
        return None
    typed = annotate_types(exp.select(arg.copy()), dialect="bigquery").expressions[0].type
    if typed is None or typed.this in (exp.DataType.Type.UNKNOWN, exp.DataType.Type.NULL):
        return None
    return typed.sql("bigquery")


def _string_argument(arg: exp.Expression, position: int) -> exp.Expression:
    """FORMAT's %s takes only a STRING (ZetaSQL's TypeCheckStringArg): another type is BigQuery's
    error, when the query is translated if the text shows the type, else when DuckDB binds it.
    `position` counts the values from 1 (BigQuery counts the pattern too)."""
    from .binderwords import TYPE_NAMES
    from .googlesql import BigQueryError

    message = f"Invalid type for argument {position + 1} to FORMAT; Expected STRING; Got "
    kind = _static_type(arg)
    if kind is not None and kind != "STRING":
        raise BigQueryError(message + kind, fix="use %t for a value of any type, or CAST it AS STRING")
    if kind == "STRING" or (isinstance(arg, exp.Literal) and arg.is_string) or isinstance(arg, exp.Null):
        return arg
    typ = _call("typeof", arg.copy())
    name = exp.Case(
        ifs=[exp.If(this=exp.EQ(this=typ.copy(), expression=_lit(d)), true=_lit(b)) for d, b in TYPE_NAMES.items()],
        default=typ.copy(),
    )
    wrong = exp.Not(this=exp.In(this=typ, expressions=[_lit("VARCHAR"), _lit("NULL")]))
    return exp.Case(
        ifs=[exp.If(this=wrong, true=_call("error", _concat([_lit(message), name])))],
        default=arg.copy(),
    )


_SCALAR_LISTS = ("BIGINT[]", "INTEGER[]", "BOOLEAN[]")

# DuckDB writes a BLOB's bytes other than printable ASCII, and its quotes and backslash, as
# \xHH (upper case); a GoogleSQL bytes literal has \xhh (lower case) for the unprintable ones
# only and escapes the backslash, the double quote and the backtick.
_BYTES_ESCAPES = (
    r"array_to_string(list_transform(regexp_extract_all(_A, '\\x[0-9A-F]{2}|[^\\]+'), lambda t: "
    r"CASE WHEN t = '\x5C' THEN '\\' WHEN t = '\x22' THEN '\"' WHEN t = '\x27' THEN '''' "
    r"WHEN t = '\x60' THEN '\`' WHEN starts_with(t, '\x') THEN lower(t) ELSE replace(t, '`', '\`') END), '')"
)


def _bytes_escapes(text: exp.Expression) -> exp.Expression:
    """BYTES as DuckDB's text, re-escaped as the body of a GoogleSQL bytes literal (FORMAT %T)."""
    from .functions import _t

    return _t(_BYTES_ESCAPES, text)


def _typed_value_text(arg: exp.Expression, typ: str | None, *, literal: bool) -> exp.Expression:
    """FORMAT's %t / %T of a value whose BigQuery type the query text shows (`typ`): an ARRAY is
    `[v, v]` and a STRUCT `(v, v)` (under %T: `STRUCT()` without fields, `STRUCT(v)` with one),
    each element or field formatted by its own type, per the reference's table. A value of
    another type, or of a type the text does not show, is formatted by its DuckDB type as it
    runs (`_value_text`)."""
    dtype = exp.DataType.build(typ, dialect="bigquery") if typ else None
    if dtype is None or dtype.this not in (exp.DataType.Type.ARRAY, exp.DataType.Type.STRUCT):
        return _value_text(arg, literal=literal)
    kinds = [(f.args["kind"] if isinstance(f, exp.ColumnDef) else f).sql("bigquery") for f in dtype.expressions]
    if dtype.this == exp.DataType.Type.ARRAY:
        element = exp.to_identifier(_ELEMENT_NAME)
        each = _typed_value_text(exp.column(_ELEMENT_NAME), kinds[0], literal=literal)
        texts = _call("list_transform", arg.copy(), exp.Lambda(this=each, expressions=[element]))
        text = _concat([_lit("["), _call("array_to_string", texts, _lit(", ")), _lit("]")])
    else:
        fields = [
            _typed_value_text(_call("struct_extract_at", arg.copy(), exp.Literal.number(i + 1)), k, literal=literal)
            for i, k in enumerate(kinds)
        ]
        joined = [part for i, f in enumerate(fields) for part in ([_lit(", ")] if i else []) + [f]]
        opening = "STRUCT(" if literal and len(fields) < 2 else "("
        text = _concat([_lit(opening), *joined, _lit(")")])
    return exp.Case(ifs=[exp.If(this=exp.Is(this=arg.copy(), expression=exp.Null()), true=_lit("NULL"))], default=text)


_ELEMENT_NAME = "__format_element"


def _value_text(arg: exp.Expression, *, literal: bool) -> exp.Expression:
    """FORMAT's %t (a value as text) and %T (as a GoogleSQL literal), per BigQuery's table:
    FLOAT64 and NUMERIC always with `.0`, strings and bytes quoted under %T, dates, timestamps,
    intervals and ranges with their type name under %T. Arrays of other than INT64/BOOL and
    structs whose type the query text does not show are refused by name (DuckDB writes them
    differently)."""
    from .intervals import canonical_text
    from .ranges import text_of, typeof_elements
    from .semantics import TIME_TEXT_TYPEOFS, time_text

    typ = _call("typeof", arg.copy())

    def is_(*names: str) -> exp.Expression:
        return exp.In(this=typ.copy(), expressions=[_lit(n) for n in names])

    text = _text(arg)
    timed = time_text(_text(arg))  # the fraction as 3 or 6 digits
    # a JSON's members sorted by key, the first of a repeated key kept, as BigQuery keeps them
    sorted_json = _call(SORTED_JSON_UDF, text.copy())

    def point(t: exp.Expression, digits: str) -> exp.Expression:
        bare = _call("regexp_full_match", t.copy(), _lit(digits))
        return exp.Case(ifs=[exp.If(this=bare, true=_concat([t.copy(), _lit(".0")]))], default=t.copy())

    def quoted(prefix: str, t: exp.Expression, q: str = '"') -> exp.Expression:
        escaped = _call("replace", _call("replace", t, _lit("\\"), _lit("\\\\")), _lit(q), _lit("\\" + q))
        return _concat([_lit(prefix + q), escaped, _lit(q)])

    finite = _call("isfinite", exp.cast(arg.copy(), "DOUBLE"))
    double = point(float_text(arg), r"-?[0-9]+")
    if literal:
        double = exp.Case(
            ifs=[
                exp.If(
                    this=exp.Not(this=finite), true=_concat([_lit('CAST("'), float_text(arg), _lit('" AS FLOAT64)')])
                )
            ],
            default=double,
        )
    decimal = point(numeric_text(arg), r"-?[0-9]+")
    element = "%T" if literal else "%t"
    nested = exp.And(
        this=_call("regexp_matches", typ.copy(), _lit(r"\[\]|STRUCT|MAP|UNION")),
        expression=exp.Not(this=is_(*_SCALAR_LISTS, *typeof_elements())),
    )
    refused = _lit(
        f"FORMAT {element} of a STRUCT or of an ARRAY other than ARRAY<INT64> or ARRAY<BOOL> is not supported by "
        "the local warehouse where the query text does not show its type; format its fields, or CAST it"
    )
    interval = canonical_text(exp.TryCast(this=_text(arg), to=exp.DataType.build("INTERVAL")))
    ifs = [
        (exp.Is(this=arg.copy(), expression=exp.Null()), _lit("NULL")),
        # before the scalars: DuckDB's typeof of an ARRAY<NUMERIC> is DECIMAL(38,9)[], which
        # `LIKE 'DECIMAL%'` took for a NUMERIC (`NUMERIC "[1.500000000]"`)
        (nested, _call("error", refused)),
        (is_("DOUBLE", "FLOAT"), double),
    ]
    for typeof, kind in typeof_elements().items():
        ranged = text_of(arg)
        ifs.append((is_(typeof), quoted(f"RANGE<{kind}> ", ranged) if literal else ranged))
    ifs.append(
        (is_("INTERVAL"), _concat([_lit('INTERVAL "'), interval, _lit('" YEAR TO SECOND')]) if literal else interval)
    )
    if literal:
        big = exp.Like(this=typ.copy(), expression=_lit("DECIMAL(%,18)"))
        ifs += [
            (big, _concat([_lit('BIGNUMERIC "'), decimal.copy(), _lit('"')])),
            (exp.Like(this=typ.copy(), expression=_lit("DECIMAL%")), _concat([_lit('NUMERIC "'), decimal, _lit('"')])),
            (is_("VARCHAR"), _call(STRING_LITERAL_UDF, exp.cast(arg.copy(), "VARCHAR"))),
            (is_("BLOB"), _concat([_lit('b"'), _bytes_escapes(text.copy()), _lit('"')])),
            (is_("DATE"), quoted("DATE ", text.copy())),
            (is_("TIMESTAMP WITH TIME ZONE"), quoted("TIMESTAMP ", timed.copy())),
            (is_("TIMESTAMP"), quoted("DATETIME ", timed.copy())),
            (is_("TIME"), quoted("TIME ", timed.copy())),
            (is_("JSON"), quoted("JSON ", sorted_json.copy(), "'")),
        ]
    else:
        ifs.append((is_("JSON"), sorted_json))
        ifs.append((exp.Like(this=typ.copy(), expression=_lit("DECIMAL%")), decimal))
        ifs.append((is_(*TIME_TEXT_TYPEOFS), timed))
    geography = _lit(
        f"FORMAT {element} of a GEOGRAPHY is not supported by the local warehouse; format ST_ASTEXT(value)"
    )
    ifs.append((is_("GEOMETRY"), _call("error", geography)))  # DuckDB's WKT is not BigQuery's
    return exp.Case(ifs=[exp.If(this=c, true=v) for c, v in ifs], default=text)
