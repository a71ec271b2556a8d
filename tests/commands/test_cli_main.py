"""The CLI's exit codes: usage errors are click's (2), expected errors one line (1)."""

from llmops.cli import main


def test_unknown_option_is_a_usage_error_without_traceback(capsys):
    assert main(["backends", "--bogus"]) == 2
    err = capsys.readouterr().err
    assert "No such option: --bogus" in err and "Traceback" not in err


def test_no_arguments_prints_help_and_exits_2(capsys):
    assert main([]) == 2
    assert "Usage: llmops" in capsys.readouterr().err  # click: help for a usage error goes to stderr


def test_help_exits_0(capsys):
    assert main(["--help"]) == 0


def test_expected_error_is_one_line_exit_1(capsys):
    assert main(["--profile", "nope", "data", "list"]) == 1
    err = capsys.readouterr().err.strip()
    assert err == "error: unknown profile 'nope' (choose one of: emulated, gcp, local)"


def test_a_reader_that_stops_early_ends_the_command_quietly_with_0():
    """`llmops config show | head -1`: the closed pipe is the reader's choice, not an error
    (rich's tables, output while parsing (`--version`) and --json output alike)."""
    import os
    import subprocess
    import sys

    for args in (["config", "show"], ["--version"], ["backends", "--json"]):
        read, write = os.pipe()
        os.close(read)  # the reader is gone before the first write
        try:
            done = subprocess.run(
                [sys.executable, "-m", "llmops", *args], stdout=write, stderr=subprocess.PIPE, text=True, timeout=60
            )
        finally:
            os.close(write)
        assert (done.returncode, done.stderr) == (0, ""), args
