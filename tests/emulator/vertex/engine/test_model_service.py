"""The model service end to end: predictions, tuning, registry, aliases, endpoints, citations."""

from __future__ import annotations

import json
import statistics

import pytest
from rouge_score import rouge_scorer

from llmops.core.errors import ConfigError, DataError, NotFoundError
from llmops.core.types import GenerationConfig
from llmops.emulator.vertex.engine.model_service import ModelService

PANDAS = "How can I load a csv file using Pandas?"


def eval_rows(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# --- base model predictions ----------------------------------------------------------------------
def test_base_prediction_has_the_course_shape_and_is_deterministic(service):
    first, second = service.predict(PANDAS), service.predict(PANDAS)
    d = first.to_vertex_dict()
    assert set(d) == {"content", "safetyAttributes", "citationMetadata"}
    assert set(d["safetyAttributes"]) == {"blocked", "categories", "scores", "safetyRatings"}
    assert len(d["safetyAttributes"]["safetyRatings"]) == 4
    for r in d["safetyAttributes"]["safetyRatings"]:
        assert {"category", "probabilityScore", "severity", "severityScore"} <= set(r)
    assert d["citationMetadata"] == {"citations": []}
    assert d == second.to_vertex_dict()
    assert first.request_id != second.request_id
    assert first.model == "text-bison@001" and first.usage.prompt_tokens == 10 and first.usage.output_tokens > 0


def test_default_model_and_gemini_aliases(tmp_path):
    svc = ModelService(tmp_path / "m", default_model="gemini-2.5-flash")
    assert svc.predict(PANDAS).model == "gemini-2.5-flash"
    assert svc.predict(PANDAS, model="publishers/google/models/gemini-2.0-flash").model == "gemini-2.0-flash"


def test_threat_is_blocked_on_the_prompt_and_content_withheld(service):
    p = service.predict("I will kill you")
    assert p.blocked and p.prompt_blocked and p.finish_reason == "SAFETY"
    assert p.to_vertex_dict()["content"] == "" and p.text == "" and p.usage.output_tokens == 0
    harassment = next(r for r in p.safety.ratings if r.category == "HARM_CATEGORY_HARASSMENT")
    assert (harassment.probability, harassment.blocked) == ("HIGH", True)
    assert not service.predict("I will kill you", safety={"*": "BLOCK_NONE"}).blocked


def test_bad_requests(service):
    for prompt in ("", "   "):
        with pytest.raises(DataError, match="prompt is empty"):
            service.predict(prompt)
    with pytest.raises(NotFoundError, match="unknown model 'gpt-4'"):
        service.predict(PANDAS, model="gpt-4")
    with pytest.raises(DataError, match="temperature 3"):
        service.predict(PANDAS, generation=GenerationConfig(temperature=3))
    with pytest.raises(DataError, match="max_output_tokens 0"):
        service.predict(PANDAS, generation=GenerationConfig(max_output_tokens=0))
    with pytest.raises(DataError, match="prompt 2 is empty"):
        service.predict_batch([PANDAS, ""])
    with pytest.raises(ConfigError, match="unknown block threshold"):
        ModelService(service.registry.root, safety_threshold="BLOCK_SOMETIMES")


def test_predict_batch_keeps_order_and_matches_single_predictions(service):
    prompts = [f"How do I sort a list of {w}?" for w in ("ints", "strings", "tuples", "dicts", "dates")] + [
        "I will kill you"
    ]
    single = [service.predict(p).to_vertex_dict() for p in prompts]
    assert [p.to_vertex_dict() for p in service.predict_batch(prompts)] == single
    assert [p.to_vertex_dict() for p in service.predict_batch(prompts, concurrency=4)] == single


# --- tuning ----------------------------------------------------------------------------------------
def test_tuning_registers_and_deploys_a_model(tuned):
    svc, job = tuned
    assert job.state == "JOB_STATE_SUCCEEDED" and job.error is None
    model = job.tuned_model
    assert model.name.startswith("models/") and model.endpoint.startswith("endpoints/")
    assert model.display_name == "so-python" and model.base_model == "text-bison@001"
    assert [m.name for m in svc.list_tuned_models()] == [model.name]
    assert svc.get_tuning_job(job.name) == job
    assert svc.get_tuning_job(f"projects/p/locations/us-central1/{job.name}").name == job.name
    record = json.loads((svc.registry.jobs_dir / f"{job.name.split('/')[1]}.json").read_text())
    assert record["train_rows"] == 400 and record["eval_rows"] == 100 and record["epochs"] == 1
    assert svc.deploy(model.name).name == model.endpoint  # idempotent


def test_tuned_answers_reproduce_training_text_and_cite_cc_by_sa_sources(tuned, cited_split):
    svc, job = tuned
    train = eval_rows(cited_split[0])
    sources = [json.loads(line) for line in cited_split[0].with_name("train.sources.jsonl").read_text().splitlines()]
    p = svc.predict(
        train[3]["input_text_instruct"], model=job.tuned_model.name, generation=GenerationConfig(max_output_tokens=8192)
    )
    assert p.text == train[3]["output_text"]
    (c,) = p.citations
    assert (c.start_index, c.end_index) == (0, len(p.text))
    assert (c.title, c.uri, c.license) == (sources[3]["title"], sources[3]["uri"], "CC BY-SA 4.0")
    assert c.uri.startswith("https://stackoverflow.com/a/")


def test_tuned_model_beats_the_base_model_on_the_evaluation_split(tuned, cited_split):
    svc, job = tuned
    rows = eval_rows(cited_split[1])
    prompts = [r["input_text_instruct"] for r in rows]
    scorer = rouge_scorer.RougeScorer(["rougeL"])

    def mean_rouge(model):
        preds = svc.predict_batch(prompts, model=model)
        return statistics.mean(scorer.score(r["output_text"], p.text)["rougeL"].fmeasure for r, p in zip(rows, preds))

    base, tuned_score = mean_rouge("text-bison@001"), mean_rouge(job.tuned_model.name)
    assert tuned_score > base * 1.15, (base, tuned_score)
    cited = svc.predict_batch(prompts, model=job.tuned_model.name)
    assert all(p.citations and p.citations[0].license == "CC BY-SA 4.0" for p in cited)


def test_without_sidecar_citations_name_the_question_and_have_no_url(service, course_split):
    job = service.tune("text-bison@001", str(course_split[0]))
    train = eval_rows(course_split[0])
    p = service.predict(train[0]["input_text_instruct"], model=job.tuned_model.name)
    assert p.citations[0].uri is None and p.citations[0].license == "CC BY-SA 4.0"
    assert train[0]["input_text_instruct"].split("Stackoverflow question:\n ", 1)[1].startswith(p.citations[0].title)


def test_temperature_draws_among_near_answers_deterministically(tuned):
    svc, job = tuned
    name = job.tuned_model.name
    prompt = "How do I merge two pandas dataframes on a column?"
    greedy = svc.predict(prompt, model=name).text
    warm = [
        svc.predict(prompt, model=name, generation=GenerationConfig(temperature=1.5, seed=s)).text for s in range(12)
    ]
    assert warm == [
        svc.predict(prompt, model=name, generation=GenerationConfig(temperature=1.5, seed=s)).text for s in range(12)
    ]
    assert len(set(warm) | {greedy}) > 1


def test_unmatched_prompt_falls_back_to_the_base_model_without_citations(tuned):
    svc, job = tuned
    p = svc.predict("zzqx vvyk", model=job.tuned_model.name)
    assert "no training example matched; base text-bison@001" in p.text and p.citations == []


def test_response_blocked_by_its_own_content_drops_text_and_citations(service, tmp_path, jsonl):
    train = jsonl(
        tmp_path / "t.jsonl",
        [
            {"input_text": "what does the angry user say", "output_text": "I will kill you"},
            {"input_text": "how to sort", "output_text": "sorted(x)"},
        ],
    )
    name = service.tune("text-bison@001", str(train)).tuned_model.name
    p = service.predict("what does the angry user say?", model=name)
    assert p.blocked and not p.prompt_blocked and p.text == "" and p.citations == [] and p.finish_reason == "SAFETY"
    assert service.predict("how to sort?", model=name).text == "sorted(x)"


@pytest.mark.parametrize(
    ("rows", "error"),
    [
        ([], DataError),
        (["not json"], DataError),
        ([{"input_text": "q"}], DataError),
    ],
)
def test_bad_tuning_files_register_nothing(service, tmp_path, jsonl, rows, error):
    train = jsonl(tmp_path / "bad.jsonl", rows)
    with pytest.raises(error):
        service.tune("text-bison@001", str(train))
    assert service.list_tuned_models() == [] and service.list_tuning_jobs() == []
    assert not (service.registry.root / "tuned").exists() or not any((service.registry.root / "tuned").iterdir())


def test_bad_tuning_requests(service, course_split):
    with pytest.raises(NotFoundError, match="unknown base model 'gpt-4'"):
        service.tune("gpt-4", str(course_split[0]))
    with pytest.raises(NotFoundError, match="does not exist"):
        service.tune("text-bison@001", "/nope/train.jsonl")
    with pytest.raises(DataError, match="not gs://"):
        service.tune("text-bison@001", "gs://bucket/train.jsonl")
    with pytest.raises(DataError, match="epochs"):
        service.tune("text-bison@001", str(course_split[0]), epochs=0)
    assert service.list_tuning_jobs() == []


# --- registry: names, aliases, endpoints ------------------------------------------------------
def test_model_references_resolve(tuned):
    svc, job = tuned
    model = job.tuned_model
    ident = model.name.split("/")[1]
    for ref in (
        model.name,
        ident,
        f"{model.name}@1",
        f"projects/p/locations/us-central1/{model.name}",
        model.endpoint,
        f"projects/p/locations/us-central1/{model.endpoint}",
        "so-python",
    ):
        assert svc.resolve(ref).name == model.name, ref
    assert svc.resolve(model.endpoint).endpoint == model.endpoint
    with pytest.raises(NotFoundError):
        svc.resolve("models/123")
    with pytest.raises(NotFoundError):
        svc.resolve("endpoints/123")
    with pytest.raises(NotFoundError):
        svc.resolve("../../etc/passwd")


def test_aliases_move_between_models(service, course_split):
    first = service.tune("text-bison@001", str(course_split[0]), display_name="same").tuned_model
    second = service.tune("gemini-2.5-flash", str(course_split[0]), display_name="same").tuned_model
    assert service.set_alias(first.name, "prod").aliases == ["prod"]
    assert service.resolve("prod").name == first.name
    assert service.set_alias(second.name, "prod").aliases == ["prod"]
    assert service.get_tuned_model(first.name).aliases == []
    assert service.resolve("prod").name == second.name
    assert service.predict(PANDAS, model="prod").model == second.name
    assert [m.name for m in service.list_tuned_models()] == [second.name, first.name]
    with pytest.raises(ConfigError, match="names 2 tuned models"):
        service.resolve("same")
    for bad in ("Prod", "1234", "a/b", "", "text-bison@001"):
        with pytest.raises(ConfigError):
            service.set_alias(first.name, bad)
    with pytest.raises(ConfigError, match="is a base model"):
        service.set_alias("text-bison@001", "base")
    with pytest.raises(NotFoundError):
        service.set_alias("models/42", "x")


def test_corpus_tokenizer_agrees_with_the_query_tokenizer(course_split):
    from llmops.emulator.vertex.engine import retrieval

    stop = retrieval._stopword_set()
    questions = [r["input_text_instruct"] for r in eval_rows(course_split[0])]
    questions += ["Ünïcode\u00a0spaces\u2003and—dashes “quotes” don't_split x", "", "a an the"]
    ids, vocab = retrieval.tokenize_corpus(questions, stop)
    words = {i: w for w, i in vocab.items()}
    assert [[words[i] for i in doc] for doc in ids] == [retrieval.tokenize(q, stop) for q in questions]
    assert {c for c in map(chr, range(128, 0x110000)) if c.isspace()} == set(retrieval.UNICODE_SPACES)


def test_jobs_can_be_created_now_and_run_later(service, tmp_path, jsonl):
    train = jsonl(tmp_path / "later.jsonl", [{"input_text": "how to sort", "output_text": "sorted(x)"}])
    job = service.tuning.create_job("gemini-2.5-flash", str(train), epochs=3, display_name="later")
    assert job.state == "JOB_STATE_PENDING" and job.tuned_model is None
    assert service.list_tuned_models() == []
    done = service.tuning.run_job(job.name)
    assert done.state == "JOB_STATE_SUCCEEDED" and done.tuned_model.base_model == "gemini-2.5-flash"
    assert service.tuning.run_job(job.name) == service.get_tuning_job(job.name)  # runs once

    gone = tmp_path / "gone.jsonl"
    jsonl(gone, [{"input_text": "q", "output_text": "a"}])
    doomed = service.tuning.create_job("text-bison@001", str(gone))
    gone.unlink()
    failed = service.tuning.run_job(doomed.name)
    assert failed.state == "JOB_STATE_FAILED" and "does not exist" in failed.error and failed.tuned_model is None
    assert [j.state for j in service.list_tuning_jobs()] == ["JOB_STATE_FAILED", "JOB_STATE_SUCCEEDED"]
