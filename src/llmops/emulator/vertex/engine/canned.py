"""Canned responses: a YAML or JSON file that forces the emulated model's answer for prompts
matching a pattern, so a test can produce any case (a blocked answer, a citation, exact text).

The file is selected by the `canned_responses` setting. Its shape (YAML shown; JSON is the
same structure; a bare list of entries also works):

```yaml
responses:                      # the first matching entry wins
  - prompt: "load a csv"        # case-insensitive substring of the prompt, or
    # regex: "^how .* csv"      # a Python regular expression searched in the prompt, or
    # exact: "Say hi"           # the whole prompt, exactly
    model: "text-bison*"        # optional: shell pattern on the requested model name
    response: "Use pandas.read_csv()."
    safety:                     # optional: scores replacing the scorer's, per category;
      harassment: 0.9           #   a number is probability and severity,
      HARM_CATEGORY_HATE_SPEECH: {probability: 0.8, severity: 0.6}
    categories: {Violent: 0.8}  # optional: PaLM-style categories and scores
    blocked: true               # optional: force blocking on (true) or off (false)
    citations:                  # optional: spans of `response`
      - {start_index: 0, end_index: 21, uri: "https://stackoverflow.com/a/1",
         title: "Reading CSV", license: "CC BY-SA 4.0", publication_date: "2020-01-01"}
```

Categories a canned entry does not score are scored by the lexicon as usual; thresholds then
apply unless `blocked` forces the outcome.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ....core.errors import ConfigError
from ....core.types import Citation
from .safety import normalise_category
from .safety_lexicon import TOPICS

_MATCHERS = ("prompt", "regex", "exact")
_KEYS = {*_MATCHERS, "model", "response", "safety", "categories", "blocked", "citations"}


@dataclass(frozen=True)
class CannedResponse:
    """One entry of the file, validated."""

    response: str
    prompt: str | None = None
    regex: re.Pattern[str] | None = None
    exact: str | None = None
    model: str | None = None
    safety: dict[str, tuple[float, float]] = field(default_factory=dict)
    categories: dict[str, float] = field(default_factory=dict)
    blocked: bool | None = None
    citations: tuple[Citation, ...] = ()

    def matches(self, prompt: str, model: str) -> bool:
        if self.model is not None and not fnmatch.fnmatchcase(model, self.model):
            return False
        if self.exact is not None:
            return prompt == self.exact
        if self.regex is not None:
            return self.regex.search(prompt) is not None
        return self.prompt is not None and self.prompt.lower() in prompt.lower()


def _score(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise ConfigError(f"{where}: score {value!r} is not a number in [0, 1]", fix="use a score between 0 and 1")
    return round(float(value), 1)


def _entry(raw: Any, where: str) -> CannedResponse:
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: expected a mapping", fix="each entry is a mapping with a matcher and 'response'")
    unknown = sorted(set(raw) - _KEYS)
    if unknown:
        raise ConfigError(f"{where}: unknown key {unknown[0]!r}", fix=f"known keys: {', '.join(sorted(_KEYS))}")
    given = [k for k in _MATCHERS if raw.get(k) is not None]
    if len(given) != 1:
        raise ConfigError(
            f"{where}: needs exactly one of {', '.join(_MATCHERS)}", fix="say which prompts the entry answers"
        )
    if not isinstance(raw.get("response"), str):
        raise ConfigError(f"{where}: 'response' must be a string", fix="give the text to answer with ('' is allowed)")
    response = raw["response"]
    for k in (*given, "model"):
        if raw.get(k) is not None and not isinstance(raw[k], str):
            raise ConfigError(f"{where}: {k!r} must be a string", fix=f"quote the {k}")
    regex = None
    if raw.get("regex") is not None:
        try:
            regex = re.compile(raw["regex"])
        except re.error as exc:
            raise ConfigError(
                f"{where}: bad regex {raw['regex']!r} ({exc})", fix="fix the regular expression"
            ) from None
    safety: dict[str, tuple[float, float]] = {}
    for cat, value in (raw.get("safety") or {}).items():
        at = f"{where}: safety.{cat}"
        try:
            name = normalise_category(cat)
        except ConfigError as exc:
            raise ConfigError(f"{at}: {exc.problem}", fix=exc.fix) from None
        if isinstance(value, dict):
            extra = set(value) - {"probability", "severity"}
            if extra or "probability" not in value:
                raise ConfigError(
                    f"{at}: expected {{probability, severity}}", fix="give probability (and optionally severity)"
                )
            p = _score(value["probability"], at)
            safety[name] = (p, _score(value.get("severity", p), at))
        else:
            p = _score(value, at)
            safety[name] = (p, p)
    categories: dict[str, float] = {}
    for topic, value in (raw.get("categories") or {}).items():
        if topic not in TOPICS:
            raise ConfigError(f"{where}: unknown category {topic!r}", fix=f"use one of: {', '.join(TOPICS)}")
        categories[topic] = _score(value, f"{where}: categories.{topic}")
    blocked = raw.get("blocked")
    if blocked is not None and not isinstance(blocked, bool):
        raise ConfigError(f"{where}: 'blocked' must be true or false", fix="write blocked: true or blocked: false")
    citations = []
    for j, c in enumerate(raw.get("citations") or []):
        at = f"{where}: citations[{j}]"
        if not isinstance(c, dict):
            raise ConfigError(f"{at}: expected a mapping", fix="give start_index, end_index, uri, title, license")
        start, end = c.get("start_index", 0), c.get("end_index", len(response))
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start <= end <= len(response)):
            raise ConfigError(
                f"{at}: span {start}..{end} is outside the response (0..{len(response)})",
                fix="fix start_index/end_index",
            )
        citations.append(
            Citation(start, end, c.get("uri"), c.get("title"), c.get("license"), _date(c.get("publication_date"), at))
        )
    return CannedResponse(
        response=response,
        prompt=raw.get("prompt"),
        regex=regex,
        exact=raw.get("exact"),
        model=raw.get("model"),
        safety=safety,
        categories=categories,
        blocked=blocked,
        citations=tuple(citations),
    )


def _date(value: Any, where: str) -> str | None:
    if value is None:
        return None
    text = str(value)
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise ConfigError(f"{where}: publication_date {value!r} is not YYYY-MM-DD", fix="write the date as YYYY-MM-DD")
    return text


def load_canned(path: str | Path) -> list[CannedResponse]:
    """Every entry of a canned-responses file, validated; errors name the file and entry."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"canned responses file {p} does not exist",
            fix="fix canned_responses in [profiles.NAME.emulator] of llmops.toml or LLMOPS_EMULATOR_CANNED_RESPONSES",
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(
            f"canned responses file {p} cannot be read ({getattr(exc, 'strerror', None) or exc})",
            fix="check the file's permissions and encoding",
        ) from None
    try:
        data = json.loads(text) if p.suffix.lower() == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ConfigError(
            f"canned responses file {p} is not valid {'JSON' if p.suffix.lower() == '.json' else 'YAML'}: {msg}",
            fix="fix the file's syntax",
        ) from None
    if isinstance(data, dict):
        if set(data) - {"responses"}:
            raise ConfigError(
                f"canned responses file {p}: unknown top-level key {sorted(set(data) - {'responses'})[0]!r}",
                fix="put the entries under 'responses:'",
            )
        data = data.get("responses") or []
    if data is None:
        data = []
    if not isinstance(data, list):
        raise ConfigError(
            f"canned responses file {p} must hold a list of entries", fix="put the entries under 'responses:'"
        )
    return [_entry(raw, f"{p} entry {i + 1}") for i, raw in enumerate(data)]


class CannedResponses:
    """A canned-responses file, re-read when it changes on disk."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._entries: list[CannedResponse] = []
        self.entries()  # fail early, at configuration time, on a bad file

    def entries(self) -> list[CannedResponse]:
        try:
            st = os.stat(self.path)
            stamp = (st.st_mtime_ns, st.st_size)
        except OSError:
            stamp = None
        with self._lock:
            if stamp is None or stamp != self._stamp:
                self._entries = load_canned(self.path)
                self._stamp = stamp
            return self._entries

    def match(self, prompt: str, model: str) -> CannedResponse | None:
        """The first entry answering `prompt` for `model`."""
        for entry in self.entries():
            if entry.matches(prompt, model):
                return entry
        return None
