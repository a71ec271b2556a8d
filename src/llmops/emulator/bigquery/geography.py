"""BigQuery's GEOGRAPHY type and the common `ST_*` functions on the local warehouse.

A GEOGRAPHY value is stored as DuckDB's core `GEOMETRY` (WKB, longitude/latitude degrees), so a
table's column and a query's result column report GEOGRAPHY, and results leave the engine as
BigQuery's WKT text (`POINT(1 2)`). The `ST_*` calls are rewritten into vectorised Python UDFs
over Arrow batches, computed with shapely (the `geo` extra).

Measures (distance, length, area, perimeter) are on BigQuery's sphere of radius 6371008.8 m with
great-circle edges. Predicates and set operations are shapely's, planar in longitude/latitude:
BigQuery's edges are geodesic, so a long edge bends differently (see docs/googlesql.md).
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Callable
from typing import Any

import pyarrow as pa
from sqlglot import exp

EARTH_RADIUS_M = 6371008.8
"""BigQuery's spherical Earth radius, in meters."""

GEO_EXTRA_FIX = "pip install 'llmops[geo]'"
_PREFIX = "__bq_st_"
_G = "GEOMETRY"
_EXTENT_TYPE = "STRUCT(xmin DOUBLE, ymin DOUBLE, xmax DOUBLE, ymax DOUBLE)"


def _error(message: str, fix: str) -> Exception:
    from .googlesql import BigQueryError

    return BigQueryError(message, fix=fix)


def shapely_module() -> Any:
    """The shapely package, or a one-line error naming the `geo` extra."""
    try:
        import shapely
    except ImportError:
        raise _error("GEOGRAPHY functions (ST_*) need the shapely package", GEO_EXTRA_FIX) from None
    return shapely


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
    """`geom` with BigQuery's coordinate rules: latitude in [-90, 90], longitude in [-180, 180]."""
    shp = shapely_module()
    if geom is None:
        return None
    coords = shp.get_coordinates(geom)
    if len(coords) and (abs(coords[:, 1]).max() > 90 or abs(coords[:, 0]).max() > 180):
        raise ValueError(f"{fn}: latitude must be in [-90, 90] and longitude in [-180, 180]")
    if shp.get_type_id(geom) == 3 and not shp.is_valid(geom):
        raise ValueError(f"{fn}: invalid polygon: {shp.is_valid_reason(geom)}")
    return geom


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


# ---------------------------------------------------------------------- the sphere


def _xyz(coords: Any) -> Any:
    import numpy as np

    lng, lat = np.radians(coords[:, 0]), np.radians(coords[:, 1])
    return np.stack([np.cos(lat) * np.cos(lng), np.cos(lat) * np.sin(lng), np.sin(lat)], axis=1)


def _angle(u: Any, v: Any) -> Any:
    """Great-circle angle between unit vectors (rows), robust for tiny and antipodal angles."""
    import numpy as np

    return np.arctan2(np.linalg.norm(np.cross(u, v), axis=-1), np.sum(u * v, axis=-1))


def haversine(lng1: Any, lat1: Any, lng2: Any, lat2: Any) -> Any:
    """Great-circle distance in meters on BigQuery's sphere (numpy arrays of degrees)."""
    import numpy as np

    p1, p2, dl = np.radians(lat1), np.radians(lat2), np.radians(lng2 - lng1)
    h = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0, 1)))


def _parts(geom: Any) -> tuple[Any, list[Any]]:
    """(every vertex as lng/lat rows, every edge as a pair of lng/lat rows)."""
    import numpy as np

    shp = shapely_module()
    vertices = shp.get_coordinates(geom)
    edges: list[Any] = []
    for line in _lines(geom, rings=True):
        c = shp.get_coordinates(line)
        edges.extend(zip(c[:-1], c[1:], strict=True))
    return vertices, [np.array(e) for e in edges]


def _lines(geom: Any, *, rings: bool) -> list[Any]:
    """The linestrings of `geom` (polygon rings too when `rings`)."""
    shp = shapely_module()
    out: list[Any] = []
    for part in shp.get_parts(geom):
        kind = shp.get_type_id(part)
        if kind in (1, 2):
            out.append(part)
        elif kind == 3 and rings:
            out.append(shp.get_exterior_ring(part))
            out.extend(shp.get_interior_ring(part, i) for i in range(shp.get_num_interior_rings(part)))
        elif kind == 7:
            out.extend(_lines(part, rings=rings))
    return out


