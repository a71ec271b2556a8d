"""Vertex AI's Gen AI evaluation service: `evaluateInstances`, served with llmops' metrics.

`POST {loc}:evaluateInstances` (what `vertexai.evaluation.EvalTask` sends) and
`POST {loc}/:evaluateInstances` (the newer `vertexai.Client`), v1 and v1beta1. The body has
exactly one `*Input` (camelCase or snake_case):

- `exactMatchInput`, `bleuInput`, `rougeInput` `{metricSpec, instances[{prediction, reference}]}`
  -> `exactMatchResults.exactMatchMetricValues` / `bleuResults.bleuMetricValues` /
  `rougeResults.rougeMetricValues`, one `{score}` per instance. Exact match is 1.0 or 0.0 on the
  trimmed strings; BLEU is sacrebleu's BLEU of the pair (13a tokens, exp smoothing) on Vertex's
  0-1 scale; ROUGE is rouge-score's F-measure of `metricSpec.rougeType` (default rougeL; Porter
  stemming unless `useStemmer` is false).
- `pointwiseMetricInput` / `pairwiseMetricInput` `{metricSpec{metricPromptTemplate},
  instance{jsonInstance}}` -> `pointwiseMetricResult{score, explanation}` /
  `pairwiseMetricResult{pairwiseChoice, explanation}`: the template is rated by llmops' emulated
  judge (`llmops.evaluation.rules`: the metric its `assessing ...` sentence names, its scale from
  the rubric lines). Pairwise compares `response` (candidate) with `baseline_model_response`.
- `fluencyInput`, `coherenceInput`, `safetyInput`, `groundednessInput`, `fulfillmentInput`
  `{instance{prediction, context?, instruction?}}` -> `{name}Result{score, explanation, confidence}`.
"""

from __future__ import annotations

import json
import re
import string
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..server.errors import ApiError, bad_request
from ..server.http import read_json

VERB = "evaluateInstances"
_DEDICATED = {
    "fluencyInput": ("fluency", "fluencyResult"),
    "coherenceInput": ("coherence", "coherenceResult"),
    "safetyInput": ("safety", "safetyResult"),
    "groundednessInput": ("groundedness", "groundednessResult"),
    "fulfillmentInput": ("instruction_following", "fulfillmentResult"),
}
_ROUGE_TYPES = {"rouge1", "rouge2", "rougeL", "rougeLsum", *(f"rouge{n}" for n in range(3, 10))}


def _camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def camelize(value: Any) -> Any:
    """Keys in camelCase at every level (the newer client sends snake_case)."""
    if isinstance(value, dict):
        return {_camel(k): camelize(v) for k, v in value.items()}
    if isinstance(value, list):
        return [camelize(v) for v in value]
    return value


def _text(obj: dict[str, Any], key: str, where: str, required: bool = True) -> str:
    value = obj.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise bad_request(f"{where}.{key} is required and must be a string", location=f"{where}.{key}")
    return value


def _instances(body: dict[str, Any], name: str) -> list[dict[str, Any]]:
    instances = body.get("instances")
    if not isinstance(instances, list) or not instances:
        raise bad_request(f"{name}.instances must be a non-empty list", location=f"{name}.instances")
    for i, inst in enumerate(instances):
        if not isinstance(inst, dict):
            raise bad_request(f"{name}.instances[{i}] must be an object", location=f"{name}.instances[{i}]")
        for key in ("prediction", "reference"):
            _text(inst, key, f"{name}.instances[{i}]")
    return instances


def _exact_match(body: dict[str, Any]) -> dict[str, Any]:
    values = [
        {"score": float(i["prediction"].strip() == i["reference"].strip())} for i in _instances(body, "exactMatchInput")
    ]
    return {"exactMatchResults": {"exactMatchMetricValues": values}}


def _bleu(body: dict[str, Any]) -> dict[str, Any]:
    from ...evaluation.corpus import corpus_bleu

    values = [
        {"score": round(corpus_bleu([i["prediction"]], [i["reference"]]) / 100, 6)}
        for i in _instances(body, "bleuInput")
    ]
    return {"bleuResults": {"bleuMetricValues": values}}


def _rouge(body: dict[str, Any]) -> dict[str, Any]:
    from ...evaluation.rouge import score

    spec = body.get("metricSpec") or {}
    kind = spec.get("rougeType") or "rougeL"
    if kind not in _ROUGE_TYPES:
        raise bad_request(
            f"rougeInput.metricSpec.rougeType {kind!r} is not one of rouge1..rouge9, rougeL, rougeLsum",
            location="rougeInput.metricSpec.rougeType",
        )
    stem = spec.get("useStemmer", True) is not False
    values = []
    for inst in _instances(body, "rougeInput"):
        prediction, reference = inst["prediction"], inst["reference"]
        if kind == "rougeLsum" and spec.get("splitSummaries"):
            from ...rag.grounding import sentences

            prediction = "\n".join(prediction[s:e] for s, e in sentences(prediction))
            reference = "\n".join(reference[s:e] for s, e in sentences(reference))
        values.append({"score": round(score(reference, prediction, (kind,), use_stemmer=stem)[kind].fmeasure, 6)})
    return {"rougeResults": {"rougeMetricValues": values}}


