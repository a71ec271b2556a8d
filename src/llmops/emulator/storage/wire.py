"""Listing pages of the JSON API encoded from pre-encoded object resources.

A listing page of 1,000 objects is most of the cost of `objects.list`: building 1,000 resource
dicts and encoding them again on every request. Instead each object's resource (projection
`noAcl`) is encoded once into three pieces around the two places the client's base URL goes
(`selfLink`, `mediaLink`) and kept on its `ListedObject`, with the whole resource for the base
URL last used; a page is those resources joined. The result is the same JSON
`StorageHandlers.object_json` gives, compactly written.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from .store import ListedObject


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=True, allow_nan=False, separators=(",", ":"))


def _q(name: str) -> str:
    return quote(name, safe="")


def object_pieces(doc: dict[str, Any]) -> tuple[bytes, bytes, bytes]:
    """The object resource (no `acl`) as three pieces to join with the base URL (JSON-escaped)."""
    head = _dumps({k: v for k, v in doc.items() if k != "acl"})[:-1]
    b, n = _q(doc["bucket"]), _q(doc["name"])
    generation = _dumps(str(doc["generation"]))[1:-1]
    return (
        f'{head}{"," if len(head) > 1 else ""}"selfLink":"'.encode("ascii"),
        f'/storage/v1/b/{b}/o/{n}","mediaLink":"'.encode("ascii"),
        f'/download/storage/v1/b/{b}/o/{n}?generation={generation}&alt=media"}}'.encode("ascii"),
    )


def _encoded(obj: ListedObject, base: bytes) -> bytes:
    """The object's resource with links on `base`, kept with its pieces for the next page."""
    pieces = obj.wire[2] if obj.wire is not None else object_pieces(obj.doc)
    full = base.join(pieces)
    obj.wire = (base, full, pieces)
    return full


def objects_page(items: list[ListedObject], prefixes: list[str], token: str | None, base_url: str) -> bytes:
    """The body of an `objects.list` response (`storage#objects`) for projection `noAcl`."""
    base = _dumps(base_url)[1:-1].encode("ascii")
    tail = b""
    if prefixes:
        tail += b',"prefixes":' + _dumps(prefixes).encode("ascii")
    if token:
        tail += b',"nextPageToken":' + _dumps(token).encode("ascii")
    if not items:
        return b'{"kind":"storage#objects"' + tail + b"}"
    encoded = [w[1] if (w := o.wire) is not None and w[0] == base else _encoded(o, base) for o in items]
    # One join copies the page once: the head and tail ride on the first and last resource.
    encoded[0] = b'{"kind":"storage#objects","items":[' + encoded[0]
    encoded[-1] += b"]" + tail + b"}"
    return b",".join(encoded)
