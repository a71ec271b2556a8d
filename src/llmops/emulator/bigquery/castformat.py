"""`CAST(x AS STRING FORMAT '...')` of dates and times and `CAST(text AS DATE|DATETIME|TIMESTAMP|TIME
FORMAT '...')`: BigQuery's format model (`YYYY-MM-DD HH24:MI:SS.FF3 TZH:TZM`, `DD-MON-YYYY`,
`"text"`), written as DuckDB strftime/strptime pieces.

sqlglot turns a CAST to a date/time type with FORMAT into strptime with its own, lossy reading of
the format (the target type and elements such as `FF3`, `DDD`, `A.M.` are lost), so `protect`
hides those formats from it before parsing (as digits, which sqlglot's format mapping leaves
alone) and `rewrite` reads them back. Numbers formatted as text (`FORMAT '999.99'`) are refused
by name.
"""

from __future__ import annotations

import re
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.optimizer.simplify import simplify

from .census import find_all

_SENTINEL = "7777777777"
_TARGETS = {"DATE": "1", "DATETIME": "2", "TIMESTAMP": "3", "TIME": "4"}
_TARGET_OF = {v: k for k, v in _TARGETS.items()}
_DYNAMIC = "7777777778"
# a format that is not a string literal (sqlglot parses only a literal after FORMAT)
_EXPRESSION_FORMAT = re.compile(r"\bAS\s+(\w+)\s+FORMAT\s+", re.IGNORECASE)
_STRING_LITERAL = re.compile(r"'[^'\\]*'|\"[^\"\\]*\"")
_AT_TIME_ZONE = re.compile(r"(?<![\w.])AT\s+TIME\s+ZONE\b", re.IGNORECASE)
_CAST_FORMAT = re.compile(r"\bAS\s+(DATE|DATETIME|TIMESTAMP|TIME)\s+FORMAT\s+'(?!7777777778)([^'\\]*)'", re.IGNORECASE)

_ELEMENT = re.compile(
    r'"[^"]*"|YYYY|YYY|YY|Y|RRRR|RR|MONTH|MON|MM|DDD|DD|DAY|DY|D|HH24|HH12|HH|MI|SSSSS|SS|FF[1-9]|'
    r"A\.M\.|P\.M\.|AM|PM|TZH|TZM|[-./,';: ]",
    re.IGNORECASE,
)
# a numeric format model: digits 0/9 (or X for hexadecimal), with signs, separators, currency
_NUMBER_FORMAT = re.compile(r"^\s*(FM)?[-+$SBVCLMIPRDGEXN.,0-9 ]*[09X][-+$SBVCLMIPRDGEXN.,0-9 ]*$", re.IGNORECASE)
_TIME_ELEMENTS = {"HH24", "HH12", "HH", "MI", "SSSSS", "SS", "A.M.", "P.M.", "AM", "PM"}
_DATE_ELEMENTS = {"YYYY", "YYY", "YY", "Y", "RRRR", "RR", "MONTH", "MON", "MM", "DDD", "DD", "DAY", "DY", "D"}


def _error(message: str, fix: str) -> Exception:
    from .googlesql import BigQueryError

    return BigQueryError(message, fix=fix)


def _codes(text: str) -> str:
    return "".join(f"{ord(c):07d}" for c in text)


def protect(sql: str) -> str:
    """`sql` with each `AS <date/time type> FORMAT '<format>'` format encoded as digits, and each
    format that is not a literal (`FORMAT @f`, `FORMAT 'BASE' || '64'`) encoded as digits for
    `restore` (sqlglot reads only a string literal there)."""

    def encode(m: re.Match[str]) -> str:
        return f"AS {m.group(1)} FORMAT '{_SENTINEL}{_TARGETS[m.group(1).upper()]}{_codes(m.group(2))}'"

    if "FORMAT" not in sql.upper():
        return sql
    return _CAST_FORMAT.sub(encode, _protect_expressions(sql))


def _protect_expressions(sql: str) -> str:
    out, pos = [], 0
    for m in _EXPRESSION_FORMAT.finditer(sql):
        if m.start() < pos or _in_quotes(sql, m.start()):
            continue
        end = _expression_end(sql, m.end())
        text = sql[m.end() : end].strip()
        if not text or _STRING_LITERAL.fullmatch(text):
            continue
        target = _TARGETS.get(m.group(1).upper(), "0")
        out.append(f"{sql[pos : m.start()]}AS {m.group(1)} FORMAT '{_DYNAMIC}{target}{_codes(text)}' ")
        pos = end
    return "".join(out) + sql[pos:] if out else sql


