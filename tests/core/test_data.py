"""Data preparation on the local backend: the course's query, template, split, versions."""

import hashlib
import io
import json
from pathlib import Path

import pytest

from llmops.core import data, data_stream
from llmops.core.errors import ConfigError, DataError, NotFoundError, QueryError
from llmops.core.prompts import STACKOVERFLOW_PYTHON


def _rows(path):
    return [json.loads(line) for line in Path(path).read_text().splitlines()]


@pytest.fixture
def prepared(session):
    return data.prepare(session)


def test_course_query_verbatim_returns_the_samples_500_rows(session):
    table = session.warehouse.query(data.COURSE_QUERY)
    assert table.num_rows == 500
    assert table.column_names == ["input_text", "output_text"]


def test_prepare_gives_disjoint_80_20_jsonl_with_the_course_template(prepared):
    train, evaluation = _rows(prepared.train.uri), _rows(prepared.eval.uri)
    assert len(train) + len(evaluation) == 500
    assert 0.15 < len(evaluation) / 500 < 0.25
    assert (prepared.train.rows, prepared.eval.rows) == (len(train), len(evaluation))
    for row in train + evaluation:
        assert set(row) == {"input_text_instruct", "output_text"}
        assert row["input_text_instruct"].startswith(STACKOVERFLOW_PYTHON + " ")
    assert not {r["input_text_instruct"] for r in train} & {r["input_text_instruct"] for r in evaluation}


def test_prepare_reproduces_the_course_training_text_byte_for_byte(prepared):
    course = Path(__file__).resolve().parents[2] / "src/llmops/data/stackoverflow/posts_questions.jsonl"
    assert course.exists()
    rows = _rows(prepared.train.uri) + _rows(prepared.eval.uri)
    questions = {json.loads(line)["id"]: json.loads(line) for line in course.read_text().splitlines()}
    q = questions[-1]
    expected = STACKOVERFLOW_PYTHON + " " + q["title"] + q["body"]
    assert expected in {r["input_text_instruct"] for r in rows}


def test_same_inputs_same_version_and_nothing_rewritten(session, prepared):
    before = Path(prepared.train.uri).stat().st_mtime_ns
    again = data.prepare(session)
    assert again.version == prepared.version
    assert again.manifest["created"] == prepared.manifest["created"]
    assert Path(again.train.uri).stat().st_mtime_ns == before
    assert [v.version for v in data.list_versions(session)] == [prepared.version]


@pytest.mark.parametrize(
    ("change", "version", "rows"),
    [
        ({}, "20c9152a18d7", (388, 112)),
        ({"format": "gemini"}, "50e5131b636f", (388, 112)),
        ({"eval_fraction": 0.3, "seed": 7}, "b39ebaf029bb", None),
    ],
)
def test_versions_on_the_bundled_sample_are_pinned(session, change, version, rows):
    # The id covers the query, the template, the split and every exported byte; it changes only
    # when one of those does (a new template text, say), never with how the files are written.
    prepared = data.prepare(session, **change)
    assert prepared.version == version
    if rows is not None:
        assert (prepared.train.rows, prepared.eval.rows) == rows


_TIES = (
    "SELECT CONCAT(q.title, q.body) AS input_text, CONCAT(a.body, x) AS output_text, q.id AS question_id "
    "FROM `bigquery-public-data.stackoverflow.posts_questions` q "
    "JOIN `bigquery-public-data.stackoverflow.posts_answers` a ON q.accepted_answer_id = a.id, "
    "UNNEST(['b', 'a', 'é', 'B', 'a']) AS x"
)


@pytest.mark.parametrize(
    "change",
    [{}, {"format": "gemini"}, {"eval_fraction": 0.3, "seed": 7}, {"query": data.COURSE_QUERY}, {"query": _TIES}],
)
def test_streamed_files_equal_the_bigquery_scripts_byte_for_byte(session, monkeypatch, change):
    streamed = data.prepare(session, **change)
    with monkeypatch.context() as m:
        m.setattr(data, "_can_stream", lambda s: False)
        m.setattr(data, "_find", lambda s, v: None)  # write the script's files even for the same id
        scripted = data.prepare(session, **change)
    assert scripted.version == streamed.version
    assert scripted.manifest["files"] == streamed.manifest["files"]  # the sources sidecar's hash too


