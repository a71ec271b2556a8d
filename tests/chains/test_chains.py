"""Chains: Python and TOML definitions, load-time validation, the span log and its tree,
responsible-AI checks, a failing step, and the two shipped examples."""

from __future__ import annotations

import json

import pytest

from llmops import chains
from llmops.chains import Chain, checks, step, steps
from llmops.core import registry
from llmops.core.errors import ConfigError, NotFoundError
from llmops.core.hookspecs import hookimpl

SO_QUERY = (
    "SELECT CONCAT('https://stackoverflow.com/questions/', CAST(id AS STRING)) AS uri, title, body AS text "
    "FROM `bigquery-public-data.stackoverflow.posts_questions` ORDER BY id LIMIT 40"
)


def _spans(session, trace_id):
    from llmops.chains.spans import span_log

    return span_log(session).trace(trace_id)


@step
def shout(text: str) -> str:
    return text.upper()


@step(kind="post", name="boom")
def explode(state):
    raise ValueError("the step fell over")


def test_decorated_step_stays_a_plain_callable():
    assert shout("hi") == "HI"
    assert shout.name == "shout" and shout.kind == "post"
    with pytest.raises(ConfigError, match="takes 2 arguments"):
        step(lambda a, b: a)


def test_python_chain_runs_and_every_step_is_a_span(session):
    chain = Chain("loud", [steps.clean(), steps.generate("gemini-2.0-flash"), shout, checks.safety()])
    r = chains.run(session, chain, "  How   do I\treverse a list?  ")
    assert r.status == "OK" and r.output == r.output.upper() and "REVERSE" in r.output
    assert r.steps["clean"] == "How do I reverse a list?"
    spans = _spans(session, r.trace_id)
    assert [s["step"] for s in spans] == ["loud", "clean", "generate", "shout", "safety"]
    root, *children = spans
    assert root["parent_span_id"] is None and all(s["parent_span_id"] == root["span_id"] for s in children)
    assert len(root["trace_id"]) == 32 and len({s["span_id"] for s in spans}) == 5
    gen = spans[2]
    assert gen["model"] == "gemini-2.0-flash" and gen["prompt_tokens"] > 0 and gen["output_tokens"] > 0
    assert gen["max_safety_score"] is not None and gen["input"] == "How do I reverse a list?"
    row = session.warehouse.query(
        "SELECT span_id, model, request_id FROM llmops.predictions WHERE trace_id = @t", {"t": r.trace_id}
    ).to_pylist()
    assert row == [{"span_id": gen["span_id"], "model": "gemini-2.0-flash", "request_id": gen["request_id"]}]


def test_hook_register_chains(fresh_registry, session):
    class Plugin:
        @hookimpl
        def register_chains(self, register):
            register(Chain("shouter", [steps.generate("text-bison@001"), shout], "upper-case answers"))
            register("listed", [steps.clean()])

    registry.get_plugin_manager().register(Plugin(), name="chain-plugin")
    found = chains.all_chains(session)
    assert {"shouter", "listed", "so-grounded", "draft-critique"} <= set(found)
    assert found["shouter"].source == "plugin chain-plugin"
    assert chains.run(session, found["listed"], "a  b").output == "a b"


def test_toml_chain_from_the_workspace(session, cli, workspace):
    (workspace / "chains").mkdir(parents=True)
    (workspace / "chains" / "tidy.toml").write_text(
        'description = "clean, answer, strip"\n'
        '[[steps]]\nuse = "redact"\n'
        '[[steps]]\nuse = "prompt"\nformat = "Answer briefly: {text}"\n'
        '[[steps]]\nuse = "generate"\nmodel = "text-bison@001"\nmax_output_tokens = 64\n'
        '[[steps]]\nuse = "output_format"\npattern = "emulat"\n'
    )
    r = cli("chain", "run", "tidy", "mail me at bob@example.com about lists", "--json")
    assert r.code == 0, r.err
    out = r.json()
    assert out["status"] == "OK" and out["input"] == "mail me at [EMAIL] about lists"
    spans = cli("logs", "--trace", out["trace_id"][:10], "--json").json()
    assert not any("bob@example.com" in json.dumps(s) for s in spans), "nothing before the redaction is logged"
    assert [s["step"] for s in spans][1:] == ["redact", "prompt", "generate", "output-format"]
    assert "tidy" in {c["name"] for c in cli("chain", "list", "--json").json()}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('[[steps]]\nuse = "prompt"\ntemplate = "no-such-template"\n', "unknown prompt template 'no-such-template'"),
        ('[[steps]]\nuse = "generate"\nmodel = "gpt-9"\n', "unknown model 'gpt-9'"),
        ('[[steps]]\nuse = "ground"\ncorpus = "missing"\n', "no corpus named 'missing'"),
        ('[[steps]]\nuse = "summon"\n', "unknown step 'summon'"),
        ('[[steps]]\nuse = "generate"\ntemprature = 1\n', "unknown setting 'temprature'"),
        ('[[steps]]\nuse = "prompt"\nformat = "{nope}"\n', "names {nope}"),
        ('[[steps]]\nuse = "require_grounding"\n', "needs a ground step"),
        ("steps = 3\n", "has no steps"),
        ("[[steps]\n", "not valid TOML"),
    ],
)
def test_bad_chains_are_caught_at_load_time_in_one_line(cli, tmp_path, body, message):
    path = tmp_path / "bad.toml"
    path.write_text(body)
    r = cli("chain", "run", "--file", str(path), "a question")
    assert r.code == 1 and message in r.err and "Traceback" not in r.err
    assert len(r.err.strip().splitlines()) == 1
    assert cli("logs", "--json").json() == [], "nothing ran, nothing was logged"


