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