def _point_edge_angle(p: Any, a: Any, b: Any) -> float:
    """Angle from unit vector p to the great-circle arc a-b."""
    import numpy as np

    n = np.cross(a, b)
    norm = np.linalg.norm(n)
    ends = min(_angle(p, a), _angle(p, b))
    if norm == 0:
        return float(ends)
    n = n / norm
    q = p - np.dot(p, n) * n
    if np.linalg.norm(q) == 0:
        return float(ends)
    q = q / np.linalg.norm(q)
    # q lies on the arc when it is between a and b
    if np.dot(np.cross(a, q), n) >= 0 and np.dot(np.cross(q, b), n) >= 0:
        return float(min(abs(math.asin(max(-1.0, min(1.0, float(np.dot(p, n)))))), ends))
    return float(ends)


def _distance(a: Any, b: Any) -> float:
    """Minimum spherical distance between two shapes: 0 when they intersect, else the least
    vertex-to-vertex and vertex-to-edge great-circle distance."""
    shp = shapely_module()
    if shp.is_empty(a) or shp.is_empty(b):
        return math.nan
    if shp.intersects(a, b):
        return 0.0
    va, ea = _parts(a)
    vb, eb = _parts(b)
    xa, xb = _xyz(va), _xyz(vb)
    best = float(_angle(xa[:, None, :], xb[None, :, :]).min())
    for points, edges in ((xa, eb), (xb, ea)):
        for e in edges:
            ex = _xyz(e)
            for p in points:
                best = min(best, _point_edge_angle(p, ex[0], ex[1]))
    return best * EARTH_RADIUS_M


def _max_distance(a: Any, b: Any) -> float:
    shp = shapely_module()
    if shp.is_empty(a) or shp.is_empty(b):
        return math.nan
    xa, xb = _xyz(shp.get_coordinates(a)), _xyz(shp.get_coordinates(b))
    return float(_angle(xa[:, None, :], xb[None, :, :]).max()) * EARTH_RADIUS_M


def _line_lengths(geoms: Any, *, rings: bool) -> Any:
    """Per geometry: the great-circle length of its linestrings, or of its polygons' rings."""
    import numpy as np

    shp = shapely_module()
    parts, owner = shp.get_parts(geoms, return_index=True)
    kinds = shp.get_type_id(parts)
    if rings:
        lines, line_owner = shp.get_rings(parts[kinds == 3], return_index=True)
        line_owner = owner[kinds == 3][line_owner]
    else:
        lines, line_owner = parts[kinds == 1], owner[kinds == 1]
    coords, index = shp.get_coordinates(lines, return_index=True)
    same = index[:-1] == index[1:]
    seg = haversine(coords[:-1, 0], coords[:-1, 1], coords[1:, 0], coords[1:, 1])
    per_line = np.bincount(index[:-1][same], weights=seg[same], minlength=len(lines))
    return np.bincount(line_owner, weights=per_line, minlength=len(geoms)).astype(float)


def _lengths(geoms: Any) -> Any:
    return _line_lengths(geoms, rings=False)


def _perimeters(geoms: Any) -> Any:
    return _line_lengths(geoms, rings=True)


def _ring_area(ring: Any) -> float:
    """Spherical excess of a ring with great-circle edges (triangle fan), in steradians."""
    import numpy as np

    shp = shapely_module()
    x = _xyz(shp.get_coordinates(ring)[:-1])
    if len(x) < 3:
        return 0.0
    a, b, c = x[0], x[1:-1], x[2:]
    triple = np.einsum("ij,ij->i", b, np.cross(c, a[None, :]))
    denom = 1 + b @ a + np.einsum("ij,ij->i", b, c) + c @ a
    excess = abs(float((2 * np.arctan2(triple, denom)).sum()))
    return min(excess, 4 * math.pi - excess)


def _area(geom: Any) -> float:
    shp = shapely_module()
    total = 0.0
    for part in shp.get_parts(geom):
        kind = shp.get_type_id(part)
        if kind == 3:
            total += _ring_area(shp.get_exterior_ring(part))
            total -= sum(_ring_area(shp.get_interior_ring(part, i)) for i in range(shp.get_num_interior_rings(part)))
        elif kind in (6, 7):
            total += _area(part) / EARTH_RADIUS_M**2
    return total * EARTH_RADIUS_M**2


