"""Names are checked before any work, unknown ones get a suggestion, and the README's data
preparation example returns rows."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def test_eval_with_a_typo_in_the_second_model_fails_before_any_prediction(cli):
    assert cli("data", "prepare", "--json").code == 0
    res = cli("eval", "-m", "text-bison@001", "-m", "text-bisn@001", "--limit", "2")
    assert res.code == 1
    assert res.err.strip() == (
        "error: unknown model 'text-bisn@001' (did you mean 'text-bison@001'? "
        "see `llmops models list` for base and tuned models, aliases and endpoints)"
    )
    assert cli("logs", "--json").json() == []  # not one prediction of the first model ran


def test_unknown_profile_suggests_the_closest(cli):
    res = cli("--profile", "emulatd", "data", "list")
    assert res.code == 1 and "did you mean 'emulated'?" in res.err


def test_unknown_template_suggests_before_querying(cli, workspace):
    res = cli("data", "prepare", "--template", "stackoverflow-pythn")
    assert res.code == 1 and "did you mean 'stackoverflow-python'?" in res.err
    assert not workspace.exists()


def test_unknown_command_suggests(cli):
    res = cli("dta", "list")
    assert res.code == 2 and "Did you mean 'data'?" in res.err


def test_pipeline_run_on_python_source_suggests_compile(cli, tmp_path):
    source = tmp_path / "hello.py"
    source.write_text("from kfp import dsl\n")
    res = cli("pipeline", "run", str(source))
    assert res.code == 1
    assert f"compile it first: llmops pipeline compile {source}" in res.err and "YAML" not in res.err.split("(")[0]


def test_readme_query_file_example_returns_rows(cli, tmp_path, monkeypatch):
    text = README.read_text(encoding="utf-8")
    command = re.search(r"^llmops data prepare --query-file my\.sql (.*)$", text, re.M)
    sql = re.search(r"```sql\n(.*?)```", text[command.end() :], re.S)
    assert command and sql
    (tmp_path / "my.sql").write_text(sql.group(1))
    monkeypatch.chdir(tmp_path)
    res = cli("data", "prepare", "--query-file", "my.sql", *command.group(1).split(), "--json")
    assert res.code == 0, res.err
    out = res.json()
    assert out["train"]["rows"] + out["eval"]["rows"] == 337  # what the README says
