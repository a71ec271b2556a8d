import json
from pathlib import Path

import pytest

from llmops.backends.gcp.plugin import GcpSettings
from llmops.backends.local.plugin import EmulatorModelSettings
from llmops.core import config
from llmops.core.config import (
    PluginSettings,
    Settings,
    load_settings,
    profile_names,
    registered_sections,
    resolve_settings,
)
from llmops.core.errors import ConfigError
from llmops.core.hookspecs import hookimpl


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
        '[profiles.mine]\nextends = "emulated"\nworkspace = "ws"\n[profiles.mine.gcp]\nlocation = "europe-west4"\n'
    )
    s = load_settings("mine", start=tmp_path / "", environ={})
    gcp = s.section(GcpSettings)
    assert s.warehouse == "bigquery" and gcp.endpoint == "http://127.0.0.1:9050"
    assert gcp.location == "europe-west4" and gcp.project == "llmops-emulated"  # merged key by key
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
    env = {
        "LLMOPS_PROFILE": "emulated",
        "LLMOPS_GCP_ENDPOINT": "http://127.0.0.1:1234",
        "LLMOPS_LOG_PREDICTIONS": "false",
    }
    s = load_settings(start=tmp_path, environ=env)
    assert s.profile == "emulated" and s.log_predictions is False
    assert s.section(GcpSettings).endpoint == "http://127.0.0.1:1234"


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
        ('[profiles.x.gcp]\nprojct = "p"\n', "x", "unknown setting 'gcp.projct'"),
        ('[profiles.x.gpc]\nproject = "p"\n', "x", "unknown settings section 'gpc'"),
        ('[profiles.x]\ngcp = "p"\n', "x", "is a plugin section, not a value"),
        ("[profiles.x.gcp]\nlocation = 5\n", "x", "invalid value for 'gcp.location'"),
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
    with pytest.raises(ConfigError, match=r"needs 'gcp.project'.*\[profiles.gcp.gcp\].*LLMOPS_GCP_PROJECT"):
        s.require("gcp.project")


def test_settings_round_trip_through_json(tmp_path):
    canned = tmp_path / "canned.yaml"
    env = {"LLMOPS_GCP_LOCATION": "europe-west4", "LLMOPS_EMULATOR_CANNED_RESPONSES": str(canned)}
    s = load_settings("emulated", start=tmp_path, environ=env)
    data = json.loads(json.dumps(s.to_json_dict()))  # as a pipeline component receives it
    back = Settings.from_json_dict(data)
    assert back == s
    assert back.section(GcpSettings).location == "europe-west4"
    assert back.section(EmulatorModelSettings).canned_responses == canned


def test_hook_register_settings(fresh_registry, tmp_path):
    class Greeter(PluginSettings):
        greeting: str = "hi"
        times: int = 1

    class Plugin:
        @hookimpl
        def register_settings(self, register):
            register("greeter", Greeter)

    fresh_registry.get_plugin_manager().register(Plugin(), name="greeter-plugin")
    assert registered_sections()["greeter"].plugin == "greeter-plugin"
    (tmp_path / "llmops.toml").write_text('[profiles.x.greeter]\ngreeting = "hello"\n')
    s = load_settings("x", start=tmp_path, environ={"LLMOPS_GREETER_TIMES": "3"})
    assert s.section(Greeter) == Greeter(greeting="hello", times=3)
    assert s.section("greeter") is s.section(Greeter)  # validated once, then cached
    assert load_settings("local", start=tmp_path, environ={}).section(Greeter) == Greeter()


@pytest.mark.parametrize(
    "settings_model, needle",
    [
        ("required", "with no default for 'greeting'"),
        ("not-a-model", "that are not a pydantic model"),
        ("core-name", "not a usable section name"),
    ],
)
def test_a_malformed_settings_registration_names_the_plugin(fresh_registry, settings_model, needle):
    class Required(PluginSettings):
        greeting: str

    name, model = {
        "required": ("greeter", Required),
        "not-a-model": ("greeter", dict),
        "core-name": ("workspace", Required),
    }[settings_model]

    class Plugin:
        @hookimpl
        def register_settings(self, register):
            register(name, model)

    fresh_registry.get_plugin_manager().register(Plugin(), name="bad-settings")
    with pytest.raises(ConfigError, match=f"plugin 'bad-settings' registered settings .*{needle}"):
        load_settings(environ={})


def test_a_section_registered_twice_names_both_plugins(fresh_registry):
    class Plugin:
        @hookimpl
        def register_settings(self, register):
            register("gcp", GcpSettings)

    fresh_registry.get_plugin_manager().register(Plugin(), name="impostor")
    with pytest.raises(ConfigError, match="'gcp' is registered twice, by 'llmops.backends.gcp.plugin' and 'impostor'"):
        load_settings(environ={})


