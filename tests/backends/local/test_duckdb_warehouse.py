"""The `duckdb` warehouse: GoogleSQL on the workspace file, exports pushed into DuckDB."""

from __future__ import annotations

import json
import subprocess
import sys

import pyarrow as pa
import pytest

from llmops.backends.local.warehouse import DuckDBWarehouse
from llmops.core import registry
from llmops.core.config import Settings
from llmops.core.data import COURSE_QUERY
from llmops.core.errors import ConfigError, DataError, NotFoundError, QueryError
from llmops.core.session import Session
from llmops.core.types import ExportResult
from llmops.core.workspace import Workspace


@pytest.fixture
def warehouse(session):
    return session.warehouse


@pytest.fixture
def ws_dir(settings):
    """A folder inside the workspace: the only place the local warehouse exports to."""
    folder = Workspace(settings.workspace).root / "exports-test"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_duckdb_is_the_registered_local_warehouse(session):
    assert "duckdb" in registry.all_backends()["warehouse"]
    assert isinstance(session.warehouse, DuckDBWarehouse)


def test_course_query_returns_500_rows(warehouse):
    table = warehouse.query(COURSE_QUERY)
    assert table.num_rows == 500 and table.column_names == ["input_text", "output_text"]


def test_information_schema_lists_the_public_tables(warehouse):
    table = warehouse.query("SELECT * FROM `bigquery-public-data.stackoverflow.INFORMATION_SCHEMA.TABLES`")
    assert sorted(table.column("table_name").to_pylist()) == ["posts_answers", "posts_questions"]


def test_the_warehouse_lives_in_the_workspace_and_is_not_held_open(warehouse, settings):
    warehouse.query("SELECT 1 AS x")
    path = Workspace(settings.workspace).warehouse_path
    assert path.is_file()
    # another process (a pipeline component) can open the file between calls
    code = f"import duckdb; c = duckdb.connect({str(path)!r}); print(c.execute('SELECT count(*) FROM \"bigquery-public-data.stackoverflow\".posts_questions').fetchall()[0][0])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "600"


def test_export_writes_jsonl_inside_duckdb(warehouse, ws_dir):
    dest = ws_dir / "out" / "train.jsonl"
    result = warehouse.export(COURSE_QUERY, str(dest))
    assert result == ExportResult(uris=[str(dest)], rows=500)
    lines = dest.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 500
    assert set(json.loads(lines[0])) == {"input_text", "output_text"}
    assert [p.name for p in dest.parent.iterdir()] == ["train.jsonl"]  # no temporary left behind


def test_export_with_parameters_and_file_uri(warehouse, ws_dir):
    dest = ws_dir / "q.jsonl"
    result = warehouse.export(
        "SELECT id FROM `bigquery-public-data.stackoverflow.posts_questions` WHERE id < @below ORDER BY id LIMIT 2",
        f"file://{dest}",
        {"below": 0},
    )
    assert result.rows == 2
    assert [json.loads(x)["id"] for x in dest.read_text().splitlines()] == ["-500", "-499"]  # INT64 as JSON strings


def test_export_to_unwritable_destination_is_one_line_and_leaves_nothing(warehouse, ws_dir):
    ws_dir = ws_dir / "exports"
    ws_dir.mkdir()
    blocker = ws_dir / "a-file"
    blocker.write_text("")
    with pytest.raises(QueryError) as info:
        warehouse.export("SELECT 1 AS x", str(blocker / "out.jsonl"))
    assert "cannot write export" in str(info.value) and "\n" not in str(info.value)
    assert [p.name for p in ws_dir.iterdir()] == ["a-file"]


def test_failing_export_does_not_replace_an_existing_file(warehouse, ws_dir):
    ws_dir = ws_dir / "exports"
    ws_dir.mkdir()
    dest = ws_dir / "keep.jsonl"
    dest.write_text("old\n")
    with pytest.raises(QueryError):
        warehouse.export(
            "SELECT CAST(title AS INT64) AS n FROM `bigquery-public-data.stackoverflow.posts_questions`", str(dest)
        )
    assert dest.read_text() == "old\n"
    assert [p.name for p in ws_dir.iterdir()] == ["keep.jsonl"]


def test_bad_queries_fail_with_one_line(warehouse):
    with pytest.raises(QueryError, match=r"Syntax error: .* at \[1:7\]"):
        warehouse.query("SELEC 1")
    with pytest.raises(NotFoundError, match="Not found: Model p.d.m"):  # trained models are served
        warehouse.query("SELECT * FROM ML.PREDICT(MODEL `p.d.m`, (SELECT 1))")
    with pytest.raises(QueryError, match="ML.EXPLAIN_PREDICT is not supported by the local warehouse"):
        warehouse.query("SELECT * FROM ML.EXPLAIN_PREDICT(MODEL `p.d.m`, (SELECT 1))")
    with pytest.raises(NotFoundError, match="INFORMATION_SCHEMA.TABLES"):
        warehouse.query("SELECT * FROM `bigquery-public-data.stackoverflow.posts`")
    with pytest.raises(QueryError, match="@since has no value"):
        warehouse.query("SELECT @since")


