"""`llmops emulator start --quiet --log-file PATH`: one line per request, in the file, none on
the terminal."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.request

import pytest

from llmops.commands.emulator import _configure_logging, _remove_logging


def _start(tmp_path, *args: str) -> tuple[subprocess.Popen[str], str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LLMOPS_")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "llmops", "emulator", "start", "--port", "0", "--json", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    text = ""
    assert proc.stdout is not None
    while True:  # the JSON document is printed indented, over several lines
        line = proc.stdout.readline()
        assert line, proc.stderr.read() if proc.stderr else ""
        text += line
        if line.startswith("}"):
            return proc, json.loads(text)["endpoint"]


def _wait_until_serving(endpoint: str) -> None:
    """The address is printed once bound; the server accepts a moment later."""
    import socket
    import time
    from urllib.parse import urlparse

    url = urlparse(endpoint)
    for _ in range(200):
        try:
            socket.create_connection((url.hostname, url.port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    pytest.fail(f"nothing answers at {endpoint}")


def test_quiet_with_log_file_writes_one_line_per_request_to_the_file_only(tmp_path):
    log = tmp_path / "emulator.log"
    proc, endpoint = _start(tmp_path, "--quiet", "--log-file", str(log))
    try:
        _wait_until_serving(endpoint)
        for _ in range(3):
            with urllib.request.urlopen(f"{endpoint}/storage/v1/b?project=p", timeout=30) as resp:
                assert resp.status == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    lines = log.read_text().splitlines()
    assert len(lines) == 3 and all("GET /storage/v1/b" in line for line in lines)
    assert "/storage/v1/b" not in err


@pytest.mark.parametrize(
    ("quiet", "use_file", "terminal_has_request"),
    [(False, False, True), (True, False, False), (False, True, False)],
)
def test_request_lines_go_where_the_options_say(tmp_path, capsys, quiet, use_file, terminal_has_request):
    import logging

    log = tmp_path / "e.log"
    _configure_logging(quiet, log if use_file else None)
    try:
        # where no handler takes request lines, they are not even made
        assert logging.getLogger("llmops.emulator").isEnabledFor(logging.INFO) is (terminal_has_request or use_file)
        logging.getLogger("llmops.emulator").info("GET /x 200 1B 1.0ms")
        logging.getLogger("llmops.emulator").warning("TLS handshake from 127.0.0.1: hint")
    finally:
        _remove_logging()
    err = capsys.readouterr().err
    assert ("GET /x" in err) is terminal_has_request
    assert "TLS handshake" in err  # warnings always reach the terminal
    if use_file:
        assert log.read_text().count("\n") == 2


def test_unwritable_log_file_is_one_line(cli, tmp_path):
    res = cli("emulator", "start", "--port", "0", "--log-file", str(tmp_path / "missing" / "dir" / "e.log"))
    assert res.code == 1 and res.err.startswith("error: cannot write the log file")


@pytest.mark.parametrize("variable, value", [("LLMOPS_EMULATOR_LOOP", "trio"), ("LLMOPS_EMULATOR_HTTP", "h3")])
def test_a_bad_server_setting_fails_before_the_data_folder_is_made(cli, tmp_path, monkeypatch, variable, value):
    monkeypatch.setenv(variable, value)
    data = tmp_path / "state"
    res = cli("emulator", "start", "--port", "0", "--data", str(data))
    assert res.code == 1 and variable in res.err and res.err.count("\n") == 1
    assert not data.exists()
