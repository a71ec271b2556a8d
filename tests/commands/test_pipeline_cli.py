"""`llmops pipeline compile | run | list | show` as a user meets them, starting with the
course's hello pipeline compiled by the user's own script."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import kfp.components
import pytest

COURSE_HELLO = textwrap.dedent(
    """
    from kfp import dsl, compiler
    @dsl.component
    def say_hello(name: str) -> str:
        hello_text = f'Hello, {name}!'
        return hello_text
    @dsl.component
    def how_are_you(hello_text: str) -> str:
        how_are_you = f"{hello_text}. How are you?"
        return how_are_you
    @dsl.pipeline
    def hello_pipeline(recipient: str) -> str:
        hello_task = say_hello(name=recipient)
        how_task = how_are_you(hello_text=hello_task.output)
        return how_task.output
    compiler.Compiler().compile(hello_pipeline, 'pipeline.yaml')
    """
)

FLAKY = textwrap.dedent(
    """
    from kfp import dsl

    @dsl.component(base_image="python:3.11", install_kfp_package=False)
    def fetch(n: int) -> int:
        print("fetched", n)
        return n * 2

    @dsl.component(base_image="python:3.11", install_kfp_package=False)
    def check(value: int, marker: str) -> str:
        import os
        print("checking", value)
        if os.path.exists(marker):
            raise RuntimeError("the checker is broken today")
        return f"checked {value}"

    @dsl.pipeline
    def flaky(n: int, marker: str) -> str:
        fetched = fetch(n=n)
        return check(value=fetched.output, marker=marker).output
    """
)


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("LLMOPS_")}


@pytest.fixture
def hello_package(tmp_path) -> Path:
    """The course's script, run by the user as is: it compiles pipeline.yaml next to itself."""
    script = tmp_path / "hello.py"
    script.write_text(COURSE_HELLO)
    subprocess.run([sys.executable, "-W", "ignore", str(script)], cwd=tmp_path, check=True, env=_env())
    return tmp_path / "pipeline.yaml"


def test_course_hello_pipeline_runs_and_prints_its_output(cli, hello_package):
    result = cli("pipeline", "run", str(hello_package), "--param", "recipient=World")
    assert result.code == 0, result.err
    assert result.out.strip().splitlines()[-1] == "Hello, World!. How are you?"

    again = cli("pipeline", "run", str(hello_package), "--param", "recipient=World", "--json")
    run = again.json()
    assert run["state"] == "SUCCEEDED"
    assert run["outputs"] == {"Output": "Hello, World!. How are you?"}
    assert [t["cached"] for t in run["tasks"]] == [True, True]

    fresh = cli("pipeline", "run", str(hello_package), "--param", "recipient=World", "--no-cache", "--json").json()
    assert [t["cached"] for t in fresh["tasks"]] == [False, False]


def test_list_and_show(cli, hello_package):
    run = cli("pipeline", "run", str(hello_package), "--param", "recipient=World", "--json").json()
    listed = cli("pipeline", "list", "--json").json()
    assert [r["run_id"] for r in listed] == [run["run_id"]]
    assert listed[0]["state"] == "SUCCEEDED" and listed[0]["tasks"] == 2
    assert run["run_id"] in cli("pipeline", "list").out  # whole, even at 80 columns: `pipeline show` takes it
    shown = cli("pipeline", "show", run["run_id"], "--json").json()
    assert shown["lineage"]["package"]["path"] == str(hello_package.resolve())
    text = cli("pipeline", "show", "latest")
    assert text.code == 0
    assert run["run_id"] in text.out and "lineage" in text.out and "Hello, World!. How are you?" in text.out


@pytest.mark.parametrize(
    "args, message",
    [
        (["--param", "recipent=World"], "has no parameter 'recipent' (did you mean 'recipient'?"),
        ([], "needs parameter 'recipient'"),
        (["--param", "recipient"], "is not name=value"),
    ],
)
def test_bad_parameters_fail_in_one_line(cli, hello_package, workspace, args, message):
    result = cli("pipeline", "run", str(hello_package), *args)
    assert result.code == 1
    assert message in result.err
    assert len(result.err.strip().splitlines()) == 1
    assert not (workspace / "runs").exists() or not any((workspace / "runs").iterdir())


def test_a_file_that_is_not_a_kfp_package(cli, tmp_path):
    script = tmp_path / "hello.py"
    script.write_text(COURSE_HELLO)
    result = cli("pipeline", "run", str(script))
    assert result.code == 1
    assert "is Python source" in result.err and "llmops pipeline compile" in result.err
    other = tmp_path / "hello.txt"
    other.write_text(COURSE_HELLO)
    result = cli("pipeline", "run", str(other))
    assert result.code == 1
    assert "is not a KFP pipeline package" in result.err
    missing = cli("pipeline", "run", str(tmp_path / "nope.yaml"))
    assert missing.code == 1 and "does not exist" in missing.err