def test_streamed_files_are_the_same_when_rows_arrive_in_many_small_batches(session, monkeypatch):
    # Small batches leave each bucket in many compressed chunks, with rows sharing a split hash
    # (one question, five answers) spread over several of them; and each row is written as a
    # piece of its own.
    whole = data.prepare(session, query=_TIES)
    real = session.warehouse.stream_json_lines

    def in_slices(sql, consume, **kwargs):
        real(sql, lambda batch: [consume(batch.slice(i, 7)) for i in range(0, len(batch), 7)], **kwargs)

    monkeypatch.setattr(session.warehouse, "stream_json_lines", in_slices)
    monkeypatch.setattr(data_stream, "_PIECE_BYTES", 1)
    monkeypatch.setattr(data, "_find", lambda s, v: None)
    sliced = data.prepare(session, query=_TIES)
    assert sliced.version == whole.version
    assert sliced.manifest["files"] == whole.manifest["files"]


def test_streamed_files_are_the_same_when_each_compressed_chunk_is_read_on_its_own(session, monkeypatch):
    # The chunks of a bucket are read as one spliced LZ4 frame when they are frames of the layout
    # Arrow writes; of any other layout, each is decompressed on its own.
    whole = data.prepare(session, query=_TIES)
    monkeypatch.setattr(data_stream, "_FRAME_STARTS", ())
    monkeypatch.setattr(data, "_find", lambda s, v: None)
    one_by_one = data.prepare(session, query=_TIES)
    assert one_by_one.manifest["files"] == whole.manifest["files"]


def test_streamed_files_are_the_same_when_the_outputs_are_not_plain_files(session, monkeypatch):
    # Pieces are written at their offsets by two threads; an output with no file descriptor
    # (a store's stream) gets them in order from one thread instead.
    whole = data.prepare(session, query=_TIES)
    real_open = session.artifacts.open

    class Stream(io.RawIOBase):
        def __init__(self, f):
            self.f = f

        def writable(self):
            return True

        def write(self, b):
            return self.f.write(b)

        def close(self):
            self.f.close()
            super().close()

    monkeypatch.setattr(session.artifacts, "open", lambda uri, mode="rb": Stream(real_open(uri, mode)))
    monkeypatch.setattr(data_stream, "_PIECE_BYTES", 1)
    monkeypatch.setattr(data, "_find", lambda s, v: None)
    streamed = data.prepare(session, query=_TIES)
    assert streamed.manifest["files"] == whole.manifest["files"]
    monkeypatch.undo()
    for name in ("train", "eval"):
        with open(getattr(streamed, name).uri, "rb") as f:
            assert hashlib.sha256(f.read()).hexdigest() == streamed.manifest["files"][name]["sha256"]


@pytest.mark.parametrize(
    "change",
    [{"eval_fraction": 0.3}, {"seed": 7}, {"format": "gemini"}, {"query": data.COURSE_QUERY}],
)
def test_any_change_gives_a_new_version(session, prepared, change):
    other = data.prepare(session, **change)
    assert other.version != prepared.version


def test_changed_source_data_gives_a_new_version(session, prepared):
    session.warehouse.query(
        "UPDATE `bigquery-public-data.stackoverflow.posts_answers` SET body = CONCAT(body, ' edited') WHERE id = -100001"
    )
    assert data.prepare(session).version != prepared.version


def test_manifest_records_how_the_version_was_made(prepared):
    m = prepared.manifest
    assert m["template"]["name"] == "stackoverflow-python" and len(m["template"]["version"]) == 12
    assert m["split"]["eval_fraction"] == 0.2 and m["split"]["seed"] == 42
    assert m["rows"] == {"train": prepared.train.rows, "eval": prepared.eval.rows}
    assert set(m["files"]) == {"train", "eval", "sources"}
    assert all(len(f["sha256"]) == 64 for f in m["files"].values())
    assert m["source_tables"] == [
        "bigquery-public-data.stackoverflow.posts_answers",
        "bigquery-public-data.stackoverflow.posts_questions",
    ]
    assert "REGEXP_CONTAINS" in m["query"]


