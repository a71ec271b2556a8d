"""A GEOGRAPHY value in the simplest form BigQuery gives it: BigQuery keeps no shape of its own for
an empty geography (`POINT EMPTY` is `GEOMETRYCOLLECTION EMPTY`) and does not keep the structure
of a compound value when a simpler one holds the same points, lines and polygons
(`GEOMETRYCOLLECTION(POINT(1 1), POINT(2 2))` is `MULTIPOINT(1 1, 2 2)`, `MULTIPOINT(1 1)` is
`POINT(1 1)`). A collection of several dimensions lists its points, then lines, then polygons."""

from __future__ import annotations

from typing import Any

from .geography_sphere import shapely_module

_POINT, _LINE, _RING, _POLYGON, _COLLECTION = 0, 1, 2, 3, 7
_MULTI = {4, 5, 6}


def simplest(geom: Any) -> Any:
    """`geom` (a shapely geometry, or None) in BigQuery's simplest form."""
    if geom is None:
        return None
    shp = shapely_module()
    kind = shp.get_type_id(geom)
    if kind in _MULTI:
        count = shp.get_num_geometries(geom)
        if count > 1:
            return geom
        return shp.get_geometry(geom, 0) if count == 1 else shp.GeometryCollection()
    if kind != _COLLECTION:
        return shp.GeometryCollection() if shp.is_empty(geom) else geom
    parts = _atoms(shp, geom)
    groups = [
        [p for p in parts if shp.get_type_id(p) == _POINT],
        [p for p in parts if shp.get_type_id(p) in (_LINE, _RING)],
        [p for p in parts if shp.get_type_id(p) == _POLYGON],
    ]
    makers = (shp.MultiPoint, shp.MultiLineString, shp.MultiPolygon)
    shapes = [group[0] if len(group) == 1 else make(group) for group, make in zip(groups, makers) if group]
    if not shapes:
        return shp.GeometryCollection()
    return shapes[0] if len(shapes) == 1 else shp.GeometryCollection(shapes)


def _atoms(shp: Any, geom: Any) -> list[Any]:
    """The non-empty points, lines and polygons inside `geom`, in order."""
    kind = shp.get_type_id(geom)
    if kind == _COLLECTION or kind in _MULTI:
        return [atom for part in shp.get_parts(geom) for atom in _atoms(shp, part)]
    return [] if shp.is_empty(geom) else [geom]