# ---------------------------------------------------------------------- points without shapely

_POINT_WKB_SIZE = 21  # byte order, type 1, x, y (little-endian ISO WKB, as DuckDB writes it)


def _point_dtype() -> Any:
    import numpy as np

    return np.dtype([("order", "u1"), ("kind", "<u4"), ("x", "<f8"), ("y", "<f8")])


def points_xy(column: Any) -> tuple[Any, Any] | None:
    """(longitudes, latitudes) of an Arrow column whose values are all points (NULL as NaN),
    read straight from the WKB bytes; None when any value is another shape."""
    import numpy as np
    import pyarrow.compute as pc

    arr = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if len(arr) == 0:
        return None
    filler = pa.scalar(_point_wkb(np.array([np.nan]), np.array([np.nan]))[0], pa.binary())
    arr = pc.fill_null(arr.cast(pa.binary()), filler)
    if pc.min_max(pc.binary_length(arr)).as_py() != {"min": _POINT_WKB_SIZE, "max": _POINT_WKB_SIZE}:
        return None
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int32)[arr.offset : arr.offset + len(arr) + 1]
    data = arr.buffers()[2].to_pybytes()[offsets[0] : offsets[-1]]
    rec = np.frombuffer(data, dtype=_point_dtype())
    if (rec["order"] != 1).any() or (rec["kind"] != 1).any():
        return None
    return rec["x"], rec["y"]


def _point_wkb(x: Any, y: Any) -> list[bytes]:
    import numpy as np

    rec = np.empty(len(x), dtype=_point_dtype())
    rec["order"], rec["kind"], rec["x"], rec["y"] = 1, 1, x, y
    raw = rec.tobytes()
    return [raw[i : i + _POINT_WKB_SIZE] for i in range(0, len(raw), _POINT_WKB_SIZE)]


def _points_array(x: Any, y: Any, mask: Any) -> pa.Array:
    """A binary Arrow array of point WKB, built without per-row Python objects."""
    import numpy as np

    rec = np.empty(len(x), dtype=_point_dtype())
    rec["order"], rec["kind"], rec["x"], rec["y"] = 1, 1, x, y
    offsets = np.arange(0, _POINT_WKB_SIZE * (len(x) + 1), _POINT_WKB_SIZE, dtype=np.int32)
    validity = pa.array(~mask).buffers()[1] if mask.any() else None
    buffers = [validity, pa.py_buffer(offsets.tobytes()), pa.py_buffer(rec.tobytes())]
    return pa.Array.from_buffers(pa.binary(), len(x), buffers, null_count=int(mask.sum()))


def _fast_geogpoint(mask: Any, lng_col: Any, lat_col: Any) -> pa.Array:
    import numpy as np

    lng = lng_col.to_numpy(zero_copy_only=False).astype(float)
    lat = lat_col.to_numpy(zero_copy_only=False).astype(float)
    if np.any(np.abs(lat[~mask]) > 90):
        raise ValueError("ST_GEOGPOINT: latitude must be in range [-90, 90]")
    # BigQuery takes a longitude outside [-180, 180] modulo 360
    wrapped = np.where(np.abs(lng) > 180, (lng + 180) % 360 - 180, lng)
    return _points_array(wrapped, lat, mask)


def _fast_coordinate(axis: int) -> Callable[..., pa.Array | None]:
    def run(mask: Any, column: Any) -> pa.Array | None:
        import numpy as np

        xy = points_xy(column)
        if xy is None:
            return None
        values = xy[axis]
        if np.isnan(values[~mask]).any():
            raise ValueError(f"{'ST_X' if axis == 0 else 'ST_Y'} takes a single point geography")
        return pa.array(values, type=pa.float64(), mask=mask)

    return run