def _in_quotes(sql: str, end: int) -> bool:
    """Whether `end` lies inside a quoted string or identifier of `sql`."""
    quote, pos = "", 0
    while pos < end:
        c = sql[pos]
        if quote:
            if c == "\\":
                pos += 1
            elif c == quote:
                quote = ""
        elif c in "'\"`":
            quote = c
        pos += 1
    return bool(quote)


def _expression_end(sql: str, pos: int) -> int:
    """Where the format expression starting at `pos` ends: at the CAST's closing parenthesis or
    at `AT TIME ZONE`."""
    depth = 0
    while pos < len(sql):
        c = sql[pos]
        if c in "'\"`":
            pos += 1
            while pos < len(sql) and sql[pos] != c:
                pos += 2 if sql[pos] == "\\" else 1
        elif c == "(":
            depth += 1
        elif c == ")":
            if depth == 0:
                return pos
            depth -= 1
        elif depth == 0 and (c == "," or _AT_TIME_ZONE.match(sql, pos)):
            return pos
        pos += 1
    return pos


def _decoded(fmt: str) -> tuple[str, str] | None:
    """(target type, the original format) of a format `protect` encoded, else None."""
    if not (fmt.startswith(_SENTINEL) and len(fmt) > len(_SENTINEL) and fmt[len(_SENTINEL)] in _TARGET_OF):
        return None
    codes = fmt[len(_SENTINEL) + 1 :]
    if len(codes) % 7 or (codes and not codes.isdigit()):
        return None
    text = "".join(chr(int(codes[i : i + 7])) for i in range(0, len(codes), 7))
    return _TARGET_OF[fmt[len(_SENTINEL)]], text


def _is_null(node: exp.Expression | None) -> bool:
    """`NULL` or `CAST(NULL AS ...)`."""
    return isinstance(node, exp.Null) or (isinstance(node, exp.Cast) and isinstance(node.this, exp.Null))


def restore(stmt: exp.Expr) -> None:
    """Put back the formats `protect` encoded as expressions: a constant one folded to its
    literal, a NULL one (or a NULL `AT TIME ZONE`) making the CAST NULL; a column or parameter
    stays an expression, which only a cast between BYTES and STRING takes (see `rewrite`)."""
    node: Any
    for node in find_all(stmt, exp.Cast, exp.StrToDate, exp.StrToTime):
        holder = node.args.get("format")
        if isinstance(node, exp.Cast) and isinstance(holder, exp.AtTimeZone) and _is_null(holder.args.get("zone")):
            # a NULL zone makes the text NULL (its CAST AS STRING, spelled out in every format
            # element, took DuckDB seconds to bind)
            node.replace(exp.cast(exp.null(), node.to.copy()))
            continue
        fmt = holder.this if isinstance(holder, exp.AtTimeZone) else holder
        if not (isinstance(fmt, exp.Literal) and fmt.is_string and fmt.name.startswith(_DYNAMIC)):
            continue
        target, codes = fmt.name[len(_DYNAMIC)], fmt.name[len(_DYNAMIC) + 1 :]
        text = "".join(chr(int(codes[i : i + 7])) for i in range(0, len(codes), 7))
        value = simplify(sqlglot.parse_one(f"SELECT {text}", read="bigquery").expressions[0])
        if _is_null(value):
            to = node.to if isinstance(node, exp.Cast) else exp.DataType.build(_TARGET_OF[target], dialect="bigquery")
            node.replace(exp.cast(exp.null(), to.copy()))
            continue
        if target in _TARGET_OF:
            if not (isinstance(value, exp.Literal) and value.is_string):
                raise _error(
                    f"CAST AS {_TARGET_OF[target]} FORMAT with a format that is not a constant is not supported "
                    "by the local warehouse",
                    "write the format as a string literal",
                )
            value = exp.Literal.string(f"{_SENTINEL}{target}{_codes(value.name)}")
        fmt.replace(value)


