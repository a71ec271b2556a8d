"""BigQuery's spherical Earth for the GEOGRAPHY functions (geography.py), and columns of points
read and written straight from their WKB bytes.

Measures are on a sphere of radius 6371010 m (S2's Earth) with great-circle edges, as BigQuery's are.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pyarrow as pa

EARTH_RADIUS_M = 6371010.0
"""BigQuery's spherical Earth radius, in meters."""

GEO_EXTRA_FIX = "pip install 'llmops[geo]'"


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


def distance(a: Any, b: Any) -> float:
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


def max_distance(a: Any, b: Any) -> float:
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


def lengths(geoms: Any) -> Any:
    return _line_lengths(geoms, rings=False)


def perimeters(geoms: Any) -> Any:
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


def area(geom: Any) -> float:
    shp = shapely_module()
    total = 0.0
    for part in shp.get_parts(geom):
        kind = shp.get_type_id(part)
        if kind == 3:
            total += _ring_area(shp.get_exterior_ring(part))
            total -= sum(_ring_area(shp.get_interior_ring(part, i)) for i in range(shp.get_num_interior_rings(part)))
        elif kind in (6, 7):
            total += area(part) / EARTH_RADIUS_M**2
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


FAST_BODIES: dict[tuple[str, int], Callable[..., pa.Array | None]] = {
    ("ST_GEOGPOINT", 2): _fast_geogpoint,
    ("ST_X", 1): _fast_coordinate(0),
    ("ST_Y", 1): _fast_coordinate(1),
    ("ST_DISTANCE", 2): _fast_distance,
    ("ST_DISTANCE", 3): _fast_distance,
    ("ST_DWITHIN", 3): _fast_distance,
}
"""Arrow-level bodies for columns of points (no shapely objects); None hands over to the
general body."""
