"""Templates as files, `data diff` between versions, `data list --format`, and list commands
that never create a workspace."""

from __future__ import annotations

import json

import pytest


def test_template_file_and_diff(cli, tmp_path):
    base = cli("data", "prepare", "--json").json()
    template = tmp_path / "brief.txt"
    template.write_text("Answer this Python question briefly: {question}\n", encoding="utf-8")
    mine = cli("data", "prepare", "--template", str(template), "--json").json()
    assert mine["manifest"]["template"]["name"] == "file:brief.txt"
    with open(mine["train"]["uri"], encoding="utf-8") as f:
        first = json.loads(f.readline())
    assert first["input_text_instruct"].startswith("Answer this Python question briefly: ")

    same = cli("data", "diff", base["version"], base["version"], "--json").json()
    assert same["counts"] == {"added": 0, "removed": 0, "changed": 0, "unchanged": 500}
    d = cli("data", "diff", base["version"], mine["version"], "--json").json()
    assert d["counts"] == {"added": 0, "removed": 0, "changed": 500, "unchanged": 0}
    assert d["changed"][0]["question"].startswith("Answer this Python question briefly: ")

    fewer = tmp_path / "fewer.sql"
    query = base["manifest"]["query"]
    fewer.write_text(f"SELECT * FROM (\n{query}\n) WHERE MOD(ABS(FARM_FINGERPRINT(input_text)), 10) != 0\n")
    smaller = cli("data", "prepare", "--query-file", str(fewer), "--json").json()
    d = cli("data", "diff", base["version"], smaller["version"], "--json").json()
    c = d["counts"]
    assert c["added"] == 0 and c["changed"] == 0 and c["removed"] > 0
    assert c["removed"] + c["unchanged"] == 500
    assert c["unchanged"] == smaller["train"]["rows"] + smaller["eval"]["rows"]
    text = cli("data", "diff", base["version"], smaller["version"]).out
    assert f"{c['removed']} removed" in text and text.count("\n- [") == c["removed"]

    listed = cli("data", "list").out.splitlines()  # piped: CSV
    assert listed[0] == "version,created,template,format,train,eval" and len(listed) == 4
    assert "file:brief.txt" in "\n".join(listed)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Answer briefly.\n", "has no {question} placeholder"),
        ("Q: {question}\nA:", "has text after {question}"),
    ],
)
def test_template_file_without_a_final_placeholder_is_one_line(cli, tmp_path, workspace, text, message):
    bad = tmp_path / "bad.txt"
    bad.write_text(text, encoding="utf-8")
    r = cli("data", "prepare", "--template", str(bad))
    assert r.code == 1 and message in r.err and len(r.err.strip().splitlines()) == 1
    assert not workspace.exists()  # refused before any query ran


def test_missing_template_file(cli, tmp_path):
    r = cli("data", "prepare", "--template", str(tmp_path / "nope.txt"))
    assert r.code == 1 and "template file" in r.err and "does not exist" in r.err


def test_unknown_versions_in_diff(cli):
    r = cli("data", "diff", "feedface", "cafe")
    assert r.code == 1 and "feedface" in r.err and len(r.err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "args",
    [("conversations", "list"), ("prompts", "list"), ("data", "list"), ("logs",), ("models", "list")],
)
def test_list_commands_do_not_create_the_workspace(cli, workspace, args):
    r = cli(*args, "--json")
    assert r.code == 0, r.err
    assert not workspace.exists()


def test_save_keeps_a_template_file_in_the_prompt_registry(cli, tmp_path):
    template = tmp_path / "expert.txt"
    template.write_text("Answer like a Python expert: {question}\n", encoding="utf-8")
    saved = cli("data", "prepare", "--template", str(template), "--save", "expert", "--json").json()
    ref = saved["manifest"]["template"]
    assert ref["name"] == "prompts:/expert"
    listed = cli("prompts", "list", "--json").json()
    assert [(p["name"], p["latest"]) for p in listed] == [("expert", ref["version"])]
    # Saving the same text again is the same version; using the saved prompt gives the same data.
    again = cli("data", "prepare", "--template", str(template), "--save", "expert", "--json").json()
    by_ref = cli("data", "prepare", "--template", f"prompts:/expert@{ref['version']}", "--json").json()
    assert saved["version"] == again["version"] == by_ref["version"]


def test_save_without_a_template_file_is_one_line(cli):
    r = cli("data", "prepare", "--save", "expert")
    assert r.code == 1 and "--save expert needs a template file" in r.err and "Traceback" not in r.err