def _elements(fmt: str) -> list[str]:
    unmatched = _unmatched(fmt)
    if unmatched is not None:
        raise _error(
            unmatched, "use BigQuery's format elements (YYYY, MM, DD, HH24, MI, SS, FFn, TZH...) and quote literal text"
        )
    return [m.group(0) for m in _ELEMENT.finditer(fmt)]


def _unmatched(fmt: str) -> str | None:
    """ZetaSQL's error for a format with text that is no format element, or None."""
    pos = 0
    while pos < len(fmt):
        m = _ELEMENT.match(fmt, pos)
        if m is None:
            return f"Cannot find matched format element at {pos} in the format string '{fmt}'"
        pos = m.end()
    return None


def _cased(element: str, text_sql: str) -> str:
    """A name element's text in the element's case: MON -> JAN, Mon -> Jan, mon -> jan."""
    letters = element.replace(".", "")
    if letters.isupper():
        return f"upper({text_sql})"
    if letters.islower():
        return f"lower({text_sql})"
    return f"upper(left({text_sql}, 1)) || lower(substr({text_sql}, 2))"


def _piece(element: str, ts: str, offset: str) -> str:
    """DuckDB SQL writing one element of TIMESTAMP `ts` (local time); `offset` its zone's seconds."""
    e = element.upper()
    # printf, not CAST AS VARCHAR: semantics.py's CAST AS STRING rewrite copies its value per type
    year = f"printf('%d', year({ts}))"
    simple = {
        "YYYY": f"lpad({year}, 4, '0')",
        "RRRR": f"lpad({year}, 4, '0')",
        "YYY": f"right(lpad({year}, 4, '0'), 3)",
        "YY": f"right(lpad({year}, 4, '0'), 2)",
        "RR": f"right(lpad({year}, 4, '0'), 2)",
        "Y": f"right({year}, 1)",
        "MM": f"strftime({ts}, '%m')",
        "DD": f"strftime({ts}, '%d')",
        "DDD": f"strftime({ts}, '%j')",
        "D": f"printf('%d', dayofweek({ts}) + 1)",
        "HH": f"strftime({ts}, '%I')",
        "HH12": f"strftime({ts}, '%I')",
        "HH24": f"strftime({ts}, '%H')",
        "MI": f"strftime({ts}, '%M')",
        "SS": f"strftime({ts}, '%S')",
        "SSSSS": f"lpad(printf('%d', hour({ts}) * 3600 + minute({ts}) * 60 + second({ts})), 5, '0')",
        "TZH": f"CASE WHEN {offset} < 0 THEN '-' ELSE '+' END || lpad(printf('%d', abs({offset}) // 3600), 2, '0')",
        "TZM": f"lpad(printf('%d', abs({offset}) % 3600 // 60), 2, '0')",
    }
    if e in simple:
        return simple[e]
    names = {"MONTH": "%B", "MON": "%b", "DAY": "%A", "DY": "%a"}
    if e in names:
        return _cased(element, f"strftime({ts}, '{names[e]}')")
    if e in ("AM", "PM"):
        return _cased(element, f"strftime({ts}, '%p')")
    if e in ("A.M.", "P.M."):
        return _cased(element, f"CASE WHEN hour({ts}) < 12 THEN 'A.M.' ELSE 'P.M.' END")
    if e.startswith("FF"):
        digits = int(e[2:])
        micros = f"strftime({ts}, '%f')"
        return f"left({micros}, {digits})" if digits <= 6 else f"{micros} || '{'0' * (digits - 6)}'"
    if element.startswith('"'):
        return "'" + element[1:-1].replace("'", "''") + "'"
    return "'" + element.replace("'", "''") + "'"


