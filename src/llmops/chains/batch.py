"""A chain over a dataset version's eval split, as a Kubeflow pipeline: one lightweight
component that builds a `Session` from the settings it is handed (like the workflow's
components in `core/pipeline.py`), runs the chain on every example (each run its own trace)
and writes the results and a summary. Runs on any orchestrator.

This module imports kfp; import it only where the pipeline is compiled. (No
`from __future__ import annotations`: kfp reads the component's annotations.)
"""

import copy
from pathlib import Path
from typing import Any

from kfp import dsl
from kfp.dsl import Dataset, Metrics, Output

PIPELINE_NAME = "llmops-chain-batch"


def run_chain_batch(
    settings: dict,
    chain: str,
    chain_toml: str,
    dataset_version: str,
    limit: int,
    summary_uri: str,
    results: Output[Dataset],
    metrics: Output[Metrics],
) -> str:
    """Run `chain` (by name, or defined by the TOML text `chain_toml`) on each eval example of
    `dataset_version`; write one JSON line per example; return the summary as JSON (and, with
    `summary_uri`, also write it there in the profile's artifact store)."""
    import json
    import os

    import llmops
    from llmops import chains
    from llmops.chains.batch import question_of
    from llmops.core import data, evaluation

    with llmops.Session(llmops.Settings.from_json_dict(settings)) as session:
        c = chains.from_toml(chain_toml, source="the pipeline's chain_toml") if chain_toml else None
        c = chains.get_chain(session, chain) if c is None else c
        c.validate(session)
        version = data.get_version(session, dataset_version)
        examples = evaluation.read_examples(session, version.eval.uri, limit if limit > 0 else None)
        counts = {"OK": 0, "BLOCKED": 0, "ERROR": 0}
        scores: list[float] = []
        latencies: list[float] = []
        traces: list[str] = []
        with open(results.path, "w", encoding="utf-8") as f:
            for ex in examples:
                question = question_of(session, version, ex.prompt)
                try:
                    r = chains.run(session, c, question, validate=False)
                    row = {**r.to_dict(), "reference": ex.reference}
                    row.pop("prediction", None)
                except llmops.LlmopsError as exc:  # one failed example does not stop the batch
                    row = {"chain": c.name, "status": "ERROR", "input": question, "error": str(exc)}
                counts[row["status"]] += 1
                if row.get("trace_id"):
                    traces.append(row["trace_id"])
                if row.get("grounding_score") is not None:
                    scores.append(row["grounding_score"])
                if row.get("latency_ms") is not None:
                    latencies.append(row["latency_ms"])
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
        summary = {
            "chain": c.name,
            "examples": len(examples),
            "ok": counts["OK"],
            "blocked": counts["BLOCKED"],
            "errors": counts["ERROR"],
            "mean_grounding_score": round(sum(scores) / len(scores), 4) if scores else None,
            "mean_latency_ms": round(sum(latencies) / len(latencies), 3) if latencies else None,
            "trace_ids": traces[:5],
        }
        if summary_uri:  # orchestrators that do not hand the pipeline's output back read it here
            import tempfile

            with tempfile.TemporaryDirectory(prefix="llmops-summary-") as folder:
                local = os.path.join(folder, "summary.json")
                with open(local, "w", encoding="utf-8") as out:
                    json.dump(summary, out)
                session.artifacts.put(local, summary_uri)
    for key, value in summary.items():
        if isinstance(value, int | float) and not isinstance(value, bool):
            metrics.log_metric(key, value)
    with open(metrics.path, "w", encoding="utf-8") as f:
        json.dump(summary, f, indent=2)
    results.metadata.update(chain=c.name, dataset_version=dataset_version, examples=len(examples))
    print(f"chain {c.name} on {len(examples)} examples of dataset {dataset_version}: {summary}")
    return json.dumps(summary)


def question_of(session: Any, version: Any, prompt: str) -> str:
    """An eval example's question: its prompt without the dataset's instruction template."""
    from llmops.core.prompts import get_template

    recorded = version.manifest.get("template") or {}
    name = recorded.get("name")
    if not name:
        return prompt
    try:
        spec = f"{name}@{recorded.get('version')}" if str(name).startswith("prompts:/") else name
        t = get_template(spec, session.settings.workspace)
    except Exception:  # the template is gone: the whole prompt is the question
        return prompt
    return prompt.removeprefix(t.text + t.separator)


def build_pipeline(base_image: str | None = None) -> Any:
    """The batch pipeline (a kfp pipeline function) on components built on `base_image`."""
    from ..core.pipeline import DEFAULT_IMAGE

    component = dsl.component(
        run_chain_batch, base_image=base_image or DEFAULT_IMAGE, install_kfp_package=False, packages_to_install=[]
    )

    @dsl.pipeline(name=PIPELINE_NAME, description="llmops: run a chain over a dataset version's eval split.")
    def chain_batch(
        settings: dict, chain: str, dataset_version: str, chain_toml: str = "", limit: int = 0, summary_uri: str = ""
    ) -> str:
        task = component(
            settings=settings,
            chain=chain,
            chain_toml=chain_toml,
            dataset_version=dataset_version,
            limit=limit,
            summary_uri=summary_uri,
        )
        return task.outputs["Output"]

    return chain_batch


def compile_batch(session: Any) -> Path:
    """Compile the batch pipeline into the workspace's pipelines folder; return the package."""
    from ..core.pipeline import compile_pipeline

    target = session.workspace.pipelines / f"{PIPELINE_NAME}.yaml"
    target.parent.mkdir(parents=True, exist_ok=True)
    return compile_pipeline(build_pipeline(getattr(session.settings, "component_image", None)), target)


def parameters(
    settings: Any, chain: str, chain_toml: str, dataset_version: str, limit: int, summary_uri: str = ""
) -> dict:
    """The batch pipeline's run parameters."""
    return {
        "settings": {k: v for k, v in copy.deepcopy(settings.to_json_dict()).items() if v is not None},
        "chain": chain,
        "chain_toml": chain_toml,
        "dataset_version": dataset_version,
        "limit": limit,
        "summary_uri": summary_uri,
    }
