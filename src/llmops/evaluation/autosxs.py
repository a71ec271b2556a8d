"""AutoSxS as a Kubeflow pipeline: two models answer an evaluation set, a judge compares the
answers side by side in both positions, and the run outputs every judgment and the win rates
(with human preferences: the judge's agreement and Cohen's kappa with them).

Parameters follow Google's AutoSxS template (`evaluation_dataset`, `id_columns`, `task`,
`autorater_prompt_parameters`, `model_a`/`model_b`, `response_column_a`/`_b`,
`human_preference_column`); model A is the baseline, model B the candidate. Three lightweight
components (answer with model A, answer with model B, judge) that build a `Session` from the
settings they are handed, like the workflow's, so the compiled YAML runs on any orchestrator.

This module imports kfp; import it only where the pipeline is compiled. (No
`from __future__ import annotations`: kfp reads the components' annotations.)
"""

import json
from pathlib import Path
from typing import Any

from kfp import dsl
from kfp.dsl import Dataset, Input, Metrics, Output

PIPELINE_NAME = "llmops-autosxs"
TASKS = {
    "question_answering": "pairwise_quality",
    "summarization": "pairwise_quality",
    "fluency": "pairwise_fluency",
    "coherence": "pairwise_coherence",
    "instruction_following": "pairwise_instruction_following",
}
"""AutoSxS task (Google's `question_answering@001` form accepted) -> the pairwise judge metric."""
PREFERENCES = {
    "A": "A",
    "MODEL_A": "A",
    "BASELINE": "A",
    "B": "B",
    "MODEL_B": "B",
    "CANDIDATE": "B",
    "TIE": "TIE",
    "SAME": "TIE",
}
"""Human preference labels -> the model they prefer."""


# ---------------------------------------------------------------- components


def autosxs_predict(
    settings: dict,
    evaluation_dataset: str,
    model: str,
    response_column: str,
    limit: int,
    responses: Output[Dataset],
) -> int:
    """Each example's response: `model`'s answer, or the pre-generated `response_column`; one
    JSON line per example. Returns the number of examples."""
    import json

    import llmops
    from llmops.evaluation.autosxs import answer

    with llmops.Session(llmops.Settings.from_json_dict(settings)) as session:
        rows = answer(session, evaluation_dataset, model, response_column, limit)
    with open(responses.path, "w", encoding="utf-8") as f:
        f.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    responses.metadata.update(model=model or response_column, examples=len(rows))
    return len(rows)


def autosxs_judge(
    settings: dict,
    evaluation_dataset: str,
    task: str,
    id_columns: list,
    autorater_prompt_parameters: dict,
    human_preference_column: str,
    judge: str,
    limit: int,
    model_a: str,
    model_b: str,
    judgments_destination: str,
    responses_a: Input[Dataset],
    responses_b: Input[Dataset],
    judgments: Output[Dataset],
    metrics: Output[Metrics],
) -> str:
    """Judge model B (candidate) against model A (baseline) on every example, both positions;
    write the judgments as JSON lines and the win rates as metrics; return them as JSON. With
    `judgments_destination` (a URI prefix of the artifact store), also write `judgments.jsonl`
    and `summary.json` there (Kubeflow's API hands no task outputs back)."""
    import json

    import llmops
    from llmops.evaluation.autosxs import compare, publish, read_responses

    with llmops.Session(llmops.Settings.from_json_dict(settings)) as session:
        rows, summary = compare(
            session,
            evaluation_dataset,
            task=task,
            id_columns=list(id_columns),
            prompt_parameters=dict(autorater_prompt_parameters),
            human_preference_column=human_preference_column,
            judge=judge or None,
            limit=limit,
            responses_a=read_responses(responses_a.path),
            responses_b=read_responses(responses_b.path),
        )
        summary = {"model_a": model_a, "model_b": model_b, **summary}
        if judgments_destination:
            publish(session, judgments_destination, rows, summary)
    with open(judgments.path, "w", encoding="utf-8") as f:
        f.writelines(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in rows)
    for key, value in summary.items():
        if isinstance(value, int | float) and not isinstance(value, bool):
            metrics.log_metric(key, value)
    judgments.metadata.update(examples=len(rows), metric=summary["metric"])
    print(f"autosxs {model_b or 'B'} vs {model_a or 'A'}: {summary}")
    return json.dumps(summary)


