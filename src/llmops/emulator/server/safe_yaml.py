"""YAML from requests, loaded without alias expansion: a few hundred bytes of nested aliases
(a "billion laughs" document) would otherwise expand to gigabytes."""

from __future__ import annotations

from typing import Any

import yaml

from .errors import ApiError, bad_request

try:
    _Loader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # PyYAML built without libyaml
    _Loader = yaml.SafeLoader


def load_all(data: bytes, *, limit: int, what: str = "YAML document") -> list[Any]:
    """The non-empty documents of `data`; 413 past `limit` bytes, 400 when malformed or when it
    uses aliases (`*name`), which compiled pipelines and configs never need."""
    if len(data) > limit:
        raise ApiError(413, f"The {what} is {len(data)} bytes; the limit is {limit}", "uploadTooLarge")
    try:
        # A first pass over the events (no objects built) finds aliases before anything expands.
        for event in yaml.parse(data, Loader=_Loader):
            if isinstance(event, yaml.AliasEvent):
                raise bad_request(f"The {what} uses YAML aliases (*{event.anchor}), which are not accepted")
        return [d for d in yaml.load_all(data, Loader=_Loader) if d is not None]
    except yaml.YAMLError as exc:
        raise bad_request(f"The {what} is not valid YAML: {str(exc).splitlines()[0]}") from None
    except RecursionError:
        raise bad_request(f"The {what} is nested too deeply") from None
