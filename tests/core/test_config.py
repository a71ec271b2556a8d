from pathlib import Path

import pytest

from llmops.core.config import load_settings, profile_names
from llmops.core.errors import ConfigError


def test_embedded_local_profile_needs_no_file(tmp_path):
    s = load_settings(start=tmp_path, environ={})
    assert (s.profile, s.warehouse, s.orchestrator, s.model, s.artifacts) == (
        "local",
        "duckdb",
        "local",
        "emulator",
        "local",
    )
    assert s.workspace == (Path.cwd() / ".llmops").resolve()


def test_file_profiles_extend_and_override(tmp_path):
    (tmp_path / "llmops.toml").write_text(
        '[profiles.mine]\nextends = "emulated"\nlocation = "europe-west4"\nworkspace = "ws"\n'
    )
    s = load_settings("mine", start=tmp_path / "", environ={})
    assert s.warehouse == "bigquery" and s.endpoint == "http://127.0.0.1:9050"
    assert s.location == "europe-west4"
    assert s.workspace == (tmp_path / "ws").resolve()  # relative to the file, not the cwd
    assert "mine" in profile_names(tmp_path)


def test_pyproject_tool_section_is_found_from_a_subfolder(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.llmops]\ndefault_profile = "p"\n[tool.llmops.profiles.p]\nextends = "local"\nbase_model = "gemini-2.5-flash"\n'
    )
    sub = tmp_path / "a" / "b"
    sub.mkdir(parents=True)
    s = load_settings(start=sub, environ={})
    assert s.profile == "p" and s.base_model == "gemini-2.5-flash"


def test_env_overrides_single_keys_and_picks_profile(tmp_path):
    env = {"LLMOPS_PROFILE": "emulated", "LLMOPS_ENDPOINT": "http://127.0.0.1:1234", "LLMOPS_LOG_PREDICTIONS": "false"}
    s = load_settings(start=tmp_path, environ=env)
    assert s.profile == "emulated" and s.endpoint == "http://127.0.0.1:1234" and s.log_predictions is False


def test_explicit_overrides_win_over_env(tmp_path):
    s = load_settings(
        start=tmp_path,
        environ={"LLMOPS_WORKSPACE": str(tmp_path / "env")},
        overrides={"workspace": str(tmp_path / "flag")},
    )
    assert s.workspace == tmp_path / "flag"


@pytest.mark.parametrize(
    "toml, profile, needle",
    [
        ("", "nope", "unknown profile 'nope'"),
        ('[profiles.x]\nwarehous = "duckdb"\n', "x", "unknown setting 'warehous'"),
        ('[profiles.x]\nsafety_threshold = "BLOCK_SOME"\n', "x", "invalid value for 'safety_threshold'"),
        ('[profiles.x]\nextends = "x"\n', "x", "extends itself"),
        ("colour = 1\n", None, "unknown top-level key 'colour'"),
        ("[profiles\n", None, "is not valid TOML"),
    ],
)
def test_bad_configuration_is_one_line_naming_the_fix(tmp_path, toml, profile, needle):
    (tmp_path / "llmops.toml").write_text(toml)
    with pytest.raises(ConfigError) as info:
        load_settings(profile, start=tmp_path, environ={})
    message = str(info.value)
    assert needle in message and "\n" not in message


def test_unknown_profile_lists_existing_ones(tmp_path):
    with pytest.raises(ConfigError, match="local") as info:
        load_settings("prod", start=tmp_path, environ={})
    assert "emulated" in str(info.value) and "gcp" in str(info.value)


def test_require_names_the_missing_key():
    s = load_settings("gcp", environ={})
    with pytest.raises(ConfigError, match="LLMOPS_PROJECT"):
        s.require("project")


def test_settings_round_trip_through_json(tmp_path):
    s = load_settings("emulated", start=tmp_path, environ={})
    assert type(s).from_json_dict(s.to_json_dict()) == s