def test_a_failing_component_is_named_with_its_log_tail_and_a_rerun_resumes(cli, tmp_path):
    source = tmp_path / "flaky.py"
    source.write_text(FLAKY)
    compiled = cli("pipeline", "compile", str(source), "--output", str(tmp_path / "flaky.yaml"), "--json")
    assert compiled.code == 0, compiled.err
    assert compiled.json()["tasks"] == ["fetch", "check"]
    marker = tmp_path / "broken"
    marker.write_text("")
    args = ("pipeline", "run", str(tmp_path / "flaky.yaml"), "--param", "n=21", "--param", f"marker={marker}")

    failed = cli(*args)
    assert failed.code == 1
    assert "task 'check' failed: RuntimeError: the checker is broken today" in failed.err
    assert "checking 42" in failed.err  # the log tail is shown
    assert "Traceback" in failed.err

    shown = cli("pipeline", "show", "latest", "--json").json()
    tasks = {t["name"]: t for t in shown["tasks"]}
    assert tasks["fetch"]["state"] == "SUCCEEDED" and tasks["check"]["state"] == "FAILED"
    assert "the checker is broken today" in tasks["check"]["log_tail"]

    marker.unlink()
    resumed = cli(*args, "--json")
    assert resumed.code == 0, resumed.err
    run = resumed.json()
    assert run["outputs"] == {"Output": "checked 42"}
    assert [(t["name"], t["cached"]) for t in run["tasks"]] == [("fetch", True), ("check", False)]


def test_timeout_stops_the_run(cli, tmp_path):
    source = tmp_path / "slow.py"
    source.write_text(
        textwrap.dedent(
            """
            from kfp import dsl

            @dsl.component(base_image="python:3.11", install_kfp_package=False)
            def nap() -> str:
                import time
                time.sleep(60)
                return "rested"

            @dsl.pipeline
            def slow() -> str:
                return nap().output
            """
        )
    )
    assert cli("pipeline", "compile", str(source)).code == 0
    result = cli("pipeline", "run", str(tmp_path / "slow.yaml"), "--timeout", "3", "--json")
    assert result.code == 1
    run = json.loads(result.out)
    assert run["state"] == "FAILED" and "timed out after 3 s" in run["error"]
    assert "timed out after 3 s" in result.err


def test_compile_the_end_to_end_pipeline(cli, workspace, tmp_path):
    result = cli("pipeline", "compile", "--json")
    assert result.code == 0, result.err
    info = result.json()
    assert info["pipeline_name"] == "llmops-end-to-end"
    assert Path(info["package"]) == workspace.resolve() / "pipelines" / "llmops-end-to-end.yaml"
    assert info["tasks"] == ["prepare-data", "tune-model", "deploy-model", "evaluate-model", "evaluate-model-2"]
    assert kfp.components.load_component_from_file(info["package"]).name == "llmops-end-to-end"
    out = tmp_path / "mine.yaml"
    assert cli("pipeline", "compile", "--output", str(out)).code == 0
    assert out.read_bytes() == Path(info["package"]).read_bytes()


@pytest.mark.parametrize(
    "old, new, fix",
    [
        ("say_hello(name=recipient)", "say_hello(recipient)", "say_hello(name=recipient)"),
        ("hello_text=hello_task.output", "hello_text=hello_task", "hello_text=hello_task.output"),
        ("return how_task.output", "return how_task", "return how_task.output"),
    ],
)
def test_compile_catches_the_common_mistakes_before_running_anything(cli, tmp_path, old, new, fix):
    source = tmp_path / "hello.py"
    source.write_text(COURSE_HELLO.replace(old, new))
    result = cli("pipeline", "compile", str(source))
    assert result.code == 1
    assert fix in result.err
    assert len(result.err.strip().splitlines()) == 1
    assert not (tmp_path / "pipeline.yaml").exists()  # the script's own compile never ran
    assert not (tmp_path / "hello.yaml").exists()


def test_compile_a_user_file_with_several_pipelines_needs_a_name(cli, tmp_path):
    source = tmp_path / "two.py"
    source.write_text(FLAKY + "\n\n@dsl.pipeline\ndef other(n: int) -> int:\n    return fetch(n=n).output\n")
    result = cli("pipeline", "compile", str(source))
    assert result.code == 1 and "defines 2 pipelines" in result.err and "two.py:PIPELINE" in result.err
    named = cli("pipeline", "compile", f"{source}:other", "--json")
    assert named.code == 0, named.err
    assert named.json()["pipeline_name"] == "other"


def test_compile_a_pipeline_source_that_is_not_a_python_file(cli, tmp_path):
    source = tmp_path / "hello.txt"
    source.write_text(COURSE_HELLO)
    result = cli("pipeline", "compile", str(source))
    assert result.code == 1
    assert "is not a Python file" in result.err and "pass a .py file" in result.err
    assert len(result.err.strip().splitlines()) == 1