def _to_string(node: exp.Cast, fmt: str, zone: exp.Expression | None) -> exp.Expression:
    """CAST(date/time AS STRING FORMAT fmt [AT TIME ZONE zone]); the value's type is chosen by
    typeof(), which DuckDB folds when it binds (each branch reads the value through its text, so
    it binds for any type)."""
    from .functions import _t

    if _NUMBER_FORMAT.match(fmt):
        raise _error(
            f"CAST AS STRING FORMAT '{fmt}' of a number is not supported by the local warehouse",
            "use FORMAT('%.2f', x) or CAST(x AS STRING)",
        )
    unmatched = _unmatched(fmt)
    if unmatched is not None:  # an evaluation error in ZetaSQL: only a row cast with it fails
        message = unmatched.replace("'", "''")
        return _t(f"CAST(CASE WHEN _A IS NULL THEN NULL ELSE error('{message}') END AS VARCHAR)", node.this)
    parts = _elements(fmt)
    kinds = {p.upper() for p in parts}
    text = "printf('%s', _A)"
    ts = (
        "CASE typeof(_A) "
        f"WHEN 'TIMESTAMP WITH TIME ZONE' THEN timezone(_B, TRY_CAST({text} AS TIMESTAMPTZ)) "
        f"WHEN 'TIME' THEN DATE '1970-01-01' + TRY_CAST({text} AS TIME) "
        f"ELSE TRY_CAST({text} AS TIMESTAMP) END"
    )
    offset = (
        f"CAST(epoch(timezone(_B, TRY_CAST({text} AS TIMESTAMPTZ))) - epoch(TRY_CAST({text} AS TIMESTAMPTZ)) AS BIGINT)"
    )
    pieces = " || ".join(_piece(p, "v.t", "v.o") for p in parts) or "''"
    body = f"list_transform([{{'t': {ts}, 'o': {offset}}}], lambda v: {pieces})[1]"
    checks = ["WHEN _A IS NULL THEN NULL"]
    if kinds & _TIME_ELEMENTS:
        checks.append("WHEN typeof(_A) = 'DATE' THEN error('A time format element is not supported for DATE')")
    if kinds & _DATE_ELEMENTS:
        checks.append("WHEN typeof(_A) = 'TIME' THEN error('A date format element is not supported for TIME')")
    if kinds & {"TZH", "TZM"}:
        checks.append(
            "WHEN typeof(_A) <> 'TIMESTAMP WITH TIME ZONE' THEN error('TZH and TZM are only supported for TIMESTAMP')"
        )
    checks.append(
        "WHEN typeof(_A) NOT IN ('DATE', 'TIME', 'TIMESTAMP', 'TIMESTAMP WITH TIME ZONE') THEN "
        "error('CAST AS STRING FORMAT of a number or other non-date value is not supported by the local warehouse')"
    )
    template = f"CASE {' '.join(checks)} ELSE {body} END"
    return _t(
        template, exp.paren(node.this.copy(), copy=False), zone if zone is not None else exp.Literal.string("UTC")
    )


_PARSE = {
    "YYYY": "%Y",
    "RRRR": "%Y",
    "YY": "%y",
    "RR": "%y",
    "MM": "%m",
    "MON": "%b",
    "MONTH": "%B",
    "DD": "%d",
    "DDD": "%j",
    "HH": "%I",
    "HH12": "%I",
    "HH24": "%H",
    "MI": "%M",
    "SS": "%S",
    "AM": "%p",
    "PM": "%p",
}


