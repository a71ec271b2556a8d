"""The GEOGRAPHY functions as vectorised DuckDB Python UDFs over Arrow batches (shapely).

A value crosses as WKB (DuckDB's GEOMETRY). A row the function rejects raises `ValueError` with
the message the user sees.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Callable
from typing import Any

import pyarrow as pa

from .geography_sphere import (
    EARTH_RADIUS_M,
    FAST_BODIES,
    area,
    distance,
    haversine,
    lengths,
    max_distance,
    perimeters,
    shapely_module,
)
from .geographyforms import simplest

PREFIX = "__bq_st_"
GEOMETRY = "GEOMETRY"
_G = GEOMETRY
_EXTENT_TYPE = "STRUCT(xmin DOUBLE, ymin DOUBLE, xmax DOUBLE, ymax DOUBLE)"

# ---------------------------------------------------------------------- values


def _geoms(column: Any) -> Any:
    """Arrow WKB values -> a numpy array of shapely geometries (None for NULL).

    Each distinct value is parsed once (a constant argument arrives once per row) and, when it
    repeats, prepared, which makes shapely's predicates much faster.
    """
    import numpy as np
    import pyarrow.compute as pc

    shp = shapely_module()
    arr = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    encoded = pc.dictionary_encode(arr)
    unique = shp.from_wkb(encoded.dictionary.to_numpy(zero_copy_only=False))
    if len(unique) < len(arr):
        shp.prepare(unique)
    out = np.empty(len(arr), dtype=object)
    valid = ~arr.is_null().to_numpy(zero_copy_only=False)
    if len(unique):
        indices = pc.fill_null(encoded.indices, 0).to_numpy(zero_copy_only=False)
        out[valid] = unique[indices[valid]]
    return out


def _check_coords(geom: Any, fn: str) -> Any:
    """`geom` with BigQuery's coordinate rules (latitude in [-90, 90], longitude in [-180, 180]), in
    its simplest form."""
    shp = shapely_module()
    if geom is None:
        return None
    coords = shp.get_coordinates(geom)
    if len(coords) and (abs(coords[:, 1]).max() > 90 or abs(coords[:, 0]).max() > 180):
        raise ValueError(f"{fn}: latitude must be in [-90, 90] and longitude in [-180, 180]")
    if shp.get_type_id(geom) == 3 and not shp.is_valid(geom):
        raise ValueError(f"{fn}: invalid polygon: {shp.is_valid_reason(geom)}")
    return simplest(geom)


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else repr(float(value))


def _geojson_coords(value: Any) -> str:
    if isinstance(value, (list, tuple)) and value and isinstance(value[0], (int, float)):
        return "[" + ", ".join(_num(v) for v in value) + "]"
    return "[" + ", ".join(_geojson_coords(v) for v in value) + "]"


def _geojson(geom: Any) -> str:
    """BigQuery's GeoJSON text of one geometry (RFC 7946 geometry object)."""
    mapping = geom.__geo_interface__
    if mapping["type"] == "GeometryCollection":
        inner = ", ".join(_geojson(g) for g in geom.geoms)
        return f'{{ "type": "GeometryCollection", "geometries": [{inner}] }}'
    return f'{{ "type": "{mapping["type"]}", "coordinates": {_geojson_coords(mapping["coordinates"])} }}'


def _geojson_compact(geom: Any) -> str:
    """TO_JSON_STRING's GeoJSON: the same object without spaces."""
    return json.dumps(json.loads(_geojson(geom)), separators=(",", ":"))


_TYPE_NAMES = {
    0: "ST_Point",
    1: "ST_LineString",
    2: "ST_LineString",
    3: "ST_Polygon",
    4: "ST_MultiPoint",
    5: "ST_MultiLineString",
    6: "ST_MultiPolygon",
    7: "ST_GeometryCollection",
}


# ---------------------------------------------------------------------- function bodies