def test_unknown_chain_name(cli):
    r = cli("chain", "show", "nope")
    assert r.code == 1 and "no chain named 'nope'" in r.err and "draft-critique" in r.err


def test_a_step_that_raises_stops_the_run_and_its_span_records_it(session):
    chain = Chain("fragile", [steps.clean(), steps.generate("text-bison@001"), explode, shout])
    with pytest.raises(chains.ChainStepError, match="stopped at step 'boom': ValueError: the step fell over") as e:
        chains.run(session, chain, "How do I reverse a list?")
    trace = e.value.fix.rsplit(" ", 1)[-1]
    spans = _spans(session, trace)
    assert [(s["step"], s["status"]) for s in spans] == [
        ("fragile", "ERROR"),
        ("clean", "OK"),
        ("generate", "OK"),
        ("boom", "ERROR"),
    ]
    assert spans[3]["error"] == "ValueError: the step fell over" and spans[0]["output"] is None
    rows = session.warehouse.query("SELECT COUNT(*) AS n FROM llmops.predictions").to_pylist()
    assert rows == [{"n": 1}], "the generate step that ran is logged once, with the trace"


def test_checks_block_and_say_why(session):
    r = chains.run(
        session,
        Chain("json-only", [steps.generate("gemini-2.0-flash"), checks.output_format(format="json"), shout]),
        "Give me JSON",
    )
    assert r.status == "BLOCKED" and r.output is None and r.reason.startswith("the answer is not JSON")
    assert "shout" not in r.steps
    spans = _spans(session, r.trace_id)
    assert spans[-1]["status"] == "BLOCKED" and spans[-1]["attributes"]["reason"] == r.reason
    unsafe = Chain("strict", [steps.generate("gemini-2.0-flash"), checks.safety(max_score=0.05)])
    assert "probability 0.10 is above 0.05" in chains.run(session, unsafe, "How do I sort a list?").reason
    cites = Chain("cite", [steps.generate("gemini-2.0-flash"), checks.require_citations()])
    assert chains.run(session, cites, "How do I sort a list?").reason == "the answer cites 0 source(s), fewer than 1"


def test_grounded_example_chain_and_its_span_tree(cli):
    assert cli("chain", "run", "so-grounded", "How do I read a CSV?").code == 1  # no corpus yet
    assert cli("rag", "create", "stackoverflow", "--query", SO_QUERY).code == 0
    r = cli("chain", "run", "so-grounded", "How do I read a CSV file into a list?", "--json")
    assert r.code == 0, r.err
    out = r.json()
    meta = out["groundingMetadata"]
    assert out["status"] == "OK" and out["grounding_score"] >= 0.2 and meta["groundingSupports"]
    answer = out["prediction"]["content"].encode()
    for sup in meta["groundingSupports"]:
        seg = sup["segment"]
        assert answer[seg.get("startIndex", 0) : seg["endIndex"]].decode() == seg["text"]
    assert "Sources:\n[1] " in out["output"] and "https://stackoverflow.com/questions/" in out["output"]
    # The model is asked the templated question after the sources (build_prompt's shape), so it
    # answers from them, not from a question that starts with "Sources:".
    assert "From the sources:" in out["output"] and "Key terms" not in out["output"]
    tree = cli("logs", "--trace", out["trace_id"])
    assert tree.code == 0
    for name in ("so-grounded [chain]", "ground [ground]", "generate [generate] · gemini-2.0-flash", "list-sources"):
        assert name in tree.out


def test_draft_critique_example_uses_two_models(cli):
    out = cli("chain", "run", "draft-critique", "How do I reverse a list?", "--json").json()
    models = [s["model"] for s in out["steps"] if s["kind"] == "generate"]
    assert models == ["text-bison@001", "gemini-2.0-flash"]
    spans = cli("logs", "--trace", out["trace_id"], "--json").json()
    refine = next(s for s in spans if s["step"] == "refine")
    draft = next(s for s in spans if s["step"] == "draft")
    assert draft["output"] in refine["input"], "the critic sees the draft"
    # The reviewer's instructions are the system instruction: the critic answers the question
    # (the emulated model's key terms are the question's, not the instructions').
    assert "Key terms: `reverse`, `list`" in out["output"] and "`review`" not in out["output"]


def test_logs_trace_bad_input(cli):
    assert "too short" in cli("logs", "--trace", "ab").err
    r = cli("logs", "--trace", "abcdef0123")
    assert r.code == 1 and "no spans logged for trace" in r.err


def test_no_log_writes_nothing(cli):
    out = cli("chain", "run", "draft-critique", "How do I reverse a list?", "--no-log", "--json").json()
    assert cli("logs", "--trace", out["trace_id"]).code == 1


def test_empty_input_is_refused(session):
    with pytest.raises(Exception, match="is empty"):
        chains.run(session, Chain("c", [steps.clean()]), "   ")
    with pytest.raises(NotFoundError):
        chains.get_chain(session, "nope")