def _fast_distance(mask: Any, a: Any, b: Any, *rest: Any) -> pa.Array | None:
    import numpy as np

    xa, xb = points_xy(a), points_xy(b)
    if xa is None or xb is None:
        return None
    meters = haversine(xa[0], xa[1], xb[0], xb[1])
    if rest and rest[0].type == pa.bool_():
        if rest[0].to_numpy(zero_copy_only=False).astype(bool).any():
            raise ValueError("ST_DISTANCE with use_spheroid TRUE is not supported by the local warehouse")
        rest = ()
    if rest:
        with np.errstate(invalid="ignore"):
            near = meters <= rest[0].to_numpy(zero_copy_only=False).astype(float)
        return pa.array(near, type=pa.bool_(), mask=mask | np.isnan(meters))
    return pa.array(meters, type=pa.float64(), mask=mask | np.isnan(meters))


_FAST: dict[tuple[str, int], Callable[..., pa.Array | None]] = {
    ("ST_GEOGPOINT", 2): _fast_geogpoint,
    ("ST_X", 1): _fast_coordinate(0),
    ("ST_Y", 1): _fast_coordinate(1),
    ("ST_DISTANCE", 2): _fast_distance,
    ("ST_DISTANCE", 3): _fast_distance,
    ("ST_DWITHIN", 3): _fast_distance,
}
"""Arrow-level bodies for columns of points (no shapely objects); None hands over to the
general body."""


# ---------------------------------------------------------------------- function bodies


def _geogpoint(lng: Any, lat: Any) -> Any:
    import numpy as np

    if np.any(np.abs(lat) > 90):
        raise ValueError("ST_GEOGPOINT: latitude must be in range [-90, 90]")
    # BigQuery takes a longitude outside [-180, 180] modulo 360
    wrapped = np.where(np.abs(lng) > 180, (lng + 180) % 360 - 180, lng)
    return shapely_module().points(wrapped, lat)


def _parse_text(text: str, fn: str) -> Any:
    shp = shapely_module()
    try:
        geom = shp.from_wkt(text)
    except Exception:  # shapely.errors.GEOSException and friends
        raise ValueError(f"{fn}: invalid WKT {text[:80]!r}") from None
    return _check_coords(geom, fn)


def _parse_geojson(text: str, fn: str) -> Any:
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
    return _check_coords(geom, fn)


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
        out[i] = _distance(a[i], b[i])
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
_DUCK = {"g": _G, "d": "DOUBLE", "b": "BOOLEAN", "s": "VARCHAR", "i": "BIGINT", "G": f"{_G}[]"}
_ARROW_OUT = {
    _G: pa.binary(),
    "DOUBLE": pa.float64(),
    "BOOLEAN": pa.bool_(),
    "VARCHAR": pa.string(),
    "BIGINT": pa.int64(),
    _EXTENT_TYPE: pa.struct([(k, pa.float64()) for k in ("xmin", "ymin", "xmax", "ymax")]),
}


@functools.cache
def _udfs() -> dict[tuple[str, int], tuple[str, str, str, Callable[..., Any], bool]]:
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
        ("ST_GEOGFROMGEOJSON", 1): ("s", _G, lambda t: _parse_geojson(t, "ST_GEOGFROMGEOJSON"), False),
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
        ("ST_MAXDISTANCE", 2): ("gg", "DOUBLE", _max_distance, False),
        ("ST_DWITHIN", 3): ("ggd", "BOOLEAN", _within_distance, True),
        ("ST_LENGTH", 1): ("g", "DOUBLE", _lengths, True),
        ("ST_LENGTH", 2): ("gb", "DOUBLE", _flat("ST_LENGTH", _lengths), True),
        ("ST_AREA", 1): ("g", "DOUBLE", _area, False),
        ("ST_AREA", 2): ("gb", "DOUBLE", _flat("ST_AREA", _area), False),
        ("ST_PERIMETER", 1): ("g", "DOUBLE", _perimeters, True),
        ("ST_PERIMETER", 2): ("gb", "DOUBLE", _flat("ST_PERIMETER", _perimeters), True),
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
        key: (f"{_PREFIX}{key[0].lower().removeprefix('st_')}_{key[1]}", kinds, out, fn, vec)
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
    return sorted({name for name, _ in _udfs() if name.startswith("ST_")} | {"ST_ASTEXT"})


def googlesql_names() -> dict[str, str]:
    """UDF name -> the GoogleSQL function it implements (for error messages)."""
    return {spec[0]: name for (name, _), spec in _udfs().items()}