def _from_string(node: exp.Expression, target: str, fmt: str) -> exp.Expression:
    """CAST(text AS DATE/DATETIME/TIMESTAMP/TIME FORMAT fmt) through strptime."""
    from .functions import _t

    parts = _elements(fmt)
    pattern: list[str] = []
    zoned = False
    for i, part in enumerate(parts):
        e = part.upper()
        if e in _PARSE:
            pattern.append(_PARSE[e])
        elif e.startswith("FF"):
            if not pattern or pattern[-1] != ".":
                raise _error(f"{part} is supported only after '.' by the local warehouse", "write SS.FFn")
            pattern.append("%f")
        elif e == "TZH" and i + 2 < len(parts) and parts[i + 1] == ":" and parts[i + 2].upper() == "TZM":
            pattern.append("%z")
            zoned = True
        elif e == "TZM" and zoned:
            pattern.pop()  # the ':' before it, which %z reads
        elif part.startswith('"'):
            pattern.append(part[1:-1].replace("%", "%%"))
        elif e in _DATE_ELEMENTS | _TIME_ELEMENTS | {"TZH", "TZM", "A.M.", "P.M."}:
            raise _error(
                f"CAST AS {target} FORMAT with {part} is not supported by the local warehouse",
                "use PARSE_DATE / PARSE_DATETIME / PARSE_TIMESTAMP / PARSE_TIME with a strftime format",
            )
        else:
            pattern.append(part.replace("%", "%%"))
    # a year or month the format leaves out is the current one's; the day is 1, the time midnight
    kinds = {p.upper() for p in parts}
    defaults = []
    if target != "TIME" and not kinds & {"YYYY", "RRRR", "YY", "RR"}:
        defaults.append("%Y")
    if target != "TIME" and not kinds & {"MM", "MON", "MONTH", "DDD"}:
        defaults.append("%m")
    if not defaults and not pattern:
        defaults.append("%Y")  # DuckDB's strptime takes no empty format
    text = "_A"
    if defaults:
        text = f"(strftime(current_date, '{'-'.join(defaults)}') || chr(31) || _A)"
        pattern.insert(0, "-".join(defaults) + chr(31))
    strptime = f"strptime({text}, '{''.join(pattern).replace(chr(39), chr(39) * 2)}')"
    safe = bool(node.args.get("safe"))
    if safe:
        strptime = f"TRY({strptime})"
    result = {
        "DATE": f"CAST({strptime} AS DATE)",
        "DATETIME": f"CAST({strptime} AS TIMESTAMP)",
        "TIME": f"CAST({strptime} AS TIME)",
        # without TZH:TZM the text is read in UTC (the session's zone) or AT TIME ZONE's zone
        "TIMESTAMP": f"CAST({strptime} AS TIMESTAMPTZ)",
    }[target]
    zone = node.args.get("zone")
    if target == "TIMESTAMP" and zone is not None and not zoned:
        return _t(f"timezone(_B, CAST({strptime} AS TIMESTAMP))", node.this, zone)
    return _t(result, node.this)


# each hexadecimal digit's four bits, for BASE2
_NIBBLES = "[" + ", ".join(f"'{i:04b}'" for i in range(16)) + "]"
_BASE2 = f"array_to_string(list_transform(string_split(hex(_A), ''), d -> list_extract({_NIBBLES}, strpos('0123456789ABCDEF', d))), '')"
# MIME base64: lines of 76 characters
_BASE64M = "rtrim(regexp_replace(to_base64(_A), '(.{76})', '\\1' || chr(10), 'g'), chr(10))"
_BYTES_TO_TEXT = {
    "HEX": "lower(hex(_A))",
    "BASE16": "lower(hex(_A))",
    "BASE2": _BASE2,
    "BASE64": "to_base64(_A)",
    "BASE64M": _BASE64M,
    "UTF-8": "decode(_A)",
    "UTF8": "decode(_A)",
    "ASCII": "CASE WHEN regexp_matches(decode(_A), '[^\\x00-\\x7F]') THEN error('Invalid ASCII bytes') ELSE decode(_A) END",
}
_TEXT_TO_BYTES = {
    "HEX": "unhex(_A)",
    "BASE16": "unhex(_A)",
    "BASE2": "CASE WHEN length(_A) % 8 <> 0 THEN error('Failed to decode invalid base2 string: its length is not a "
    "multiple of 8') ELSE unbin(_A) END",
    "BASE64": "from_base64(_A)",
    "BASE64M": "from_base64(replace(replace(_A, chr(13), ''), chr(10), ''))",
    "UTF-8": "encode(_A)",
    "UTF8": "encode(_A)",
    "ASCII": "CASE WHEN regexp_matches(_A, '[^\\x00-\\x7F]') THEN error('Invalid ASCII string') ELSE encode(_A) END",
}
_SERVED = "use FORMAT 'BASE2', 'BASE8', 'BASE16' ('HEX'), 'BASE32', 'BASE64', 'BASE64M', 'UTF-8' or 'ASCII'"
_BYTES_FORMATS = {*_BYTES_TO_TEXT, "BASE8", "BASE32"}


