"""The monitoring report from Vertex AI's own request-response log: predictions made through the
`vertex` provider on the emulator with logging enabled (`llmops monitor enable`) give the same
figures from the logging table (read through google-cloud-bigquery) as from the llmops log."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from llmops.core import monitoring
from llmops.core.config import load_settings
from llmops.core.errors import ConfigError, DataError
from llmops.core.session import Session
from llmops.monitoring import report, vertex_log

MODEL = "gemini-2.5-flash"
PROMPTS = [
    "How do I read a CSV file with pandas?",
    "I will kill you",
    "What is a Python generator?",
    "Explain list comprehensions",
    "You are an idiot and I hate you",
    "How do I sort a dict by value?",
]


@pytest.fixture
def emulated(llmops_emulator, tmp_path):
    settings = load_settings(
        "emulated",
        overrides={"workspace": str(tmp_path / "ws")},
        environ={"LLMOPS_GCP_ENDPOINT": llmops_emulator.endpoint},
    )
    with Session(settings) as s:
        yield s


@pytest.fixture
def log_table(emulated):
    dataset = f"vlog_{uuid.uuid4().hex[:8]}"
    emulated.warehouse.query(f"CREATE SCHEMA `{dataset}`")
    table = f"{emulated.warehouse.project}.{dataset}.request_response_logging"
    yield table
    vertex_log.enable(emulated, MODEL, table, enabled=False)


def test_the_report_from_the_vertex_log_matches_the_llmops_log(emulated, log_table, cli):
    result = vertex_log.enable(emulated, MODEL, log_table, 1.0)
    assert result == {"model": MODEL, "enabled": True, "sampling_rate": 1.0, "table": log_table}
    since = datetime.now(UTC) - timedelta(seconds=1)
    for prompt in PROMPTS * 4:
        monitoring.predict(emulated, prompt, model=MODEL)
    until = datetime.now(UTC) + timedelta(seconds=1)

    kw = {"since": since, "until": until, "model": MODEL, "text_drift": False}
    ours = report.build(emulated.warehouse, **kw)
    theirs = report.build(emulated.warehouse, table=log_table, source="vertex-log", **kw)
    assert theirs["summary"]["requests"] == ours["summary"]["requests"] == len(PROMPTS) * 4
    assert ours["summary"]["blocked_rate"] > 0  # the threats are blocked: the comparison means something
    latency = {"latency_p50", "latency_p95", "latency_p99"}
    for key, value in ours["summary"].items():
        if key not in latency | {"first_created", "last_created"}:
            assert theirs["summary"][key] == pytest.approx(value), key
    ours_worst = {r["request_id"] for r in ours["worst"]["blocked"]}
    assert ours_worst and ours_worst == {r["request_id"] for r in theirs["worst"]["blocked"]}
    assert theirs["summary"]["latency_p95"] is not None  # the emulator writes metadata.latency_ms


def test_the_cli_reads_the_vertex_log_and_refuses_another_schema(
    emulated, log_table, cli, llmops_emulator, monkeypatch
):
    vertex_log.enable(emulated, MODEL, log_table, 1.0)
    for prompt in PROMPTS:
        monitoring.predict(emulated, prompt, model=MODEL)
    env = ("--profile", "emulated")
    monkeypatch.setenv("LLMOPS_GCP_ENDPOINT", llmops_emulator.endpoint)
    r = cli(*env, "monitor", "report", "--source", "vertex-log", "--table", log_table, "--json")
    assert r.code == 0, r.err
    assert r.json()["summary"]["requests"] == len(PROMPTS) and r.json()["source"] == "vertex-log"
    other = log_table.rsplit(".", 1)[0] + ".not_a_log"
    emulated.warehouse.query(f"CREATE TABLE `{other}` (x STRING)")
    r = cli(*env, "monitor", "report", "--source", "vertex-log", "--table", other, "--json")
    assert r.code != 0 and r.out == "" and "Traceback" not in r.err
    assert r.err.count("\n") == 1 and "not a Vertex AI request-response logging table" in r.err
    r = cli(*env, "monitor", "check", "--source", "vertex-log", "--max-p95-ms", "1")
    assert r.code != 0 and "needs the logging table" in r.err


def test_enable_needs_the_vertex_provider_and_a_table_name(session, emulated):
    with pytest.raises(ConfigError, match="Vertex AI feature"):
        vertex_log.enable(session, MODEL, "p.d.t")
    with pytest.raises(ConfigError, match="not a BigQuery table name"):
        vertex_log.enable(emulated, MODEL, "just_a_table")
    with pytest.raises(ConfigError, match="sampling-rate"):
        vertex_log.enable(emulated, MODEL, "p.d.t", 0)


def test_a_missing_logging_table_is_one_line(emulated):
    with pytest.raises(DataError, match="cannot read the Vertex AI logging table"):
        report.build(emulated.warehouse, table=f"{emulated.warehouse.project}.nope.t", source="vertex-log")
