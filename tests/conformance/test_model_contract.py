"""The ModelProvider contract, for every registered provider: predictions carry text, usage,
safety ratings and citations; batches keep order; generation settings are honoured; and, for
providers with the tuning capabilities, tune -> list -> deploy -> predict -> alias."""

from __future__ import annotations

import json
import time
import uuid
from importlib import resources

import pytest

from llmops.core import interfaces
from llmops.core.types import HARM_CATEGORIES, PROBABILITY_BUCKETS, Citation, GenerationConfig, Prediction, Usage

BREAKS = {
    ("openai", "safety"): "predictions carry no safety ratings, but the provider does not declare them absent "
    "(`reports_safety = False`), so callers cannot tell 'not rated' from 'rated safe'",
}
"""(backend, case) -> how the provider differs from the contract; each a strict xfail."""

PROMPTS = ["How do I sort a list in Python?", "How do I read a JSON file?", "What does a decorator do?"]


def has_capability(provider: object, name: str) -> bool:
    """Whether `provider` has the capability interface `name` (Tuner, Deployer, Aliaser); in a
    tree without capability interfaces every provider is taken to have them all."""
    capability = getattr(interfaces, name, None)
    return capability is None or isinstance(provider, capability)


@pytest.fixture
def provider(model_backend):
    return model_backend.backend


def test_predict_returns_a_full_prediction(provider):
    p = provider.predict(PROMPTS[0])
    assert isinstance(p, Prediction)
    assert isinstance(p.text, str) and p.text.strip() and not p.blocked
    assert p.model and p.finish_reason
    assert isinstance(p.usage, Usage) and p.usage.prompt_tokens > 0 and p.usage.output_tokens > 0
    assert isinstance(p.citations, list) and all(isinstance(c, Citation) for c in p.citations)
    as_vertex = p.to_vertex_dict()
    assert set(as_vertex) == {"content", "safetyAttributes", "citationMetadata"}


def test_safety_ratings_are_present_or_declared_absent(known_break, model_backend, provider):
    known_break(BREAKS, model_backend.name, "safety")
    p = provider.predict(PROMPTS[1])
    if getattr(provider, "reports_safety", True) is False:
        # A provider whose server sends no ratings says so, and invents none.
        assert p.safety.ratings == [] and p.safety.categories == [] and p.safety.scores == []
        return
    assert sorted(r.category for r in p.safety.ratings) == sorted(HARM_CATEGORIES)
    for r in p.safety.ratings:
        assert r.probability in PROBABILITY_BUCKETS and r.severity in PROBABILITY_BUCKETS
        assert 0.0 <= r.probability_score <= 1.0 and 0.0 <= r.severity_score <= 1.0
    assert len(p.safety.categories) == len(p.safety.scores)


def test_predict_batch_keeps_order_and_length(model_backend, provider):
    batch = provider.predict_batch(PROMPTS)
    assert len(batch) == len(PROMPTS) and all(isinstance(b, Prediction) for b in batch)
    if model_backend.deterministic:
        assert [b.text for b in batch] == [provider.predict(p).text for p in PROMPTS]
    assert provider.predict_batch([]) == []


def test_generation_settings_are_accepted_and_max_tokens_honoured(provider):
    config = GenerationConfig(temperature=0.3, max_output_tokens=8, seed=11)
    p = provider.predict("Explain Python list comprehensions in detail, with many examples.", generation=config)
    assert 0 < p.usage.output_tokens <= 8
    assert p.finish_reason == "MAX_TOKENS"


def test_same_prompt_and_seed_give_the_same_answer(model_backend, provider):
    if not model_backend.deterministic:
        pytest.skip(f"{model_backend.name} does not promise deterministic answers")
    config = GenerationConfig(temperature=0.7, seed=5)
    first = provider.predict(PROMPTS[2], generation=config)
    assert provider.predict(PROMPTS[2], generation=config).text == first.text


# --- tuning ------------------------------------------------------------------------------------