def _geogpoint(lng: Any, lat: Any) -> Any:
    import numpy as np

    if np.any(np.abs(lat) > 90):
        raise ValueError("ST_GEOGPOINT: latitude must be in range [-90, 90]")
    # BigQuery takes a longitude outside [-180, 180] modulo 360
    wrapped = np.where(np.abs(lng) > 180, (lng + 180) % 360 - 180, lng)
    return shapely_module().points(wrapped, lat)


def _parse_text(text: str, fn: str, make_valid: bool = False) -> Any:
    shp = shapely_module()
    try:
        geom = shp.from_wkt(text)
    except Exception:  # shapely.errors.GEOSException and friends
        raise ValueError(f"{fn}: invalid WKT {text[:80]!r}") from None
    return _check_coords(shp.make_valid(geom) if make_valid else geom, fn)


def _from_text_options(text: str, oriented: bool, planar: bool, make_valid: bool) -> Any:
    """ST_GEOGFROMTEXT with its options; `planar` edges are kept as written (predicates here are
    planar anyway)."""
    shp = shapely_module()
    geom = _parse_text(text, "ST_GEOGFROMTEXT", make_valid)
    if oriented and any(
        shp.get_type_id(p) == 3 and not shp.is_ccw(shp.get_exterior_ring(p)) for p in shp.get_parts(geom)
    ):
        # an oriented clockwise ring bounds the rest of the globe
        raise ValueError("ST_GEOGFROMTEXT: oriented polygons larger than a hemisphere are not supported locally")
    return geom


def _from_wkb(value: bytes) -> Any:
    shp = shapely_module()
    try:
        geom = shp.from_wkb(value)
    except Exception:
        raise ValueError("ST_GEOGFROMWKB: invalid WKB") from None
    return _check_coords(geom, "ST_GEOGFROMWKB")


def _parse_geojson(text: str, fn: str, make_valid: bool = False) -> Any:
    shp = shapely_module()
    try:
        kind = json.loads(text).get("type")
    except (ValueError, AttributeError):
        raise ValueError(f"{fn}: invalid GeoJSON {text[:80]!r}") from None
    if kind in ("Feature", "FeatureCollection"):
        raise ValueError(f"{fn}: only GeoJSON geometry objects are accepted, not a {kind}")
    try:
        geom = shp.from_geojson(text)
    except Exception:
        raise ValueError(f"{fn}: invalid GeoJSON {text[:80]!r}") from None
    return _check_coords(shp.make_valid(geom) if make_valid else geom, fn)


def parse(text: str, fn: str = "GEOGRAPHY") -> Any:
    """A WKT or GeoJSON text as a checked shapely geometry (ValueError naming the problem)."""
    stripped = text.lstrip()
    return _parse_geojson(text, fn) if stripped.startswith("{") else _parse_text(text, fn)


def _makeline(*args: Any) -> Any:
    shp = shapely_module()
    parts = list(args[0]) if len(args) == 1 else list(args)
    if any(p is None for p in parts):
        return None
    coords: list[tuple[float, float]] = []
    for p in parts:
        if shp.get_type_id(p) not in (0, 1, 4, 5):
            raise ValueError("ST_MAKELINE accepts points and linestrings only")
        for c in shp.get_coordinates(p):
            if not coords or tuple(c) != coords[-1]:
                coords.append((float(c[0]), float(c[1])))
    if len(coords) < 2:
        raise ValueError("ST_MAKELINE needs at least two distinct points")
    return shp.linestrings(coords)


def _ring(line: Any) -> Any:
    shp = shapely_module()
    if shp.get_type_id(line) not in (1, 2):
        raise ValueError("ST_MAKEPOLYGON takes linestrings")
    c = [tuple(x) for x in shp.get_coordinates(line)]
    if c[0] != c[-1]:
        c.append(c[0])
    if len(c) < 4:
        raise ValueError("ST_MAKEPOLYGON: a ring needs at least three distinct vertices")
    return c