def _bytes_format(cast: exp.Cast, fmt: str, to_text: bool) -> exp.Expression:
    """CAST(BYTES AS STRING FORMAT 'BASE2' | 'BASE8' | 'HEX' | 'BASE32' | 'BASE64' | 'BASE64M' | 'UTF-8' |
    'ASCII') and back; SAFE_CAST answers NULL where the text cannot be decoded."""
    from .functions import _t

    name = fmt.strip().upper()
    value = exp.paren(cast.this.copy(), copy=False)
    out: exp.Expression
    if name == "BASE32":
        out = exp.ToBase32(this=value) if to_text else exp.FromBase32(this=value)
    elif name == "BASE8":
        from .udfs import FROM_BASE8_UDF, TO_BASE8_UDF

        out = exp.Anonymous(this=TO_BASE8_UDF if to_text else FROM_BASE8_UDF, expressions=[value])
    else:
        template = (_BYTES_TO_TEXT if to_text else _TEXT_TO_BYTES).get(name)
        if template is None:
            raise _error(
                f"CAST FORMAT '{fmt}' between BYTES and STRING is not supported by the local warehouse", _SERVED
            )
        out = _t(template, value)
    if isinstance(cast, exp.TryCast) or cast.args.get("safe"):
        # DuckDB's TRY refuses error() (volatile): the template's own errors become NULLs
        out = out.transform(lambda n: exp.Null() if isinstance(n, exp.Anonymous) and n.name.lower() == "error" else n)
        out = exp.Anonymous(this="TRY", expressions=[out])
    return out


def _dynamic_bytes_format(cast: exp.Cast, fmt: exp.Expression) -> exp.Expression:
    """CAST between BYTES and STRING with a format known only when the query runs (a column, a
    parameter): the format chosen among those served."""
    from .coltypes import checked, known_type
    from .functions import _t

    to_text = cast.to.is_type("text", "varchar")
    inferred = to_text and not isinstance(cast.this, exp.ByteString) and known_type(cast.this) == "BYTES"
    if not (
        cast.to.is_type("varbinary", "binary", "blob")
        or (to_text and (isinstance(cast.this, exp.ByteString) or inferred))
    ):
        raise _error(
            "CAST ... FORMAT with a format that is not a constant is not supported by the local warehouse "
            "(except between BYTES and STRING)",
            "write the format as a string literal",
        )
    name = exp.Upper(this=exp.Trim(this=fmt.copy()))
    ifs = [
        exp.If(this=exp.EQ(this=name.copy(), expression=exp.Literal.string(f)), true=_bytes_format(cast, f, to_text))
        for f in sorted(_BYTES_TO_TEXT.keys() | {"BASE8", "BASE32"})
    ]
    if isinstance(cast, exp.TryCast) or cast.args.get("safe"):
        chosen = exp.Case(ifs=ifs, default=exp.Null())
    else:
        chosen = exp.Case(ifs=ifs, default=_t("error('Invalid format ''' || _A || '''')", fmt))
    return checked(chosen, (cast.this, "BYTES")) if inferred else chosen


def rewrite(stmt: exp.Expression) -> None:
    """Rewrite the CAST ... FORMAT calls of `stmt` (see the module docstring)."""
    node: Any
    for node in reversed(find_all(stmt, exp.StrToDate, exp.StrToTime)):
        fmt = node.args.get("format")
        decoded = _decoded(fmt.name) if isinstance(fmt, exp.Literal) and fmt.is_string else None
        if decoded is not None:
            node.replace(_from_string(node, *decoded))
    for cast in reversed(find_all(stmt, exp.Cast)):
        fmt = cast.args.get("format")
        if fmt is None:
            continue
        zone = None
        if isinstance(fmt, exp.AtTimeZone):
            fmt, zone = fmt.this, fmt.args.get("zone")
        if not (isinstance(fmt, exp.Literal) and fmt.is_string):
            cast.replace(_dynamic_bytes_format(cast, fmt))
            continue
        if fmt.name.strip().upper() in _BYTES_FORMATS and cast.to.is_type(
            "text", "varchar", "varbinary", "binary", "blob"
        ):
            cast.replace(_bytes_format(cast, fmt.name, to_text=cast.to.is_type("text", "varchar")))
            continue
        if cast.to.is_type("varbinary", "binary", "blob") or isinstance(cast.this, exp.ByteString):
            cast.replace(_dynamic_bytes_format(cast, fmt))  # an unknown format: BigQuery's error when it runs
            continue
        if not cast.to.is_type("text", "varchar"):
            raise _error(
                f"CAST AS {cast.to.sql('bigquery')} FORMAT is not supported by the local warehouse",
                "CAST to STRING, DATE, DATETIME, TIMESTAMP or TIME takes a FORMAT here",
            )
        cast.replace(_to_string(cast, fmt.name, zone))
