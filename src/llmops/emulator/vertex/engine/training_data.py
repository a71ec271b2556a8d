"""Reading supervised tuning files: the course's JSONL, the Gemini `contents` format, and the
provenance sidecar that says where each training answer came from.

Formats, one JSON object per line (blank lines are skipped):

- course: `{"input_text_instruct": "<template> <question>", "output_text": "<answer>"}`
  (the course-era `{"input_text": ..., "output_text": ...}` too);
- Gemini: `{"contents": [{"role": "user", "parts": [{"text": ...}]},
  {"role": "model", "parts": [{"text": ...}]}]}` (the last model turn is the answer, the user
  turns before it the question; an optional `systemInstruction` is ignored).

The sidecar `<stem>.sources.jsonl` next to the file has one line per example, in order:
`{"question_id", "answer_id", "title", "uri", "license"}`. Without it, an example's title is the
first line of its question and its license CC BY-SA 4.0 (the license of Stack Overflow content).
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ....core.errors import DataError, NotFoundError

DEFAULT_LICENSE = "CC BY-SA 4.0"
TITLE_CHARS = 150

_TEMPLATE_END = "Stackoverflow question:"
_FIRST_BLOCK = re.compile(r"<(?:p|pre|h\d|ul|ol|blockquote|div|table|hr|br)\b|\n", re.I)
_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Example:
    """One training example with the provenance its citations need."""

    question: str
    answer: str
    title: str | None = None  # None: the question's first line (`title_of`), worked out when cited
    uri: str | None = None
    license: str = DEFAULT_LICENSE


def question_text(prompt: str) -> str:
    """The question inside an instruction prompt (the text after the course template)."""
    _, sep, rest = prompt.rpartition(_TEMPLATE_END)
    return (rest if sep else prompt).strip()


def title_of(question: str) -> str:
    """A citation title: the question's first line, before any HTML block, tags removed."""
    q = question_text(question)
    m = _FIRST_BLOCK.search(q)
    head = q[: m.start()] if m and m.start() > 0 else q
    title = html.unescape(_TAG.sub("", head)).strip() or html.unescape(_TAG.sub("", q)).strip()
    title = " ".join(title.split())
    return title if len(title) <= TITLE_CHARS else title[: TITLE_CHARS - 1].rstrip() + "…"


def sidecar_path(train_path: str | Path) -> Path:
    """`train.jsonl` -> `train.sources.jsonl`."""
    p = Path(train_path)
    stem = p.name[: -len(".jsonl")] if p.name.endswith(".jsonl") else p.stem
    return p.with_name(f"{stem}.sources.jsonl")


def _text_of(turn: Any) -> str | None:
    if not isinstance(turn, dict) or not isinstance(turn.get("parts"), list):
        return None
    texts = [str(p["text"]) for p in turn["parts"] if isinstance(p, dict) and isinstance(p.get("text"), str)]
    return "".join(texts) if texts else None


def parse_example(obj: Any, where: str) -> tuple[str, str]:
    """(question, answer) of one parsed line, or a DataError naming `where` (file:line)."""
    if not isinstance(obj, dict):
        raise DataError(f"{where}: expected a JSON object, got {type(obj).__name__}", fix="write one object per line")
    if "contents" in obj:
        contents = obj["contents"]
        if not isinstance(contents, list) or not contents:
            raise DataError(
                f"{where}: 'contents' must be a non-empty list of turns", fix="see the Gemini tuning format"
            )
        last_model = max(
            (i for i, t in enumerate(contents) if isinstance(t, dict) and t.get("role") == "model"), default=None
        )
        if last_model is None:
            raise DataError(
                f"{where}: 'contents' has no turn with role 'model'", fix="add the expected answer as a model turn"
            )
        user = [_text_of(t) for t in contents[:last_model] if isinstance(t, dict) and t.get("role", "user") == "user"]
        answer = _text_of(contents[last_model])
        question = "\n".join(u for u in user if u)
        if not question:
            raise DataError(
                f"{where}: 'contents' has no user text before the model turn", fix="add a user turn with text parts"
            )
        if not answer:
            raise DataError(f"{where}: the model turn has no text parts", fix="give the model turn parts with 'text'")
        return question, answer
    key = "input_text_instruct" if "input_text_instruct" in obj else "input_text" if "input_text" in obj else None
    if key is None:
        raise DataError(
            f"{where}: missing 'input_text_instruct' (or 'input_text', or 'contents')",
            fix="each line needs input_text_instruct and output_text, or Gemini contents",
        )
    if "output_text" not in obj:
        raise DataError(f"{where}: missing 'output_text'", fix="each line needs the expected answer in output_text")
    question, answer = obj[key], obj["output_text"]
    for name, value in ((key, question), ("output_text", answer)):
        if not isinstance(value, str) or not value.strip():
            raise DataError(f"{where}: {name!r} must be a non-empty string", fix="fill it or drop the line")
    return question, answer


def read_pairs(path: str | Path) -> list[tuple[str, str]]:
    """Every (question, answer) of a tuning file, validated; errors name the file and line."""
    p = Path(path)
    if not p.is_file():
        raise NotFoundError(f"tuning file {p} does not exist", fix="check the path or dataset version")
    pairs: list[tuple[str, str]] = []
    try:
        with p.open(encoding="utf-8") as fh:
            for lineno, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise DataError(
                        f"{p}:{lineno}: not JSON ({exc.msg})", fix="the file must be JSONL, one object per line"
                    ) from None
                pairs.append(parse_example(obj, f"{p}:{lineno}"))
    except UnicodeDecodeError:
        raise DataError(f"{p} is not UTF-8 text", fix="the file must be JSONL in UTF-8") from None
    except OSError as exc:
        raise DataError(f"{p} cannot be read ({exc.strerror or exc})", fix="check the file's permissions") from None
    if not pairs:
        raise DataError(f"{p} has no training examples", fix="the file is empty; export the dataset again")
    return pairs


def read_sources(path: str | Path, rows: int) -> list[dict[str, Any]] | None:
    """The provenance sidecar of a tuning file, or None when there is none."""
    side = sidecar_path(path)
    if not side.is_file():
        return None
    out: list[dict[str, Any]] = []
    with side.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DataError(f"{side}:{lineno}: not JSON ({exc.msg})", fix="rewrite the sources sidecar") from None
            if not isinstance(obj, dict):
                raise DataError(f"{side}:{lineno}: expected a JSON object", fix="rewrite the sources sidecar")
            out.append(obj)
    if len(out) != rows:
        raise DataError(
            f"{side} has {len(out)} lines but {Path(path).name} has {rows} examples",
            fix="the sidecar must have one line per training example; export the dataset again",
        )
    return out


def read_examples(path: str | Path) -> list[Example]:
    """The examples of a tuning file with their provenance from the sidecar, if any."""
    pairs = read_pairs(path)
    sources = read_sources(path, len(pairs))
    examples = []
    for i, (q, a) in enumerate(pairs):
        src = sources[i] if sources else {}
        uri = src.get("uri") if isinstance(src.get("uri"), str) and src.get("uri") else None
        title = src.get("title") if isinstance(src.get("title"), str) and src.get("title") else None
        lic = src.get("license")
        lic = lic if isinstance(lic, str) and lic else DEFAULT_LICENSE
        examples.append(Example(q, a, title, uri, lic))
    return examples