def udf_names() -> frozenset[str]:
    """Names of every geography UDF (for the sandbox's allowlist)."""
    return frozenset(spec[0] for spec in _udfs().values())


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
    return lambda a, b, c: run(a, b, c)


def register(con: Any) -> None:
    """Define every geography UDF on a DuckDB connection (replacing earlier definitions)."""
    shapely_module()
    for key, (name, kinds, out, fn, vec) in _udfs().items():
        try:
            con.remove_function(name)
        except Exception:  # not defined yet
            pass
        con.create_function(
            name,
            _arrow_udf(kinds, out, fn, vec, _FAST.get(key)),
            [_DUCK[k] for k in kinds],
            out,
            type="arrow",
            null_handling="special",
            side_effects=False,
        )


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


def _returns_geography(node: exp.Expression) -> bool:
    name = _name_of(node)
    spec = _udfs().get((name, len(_args_of(node)))) if name else None
    return spec is not None and spec[2] == _G


def rewrite_calls(stmt: exp.Expression) -> set[str]:
    """Rewrite the `ST_*` calls of `stmt` as geography UDF calls; the UDF names it needs.

    An `ST_*` function this module does not serve is refused by name, listing those it does.
    """
    used: set[str] = set()
    calls = [n for n in stmt.find_all(exp.Anonymous, exp.StDistance) if _name_of(n)]
    if not calls:
        _rewrite_texts(stmt)
        return used
    shapely_module()
    for node in reversed(calls):
        name = _name_of(node)
        assert name is not None
        args = _args_of(node)
        for a in args:
            if isinstance(a, exp.Kwarg):
                raise _error(
                    f"{name} with named argument {a.this.name} is not supported by the local warehouse",
                    "pass only the positional arguments, or run it on BigQuery (profile gcp)",
                )
        if name == "ST_ASTEXT" and len(args) == 1:
            node.replace(_astext(args[0]))
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
    _rewrite_texts(stmt)
    return used


def _rewrite_texts(stmt: exp.Expression) -> None:
    """CAST(geography AS STRING) as BigQuery's WKT, TO_JSON_STRING(geography) as GeoJSON.

    A column's type is not known here: its CAST is chosen by DuckDB's `typeof()`, which it folds
    when it binds the query (both branches bind for every type).
    """
    for cast in list(stmt.find_all(exp.Cast)):
        if not cast.to.is_type("text", "varchar"):
            continue
        if _is_geo_udf(cast.this):
            cast.replace(_astext(cast.this))
        elif isinstance(cast.this, exp.Column) and not isinstance(cast.parent, exp.If):
            is_geo = exp.EQ(
                this=exp.Anonymous(this="typeof", expressions=[cast.this.copy()]), expression=exp.Literal.string(_G)
            )
            cast.replace(exp.If(this=is_geo, true=_astext(cast.this), false=cast.copy()))
    for node in list(stmt.find_all(exp.JSONFormat)):
        if _is_geo_udf(node.this):
            udf = _udfs()[("TO_JSON_STRING", 1)][0]
            node.replace(exp.Anonymous(this=udf, expressions=[node.this.copy()]))


def _is_geo_udf(node: exp.Expression) -> bool:
    name = str(node.this) if isinstance(node, exp.Anonymous) else ""
    return any(name == spec[0] and spec[2] == _G for spec in _udfs().values())


def text_relation(rel: Any) -> Any:
    """`rel` with its GEOMETRY columns (top level and arrays of them) as BigQuery's WKT text."""
    ids = [t.id for t in rel.types]
    if "geometry" not in ids and not any("GEOMETRY" in str(t) for t in rel.types):
        return rel
    from .googlesql import quote_ident

    cols = []
    for name, t in zip(rel.columns, rel.types, strict=True):
        col = quote_ident(name)
        if t.id == "geometry":
            cols.append(f"regexp_replace(CAST({col} AS VARCHAR), '{_WKT_SPACE}', '\\1(', 'g') AS {col}")
        elif str(t) == "GEOMETRY[]":
            inner = f"regexp_replace(CAST(__g AS VARCHAR), '{_WKT_SPACE}', '\\1(', 'g')"
            cols.append(f"list_transform({col}, __g -> {inner}) AS {col}")
        else:
            cols.append(col)
    return rel.project(", ".join(cols))


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
    return str(shp.to_wkt(parse(text), rounding_precision=-1, trim=True))
