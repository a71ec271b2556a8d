"""Monitoring's settings: the core key `log_text` and the `monitor` section's thresholds,
read from a profile (flags override) and from the environment."""

from __future__ import annotations

import hashlib

import pytest

from llmops.core import monitoring
from llmops.core.config import load_settings
from llmops.core.errors import ConfigError
from llmops.core.session import Session
from llmops.monitoring.plugin import MonitorSettings
from llmops.monitoring.synthetic import log_day

SECOND_HALF = ("--since", "2024-05-01T12:00", "--until", "2024-05-02")


@pytest.fixture(scope="module")
def day_ws(tmp_path_factory):
    ws = tmp_path_factory.mktemp("traffic") / "ws"
    log_day(ws, 1200)
    return ws


def _toml(path, body: str) -> None:
    (path / "llmops.toml").write_text(body, encoding="utf-8")


@pytest.mark.parametrize("how", ["profile", "env"])
def test_log_text_false_logs_hashes_only(tmp_path, monkeypatch, how):
    monkeypatch.chdir(tmp_path)
    if how == "profile":
        _toml(tmp_path, "[profiles.local]\nlog_text = false\n")
    else:
        monkeypatch.setenv("LLMOPS_LOG_TEXT", "false")
    settings = load_settings(overrides={"workspace": str(tmp_path / "ws")})
    assert settings.log_text is False
    with Session(settings) as s:
        monitoring.predict(s, "a secret question")
        row = monitoring.log_for(s).recent(1)[0]
    assert row["prompt"] is None and row["response"] is None
    assert row["prompt_sha256"] == hashlib.sha256(b"a secret question").hexdigest()


def test_log_text_defaults_on_and_rejects_a_non_boolean(tmp_path):
    assert load_settings(environ={}).log_text is True
    with pytest.raises(ConfigError, match="log_text.*true or false"):
        load_settings(environ={"LLMOPS_LOG_TEXT": "maybe"})


def test_monitor_section_is_validated(tmp_path):
    s = load_settings(environ={"LLMOPS_MONITOR_MAX_P95_MS": "800"})
    assert s.section(MonitorSettings).max_p95_ms == 800
    with pytest.raises(ConfigError, match="monitor.max_blocked_rate"):
        load_settings(environ={"LLMOPS_MONITOR_MAX_BLOCKED_RATE": "5"})
    _toml(tmp_path, "[profiles.local.monitor]\nmax_p95 = 1\n")
    with pytest.raises(ConfigError, match="unknown setting 'monitor.max_p95'"):
        load_settings(start=tmp_path, environ={})


def test_check_reads_thresholds_from_the_profile_and_flags_override(cli, day_ws, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _toml(tmp_path, "[profiles.local.monitor]\nmax_blocked_rate = 0.05\nmax_p95_ms = 800\n")
    r = cli("--workspace", str(day_ws), "monitor", "check", *SECOND_HALF, use_workspace=False)
    assert r.code == 3
    assert "BREACH max_p95_ms" in r.err and "BREACH max_blocked_rate" in r.err
    r = cli(
        "--workspace", str(day_ws), "monitor", "check", *SECOND_HALF,
        "--max-p95-ms", "1e9", "--max-blocked-rate", "1", use_workspace=False,
    )  # fmt: skip
    assert r.code == 0, r.err


def test_check_without_any_threshold_says_where_to_set_them(cli, day_ws):
    r = cli("--workspace", str(day_ws), "monitor", "check", use_workspace=False)
    assert r.code != 0 and "no thresholds given" in r.err and "LLMOPS_MONITOR_MAX_P95_MS" in r.err
    assert "Traceback" not in r.err