def test_sources_sidecar_lines_up_with_training_rows(prepared):
    sources = _rows(Path(prepared.train.uri).with_name("train.sources.jsonl"))
    assert len(sources) == prepared.train.rows
    assert all(s["license"] == "CC BY-SA 4.0" for s in sources)
    # the sample's course rows have negative ids: no Stack Overflow URL can be built for them (a
    # NULL field is left out of the line, as BigQuery's EXPORT DATA leaves it out); ids are INT64,
    # which EXPORT DATA writes as JSON strings
    assert all(isinstance(s["answer_id"], str) for s in sources)
    assert all("uri" not in s for s in sources if int(s["answer_id"]) < 0)


def test_gemini_format_has_user_and_model_turns(session):
    v = data.prepare(session, format="gemini")
    row = _rows(v.train.uri)[0]
    assert [c["role"] for c in row["contents"]] == ["user", "model"]
    assert row["contents"][0]["parts"][0]["text"].startswith(STACKOVERFLOW_PYTHON)


def test_get_version_by_prefix_and_unknown(session, prepared):
    assert data.get_version(session, prepared.version[:6]).version == prepared.version
    with pytest.raises(NotFoundError, match="llmops data list"):
        data.get_version(session, "000000000000")
    with pytest.raises(NotFoundError):
        data.get_version(session, "../etc")


@pytest.mark.parametrize("fraction", [0, 1, -0.1, 1.5])
def test_eval_fraction_outside_the_open_interval(session, fraction):
    with pytest.raises(ConfigError, match="between 0 and 1"):
        data.prepare(session, eval_fraction=fraction)


def test_query_without_required_columns(session):
    with pytest.raises(DataError, match="no 'output_text' column"):
        data.prepare(
            session, query="SELECT title AS input_text FROM `bigquery-public-data.stackoverflow.posts_questions`"
        )


def test_query_returning_no_rows(session):
    with pytest.raises(DataError, match="no rows"):
        data.prepare(session, query=data.COURSE_QUERY.replace('"2020-01-01"', '"2999-01-01"'))
    assert data.list_versions(session) == []


def test_invalid_sql(session):
    with pytest.raises(QueryError):
        data.prepare(session, query="SELEC input_text FROM nowhere")


def test_unknown_template(session):
    with pytest.raises(ConfigError, match="unknown prompt template 'nope'.*stackoverflow-python"):
        data.prepare(session, template="nope")


def _assert_no_version_and_no_files(session):
    datasets = Path(session.settings.workspace) / "datasets"
    assert data.list_versions(session) == []
    assert not datasets.exists() or list(datasets.iterdir()) == []


@pytest.mark.parametrize(
    "owner, step, crash_at",
    [
        (data_stream._Buckets, "__call__", 1),  # while the rows stream in
        (data_stream._Lines, "read", 2),  # while the files are written
        (data_stream._Output, "write_at", 2),  # on either of the threads that write the files
        (data, "_hash_and_count", 2),  # the BigQuery script's path
        (data, "_write_text", 1),  # publishing the manifest
    ],
)
def test_crash_mid_export_or_publish_leaves_no_version(session, monkeypatch, owner, step, crash_at):
    if owner is data and step == "_hash_and_count":
        monkeypatch.setattr(data, "_can_stream", lambda s: False)
    real = getattr(owner, step)
    calls = []

    def crash(*args, **kwargs):
        calls.append(args)
        if len(calls) == crash_at:
            raise KeyboardInterrupt("simulated crash")
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, step, crash)
    with pytest.raises(KeyboardInterrupt):
        data.prepare(session)
    assert calls
    _assert_no_version_and_no_files(session)
    monkeypatch.setattr(owner, step, real)
    assert data.prepare(session).train.rows > 0  # and a re-run succeeds


def test_failing_script_leaves_no_version(session):
    with pytest.raises(QueryError):
        data.prepare(
            session,
            query="SELECT IF(id > 0, ERROR('boom'), title) AS input_text, body AS output_text "
            "FROM `bigquery-public-data.stackoverflow.posts_questions`",
        )
    _assert_no_version_and_no_files(session)


_STAR_QUERY = (
    "SELECT * FROM (SELECT title AS input_text, body AS output_text "
    "FROM `bigquery-public-data.stackoverflow.posts_questions` WHERE body IS NOT NULL)"
)