def _training_rows(n: int = 3) -> list[tuple[str, str]]:
    """The first `n` questions with an accepted answer in the bundled Stack Overflow sample,
    as (question title, start of the answer)."""
    folder = resources.files("llmops.data") / "stackoverflow"
    questions = [json.loads(line) for line in (folder / "posts_questions.jsonl").read_text("utf-8").splitlines()]
    answers = {}
    for line in (folder / "posts_answers.jsonl").read_text("utf-8").splitlines():
        row = json.loads(line)
        answers[row["id"]] = row["body"]
    pairs = [
        (q["title"], answers[q["accepted_answer_id"]][:120])
        for q in questions
        if q.get("accepted_answer_id") in answers
    ]
    return pairs[:n]


def _write_training_file(model_backend) -> tuple[str, list[tuple[str, str]]]:
    pairs = _training_rows()
    if model_backend.backend.tuning_format == "gemini":
        records = [
            {"contents": [{"role": "user", "parts": [{"text": q}]}, {"role": "model", "parts": [{"text": a}]}]}
            for q, a in pairs
        ]
    else:
        records = [{"input_text_instruct": q, "output_text": a} for q, a in pairs]
    uri = model_backend.scratch("train.jsonl")
    with model_backend.store.open(uri, "wb") as f:
        f.write("".join(json.dumps(r) + "\n" for r in records).encode("utf-8"))
    return uri, pairs


@pytest.fixture(scope="module")
def tuned(model_backend):
    """One tuning job per provider that can tune, run to its end: (job, training pairs)."""
    provider = model_backend.backend
    if not has_capability(provider, "Tuner"):
        pytest.skip(f"{model_backend.name} has no tuning capability")
    train_uri, pairs = _write_training_file(model_backend)
    job = provider.tune(provider.settings.base_model, train_uri, display_name=f"conf-{uuid.uuid4().hex[:8]}")
    deadline = time.monotonic() + 60
    while job.state not in ("JOB_STATE_SUCCEEDED", "JOB_STATE_FAILED", "JOB_STATE_CANCELLED"):
        assert time.monotonic() < deadline, f"tuning job {job.name} still {job.state} after 60 s"
        time.sleep(0.2)
        job = provider.get_tuning_job(job.name)
    return job, pairs, train_uri


def test_tuning_produces_a_listed_tuned_model(model_backend, tuned):
    job, _, train_uri = tuned
    assert job.state == "JOB_STATE_SUCCEEDED", job.error
    assert job.train_uri == train_uri and job.tuned_model is not None
    assert model_backend.backend.get_tuning_job(job.name).tuned_model.name == job.tuned_model.name
    assert job.tuned_model.name in [m.name for m in model_backend.backend.list_tuned_models()]


def test_deploy_then_predict_with_the_tuned_model(model_backend, tuned):
    provider = model_backend.backend
    if not has_capability(provider, "Deployer"):
        pytest.skip(f"{model_backend.name} has no deploy capability")
    job, pairs, _ = tuned
    endpoint = provider.deploy(job.tuned_model)
    assert endpoint.name and endpoint.model
    question, answer = pairs[1]
    p = provider.predict(question, model=job.tuned_model.name)
    assert isinstance(p, Prediction) and p.text
    if model_backend.deterministic:  # the emulated tuned model answers from its training data
        assert p.text == answer


def test_alias_points_at_the_tuned_model(model_backend, tuned):
    provider = model_backend.backend
    if not has_capability(provider, "Aliaser"):
        pytest.skip(f"{model_backend.name} has no alias capability")
    job, pairs, _ = tuned
    if has_capability(provider, "Deployer"):
        provider.deploy(job.tuned_model)
    alias = f"conf{uuid.uuid4().hex[:8]}"
    assert alias in provider.set_alias(job.tuned_model.name, alias).aliases
    question, answer = pairs[0]
    by_alias = provider.predict(question, model=alias)
    assert by_alias.text == provider.predict(question, model=job.tuned_model.name).text
    if model_backend.deterministic:
        assert by_alias.text == answer