def _makepolygon(shell: Any, holes: Any = ()) -> Any:
    shp = shapely_module()
    poly = shp.Polygon(_ring(shell), [_ring(h) for h in holes or () if h is not None])
    return _check_coords(poly, "ST_MAKEPOLYGON")


def _pointn(geom: Any, n: int) -> Any:
    shp = shapely_module()
    if shp.get_type_id(geom) not in (1, 2):
        raise ValueError("ST_POINTN takes a linestring")
    count = shp.get_num_points(geom)
    index = n - 1 if n > 0 else count + n
    if n == 0 or not 0 <= index < count:
        raise ValueError(f"ST_POINTN: index {n} is out of range for a linestring of {count} points")
    return shp.get_point(geom, index)


def _line_end(geom: Any, last: bool) -> Any:
    shp = shapely_module()
    if shp.get_type_id(geom) not in (1, 2):
        return None
    return shp.get_point(geom, -1 if last else 0)


def _coordinate(axis: int) -> Callable[[Any], Any]:
    """ST_X / ST_Y over a column of geographies (each must be one point)."""

    def run(geoms: Any) -> Any:
        shp = shapely_module()
        kinds = shp.get_type_id(geoms)
        if ((kinds != 0) & (kinds != -1)).any() or shp.is_empty(geoms).any():
            raise ValueError(f"{'ST_X' if axis == 0 else 'ST_Y'} takes a single point geography")
        return shp.get_x(geoms) if axis == 0 else shp.get_y(geoms)

    return run


def _distances(a: Any, b: Any) -> Any:
    """ST_DISTANCE over two columns: point pairs at once (haversine), other shapes one by one."""
    import numpy as np

    shp = shapely_module()
    out = np.full(len(a), np.nan)
    kind_a, kind_b = shp.get_type_id(a), shp.get_type_id(b)
    points = (kind_a == 0) & (kind_b == 0) & ~shp.is_empty(a) & ~shp.is_empty(b)
    pa_, pb = a[points], b[points]
    out[points] = haversine(shp.get_x(pa_), shp.get_y(pa_), shp.get_x(pb), shp.get_y(pb))
    for i in np.flatnonzero(~points & (kind_a >= 0) & (kind_b >= 0)):
        out[i] = distance(a[i], b[i])
    return out


def _within_distance(a: Any, b: Any, meters: Any) -> Any:
    import numpy as np

    with np.errstate(invalid="ignore"):
        return _distances(a, b) <= meters


def _dimension(geom: Any) -> int:
    shp = shapely_module()
    return -1 if shp.is_empty(geom) else int(shp.get_dimensions(geom))


def _simplify(geom: Any, meters: float) -> Any:
    # meters as degrees along a great circle (exact along the equator and meridians)
    return shapely_module().simplify(geom, meters / (EARTH_RADIUS_M * math.pi / 180))


def _snap(geom: Any, size: float) -> Any:
    return shapely_module().set_precision(geom, size)


def _closest(a: Any, b: Any) -> Any:
    shp = shapely_module()
    line = shp.shortest_line(a, b)
    return None if line is None else shp.get_point(line, 0)


def _union_list(values: Any) -> Any:
    shp = shapely_module()
    geoms = [g for g in values if g is not None]
    return shp.union_all(geoms) if geoms else None


def _extent(geom: Any) -> dict[str, float] | None:
    shp = shapely_module()
    if geom is None or shp.is_empty(geom):
        return None
    xmin, ymin, xmax, ymax = (float(v) for v in shp.bounds(geom))
    return {"xmin": xmin, "ymin": ymin, "xmax": xmax, "ymax": ymax}


def _centroid(geom: Any) -> Any:
    shp = shapely_module()
    kind = shp.get_type_id(geom)
    dim = _dimension(geom)
    if kind == 7 and dim >= 0:
        # BigQuery: the centroid of a collection's highest-dimension parts
        geom = shp.union_all([p for p in shp.get_parts(geom) if _dimension(p) == dim])
    return shp.centroid(geom)