def build_pipeline(base_image: str | None = None) -> Any:
    """The AutoSxS pipeline (a kfp pipeline function) on components built on `base_image`."""
    from ..core.pipeline import DEFAULT_IMAGE

    image = base_image or DEFAULT_IMAGE
    predict = dsl.component(autosxs_predict, base_image=image, install_kfp_package=False, packages_to_install=[])
    judge_op = dsl.component(autosxs_judge, base_image=image, install_kfp_package=False, packages_to_install=[])

    @dsl.pipeline(name=PIPELINE_NAME, description="llmops: AutoSxS, model B against model A judged side by side.")
    def autosxs(
        settings: dict,
        evaluation_dataset: str,
        model_a: str = "",
        model_b: str = "",
        response_column_a: str = "",
        response_column_b: str = "",
        task: str = "question_answering",
        id_columns: list = [],  # noqa: B006 - kfp reads the default from the signature
        autorater_prompt_parameters: dict = {},  # noqa: B006
        human_preference_column: str = "",
        judge: str = "",
        limit: int = 0,
        judgments_destination: str = "",
    ) -> str:
        a = predict(
            settings=settings,
            evaluation_dataset=evaluation_dataset,
            model=model_a,
            response_column=response_column_a,
            limit=limit,
        ).set_display_name("predict-model-a")
        b = predict(
            settings=settings,
            evaluation_dataset=evaluation_dataset,
            model=model_b,
            response_column=response_column_b,
            limit=limit,
        ).set_display_name("predict-model-b")
        j = judge_op(
            settings=settings,
            evaluation_dataset=evaluation_dataset,
            task=task,
            id_columns=id_columns,
            autorater_prompt_parameters=autorater_prompt_parameters,
            human_preference_column=human_preference_column,
            judge=judge,
            limit=limit,
            model_a=model_a,
            model_b=model_b,
            judgments_destination=judgments_destination,
            responses_a=a.outputs["responses"],
            responses_b=b.outputs["responses"],
        )
        return j.outputs["Output"]

    return autosxs


def compile_autosxs(session: Any) -> Path:
    """Compile the AutoSxS pipeline into the workspace's pipelines folder; return the package."""
    from ..core.pipeline import compile_pipeline

    target = session.workspace.pipelines / f"{PIPELINE_NAME}.yaml"
    target.parent.mkdir(parents=True, exist_ok=True)
    return compile_pipeline(build_pipeline(getattr(session.settings, "component_image", None)), target)


# ---------------------------------------------------------------- what the components do


def metric_of(task: str) -> str:
    """The pairwise judge metric of an AutoSxS `task`; a one-line error for an unknown one."""
    from ..core.errors import ConfigError

    name = task.split("@", 1)[0]
    if name not in TASKS:
        raise ConfigError(f"unknown AutoSxS task {task!r}", fix=f"use one of: {', '.join(TASKS)}")
    return TASKS[name]


def read_rows(session: Any, evaluation_dataset: str, limit: int = 0) -> list[dict[str, Any]]:
    """The evaluation rows: a dataset version's eval split (by id or prefix) or a JSONL file or
    URI; each row with its parsed `prompt`, `reference` and `context` added."""
    from ..core import data
    from ..core.errors import DataError
    from ..core.evaluation import parse_example

    if "/" in evaluation_dataset or evaluation_dataset.endswith(".jsonl"):
        uri = evaluation_dataset
    else:
        uri = data.get_version(session, evaluation_dataset).eval.uri
    name = uri.rsplit("/", 1)[-1]
    rows: list[dict[str, Any]] = []
    local = "://" not in uri and Path(uri).is_file()  # a path on this machine, whatever the store
    with open(uri, "rb") if local else session.artifacts.open(uri, "rb") as f:
        for n, raw in enumerate(f, start=1):
            line = raw.decode("utf-8", errors="replace").strip()
            if not line:
                continue
            try:
                row = json.loads(line)
            except ValueError:
                raise DataError(f"{name} line {n} is not JSON", fix="each line must be one JSON object") from None
            ex = parse_example(row, f"{name} line {n}")
            rows.append({**row, "prompt": ex.prompt, "reference": ex.reference, "context": ex.context})
            if 0 < limit <= len(rows):
                break
    if not rows:
        raise DataError(f"evaluation dataset {evaluation_dataset} has no examples", fix="pass a non-empty eval split")
    return rows