@pytest.mark.parametrize(
    "stream, query, expected",
    [
        (False, None, ["query", "query"]),
        (True, None, ["stream_json_lines"]),
        (True, _STAR_QUERY, ["query", "stream_json_lines"]),
    ],
)
def test_warehouse_gets_a_probe_and_one_job(session, monkeypatch, stream, query, expected):
    # On BigQuery every warehouse call is a job: a column probe and one script, so the job count
    # does not grow with the number of files written. A local scan needs no probe when the query's
    # text names its columns, and probes when it selects a star.
    monkeypatch.setattr(data, "_can_stream", lambda s: stream)
    calls = []
    for name in ("query", "stream_json_lines"):
        real = getattr(session.warehouse, name)
        monkeypatch.setattr(
            session.warehouse, name, lambda *a, _real=real, _name=name, **k: (calls.append(_name), _real(*a, **k))[1]
        )
    data.prepare(session, **({"query": query} if query else {}))
    assert calls == expected


@pytest.mark.parametrize(
    "query, names",
    [
        ("SELECT a.x AS input_text, b AS output_text FROM t AS a", ["input_text", "output_text"]),
        ("WITH c AS (SELECT 1 AS y) SELECT y AS input_text, y AS output_text FROM c", ["input_text", "output_text"]),
        ("SELECT x AS input_text, y AS output_text FROM t UNION ALL SELECT 1, 2", ["input_text", "output_text"]),
        ("SELECT * FROM t", None),
        ("SELECT t.* FROM t", None),
        ("SELECT x AS input_text, CONCAT(y, z) FROM t", None),
        ("SELECT AS STRUCT x AS input_text FROM t", None),
        ("SELECT x AS input_text, y AS INPUT_TEXT FROM t", None),
        ("SELECT (x AS input_text FROM t", None),
    ],
)
def test_column_names_read_from_the_text_or_left_to_the_probe(query, names):
    assert data._named_columns(data._parsed(query)) == names


def test_a_query_error_without_a_probe_is_the_probes_error_and_leaves_nothing(session):
    query = "SELECT title AS input_text,\n  no_such_column AS output_text\nFROM `bigquery-public-data.stackoverflow.posts_questions`"
    with pytest.raises(QueryError, match=r"^Unrecognized name: no_such_column"):
        data.prepare(session, query=query)
    _assert_no_version_and_no_files(session)


# --- the CLI ---------------------------------------------------------------------------------


def test_cli_prepare_json_then_list_and_show(cli):
    res = cli("data", "prepare", "--json")
    assert res.code == 0, res.err
    out = res.json()
    assert set(out) == {"version", "train", "eval", "manifest"}
    assert out["train"]["rows"] + out["eval"]["rows"] == 500
    listed = cli("data", "list", "--json").json()
    assert [v["version"] for v in listed] == [out["version"]]
    shown = cli("data", "show", out["version"], "--json").json()
    assert shown["manifest"]["files"]["train"]["sha256"] == out["manifest"]["files"]["train"]["sha256"]


@pytest.mark.parametrize(
    "args, needle",
    [
        (["--query-file", "missing.sql"], "query file missing.sql does not exist"),
        (["--eval-fraction", "1.0"], "between 0 and 1"),
        (["--template", "nope"], "unknown prompt template"),
        (["--format", "csv"], "unknown dataset format"),
    ],
)
def test_cli_bad_input_is_one_line_and_exit_1(cli, args, needle):
    res = cli("data", "prepare", *args)
    assert res.code == 1
    assert needle in res.err and len(res.err.strip().splitlines()) == 1
    assert "Traceback" not in res.err


def test_cli_query_file_with_parameters(cli, tmp_path):
    q = tmp_path / "q.sql"
    q.write_text(data.DEFAULT_QUERY.replace('"2020-01-01"', "@since"))
    res = cli("data", "prepare", "--query-file", str(q), "--param", "since=2020-01-01", "--json")
    assert res.code == 0, res.err
    assert res.json()["manifest"]["params"] == {"since": "2020-01-01"}


def test_cli_unknown_profile(cli):
    res = cli("--profile", "nope", "data", "list")
    assert res.code == 1 and "unknown profile 'nope'" in res.err


def test_cli_unwritable_workspace(cli, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    res = cli("--workspace", str(blocker / "ws"), "data", "prepare", use_workspace=False)
    assert res.code == 1 and "is not writable" in res.err