def _binary(name: str) -> Callable[[Any, Any], Any]:
    return lambda a, b: getattr(shapely_module(), name)(a, b)


# ---------------------------------------------------------------------- UDF table

# Argument kinds: "g" geography, "d" double, "b" boolean, "s" string, "i" integer, "G" array of geographies.
_DUCK = {"y": "BLOB", "g": _G, "d": "DOUBLE", "b": "BOOLEAN", "s": "VARCHAR", "i": "BIGINT", "G": f"{_G}[]"}
_ARROW_OUT = {
    _G: pa.binary(),
    "DOUBLE": pa.float64(),
    "BOOLEAN": pa.bool_(),
    "VARCHAR": pa.string(),
    "BIGINT": pa.int64(),
    _EXTENT_TYPE: pa.struct([(k, pa.float64()) for k in ("xmin", "ymin", "xmax", "ymax")]),
}


@functools.cache
def udfs() -> dict[tuple[str, int], tuple[str, str, str, Callable[..., Any], bool]]:
    """(GoogleSQL name, arity) -> (UDF name, argument kinds, DuckDB result type, body, vectorised).

    A vectorised body takes whole numpy columns (shapely's ufuncs); the others take one row.
    """
    shp_ufunc = {
        "ST_CONTAINS": "contains",
        "ST_WITHIN": "within",
        "ST_INTERSECTS": "intersects",
        "ST_COVERS": "covers",
        "ST_COVEREDBY": "covered_by",
        "ST_DISJOINT": "disjoint",
        "ST_EQUALS": "equals",
        "ST_TOUCHES": "touches",
    }
    sets = {"ST_INTERSECTION": "intersection", "ST_DIFFERENCE": "difference"}
    table: dict[tuple[str, int], tuple[str, str, Callable[..., Any], bool]] = {
        ("ST_GEOGPOINT", 2): ("dd", _G, _geogpoint, True),
        ("ST_GEOGFROMTEXT", 1): ("s", _G, lambda t: _parse_text(t, "ST_GEOGFROMTEXT"), False),
        ("ST_GEOGFROMTEXT", 4): ("sbbb", _G, _from_text_options, False),
        ("ST_GEOGFROMGEOJSON", 1): ("s", _G, lambda t: _parse_geojson(t, "ST_GEOGFROMGEOJSON"), False),
        ("ST_GEOGFROMGEOJSON", 2): ("sb", _G, lambda t, v: _parse_geojson(t, "ST_GEOGFROMGEOJSON", v), False),
        ("ST_GEOGFROMWKB", 1): ("y", _G, _from_wkb, False),
        ("ST_GEOGFROM", 1): ("s", _G, lambda t: parse(t, "ST_GEOGFROM"), False),
        ("ST_MAKELINE", 1): ("G", _G, _makeline, False),
        ("ST_MAKELINE", 2): ("gg", _G, _makeline, False),
        ("ST_MAKEPOLYGON", 1): ("g", _G, _makepolygon, False),
        ("ST_MAKEPOLYGON", 2): ("gG", _G, _makepolygon, False),
        ("ST_ASGEOJSON", 1): ("g", "VARCHAR", _geojson, False),
        ("TO_JSON_STRING", 1): ("g", "VARCHAR", _geojson_compact, False),
        ("ST_X", 1): ("g", "DOUBLE", _coordinate(0), True),
        ("ST_Y", 1): ("g", "DOUBLE", _coordinate(1), True),
        ("ST_NUMPOINTS", 1): ("g", "BIGINT", lambda g: int(shapely_module().get_num_coordinates(g)), False),
        ("ST_NPOINTS", 1): ("g", "BIGINT", lambda g: int(shapely_module().get_num_coordinates(g)), False),
        ("ST_GEOMETRYTYPE", 1): ("g", "VARCHAR", lambda g: _TYPE_NAMES[int(shapely_module().get_type_id(g))], False),
        ("ST_ISEMPTY", 1): ("g", "BOOLEAN", lambda g: bool(shapely_module().is_empty(g)), False),
        ("ST_DIMENSION", 1): ("g", "BIGINT", _dimension, False),
        ("ST_STARTPOINT", 1): ("g", _G, lambda g: _line_end(g, False), False),
        ("ST_ENDPOINT", 1): ("g", _G, lambda g: _line_end(g, True), False),
        ("ST_POINTN", 2): ("gi", _G, _pointn, False),
        ("ST_DISTANCE", 2): ("gg", "DOUBLE", _distances, True),
        ("ST_DISTANCE", 3): ("ggb", "DOUBLE", _flat("ST_DISTANCE", _distances), True),
        ("ST_MAXDISTANCE", 2): ("gg", "DOUBLE", max_distance, False),
        ("ST_DWITHIN", 3): ("ggd", "BOOLEAN", _within_distance, True),
        ("ST_LENGTH", 1): ("g", "DOUBLE", lengths, True),
        ("ST_LENGTH", 2): ("gb", "DOUBLE", _flat("ST_LENGTH", lengths), True),
        ("ST_AREA", 1): ("g", "DOUBLE", area, False),
        ("ST_AREA", 2): ("gb", "DOUBLE", _flat("ST_AREA", area), False),
        ("ST_PERIMETER", 1): ("g", "DOUBLE", perimeters, True),
        ("ST_PERIMETER", 2): ("gb", "DOUBLE", _flat("ST_PERIMETER", perimeters), True),
        ("ST_CENTROID", 1): ("g", _G, _centroid, False),
        ("ST_UNION", 1): ("G", _G, _union_list, False),
        ("ST_UNION", 2): ("gg", _G, _binary("union"), True),
        ("ST_UNION_AGG", 1): ("G", _G, _union_list, False),
        ("ST_CENTROID_AGG", 1): ("G", _G, lambda gs: _centroid(_union_list(gs)), False),
        ("ST_SIMPLIFY", 2): ("gd", _G, _simplify, False),
        ("ST_SNAPTOGRID", 2): ("gd", _G, _snap, False),
        ("ST_BOUNDINGBOX", 1): ("g", _EXTENT_TYPE, _extent, False),
        ("ST_EXTENT", 1): ("G", _EXTENT_TYPE, lambda gs: _extent(_union_list(gs)), False),
        ("ST_CLOSESTPOINT", 2): ("gg", _G, _closest, False),
        ("ST_CONVEXHULL", 1): ("g", _G, lambda g: shapely_module().convex_hull(g), False),
    }
    for name, ufunc in {**shp_ufunc, **sets}.items():
        out = "BOOLEAN" if name in shp_ufunc else _G
        table[(name, 2)] = ("gg", out, _binary(ufunc), True)
    return {
        key: (f"{PREFIX}{key[0].lower().removeprefix('st_')}_{key[1]}", kinds, out, fn, vec)
        for key, (kinds, out, fn, vec) in table.items()
    }