def _json_instance(body: dict[str, Any], name: str) -> dict[str, str]:
    instance = body.get("instance")
    if not isinstance(instance, dict):
        raise bad_request(f"{name}.instance is required", location=f"{name}.instance")
    if "contentMapInstance" in instance:
        values = (instance["contentMapInstance"] or {}).get("values") or {}
        return {
            k: "".join(p.get("text", "") for c in (v.get("contents") or []) for p in (c.get("parts") or []))
            for k, v in values.items()
            if isinstance(v, dict)
        }
    raw = instance.get("jsonInstance")
    if not isinstance(raw, str):
        raise bad_request(f"{name}.instance.jsonInstance is required", location=f"{name}.instance.jsonInstance")
    try:
        data = json.loads(raw)
    except ValueError:
        raise bad_request(f"{name}.instance.jsonInstance is not valid JSON", location=f"{name}.instance") from None
    if not isinstance(data, dict):
        raise bad_request(f"{name}.instance.jsonInstance must be a JSON object", location=f"{name}.instance")
    return {k: v if isinstance(v, str) else json.dumps(v) for k, v in data.items()}


def _model_based(body: dict[str, Any], name: str, pairwise: bool) -> dict[str, Any]:
    from ...evaluation.judges import EmulatedJudge
    from ...evaluation.rubrics import JudgeMetric, scale_of

    spec = body.get("metricSpec") or {}
    template = spec.get("metricPromptTemplate")
    if not isinstance(template, str) or not template.strip():
        raise bad_request(f"{name}.metricSpec.metricPromptTemplate is required", location=f"{name}.metricSpec")
    variables = _json_instance(body, name)
    try:
        fields = {f for _, f, _, _ in string.Formatter().parse(template) if f}
    except ValueError:
        fields = set(re.findall(r"\{(\w+)\}", template))
    missing = sorted(fields - set(variables))
    if missing:
        raise bad_request(
            f"{name}: the metric prompt template's placeholder(s) {', '.join(missing)} are not in the instance",
            location=f"{name}.instance",
        )
    cand_key = spec.get("candidateResponseFieldName") or "response"
    base_key = spec.get("baselineResponseFieldName") or "baseline_model_response"
    values = {**variables, "response": variables.get(cand_key, "")}
    if pairwise:
        values["baseline_model_response"] = variables.get(base_key, "")
    metric = JudgeMetric("custom", template, scale_of(template) or (1, 5), pairwise=pairwise)
    verdict = EmulatedJudge().judge(metric, values)
    if pairwise:
        choice = {"B": "CANDIDATE", "A": "BASELINE"}.get(verdict.choice or "", "TIE")
        return {"pairwiseMetricResult": {"pairwiseChoice": choice, "explanation": verdict.explanation}}
    return {"pointwiseMetricResult": {"score": verdict.score, "explanation": verdict.explanation}}


def _dedicated(body: dict[str, Any], name: str) -> dict[str, Any]:
    from ...evaluation.judges import EmulatedJudge
    from ...evaluation.rubrics import builtin_metrics

    metric_name, result = _DEDICATED[name]
    instance = body.get("instance")
    if not isinstance(instance, dict):
        raise bad_request(f"{name}.instance is required", location=f"{name}.instance")
    values = {
        "response": _text(instance, "prediction", f"{name}.instance"),
        "context": _text(instance, "context", f"{name}.instance", required=metric_name == "groundedness"),
        "prompt": _text(instance, "instruction", f"{name}.instance", required=False),
    }
    verdict = EmulatedJudge().judge(builtin_metrics()[metric_name], values)
    return {result: {"score": verdict.score, "explanation": verdict.explanation, "confidence": 1.0}}


def evaluate(body: Any) -> dict[str, Any]:
    """The `EvaluateInstancesResponse` of a request body; `ApiError` 400 for a client mistake."""
    if not isinstance(body, dict):
        raise bad_request("The request body must be a JSON object")
    body = camelize(body)
    inputs = [k for k in body if k.endswith("Input")]
    if len(inputs) != 1:
        raise bad_request(
            f"exactly one metric input is required, got {len(inputs)}"
            + (f" ({', '.join(inputs)})" if inputs else " (e.g. exactMatchInput, rougeInput, pointwiseMetricInput)")
        )
    name = inputs[0]
    spec = body[name]
    if not isinstance(spec, dict):
        raise bad_request(f"{name} must be an object", location=name)
    if name == "exactMatchInput":
        return _exact_match(spec)
    if name == "bleuInput":
        return _bleu(spec)
    if name == "rougeInput":
        return _rouge(spec)
    if name in ("pointwiseMetricInput", "pairwiseMetricInput"):
        return _model_based(spec, name, pairwise=name == "pairwiseMetricInput")
    if name in _DEDICATED:
        return _dedicated(spec, name)
    served = "exactMatchInput, bleuInput, rougeInput, pointwiseMetricInput, pairwiseMetricInput, " + ", ".join(
        _DEDICATED
    )
    raise bad_request(f"{name} is not served by the emulator; served: {served}", location=name)


async def _answer(request: Request) -> Response:
    body = await read_json(request)
    return JSONResponse(await run_in_threadpool(evaluate, body))


async def location_verb(request: Request, project: str, location: str) -> Response:
    """`POST projects/{p}/locations/{l}:VERB`: `evaluateInstances`; any other verb is 404."""
    _, sep, verb = location.partition(":")
    if sep and verb == VERB and request.method == "POST":
        return await _answer(request)
    raise ApiError(404, f"Not Found: no such API method {request.method} {request.url.path}", "notFound")


async def slash_verb(request: Request, project: str, location: str) -> Response:
    """`POST projects/{p}/locations/{l}/:evaluateInstances` (the newer client's form)."""
    return await _answer(request)