def test_load_insert_and_tables(warehouse):
    assert warehouse.load("mydata.t", pa.table({"a": [1, 2], "b": ["x", "y"]})) == 2
    assert warehouse.insert_rows("mydata.t", [{"a": 3, "b": "z"}]) == 1
    assert warehouse.query("SELECT SUM(a) AS s FROM mydata.t").to_pylist() == [{"s": 6}]
    with pytest.raises(DataError, match="row 1 cannot be inserted"):
        warehouse.insert_rows("mydata.t", [{"a": 4}, {"a": "four"}])
    assert warehouse.query("SELECT COUNT(*) AS n FROM mydata.t").to_pylist() == [{"n": 3}]  # none inserted
    assert warehouse.tables() == [
        "bigquery-public-data.stackoverflow.posts_answers",
        "bigquery-public-data.stackoverflow.posts_questions",
        "llmops-local.mydata.t",
    ]
    assert warehouse.load("mydata.t", pa.table({"a": [9], "b": ["q"]}), mode="replace") == 1
    with pytest.raises(DataError, match="not dataset.table"):
        warehouse.load("t", pa.table({"a": [1]}))


def test_settings_project_is_the_default_project(workspace):
    with Session(Settings(workspace=workspace, sections={"duckdb": {"project": "my-proj"}})) as s:
        s.warehouse.load("d.t", pa.table({"a": [1]}))
        assert s.warehouse.query("SELECT a FROM `my-proj.d.t`").to_pylist() == [{"a": 1}]


def test_unwritable_workspace_is_a_config_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    wh = DuckDBWarehouse(Settings(workspace=blocker / "ws"))
    with pytest.raises(ConfigError, match="not writable"):
        wh.query("SELECT 1")


def test_a_call_waits_while_another_process_holds_the_file(warehouse, settings):
    warehouse.query("SELECT 1 AS x")
    path = Workspace(settings.workspace).warehouse_path
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, time; c = duckdb.connect({str(path)!r}); print('held', flush=True); time.sleep(1); c.close()",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        table = warehouse.query("SELECT COUNT(*) AS n FROM `bigquery-public-data.stackoverflow.posts_answers`")
        assert table.to_pylist() == [{"n": 600}]
    finally:
        holder.wait(timeout=60)


# ---------------------------------------------------------------------- sandbox (issue 14)


@pytest.fixture
def host_file(tmp_path_factory):
    """A file outside the workspace whose content must never come back."""
    path = tmp_path_factory.mktemp("host") / "secret.txt"
    path.write_text("HOST-SECRET-7f3a\n")
    return path


@pytest.mark.parametrize(
    "sql",
    [
        """SELECT * FROM json_execute_serialized_sql(json_serialize_sql("SELECT content FROM read_text('{p}')"))""",
        "SELECT content FROM read_text('{p}')",
        "SELECT * FROM glob('{d}/*')",
        "SELECT current_setting('temp_directory') AS t",
        "SELECT * FROM duckdb_settings",
    ],
)
def test_llmops_sql_cannot_read_host_files(cli, host_file, sql):
    r = cli("sql", sql.format(p=host_file, d=host_file.parent))
    assert r.code != 0 and "HOST-SECRET" not in r.out + r.err
    assert "Traceback" not in r.err and len(r.err.strip().splitlines()) == 1


@pytest.mark.parametrize("kind", ["file", "plain", "relative-escape", "overwrite"])
def test_llmops_sql_cannot_write_outside_the_workspace(cli, host_file, kind):
    folder = host_file.parent
    uri = {
        "file": f"file://{folder}/new-*.json",
        "plain": f"{folder}/new-*.json",
        "relative-escape": "../../new-*.json",
        "overwrite": f"file://{host_file}",
    }[kind]
    r = cli("sql", f"EXPORT DATA OPTIONS(uri='{uri}', format='JSON', overwrite=true) AS SELECT 1 AS x")
    assert r.code != 0 and len(r.err.strip().splitlines()) == 1 and "Traceback" not in r.err
    assert sorted(p.name for p in folder.iterdir()) == ["secret.txt"]
    assert host_file.read_text() == "HOST-SECRET-7f3a\n"


def test_llmops_sql_exports_inside_the_workspace(cli, workspace):
    r = cli("sql", "EXPORT DATA OPTIONS(uri='exports/x-*.json', format='JSON') AS SELECT 1 AS x")
    assert r.code == 0, r.err
    assert (workspace / "exports" / "x-000000000000.json").read_text() == '{"x":"1"}\n'


def test_symlink_out_of_the_workspace_is_refused(warehouse, settings, host_file):
    root = Workspace(settings.workspace).root
    (root / "link").symlink_to(host_file.parent, target_is_directory=True)
    with pytest.raises(QueryError, match="outside the workspace"):
        warehouse.export("SELECT 1 AS x", str(root / "link" / "out.jsonl"))
    assert sorted(p.name for p in host_file.parent.iterdir()) == ["secret.txt"]
