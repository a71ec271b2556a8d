"""Files written atomically get the mode a plain write would give, not mkstemp's 0600."""

from __future__ import annotations

import os
import stat

import pytest

from llmops.core.errors import ConfigError
from llmops.core.workspace import NEW_FILE_MODE, atomic_write_text
from llmops.monitoring.report import write_atomic


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_atomic_writes_take_the_umask_mode_not_0600(tmp_path):
    plain = tmp_path / "plain.txt"
    plain.write_text("x")
    assert NEW_FILE_MODE == _mode(plain)
    assert _mode(atomic_write_text(tmp_path / "a.txt", "x")) == _mode(plain)
    assert _mode(write_atomic(tmp_path / "r.html", "<p>x</p>")) == _mode(plain)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_an_unwritable_report_path_names_the_option(tmp_path):
    with pytest.raises(ConfigError) as info:
        write_atomic(tmp_path / "missing" / "r.html", "x", option="--report")
    assert "--report" in info.value.fix
