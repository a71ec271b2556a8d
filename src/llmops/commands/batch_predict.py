"""`llmops predict --batch INPUT --output OUTPUT`: many prompts from a JSONL file, answered in
process by any model provider, or by a Vertex AI batch prediction job on the `vertex` provider.

INPUT lines are `{"prompt": "..."}` (other keys are kept), Vertex's `{"request":
<GenerateContentRequest>}`, or a JSON string. OUTPUT lines are the input line plus `status`
(empty, or the error) and `prediction` (the Prediction, as `llmops predict --json` prints it).
On the `vertex` provider, `gs://` or `bq://` INPUT and OUTPUT run a batch job on those as they
are (Vertex's own output layout).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from ..core.errors import ConfigError, DataError, NotFoundError
from ..core.types import GenerationConfig, Prediction


def prompt_of(row: Any) -> str | None:
    """The prompt text of one input line, or None when it has none."""
    if isinstance(row, str):
        return row if row.strip() else None
    if not isinstance(row, dict):
        return None
    for key in ("prompt", "content", "input_text"):
        if isinstance(row.get(key), str) and row[key].strip():
            return row[key]
    request = row.get("request")
    if isinstance(request, dict):
        texts = [
            part.get("text", "")
            for content in request.get("contents") or []
            if isinstance(content, dict) and content.get("role", "user") == "user"
            for part in content.get("parts") or []
            if isinstance(part, dict)
        ]
        text = "\n".join(t for t in texts if t)
        return text or None
    return None


def read_rows(path: str) -> list[Any]:
    """The input file's lines as JSON values (a line that is not JSON is kept as its text)."""
    file = Path(path)
    if not file.is_file():
        raise NotFoundError(f"batch input {path} does not exist", fix="give a JSONL file with one prompt per line")
    rows: list[Any] = []
    for line in file.read_text(encoding="utf-8").splitlines():
        if line.strip():
            try:
                rows.append(json.loads(line))
            except ValueError:
                rows.append(line)
    if not rows:
        raise DataError(f"batch input {path} has no lines", fix='write one {"prompt": "..."} per line')
    return rows


def check_output(path: str) -> Path:
    out = Path(path)
    if out.exists():
        raise ConfigError(f"batch output {path} already exists", fix="choose a new output path or delete it")
    if not out.parent.is_dir():
        raise NotFoundError(f"the folder of batch output {path} does not exist", fix="create it first")
    return out


def output_line(row: Any, prediction: Prediction | None, status: str) -> dict[str, Any]:
    line = dict(row) if isinstance(row, dict) else {"prompt": row}
    line["status"] = status
    if prediction is not None:
        line["prediction"] = prediction.to_dict()
    return line


def write_lines(out: Path, lines: list[dict[str, Any]]) -> None:
    """Write all lines or nothing (a temporary file renamed into place)."""
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text("".join(json.dumps(line, default=str) + "\n" for line in lines), encoding="utf-8")
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)


def run_in_process(
    provider: Any, rows: list[Any], model: str | None, gen: GenerationConfig, safety: dict[str, str] | None
) -> list[dict[str, Any]]:
    """Answer every row with `provider.predict_batch`; rows without a prompt get a status."""
    prompts = [prompt_of(r) for r in rows]
    asked = [p for p in prompts if p is not None]
    answers = iter(provider.predict_batch(asked, model=model, generation=gen, safety=safety) if asked else [])
    return [
        output_line(r, next(answers), "")
        if p is not None
        else output_line(r, None, 'Bad Request: the line has no "prompt" (or Vertex "request")')
        for r, p in zip(rows, prompts, strict=True)
    ]


def batch_summary(input_: str, output: str, lines: list[dict[str, Any]] | None, stats: dict[str, Any]) -> dict:
    if lines is not None:
        ok = sum(1 for line in lines if not line.get("status"))
        stats = {**stats, "succeeded": ok, "failed": len(lines) - ok}
    return {"input": input_, "output": output, **stats}


def batch_predict_command(
    prompt: str | None,
    input_: str | None,
    output: str | None,
    model: str | None,
    temperature: float,
    max_output_tokens: int,
    system: str | None,
    safety: list[str] | None,
    json_: bool,
) -> None:
    """The `--batch` form of `llmops predict`."""
    from .common import console, parse_params, print_json, session

    if prompt is not None:
        raise ConfigError("a prompt and --batch were both given", fix="put the prompts in the --batch file")
    if not input_ or not output:
        raise ConfigError("--batch and --output go together", fix="llmops predict --batch in.jsonl --output out.jsonl")
    gen = GenerationConfig(temperature=temperature, max_output_tokens=max_output_tokens, system_instruction=system)
    limits = {k: str(v) for k, v in parse_params(safety, "--safety", "CATEGORY=THRESHOLD").items()} or None
    provider = session().model
    remote = input_.startswith(("gs://", "bq://"))
    if remote or output.startswith(("gs://", "bq://")):
        if not hasattr(provider, "run_batch_job"):
            raise ConfigError(
                "gs:// and bq:// batch sources need a Vertex AI batch job",
                fix='use the vertex provider (`model = "vertex"`), or local JSONL files',
            )
        if not (remote and output.startswith(("gs://", "bq://"))):
            raise ConfigError(
                "a batch job reads and writes gs:// or bq:// only",
                fix="give both --batch and --output as gs:// or bq:// URIs, or both as local files",
            )
        summary = batch_summary(input_, output, None, provider.run_batch_job(input_, output, model))
    else:
        rows = read_rows(input_)
        out = check_output(output)
        if hasattr(provider, "predict_batch_file"):
            answers, stats = provider.predict_batch_file(
                [prompt_of(r) for r in rows], model=model, generation=gen, safety=limits
            )
            lines = [output_line(r, p, status) for r, (p, status) in zip(rows, answers, strict=True)]
        else:
            lines, stats = run_in_process(provider, rows, model, gen, limits), {"mode": "in process"}
        write_lines(out, lines)
        summary = batch_summary(input_, output, lines, stats)
    if json_:
        print_json(summary)
    else:
        console.print(" · ".join(f"{k} {v}" for k, v in summary.items()), markup=False)
