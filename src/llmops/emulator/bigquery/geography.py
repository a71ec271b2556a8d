"""BigQuery's GEOGRAPHY type and the common `ST_*` functions on the local warehouse.

A GEOGRAPHY value is stored as DuckDB's core `GEOMETRY` (WKB, longitude/latitude degrees), so a
table's column and a query's result column report GEOGRAPHY, and results leave the engine as
BigQuery's WKT text (`POINT(1 2)`). The `ST_*` calls are rewritten into vectorised Python UDFs
over Arrow batches (`geography_udfs.py`), computed with shapely (the `geo` extra); this module
rewrites the calls and turns results into text.

Measures (distance, length, area, perimeter) are on BigQuery's sphere of radius 6371010 m with
great-circle edges (`geography_sphere.py`). Predicates and set operations are shapely's, planar in longitude/latitude:
BigQuery's edges are geodesic, so a long edge bends differently (see docs/googlesql.md).
"""

from __future__ import annotations

import re
from typing import Any

from sqlglot import exp

from .census import find_all
from .geography_sphere import EARTH_RADIUS_M, GEO_EXTRA_FIX, shapely_module
from .geography_udfs import AGGREGATES, REFUSED, googlesql_names, parse, register, served, udf_names
from .geography_udfs import GEOMETRY as _G
from .geography_udfs import udfs as _udfs

__all__ = [
    "EARTH_RADIUS_M",
    "GEO_EXTRA_FIX",
    "googlesql_names",
    "register",
    "rewrite_calls",
    "shapely_module",
    "text_relation",
    "to_wkt",
    "udf_names",
]


def _error(message: str, fix: str) -> Exception:
    from .googlesql import BigQueryError

    return BigQueryError(message, fix=fix)


# ---------------------------------------------------------------------- translation

_WKT_SPACE = r"([A-Z]) \("


def _astext(arg: exp.Expression) -> exp.Expression:
    """BigQuery's WKT of a GEOMETRY expression, native DuckDB (`POINT(1 2)`, not `POINT (1 2)`)."""
    text = exp.cast(arg.copy(), exp.DataType.build("VARCHAR"))
    return exp.Anonymous(
        this="regexp_replace",
        expressions=[text, exp.Literal.string(_WKT_SPACE), exp.Literal.string("\\1("), exp.Literal.string("g")],
    )


def _name_of(node: Any) -> str | None:
    if isinstance(node, exp.StDistance):
        return "ST_DISTANCE"
    if isinstance(node, exp.Anonymous):
        name = str(node.this).upper()
        return name if name.startswith("ST_") else None
    return None


def _args_of(node: Any) -> list[exp.Expression]:
    if isinstance(node, exp.StDistance):
        args = [node.this, node.expression]
        if node.args.get("use_spheroid") is not None:
            args.append(node.args["use_spheroid"])
        return args
    return list(node.expressions)


def rewrite_calls(stmt: exp.Expression, *, columns: bool = True) -> set[str]:
    """Rewrite the `ST_*` calls of `stmt` as geography UDF calls; the UDF names it needs.

    An `ST_*` function this module does not serve is refused by name, listing those it does.
    Without `columns` (a function body), the text of a column of unknown type keeps its CAST:
    testing each for GEOGRAPHY copies it, which grows a large body past the time limit.
    """
    used: set[str] = set()
    calls = [n for n in stmt.find_all(exp.Anonymous, exp.StDistance) if _name_of(n)]
    if not calls:
        _rewrite_texts(stmt, columns)
        return used
    shapely_module()
    for node in reversed(calls):
        name = _name_of(node)
        assert name is not None
        args = _args_of(node)
        args = _with_options(name, args)
        if name == "ST_ASTEXT" and len(args) == 1:
            node.replace(_astext(args[0]))
            continue
        if name == "ST_ASBINARY" and len(args) == 1:
            node.replace(exp.Anonymous(this="st_aswkb", expressions=[args[0].copy()]))
            continue
        spec = _udfs().get((name, len(args)))
        if spec is None:
            arity = f" with {len(args)} argument(s)" if any(key[0] == name for key in _udfs()) else ""
            reason = REFUSED.get(name, f"{name}{arity} is not supported by the local warehouse")
            raise _error(reason, "use one of the served geography functions: " + ", ".join(served()))
        udf = spec[0]
        call_args = [a.copy() for a in args]
        if name in AGGREGATES:
            call_args = [exp.Anonymous(this="list", expressions=call_args)]
        node.replace(exp.Anonymous(this=udf, expressions=call_args))
        used.add(udf)
    _rewrite_texts(stmt, columns)
    return used