def answer(session: Any, evaluation_dataset: str, model: str, response_column: str, limit: int = 0) -> list[dict]:
    """`[{example, response, blocked}]`: `model`'s answers (the profile's base model when empty),
    or the rows' `response_column`."""
    from ..core.errors import DataError
    from ..core.evaluation import EvalExample, evaluate

    rows = read_rows(session, evaluation_dataset, limit)
    if response_column:
        missing = [i for i, r in enumerate(rows) if not isinstance(r.get(response_column), str)]
        if missing:
            raise DataError(
                f"example {missing[0]} of {evaluation_dataset} has no text column {response_column!r}",
                fix="name a column every row has, or leave the response column empty to predict",
            )
        return [{"example": i, "response": r[response_column], "blocked": False} for i, r in enumerate(rows)]
    examples = [EvalExample(r["prompt"], r["reference"], r["context"]) for r in rows]
    result = evaluate(session, examples, model=model or None)
    return [
        {"example": i, "response": "" if p.blocked else (p.text or ""), "blocked": p.blocked}
        for i, p in enumerate(result.predictions)
    ]


def read_responses(path: str) -> list[str]:
    """The responses a predict task wrote, in example order."""
    with open(path, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    return [r["response"] for r in sorted(rows, key=lambda r: r["example"])]


def _field(row: dict[str, Any], spec: Any, default: str, what: str) -> str:
    from ..core.errors import ConfigError

    if spec is None:
        return str(row.get(default) or "")
    if isinstance(spec, dict) and "column" in spec:
        value = row.get(str(spec["column"]))  # `prompt`, `reference`, `context` or any row column
        return value if isinstance(value, str) else json.dumps(value) if value is not None else ""
    if isinstance(spec, dict) and isinstance(spec.get("template"), str):
        text = spec["template"]
        for key, value in row.items():
            text = text.replace("{{" + key + "}}", str(value)).replace("{{ " + key + " }}", str(value))
        return text
    raise ConfigError(
        f"autorater_prompt_parameters[{what!r}] must be {{'column': NAME}} or {{'template': TEXT}}",
        fix='e.g. {"inference_context": {"column": "context"}}',
    )


def _preference(row: dict[str, Any], column: str, i: int) -> str:
    from ..core.errors import DataError

    value = str(row.get(column) or "").strip().upper()
    if value not in PREFERENCES:
        raise DataError(
            f"example {i}: human preference {row.get(column)!r} in column {column!r} is not A, B or TIE",
            fix="label each row A (model A better), B (model B better) or TIE",
        )
    return PREFERENCES[value]


def compare(
    session: Any,
    evaluation_dataset: str,
    *,
    task: str,
    responses_a: list[str],
    responses_b: list[str],
    id_columns: list[str] | None = None,
    prompt_parameters: dict[str, Any] | None = None,
    human_preference_column: str = "",
    judge: str | None = None,
    limit: int = 0,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Judge B (candidate) against A (baseline) in both positions on every row: the judgments
    (ids, instruction, context, both responses, choice `A`/`B`/`TIE`, explanation, consistency,
    human preference) and the summary (win rates; with preferences, agreement and kappa)."""
    from ..core.errors import ConfigError
    from . import judged
    from .judges import CachedJudge, ModelJudge
    from .judging import CACHE_FILE, make_judge
    from .rubrics import builtin_metrics
    from .vertex_judge import VertexEvalJudge

    metric = builtin_metrics()[metric_of(task)]
    params = dict(prompt_parameters or {})
    unknown = sorted(set(params) - {"inference_instruction", "inference_context"})
    if unknown:
        raise ConfigError(
            f"autorater_prompt_parameters has unknown key(s) {', '.join(unknown)}",
            fix="use inference_instruction and inference_context",
        )
    rows = read_rows(session, evaluation_dataset, limit)
    if not len(rows) == len(responses_a) == len(responses_b):
        raise ConfigError(
            f"{len(rows)} examples but {len(responses_a)} responses of model A and {len(responses_b)} of model B",
            fix="answer the same evaluation dataset with both models",
        )
    missing = [c for c in id_columns or [] if c not in rows[0]]
    if missing:
        raise ConfigError(f"id column {missing[0]!r} is not in the evaluation dataset", fix="name columns it has")
    prefs = [_preference(r, human_preference_column, i) for i, r in enumerate(rows)] if human_preference_column else []
    items = [
        judged.Item(
            _field(r, params.get("inference_instruction"), "prompt", "inference_instruction"),
            r["reference"],
            _field(r, params.get("inference_context"), "context", "inference_context"),
        )
        for r in rows
    ]
    inner, judge_name = make_judge(session, judge)
    cache = CachedJudge(inner, session.settings.workspace.joinpath(*CACHE_FILE))
    try:
        result = judged.pairwise(cache, metric, "model_b", "model_a", items, responses_b, responses_a)
    finally:
        if isinstance(inner, ModelJudge):
            inner.provider.close()
        elif isinstance(inner, VertexEvalJudge):
            inner.close()
    to_ab = {"CANDIDATE": "B", "BASELINE": "A", "TIE": "TIE"}
    out = []
    for i, (r, it, row) in enumerate(zip(rows, items, result.rows, strict=True)):
        j: dict[str, Any] = {c: r.get(c) for c in id_columns or []}
        j.update(
            example=i,
            inference_instruction=it.prompt,
            inference_context=it.context,
            response_a=responses_a[i],
            response_b=responses_b[i],
        )
        if row.get("error") is not None or "skipped" in row:
            j["error"] = row.get("error") or row.get("skipped")
        else:
            j.update(choice=to_ab[row["choice"]], explanation=row["explanation"], consistent=row["consistent"])
        if prefs:
            j["human_preference"] = prefs[i]
        out.append(j)
    return out, _summary(out, metric.name, judge_name, prefs, cache.calls)


def publish(session: Any, destination: str, rows: list[dict[str, Any]], summary: dict[str, Any]) -> None:
    """Write `judgments.jsonl` and `summary.json` under `destination` in the artifact store."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        for name, text in (
            ("judgments.jsonl", "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in rows)),
            ("summary.json", json.dumps(summary, indent=2)),
        ):
            local = Path(tmp) / name
            local.write_text(text, encoding="utf-8")
            session.artifacts.put(local, f"{destination.rstrip('/')}/{name}")


def read_published(session: Any, destination: str) -> tuple[dict[str, Any], str]:
    """The summary and the judgments' text that `publish` wrote under `destination`."""
    base = destination.rstrip("/")
    with session.artifacts.open(f"{base}/summary.json", "rb") as f:
        summary = json.loads(f.read().decode("utf-8"))
    with session.artifacts.open(f"{base}/judgments.jsonl", "rb") as f:
        return summary, f.read().decode("utf-8")


def _summary(rows: list[dict[str, Any]], metric: str, judge: str, prefs: list[str], calls: int) -> dict[str, Any]:
    from .judged import cohen_kappa

    ok = [r for r in rows if "choice" in r]
    n = len(ok) or 1
    summary: dict[str, Any] = {
        "metric": metric,
        "judge": judge,
        "examples": len(rows),
        "judged": len(ok),
        "errors": len(rows) - len(ok),
        "autosxs_model_a_win_rate": round(sum(r["choice"] == "A" for r in ok) / n, 4),
        "autosxs_model_b_win_rate": round(sum(r["choice"] == "B" for r in ok) / n, 4),
        "autosxs_tie_rate": round(sum(r["choice"] == "TIE" for r in ok) / n, 4),
        "position_consistency": round(sum(bool(r["consistent"]) for r in ok) / n, 4),
        "judge_calls": calls,
    }
    if prefs:
        pairs = [(r["choice"], r["human_preference"]) for r in ok]
        summary["human_preference_model_a_win_rate"] = round(prefs.count("A") / len(prefs), 4)
        summary["human_preference_model_b_win_rate"] = round(prefs.count("B") / len(prefs), 4)
        if pairs:
            summary["agreement"] = round(sum(a == b for a, b in pairs) / len(pairs), 4)
            summary["cohens_kappa"] = round(cohen_kappa(*zip(*pairs, strict=True)), 4)
    return summary


def parameters(settings: Any, **params: Any) -> dict[str, Any]:
    """The AutoSxS run parameters: `settings` (JSON-ready) and the given template parameters."""
    from ..core.pipeline_package import settings_parameter

    return {"settings": settings_parameter(settings), **{k: v for k, v in params.items() if v is not None}}
