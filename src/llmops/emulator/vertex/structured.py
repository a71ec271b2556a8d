"""Structured output of the emulated model: a JSON value conforming to a schema, filled from
the prompt's content, and the `text/x.enum` choice.

How a value is found, for each property in schema order: a value the prompt states for that
property (`stars: 42`, `name is llmops`, `unit = celsius`); for an enum, the member the prompt
mentions (else the one sharing most words with it); else the schema's default; else the next
item of a pool built from the prompt (quoted strings, then capitalised names, then key terms)
for strings, and the prompt's numbers for numbers. Deterministic: the same prompt and schema
always give the same JSON.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .engine.base_model import key_terms
from .engine.training_data import question_text
from .schema import Schema

_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?![\w.])")
_QUOTED = re.compile(r"[\"“']([^\"”'\n]{1,60})[\"”']")
_PROPER = re.compile(r"(?<=[a-z,;:] )[A-Z][\w-]+(?: [A-Z][\w-]+)*")
_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
_WORDS = re.compile(r"[a-z0-9]+")
_LONG_TEXT = {"description", "summary", "answer", "text", "explanation", "reason", "content", "body", "comment"}
MAX_ARRAY = 3


def _words(text: str) -> set[str]:
    return set(_WORDS.findall(text.lower()))


def _name_words(name: str) -> list[str]:
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name)
    return [w for w in re.split(r"[\s_\-.]+", spaced.lower()) if w]


@dataclass
class Source:
    """What the prompt offers to fill a schema with."""

    prompt: str
    strings: list[str] = field(default_factory=list)
    numbers: list[float] = field(default_factory=list)
    _next_string: int = 0
    _next_number: int = 0

    @classmethod
    def of(cls, prompt: str) -> Source:
        text = question_text(prompt)
        pool: dict[str, None] = {}
        for s in _QUOTED.findall(text) + _PROPER.findall(text) + key_terms(text, limit=12):
            if s.strip():
                pool.setdefault(s.strip(), None)
        numbers = [float(n) for n in _NUMBER.findall(text)]
        return cls(text, list(pool) or ["emulated"], numbers)

    def stated(self, name: str) -> str | None:
        """The value the prompt states for property `name`, if any."""
        words = _name_words(name)
        if not words:
            return None
        label = r"[\s_-]*".join(map(re.escape, words))
        m = re.search(
            rf"\b{label}s?\b\s*(?:is|are|was|=|:|of|in)?\s*[\"“']?([^,;\n\"”'()]+?)[\"”']?(?=$|[,;\n)]|\. |\.$| and )",
            self.prompt,
            re.I,
        )
        if not m:
            return None
        value = m.group(1).strip().rstrip(".?!")
        return value[:80] or None

    def next_string(self) -> str:
        value = self.strings[self._next_string % len(self.strings)]
        self._next_string += 1
        return value

    def next_number(self) -> float | None:
        if not self.numbers:
            return None
        value = self.numbers[self._next_number % len(self.numbers)]
        self._next_number += 1
        return value

    def sentence(self) -> str:
        terms = key_terms(self.prompt, limit=4)
        q = " ".join(self.prompt.split())
        q = q if len(q) <= 120 else q[:119].rstrip() + "…"
        if not terms:
            return f"Emulated answer to: {q}"
        return f"Emulated answer about {', '.join(terms)} for: {q}"


def pick_enum(options: list[Any], prompt: str, hint: str | None = None) -> Any:
    """The enum member the prompt (or `hint`) mentions, else the one sharing most words with it."""
    for text in (hint, prompt):
        if not text:
            continue
        low = text.lower()
        for opt in options:
            if re.search(rf"(?<!\w){re.escape(str(opt).lower())}(?!\w)", low):
                return opt
    words = _words(prompt)
    scored = [(len(_words(str(o)) & words), -i) for i, o in enumerate(options)]
    best = max(range(len(options)), key=lambda i: scored[i])
    return options[best]


def _clamp(value: float, schema: Schema) -> float:
    if schema.minimum is not None:
        value = max(value, schema.minimum)
    if schema.maximum is not None:
        value = min(value, schema.maximum)
    return value


def _string(schema: Schema, name: str, src: Source, stated: str | None) -> str:
    if schema.format in ("date", "date-time"):
        m = _DATE.search(src.prompt)
        day = m.group(0) if m else "2024-01-01"
        value = day if schema.format == "date" else f"{day}T00:00:00Z"
    elif stated is not None:
        value = stated
    elif schema.has_default and isinstance(schema.default, str):
        value = schema.default
    elif set(_name_words(name)) & _LONG_TEXT:
        value = src.sentence()
    else:
        value = src.next_string()
    if schema.max_length is not None:
        value = value[: schema.max_length]
    if schema.min_length is not None and len(value) < schema.min_length:
        value = value.ljust(schema.min_length, "_")
    return value


def _number(schema: Schema, src: Source, stated: str | None) -> int | float:
    found: float | None = None
    if stated is not None:
        m = _NUMBER.search(stated)
        found = float(m.group(0)) if m else None
    if found is None and schema.has_default and isinstance(schema.default, (int, float)):
        found = float(schema.default)
    if found is None:
        found = src.next_number()
    if found is None:
        found = float(len(src.strings))
    found = _clamp(found, schema)
    return int(round(found)) if schema.type == "integer" else found


def _boolean(name: str, src: Source, stated: str | None) -> bool:
    if stated is not None:
        return stated.lower().split()[0] in ("yes", "true", "y", "1", "on", "enabled")
    return bool(set(_name_words(name)) & _words(src.prompt))


def fill(schema: Schema, src: Source, name: str = "", required: bool = True) -> Any:
    """A value conforming to `schema`, built from the prompt (see the module docstring)."""
    if schema.any_of:
        alts = [a for a in schema.any_of if a.type not in (None, "null")]
        return fill(alts[0], src, name) if alts else None
    stated = src.stated(name) if name else None
    if schema.enum:
        return pick_enum(schema.enum, src.prompt, stated)
    kind = schema.type
    if kind == "string":
        return _string(schema, name, src, stated)
    if kind in ("integer", "number"):
        return _number(schema, src, stated)
    if kind == "boolean":
        return _boolean(name, src, stated)
    if kind == "array":
        assert schema.items is not None
        count = MAX_ARRAY
        if schema.items.type in ("string", None) and not schema.items.enum:
            count = min(MAX_ARRAY, len(src.strings))
        if schema.max_items is not None:
            count = min(count, schema.max_items)
        count = max(count, schema.min_items or 0, 1 if schema.min_items is None else 0)
        return [fill(schema.items, src, "") for _ in range(count)]
    if kind == "object":
        out: dict[str, Any] = {}
        for key, sub in schema.properties.items():
            if key not in schema.required and sub.nullable and src.stated(key) is None and not sub.has_default:
                out[key] = None
                continue
            out[key] = fill(sub, src, key, key in schema.required)
        return out
    return None


def function_args(schema: Schema | None, prompt: str) -> dict[str, Any]:
    """Arguments for a function call: the required parameters, and the optional ones the
    prompt states or whose enum it mentions; never an optional default the prompt does not ask for."""
    if schema is None or not schema.properties:
        return {}
    src = Source.of(prompt)
    out: dict[str, Any] = {}
    for key, sub in schema.properties.items():
        mentioned = src.stated(key) is not None or (
            bool(sub.enum) and any(str(o).lower() in src.prompt.lower() for o in sub.enum)
        )
        if key in schema.required or mentioned:
            out[key] = fill(sub, src, key)
    return out