def test_env_uses_section_spelling_and_file_tables_win_over_parents(tmp_path):
    (tmp_path / "llmops.toml").write_text(
        '[profiles.base]\nextends = "gcp"\n[profiles.base.gcp]\nproject = "p1"\nbucket = "gs://b"\n'
        '[profiles.child]\nextends = "base"\n[profiles.child.gcp]\nproject = "p2"\n'
        "[profiles.child.kubeflow]\nhost = 'http://kfp:8080'\n"
    )
    s = load_settings("child", start=tmp_path, environ={"LLMOPS_GCP_BUCKET": "gs://env"})
    assert s.section(GcpSettings).model_dump() == {
        "project": "p2",
        "location": "us-central1",
        "bucket": "gs://env",
        "endpoint": None,
    }
    assert s.section("kubeflow").host == "http://kfp:8080"


def test_legacy_flat_keys_map_to_their_section_with_one_note(tmp_path, capsys):
    config._NOTED.clear()
    (tmp_path / "llmops.toml").write_text(
        '[profiles.old]\nextends = "gcp"\nproject = "legacy-p"\nkubeflow_host = "http://kfp"\n'
    )
    env = {"LLMOPS_ENDPOINT": "http://127.0.0.1:9050", "LLMOPS_CANNED_RESPONSES": "c.yaml"}
    for _ in range(2):
        s = load_settings("old", start=tmp_path, environ=env)
    assert s.section(GcpSettings).project == "legacy-p"
    assert s.section(GcpSettings).endpoint == "http://127.0.0.1:9050"
    assert s.section("kubeflow").host == "http://kfp"
    assert s.section(EmulatorModelSettings).canned_responses == Path("c.yaml")
    captured = capsys.readouterr()
    assert captured.out == ""
    notes = captured.err.splitlines()
    assert len(notes) == 4, notes  # once per key, although loaded twice
    assert "'project' directly in profile 'old' is deprecated; write it as [profiles.old.gcp] project" in notes[0]
    assert any("LLMOPS_ENDPOINT is deprecated; use LLMOPS_GCP_ENDPOINT" in n for n in notes)
    assert any("LLMOPS_CANNED_RESPONSES is deprecated; use LLMOPS_EMULATOR_CANNED_RESPONSES" in n for n in notes)


def test_the_new_env_spelling_wins_over_the_legacy_one(tmp_path):
    env = {"LLMOPS_ENDPOINT": "http://old:1", "LLMOPS_GCP_ENDPOINT": "http://new:2"}
    assert load_settings("emulated", start=tmp_path, environ=env).section(GcpSettings).endpoint == "http://new:2"


def test_legacy_keyword_arguments_and_old_json_still_build_settings():
    s = Settings(kubeflow_host="http://kfp", sections={"gcp": {"project": "p"}})
    assert s.sections == {"kubeflow": {"host": "http://kfp"}, "gcp": {"project": "p"}}
    old = Settings.from_json_dict({"profile": "emulated", "endpoint": "http://e:1", "project": "p0"})
    assert old.section(GcpSettings).endpoint == "http://e:1" and old.section(GcpSettings).project == "p0"


def test_a_bad_type_is_one_line_naming_plugin_key_and_type(tmp_path):
    (tmp_path / "llmops.toml").write_text("[profiles.x.gcp]\nproject = 12\n")
    with pytest.raises(ConfigError) as info:
        load_settings("x", start=tmp_path, environ={})
    message = str(info.value)
    assert message.startswith(
        "invalid value for 'gcp.project' (plugin 'llmops.backends.gcp.plugin'): expected a string, got 12"
    )
    assert "fix project in [profiles.x.gcp] of" in message and "\n" not in message


def test_unknown_key_lists_known_keys_with_their_plugins(tmp_path):
    (tmp_path / "llmops.toml").write_text('[profiles.x]\nendpont = "http://x"\n')
    with pytest.raises(ConfigError) as info:
        load_settings("x", start=tmp_path, environ={})
    message = str(info.value)
    assert "unknown setting 'endpont'" in message
    assert "gcp.endpoint (llmops.backends.gcp.plugin)" in message
    assert "kubeflow.host (llmops.backends.kubeflow.plugin)" in message and "warehouse" in message


def test_sources_name_where_each_value_came_from(tmp_path):
    (tmp_path / "llmops.toml").write_text('[profiles.x]\nextends = "emulated"\n[profiles.x.gcp]\nlocation = "eu"\n')
    r = resolve_settings(
        "x",
        start=tmp_path,
        environ={"LLMOPS_GCP_BUCKET": "gs://b"},
        overrides={"workspace": str(tmp_path / "w")},
        override_source="flag",
    )
    assert r.sources["gcp.location"] == f"{tmp_path / 'llmops.toml'} [profiles.x]"
    assert r.sources["gcp.project"] == "embedded profile 'emulated'"
    assert r.sources["warehouse"] == "embedded profile 'gcp'"
    assert r.sources["gcp.bucket"] == "env LLMOPS_GCP_BUCKET"
    assert r.sources["workspace"] == "flag" and r.sources["base_model"] == "default"
    assert r.config_file == tmp_path / "llmops.toml" and r.profile_source == "flag"
