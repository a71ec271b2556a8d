"""Retrieval corpora: building from SQL and files, hybrid search, storage, and bad input."""

from __future__ import annotations

import json

import pytest

from llmops import rag
from llmops.core.errors import ConfigError, DataError, NotFoundError
from llmops.rag.chunking import Chunking

SO = "`bigquery-public-data.stackoverflow.posts_questions`"
SO_QUERY = (
    "SELECT CONCAT('https://stackoverflow.com/questions/', CAST(id AS STRING)) AS uri, title, body AS text "
    f"FROM {SO} ORDER BY id LIMIT 60"
)


@pytest.fixture
def docs(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "csv.md").write_text("# Reading CSV\n\nUse pandas.read_csv to load a CSV file into a DataFrame.\n")
    (folder / "venv.txt").write_text("Create a virtual environment with python -m venv .venv and activate it.")
    (folder / "page.html").write_text(
        "<html><head><title>Regex</title><style>p{}</style></head>"
        "<body><p>Compile a regular expression with re.compile &amp; reuse it.</p></body></html>"
    )
    rows = [{"text": "Sort a list of dicts with sorted(key=...).", "title": "Sorting", "uri": "https://x/sort"}]
    (folder / "rows.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    return folder


def test_chunking_is_fixed_length_with_overlap():
    words = " ".join(f"w{i}" for i in range(25))
    chunks = Chunking(size=10, overlap=3).split(words)
    assert [c.split()[0] for c in chunks] == ["w0", "w7", "w14", "w21"]
    assert all(len(c.split()) <= 10 for c in chunks) and chunks[-1].split()[-1] == "w24"
    assert Chunking(size=10, overlap=3).split("   ") == []


def test_files_corpus_finds_each_document_by_words_and_meaning(session, docs):
    manifest = rag.create(session, "docs", files=[str(docs)])
    assert manifest["documents"] == 4 and manifest["chunks"] == 4
    corpus = rag.open_corpus(session, "docs")
    assert corpus.search("load csv into a dataframe", 1)[0].title == "Reading CSV"
    hit = corpus.search("regular expression", 1)[0]
    assert hit.title == "Regex" and "&" in hit.text and "<p>" not in hit.text and "p{}" not in hit.text
    assert corpus.search("ordering dictionaries", 1)[0].uri == "https://x/sort"
    assert [m["name"] for m in rag.list_corpora(session)] == ["docs"]


def test_corpus_from_stack_overflow_rows_via_cli(cli, workspace):
    r = cli("rag", "create", "so", "--query", SO_QUERY, "--json")
    assert r.code == 0, r.err
    assert r.json()["documents"] == 60
    r = cli("rag", "query", "so", "read a csv file", "--top-k", "3", "--json")
    hits = r.json()
    assert r.code == 0 and len(hits) == 3
    assert all(h["uri"].startswith("https://stackoverflow.com/questions/") for h in hits)
    assert hits[0]["score"] >= hits[1]["score"] >= hits[2]["score"]
    assert cli("rag", "show", "so", "--json").json()["chunking"] == {"unit": "words", "size": 200, "overlap": 40}
    assert cli("rag", "delete", "so").code == 0
    assert cli("rag", "list", "--json").json() == []
    assert not [p for p in (workspace / "rag").iterdir()]


def test_rebuild_needs_replace_and_swaps_whole(session, docs, tmp_path):
    rag.create(session, "d", files=[str(docs / "csv.md")])
    with pytest.raises(ConfigError, match="already exists"):
        rag.create(session, "d", files=[str(docs / "venv.txt")])
    rag.create(session, "d", files=[str(docs / "venv.txt")], replace=True)
    assert rag.open_corpus(session, "d").search("virtual environment", 1)[0].title == "venv.txt"
    assert sorted(p.name for p in (session.workspace.path("rag")).iterdir()) == ["d"]


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"query": f"SELECT id FROM {SO} LIMIT 3"}, DataError, "no text column"),
        ({"query": f"SELECT body AS text FROM {SO} WHERE id = 0 AND id = 1"}, DataError, "would be empty"),
        ({"files": ["/no/such/file.md"]}, NotFoundError, "does not exist"),
        ({"files": ["IMAGE.png"]}, DataError, "not a text file"),
        ({}, ConfigError, "exactly one source"),
    ],
)
def test_bad_sources_fail_with_one_line_and_write_nothing(session, tmp_path, kwargs, error, message):
    (tmp_path / "IMAGE.png").write_bytes(b"\x89PNG\x00\x00")
    files = kwargs.get("files")
    if files == ["IMAGE.png"]:
        kwargs = {"files": [str(tmp_path / "IMAGE.png")]}
    with pytest.raises(error, match=message):
        rag.create(session, "bad", **kwargs)
    folder = session.workspace.path("rag")
    assert not folder.exists() or not list(folder.iterdir())


def test_binary_file_with_text_suffix_is_refused(session, tmp_path):
    (tmp_path / "x.txt").write_bytes(b"ab\x00cd")
    with pytest.raises(DataError, match="binary"):
        rag.create(session, "b", files=[str(tmp_path / "x.txt")])


def test_cli_bad_input_is_one_line(cli, docs):
    assert cli("rag", "create", "d", "--files", str(docs / "csv.md")).code == 0
    r = cli("rag", "query", "d", "csv", "--top-k", "0")
    assert r.code == 1 and r.err.strip() == "error: top-k 0 is below 1 (pass --top-k 1 or more (default 5))"
    r = cli("rag", "query", "nope", "csv")
    assert r.code == 1 and "no corpus named 'nope'" in r.err and len(r.err.strip().splitlines()) == 1
    r = cli("rag", "create", "../up", "--files", str(docs / "csv.md"))
    assert r.code == 1 and "not valid" in r.err
    r = cli("rag", "create", "c2", "--files", str(docs / "csv.md"), "--chunk-size", "10", "--chunk-overlap", "10")
    assert r.code == 1 and "overlap" in r.err


def test_files_corpus_from_gs_uris_through_the_profiles_artifact_store(llmops_emulator, storage_client, tmp_path):
    from llmops.core.config import load_settings
    from llmops.core.session import Session

    bucket = storage_client.create_bucket(f"rag-{tmp_path.name[-8:].lower().replace('_', '-')}")
    bucket.blob("kb/csv.md").upload_from_string("# Reading CSV\n\nUse pandas.read_csv to load a CSV file.\n")
    bucket.blob("kb/skip.bin").upload_from_string(b"\x00\x01")
    settings = load_settings(
        "emulated",
        overrides={"workspace": str(tmp_path / "ws")},
        environ={"LLMOPS_GCP_ENDPOINT": llmops_emulator.endpoint},
    )
    with Session(settings) as s:
        manifest = rag.create(s, "kb", files=[f"gs://{bucket.name}/kb/"])
        assert manifest["documents"] == 1
        assert rag.open_corpus(s, "kb").search("load a csv", 1)[0].uri == f"gs://{bucket.name}/kb/csv.md"
        with pytest.raises(NotFoundError, match="does not exist"):
            rag.create(s, "missing", files=[f"gs://{bucket.name}/kb/nope.md"])
