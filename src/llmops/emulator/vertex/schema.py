"""Response and parameter schemas as Vertex reads them: the OpenAPI subset of `Schema`
(`responseSchema`, `functionDeclarations[].parameters`) and plain JSON Schema
(`responseJsonSchema`, `parametersJsonSchema`), both turned into one normalised form.

The clients spell `Schema` fields in camelCase or snake_case (google-genai copies
`property_ordering`, `any_of`, `min_items` from pydantic) and its `type` as a name in either case
or as the proto enum number (aiplatform's REST transport); all are accepted. A field the subset
does not have is refused the way Vertex refuses an unknown proto field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..server.errors import bad_request

TYPES = ("string", "number", "integer", "boolean", "array", "object")
_TYPE_NUMBERS = {1: "string", 2: "number", 3: "integer", 4: "boolean", 5: "array", 6: "object"}
_OPENAPI_FIELDS = {
    "type",
    "format",
    "title",
    "description",
    "nullable",
    "default",
    "example",
    "enum",
    "items",
    "minItems",
    "maxItems",
    "properties",
    "required",
    "minProperties",
    "maxProperties",
    "minLength",
    "maxLength",
    "pattern",
    "minimum",
    "maximum",
    "anyOf",
    "propertyOrdering",
    "ref",
    "defs",
}
_CAMEL = re.compile(r"_([a-z])")


@dataclass
class Schema:
    """One normalised schema node."""

    type: str | None = None
    nullable: bool = False
    properties: dict[str, Schema] = field(default_factory=dict)
    required: list[str] = field(default_factory=list)
    items: Schema | None = None
    enum: list[Any] = field(default_factory=list)
    any_of: list[Schema] = field(default_factory=list)
    min_items: int | None = None
    max_items: int | None = None
    min_length: int | None = None
    max_length: int | None = None
    minimum: float | None = None
    maximum: float | None = None
    format: str | None = None
    default: Any = None
    has_default: bool = False
    title: str | None = None
    description: str | None = None


def _camel(key: str) -> str:
    return _CAMEL.sub(lambda m: m.group(1).upper(), key)


def _int(value: Any, where: str) -> int | None:
    if value is None:
        return None
    try:
        out = int(value)
    except (TypeError, ValueError):
        raise bad_request(f"Invalid value at '{where}': {value!r} is not an integer", location=where) from None
    if out < 0:
        raise bad_request(f"Invalid value at '{where}': {out} must not be negative", location=where)
    return out


def _float(value: Any, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise bad_request(f"Invalid value at '{where}': {value!r} is not a number", location=where)
    try:
        return float(value)
    except ValueError:
        raise bad_request(f"Invalid value at '{where}': {value!r} is not a number", location=where) from None


def openapi_schema(raw: Any, where: str) -> Schema:
    """A `Schema` (OpenAPI subset) normalised; 400 naming the field when it is not one."""
    if not isinstance(raw, dict):
        raise bad_request(f"Invalid value at '{where}': expected a Schema object", location=where)
    node = {_camel(k): v for k, v in raw.items()}
    for key in node:
        if key not in _OPENAPI_FIELDS:
            raise bad_request(
                f"Invalid JSON payload received. Unknown name \"{key}\" at '{where}': Cannot find field. "
                "Use responseJsonSchema for full JSON Schema.",
                location=where,
            )
    out = Schema(
        nullable=bool(node.get("nullable")),
        min_items=_int(node.get("minItems"), f"{where}.min_items"),
        max_items=_int(node.get("maxItems"), f"{where}.max_items"),
        min_length=_int(node.get("minLength"), f"{where}.min_length"),
        max_length=_int(node.get("maxLength"), f"{where}.max_length"),
        minimum=_float(node.get("minimum"), f"{where}.minimum"),
        maximum=_float(node.get("maximum"), f"{where}.maximum"),
        format=node.get("format") if isinstance(node.get("format"), str) else None,
        title=node.get("title") if isinstance(node.get("title"), str) else None,
        description=node.get("description") if isinstance(node.get("description"), str) else None,
        has_default="default" in node,
        default=node.get("default"),
    )
    kind = node.get("type")
    if kind is not None:
        name = _TYPE_NUMBERS.get(kind) if isinstance(kind, int) and not isinstance(kind, bool) else None
        if isinstance(kind, str) and kind.lower() in TYPES:
            name = kind.lower()
        if name is None:
            raise bad_request(
                f"Invalid value at '{where}.type' ({kind!r}): expected one of " + ", ".join(t.upper() for t in TYPES),
                location=f"{where}.type",
            )
        out.type = name
    enum = node.get("enum")
    if enum is not None:
        if not isinstance(enum, list) or not enum or not all(isinstance(e, str) for e in enum):
            raise bad_request(f"Invalid value at '{where}.enum': expected a non-empty list of strings", location=where)
        if out.type not in (None, "string"):
            raise bad_request(f"Invalid value at '{where}.enum': enum is only allowed on STRING", location=where)
        out.enum, out.type = list(enum), "string"
    props = node.get("properties")
    if props is not None:
        if not isinstance(props, dict):
            raise bad_request(f"Invalid value at '{where}.properties': expected an object", location=where)
        if out.type not in (None, "object"):
            raise bad_request(f"Invalid value at '{where}.properties': only an OBJECT has properties", location=where)
        out.type = "object"
        out.properties = {k: openapi_schema(v, f"{where}.properties.{k}") for k, v in props.items()}
    ordering = node.get("propertyOrdering")
    if ordering is not None:
        if not isinstance(ordering, list) or sorted(map(str, ordering)) != sorted(out.properties):
            raise bad_request(
                f"Invalid value at '{where}.property_ordering': it must list each of the properties "
                f"({', '.join(out.properties)}) exactly once",
                location=where,
            )
        out.properties = {k: out.properties[k] for k in ordering}
    req = node.get("required")
    if req is not None:
        if not isinstance(req, list) or not all(isinstance(r, str) for r in req):
            raise bad_request(f"Invalid value at '{where}.required': expected a list of names", location=where)
        missing = [r for r in req if r not in out.properties]
        if missing:
            raise bad_request(
                f"Invalid value at '{where}.required': {missing[0]!r} is not one of the properties", location=where
            )
        out.required = list(req)
    if node.get("items") is not None:
        if out.type not in (None, "array"):
            raise bad_request(f"Invalid value at '{where}.items': only an ARRAY has items", location=where)
        out.type = "array"
        out.items = openapi_schema(node["items"], f"{where}.items")
    if node.get("anyOf") is not None:
        alts = node["anyOf"]
        if not isinstance(alts, list) or not alts:
            raise bad_request(f"Invalid value at '{where}.any_of': expected a non-empty list", location=where)
        out.any_of = [openapi_schema(a, f"{where}.any_of[{i}]") for i, a in enumerate(alts)]
    if out.type == "array" and out.items is None:
        raise bad_request(f"Invalid value at '{where}': an ARRAY schema needs items", location=where)
    if out.type is None and not out.any_of:
        raise bad_request(f"Invalid value at '{where}': a schema needs a type", location=f"{where}.type")
    return out


def json_schema(raw: Any, where: str, root: dict[str, Any] | None = None, depth: int = 0) -> Schema:
    """A JSON Schema (`responseJsonSchema`, `parametersJsonSchema`) normalised; `$ref`s to
    `$defs`/`definitions` are resolved."""
    if raw is True or raw == {}:
        return Schema(type="string")
    if not isinstance(raw, dict):
        raise bad_request(f"Invalid value at '{where}': expected a JSON Schema object", location=where)
    root = raw if root is None else root
    if depth > 32:
        raise bad_request(f"Invalid value at '{where}': the schema nests too deeply", location=where)
    ref = raw.get("$ref")
    if isinstance(ref, str):
        target: Any = root
        for part in ref.removeprefix("#/").split("/") if ref.startswith("#/") else ["\x00"]:
            target = target.get(part) if isinstance(target, dict) else None
        if not isinstance(target, dict):
            raise bad_request(f"Invalid value at '{where}.$ref': {ref!r} does not resolve", location=where)
        return json_schema(target, where, root, depth + 1)
    out = Schema(
        min_items=_int(raw.get("minItems"), f"{where}.minItems"),
        max_items=_int(raw.get("maxItems"), f"{where}.maxItems"),
        min_length=_int(raw.get("minLength"), f"{where}.minLength"),
        max_length=_int(raw.get("maxLength"), f"{where}.maxLength"),
        minimum=_float(raw.get("minimum"), f"{where}.minimum"),
        maximum=_float(raw.get("maximum"), f"{where}.maximum"),
        format=raw.get("format") if isinstance(raw.get("format"), str) else None,
        title=raw.get("title") if isinstance(raw.get("title"), str) else None,
        description=raw.get("description") if isinstance(raw.get("description"), str) else None,
        has_default="default" in raw,
        default=raw.get("default"),
    )
    kind = raw.get("type")
    kinds = kind if isinstance(kind, list) else [kind] if kind is not None else []
    for k in kinds:
        if k == "null":
            out.nullable = True
        elif isinstance(k, str) and k in TYPES:
            out.type = out.type or k
        else:
            raise bad_request(f"Invalid value at '{where}.type': {k!r} is not a JSON Schema type", location=where)
    if "const" in raw:
        out.enum = [raw["const"]]
    elif isinstance(raw.get("enum"), list) and raw["enum"]:
        out.enum = list(raw["enum"])
    alts = raw.get("anyOf") or raw.get("oneOf")
    if isinstance(alts, list) and alts:
        out.any_of = [json_schema(a, f"{where}.anyOf[{i}]", root, depth + 1) for i, a in enumerate(alts)]
        if any(a.type is None and a.nullable for a in out.any_of) or any(a == Schema(nullable=True) for a in alts):
            out.nullable = True
    props = raw.get("properties")
    if isinstance(props, dict):
        out.type = out.type or "object"
        out.properties = {k: json_schema(v, f"{where}.properties.{k}", root, depth + 1) for k, v in props.items()}
        req = raw.get("required")
        out.required = [r for r in req if r in out.properties] if isinstance(req, list) else []
    if raw.get("items") is not None:
        out.type = out.type or "array"
        out.items = json_schema(raw["items"], f"{where}.items", root, depth + 1)
    if out.type is None and not out.any_of and not out.enum:
        out.type = "null" if out.nullable else "string"
    return out


def conforms(value: Any, schema: Schema) -> bool:
    """Whether `value` satisfies `schema` (types, enums, required keys, array bounds)."""
    if value is None:
        return schema.nullable or schema.type == "null"
    if schema.any_of:
        return any(conforms(value, alt) for alt in schema.any_of)
    if schema.enum and value not in schema.enum:
        return False
    kind = schema.type
    if kind == "string":
        return isinstance(value, str)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "array":
        if not isinstance(value, list):
            return False
        if schema.min_items is not None and len(value) < schema.min_items:
            return False
        if schema.max_items is not None and len(value) > schema.max_items:
            return False
        return schema.items is None or all(conforms(v, schema.items) for v in value)
    if kind == "object":
        if not isinstance(value, dict) or any(r not in value for r in schema.required):
            return False
        return all(conforms(v, schema.properties[k]) for k, v in value.items() if k in schema.properties)
    return True