_OPTIONS = {"ST_GEOGFROMTEXT": ("oriented", "planar", "make_valid"), "ST_GEOGFROMGEOJSON": ("make_valid",)}
"""The optional arguments of the parsers, in order (ST_GEOGFROMTEXT's second positional one is
`oriented`)."""


def _with_options(name: str, args: list[exp.Expression]) -> list[exp.Expression]:
    """`args` with a parser's options given in full (FALSE where not given); named arguments of
    any other function are refused."""
    named = {a.this.name.lower(): a.expression for a in args if isinstance(a, exp.Kwarg)}
    positional = [a for a in args if not isinstance(a, exp.Kwarg)]
    options = _OPTIONS.get(name)
    if options is None or (len(args) == 1 and not named):
        if named:
            raise _error(f"{name} has no named argument {next(iter(named))}", "pass its arguments by position")
        return args
    unknown = set(named) - set(options)
    if unknown or len(positional) > 1 + len(options):
        what = f"named argument {sorted(unknown)[0]}" if unknown else "that many arguments"
        raise _error(f"{name} has no {what}", "its options are " + ", ".join(f"{o} => TRUE" for o in options))
    values = dict(zip(options, positional[1:], strict=False)) | named
    return [positional[0], *(values.get(o, exp.false()) for o in options)]


def _rewrite_texts(stmt: exp.Expression, columns: bool = True) -> None:
    """CAST(geography AS STRING) as BigQuery's WKT, TO_JSON_STRING(geography) as GeoJSON.

    A column whose type was not inferred (coltypes.py; a GEOGRAPHY column's never is) gets its CAST
    chosen by DuckDB's `typeof()`, which it folds when it binds the query (both branches bind for
    every type).
    """
    from .coltypes import known_type

    for cast in find_all(stmt, exp.Cast):
        if not cast.to.is_type("text", "varchar"):
            continue
        if _is_geo_udf(cast.this) or _is_geography_cast(cast.this):
            cast.replace(_astext(cast.this))
        elif (
            columns
            and isinstance(cast.this, exp.Column)
            and not isinstance(cast.parent, exp.If)
            and known_type(cast.this) is None
        ):
            is_geo = exp.EQ(
                this=exp.Anonymous(this="typeof", expressions=[cast.this.copy()]), expression=exp.Literal.string(_G)
            )
            cast.replace(exp.If(this=is_geo, true=_astext(cast.this), false=cast.copy()))
    for node in find_all(stmt, exp.JSONFormat):
        if _is_geo_udf(node.this) or _is_geography_cast(node.this):
            udf = _udfs()[("TO_JSON_STRING", 1)][0]
            node.replace(exp.Anonymous(this=udf, expressions=[node.this.copy()]))
        elif (
            columns
            and isinstance(node.this, exp.Column)
            and not node.args.get("options")
            and not isinstance(node.parent, exp.If)
            and known_type(node.this) is None
        ):
            is_geo = exp.EQ(
                this=exp.Anonymous(this="typeof", expressions=[node.this.copy()]), expression=exp.Literal.string(_G)
            )
            wrapped = exp.If(this=is_geo, true=_geojson_text(node.this), false=node.copy())
            if not node.args.get("to_json"):
                from .functions import TO_JSON_STRING

                wrapped.meta[TO_JSON_STRING] = True  # a STRING, as JSON_EXTRACT of it answers
            node.replace(wrapped)


