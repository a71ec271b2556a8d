"""`llmops prompts`: versions, aliases, references used by data prepare / predict / eval, and
gated promotion, through the CLI against the emulated model."""

from __future__ import annotations

import json

import pytest

SHORT = "Answer this Stack Overflow question in one line: {question}"
COURSE = (
    "Please answer the following Stackoverflow question on Python. "
    "Answer it like you are a developer answering Stackoverflow questions.\n\nStackoverflow question: {question}"
)


def create(cli, text, message=""):
    r = cli("prompts", "create", "so", "--text", text, "--message", message, "--json")
    assert r.code == 0, r.err
    return r.json()


def test_an_empty_registry_says_how_to_add_a_prompt(cli):
    r = cli("prompts", "list")
    assert (r.code, r.out) == (
        0,
        'no prompts yet (add one: llmops prompts create NAME --text "Answer briefly: {question}")\n',
    )
    assert cli("prompts", "list", "--json").json() == []


def test_versions_are_content_hashed_and_immutable(cli, tmp_path):
    v1 = create(cli, SHORT, "first")
    again = create(cli, SHORT, "a different message")
    assert again["version"] == v1["version"] and again["created_now"] is False
    assert again["message"] == "first"  # an existing version is never rewritten
    f = tmp_path / "p.txt"
    f.write_text(COURSE)
    r = cli("prompts", "create", "so", "--file", str(f), "--json")
    v2 = r.json()
    assert v2["version"] != v1["version"] and v2["variables"] == ["question"]
    shown = cli("prompts", "show", "so", "--json").json()
    assert shown["version"] == v2["version"]  # a bare name is the newest version
    assert cli("prompts", "show", "so@latest", "--json").json()["version"] == v2["version"]
    assert shown["versions"] == [v1["version"], v2["version"]]
    assert cli("prompts", "show", f"so@{v1['version'][:6]}", "--json").json()["text"] == SHORT
    diff = cli("prompts", "diff", f"so@{v1['version']}", "so").out
    assert "-Answer this Stack Overflow question" in diff and "+Please answer" in diff
    listed = cli("prompts", "list", "--json").json()
    assert listed == [{"name": "so", "versions": 2, "latest": v2["version"], "aliases": {}}]


def test_aliases_move_and_protect_their_version(cli):
    v1, v2 = create(cli, SHORT)["version"], create(cli, COURSE)["version"]
    assert cli("prompts", "alias", "so", "production", v1).code == 0
    assert cli("prompts", "show", "so@production", "--json").json()["version"] == v1
    cli("prompts", "alias", "so", "production", v2)
    assert cli("prompts", "show", "so@production", "--json").json()["version"] == v2
    r = cli("prompts", "delete", f"so@{v2}")
    assert r.code == 1 and "aliased as production" in r.err
    assert cli("prompts", "delete", f"so@{v1}").code == 0
    assert cli("prompts", "delete", "so@production").code == 0
    assert cli("prompts", "delete", f"so@{v2}").code == 0
    assert cli("prompts", "list", "--json").json() == []  # its last version gone, the prompt is gone


@pytest.mark.parametrize(
    "args, message",
    [
        (("prompts", "create", "so"), "give the prompt text once"),
        (("prompts", "create", "so", "--text", "x", "--file", "y"), "give the prompt text once"),
        (("prompts", "create", "so", "--text", "bad {x"), "not a valid template"),
        (("prompts", "create", "so", "--text", "bad {x.y}"), "malformed variable"),
        (("prompts", "create", "../x", "--text", "x"), "invalid prompt name"),
        (("prompts", "show", "nothing"), "no prompt named 'nothing'"),
        (("prompts", "alias", "so", "production", "abcdef"), "no version or alias 'abcdef'"),
        (("prompts", "alias", "so", "latest", "so"), "invalid alias 'latest'"),
        (
            ("prompts", "show", "so@staging"),
            "no version or alias 'staging' (point the alias at a version first: llmops prompts alias so staging ",
        ),
        (("predict", "--template", "prompts:/two", "hi"), "a template can only fill a final {question}"),
        (("prompts", "promote", "so", "latest", "--gate", "rougeL>>base"), "gate clause 'rougeL>>base' does not parse"),
        (("prompts", "promote", "so", "latest", "--gate", "nope>=1"), "unknown metric"),
        (("prompts", "promote", "so", "latest", "--to", "staging", "--gate", "rougeL>=base"), "no alias 'staging'"),
    ],
)
def test_bad_input_is_one_line(cli, args, message):
    version = create(cli, SHORT)["version"]
    cli("prompts", "create", "two", "--text", "{context} then {question}")
    cli("prompts", "alias", "so", "latest", version)
    r = cli(*args)
    assert r.code != 0
    assert message in r.err and r.err.count("\n") <= 1 and "Traceback" not in r.err


def test_references_in_prepare_predict_and_eval_are_logged(cli):
    v1 = create(cli, SHORT)["version"]
    cli("prompts", "alias", "so", "production", v1)
    prepared = cli("data", "prepare", "--template", "prompts:/so@production", "--json").json()
    manifest_template = prepared["manifest"]["template"]
    assert manifest_template == {"name": "prompts:/so", "version": v1}
    first = json.loads(open(prepared["eval"]["uri"]).readline())
    assert first["input_text_instruct"].startswith("Answer this Stack Overflow question in one line: ")

    r = cli("predict", "--template", "prompts:/so@production", "How do I read a CSV?", "--json")
    assert r.code == 0, r.err
    logged = cli("logs", "-n", "1", "--json").json()[0]
    assert logged["prompt"] == SHORT.format(question="How do I read a CSV?")
    assert (logged["prompt_template"], logged["prompt_version"]) == ("so", v1)

    v2 = create(cli, COURSE)["version"]
    grid = cli("eval", "-n", "3", "--prompt", "prompts:/so@production", "--prompt", f"prompts:/so@{v2}", "--json")
    assert grid.code == 0, grid.err
    assert [m["prompt"] for m in grid.json()["models"]] == [f"prompts:/so@{v1}", f"prompts:/so@{v2}"]
    logs = cli("logs", "-n", "3", "--json").json()
    assert {(row["prompt_template"], row["prompt_version"]) for row in logs} == {("so", v2)}
    assert all(row["prompt"].startswith("Please answer the following") for row in logs)


def test_promote_moves_the_alias_only_when_the_gate_holds(cli):
    v1, v2 = create(cli, SHORT)["version"], create(cli, COURSE)["version"]
    cli("prompts", "alias", "so", "production", v1)
    cli("data", "prepare")
    failed = cli("prompts", "promote", "so", v2, "--to", "production", "--gate", "rougeL>=base+1", "-n", "4", "--json")
    assert failed.code == 1 and "gate failed" in failed.err and f"stays at {v1}" in failed.err
    outcome = failed.json()
    assert outcome["moved"] is False and outcome["gate"][0]["passed"] is False
    assert outcome["candidate_metrics"] != outcome["base_metrics"]  # both versions really were asked
    assert cli("prompts", "show", "so@production", "--json").json()["version"] == v1

    passed = cli("prompts", "promote", "so", v2, "--gate", "rougeL>=base-1,blocked_rate<=1", "-n", "4", "--json")
    assert passed.code == 0, passed.err
    assert passed.json()["moved"] is True and all(c["passed"] for c in passed.json()["gate"])
    assert cli("prompts", "show", "so@production", "--json").json()["version"] == v2