AGGREGATES = frozenset({"ST_UNION_AGG", "ST_EXTENT", "ST_CENTROID_AGG"})
"""Aggregate functions: rewritten as a scalar UDF over DuckDB's `list()` of the group."""
REFUSED = {"ST_BUFFER": "ST_BUFFER needs geodesic buffering, which shapely's planar buffer does not give"}


def _flat(fn: str, measure: Callable[..., Any]) -> Callable[..., Any]:
    """`measure` taking BigQuery's trailing `use_spheroid` argument, which must be FALSE."""

    def run(*args: Any) -> Any:
        if getattr(args[-1], "any", lambda: args[-1])():
            raise ValueError(f"{fn} with use_spheroid TRUE is not supported by the local warehouse")
        return measure(*args[:-1])

    return run


def served() -> list[str]:
    """The GoogleSQL geography functions the local warehouse runs."""
    return sorted({name for name, _ in udfs() if name.startswith("ST_")} | {"ST_ASTEXT", "ST_ASBINARY"})


def googlesql_names() -> dict[str, str]:
    """UDF name -> the GoogleSQL function it implements (for error messages)."""
    return {spec[0]: name for (name, _), spec in udfs().items()}


@functools.cache
def udf_names() -> frozenset[str]:
    """Names of every geography UDF (for the sandbox's allowlist)."""
    return frozenset(spec[0] for spec in udfs().values())