def _geojson_text(column: exp.Expression) -> exp.Expression:
    """TO_JSON_STRING of a GEOGRAPHY column: DuckDB's GeoJSON with whole numbers written as
    integers (`[1,2]`, as the geography UDFs write them). The column goes through its WKT text so
    that this branch binds for a column of any type (DuckDB folds the typeof() test)."""
    geometry = exp.cast(exp.cast(column.copy(), "VARCHAR"), exp.DataType.build("GEOMETRY"))
    geojson = exp.Anonymous(this="st_asgeojson", expressions=[geometry])
    text = exp.Anonymous(
        this="regexp_replace",
        expressions=[
            geojson,
            exp.Literal.string(r"(\d)\.0([,\]])"),
            exp.Literal.string("\\1\\2"),
            exp.Literal.string("g"),
        ],
    )
    return exp.Coalesce(this=text, expressions=[exp.Literal.string("null")])  # a NULL is JSON null


def _is_geography_cast(node: exp.Expression) -> bool:
    """A value cast to GEOGRAPHY (a function body's GEOGRAPHY argument is its parameter so cast)."""
    while isinstance(node, exp.Paren):
        node = node.this
    return isinstance(node, exp.Cast) and node.to.is_type(exp.DataType.Type.GEOGRAPHY)


def _is_geo_udf(node: exp.Expression) -> bool:
    name = str(node.this) if isinstance(node, exp.Anonymous) else ""
    return any(name == spec[0] and spec[2] == _G for spec in _udfs().values())


def text_relation(rel: Any) -> Any:
    """`rel` with its GEOMETRY values, also inside arrays and structs, as BigQuery's WKT text."""
    if not any("GEOMETRY" in str(t) for t in rel.types):
        return rel
    from .googlesql import quote_ident

    cols = [  # by position: a query may answer two columns of one name (`t1.g, t2.g`)
        f"{_as_text(f'#{i}', t, 0)} AS {quote_ident(name)}"
        for i, (name, t) in enumerate(zip(rel.columns, rel.types, strict=True), start=1)
    ]
    return rel.project(", ".join(cols))


def _quoted(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def _as_text(sql: str, dtype: Any, depth: int) -> str:
    """A DuckDB expression giving `sql` (of type `dtype`) with each GEOMETRY inside it as WKT."""
    from .googlesql import quote_ident

    if "GEOMETRY" not in str(dtype):
        return sql
    if dtype.id == "geometry":
        return f"regexp_replace(CAST({sql} AS VARCHAR), '{_WKT_SPACE}', '\\1(', 'g')"
    if dtype.id in ("list", "array"):
        var = f"__g{depth}"
        return f"list_transform({sql}, lambda {var}: {_as_text(var, dtype.children[0][1], depth + 1)})"
    if dtype.id == "struct":
        fields = ", ".join(
            f"{quote_ident(n)} := {_as_text(f'struct_extract({sql}, {_quoted(n)})', t, depth + 1)}"
            for n, t in dtype.children
        )
        return f"CASE WHEN {sql} IS NULL THEN NULL ELSE struct_pack({fields}) END"
    return sql


_WKT_START = re.compile(
    r"^\s*(POINT|LINESTRING|POLYGON|MULTIPOINT|MULTILINESTRING|MULTIPOLYGON|GEOMETRYCOLLECTION)\b", re.I
)


def to_wkt(text: str) -> str:
    """A GEOGRAPHY value given as WKT or GeoJSON text (a row, a load, a parameter) as checked WKT.

    Without shapely, WKT passes through unchecked (DuckDB's parser still rejects bad WKT) and
    GeoJSON needs the `geo` extra.
    """
    try:
        shp = shapely_module()
    except Exception:
        if _WKT_START.match(text):
            return text
        raise
    geom = shp.orient_polygons(parse(text), exterior_cw=False)
    return str(shp.to_wkt(geom, rounding_precision=-1, trim=True))