# ---------------------------------------------------------------------- Arrow wrapper


def _column_values(column: Any, kind: str) -> Any:
    import numpy as np

    if kind == "g":
        return _geoms(column)
    if kind == "G":
        shp = shapely_module()
        return [None if v is None else list(shp.from_wkb(np.array(v, dtype=object))) for v in column.to_pylist()]
    return column.to_numpy(zero_copy_only=False)


def _to_arrow(values: Any, out: str, mask: Any) -> pa.Array:
    import numpy as np

    shp = shapely_module()
    if out == _G:
        geoms = np.empty(len(mask), dtype=object)
        geoms[:] = list(values)
        # BigQuery keeps a polygon's interior on the left: exteriors counter-clockwise
        geoms = shp.orient_polygons(geoms, exterior_cw=False)
        mask = mask | shp.is_missing(geoms)
        return pa.array(shp.to_wkb(geoms, output_dimension=2), type=pa.binary(), mask=mask)
    if out == "DOUBLE":
        numbers = values if isinstance(values, np.ndarray) else np.array([np.nan if v is None else v for v in values])
        numbers = numbers.astype(float)
        return pa.array(numbers, type=pa.float64(), mask=mask | np.isnan(numbers))
    if isinstance(values, np.ndarray) and values.dtype != object:
        return pa.array(values, type=_ARROW_OUT[out], mask=mask)
    items = list(values)
    return pa.array([None if m or v is None else v for v, m in zip(items, mask, strict=True)], type=_ARROW_OUT[out])


def _arrow_udf(
    kinds: str, out: str, fn: Callable[..., Any], vectorised: bool, fast: Callable[..., Any] | None = None
) -> Callable[..., pa.Array]:
    import numpy as np

    def run(*columns: Any) -> pa.Array:
        mask = np.zeros(len(columns[0]), dtype=bool)
        for c in columns:
            mask |= c.is_null().to_numpy(zero_copy_only=False)
        done = fast(mask, *columns) if fast is not None else None
        if done is not None:
            return done
        args = [_column_values(c, k) for c, k in zip(columns, kinds, strict=True)]
        if vectorised:
            values = fn(*args)
        else:
            values = [None if m else fn(*row) for m, row in zip(mask, zip(*args, strict=True), strict=True)]
        return _to_arrow(values, out, mask)

    # DuckDB reads the arity from the signature
    if len(kinds) == 1:
        return lambda a: run(a)
    if len(kinds) == 2:
        return lambda a, b: run(a, b)
    if len(kinds) == 3:
        return lambda a, b, c: run(a, b, c)
    return lambda a, b, c, d: run(a, b, c, d)


def register(con: Any) -> None:
    """Define every geography UDF on a DuckDB connection (replacing earlier definitions)."""
    shapely_module()
    for key, (name, kinds, out, fn, vec) in udfs().items():
        try:
            con.remove_function(name)
        except Exception:  # not defined yet
            pass
        con.create_function(
            name,
            _arrow_udf(kinds, out, fn, vec, FAST_BODIES.get(key)),
            [_DUCK[k] for k in kinds],
            out,
            type="arrow",
            null_handling="special",
            side_effects=False,
        )
