"""Vertex AI RAG Engine through `vertexai.rag`, and the `vertexRagStore` grounding tool through
google-genai, against the emulator."""

from __future__ import annotations

import uuid

import httpx
import pytest

DOCS = {
    "docs/pandas.md": "# Reading CSV with pandas\n\nUse pandas.read_csv to load a CSV file into a DataFrame. "
    "Pass sep=';' when the file uses semicolons as the delimiter.",
    "docs/venv.md": "# Virtual environments\n\nCreate a virtual environment with python -m venv .venv and "
    "activate it with source .venv/bin/activate before installing packages.",
    "docs/git.txt": "Undo the last git commit but keep the changes with git reset --soft HEAD~1.",
}


@pytest.fixture(scope="module")
def bucket(storage_client):
    b = storage_client.create_bucket(f"rag-{uuid.uuid4().hex[:10]}")
    for name, text in DOCS.items():
        b.blob(name).upload_from_string(text)
    b.blob("blob.bin").upload_from_string(b"\x00\x01")
    return b.name


@pytest.fixture
def corpus(aiplatform_init, bucket):
    from vertexai import rag

    c = rag.create_corpus(display_name="docs")
    response = rag.import_files(
        c.name,
        [f"gs://{bucket}/docs/"],
        transformation_config=rag.TransformationConfig(rag.ChunkingConfig(chunk_size=40, chunk_overlap=5)),
    )
    assert response.imported_rag_files_count == 3
    yield c
    rag.delete_corpus(c.name)


def test_corpus_lifecycle_import_and_retrieval(aiplatform_init, bucket, corpus):
    from vertexai import rag

    assert rag.get_corpus(corpus.name).display_name == "docs"
    assert corpus.name in [c.name for c in rag.list_corpora()]
    files = list(rag.list_files(corpus.name))
    assert sorted(f.display_name for f in files) == ["git.txt", "pandas.md", "venv.md"]
    assert rag.get_file(files[0].name).display_name == files[0].display_name

    again = rag.import_files(corpus.name, [f"gs://{bucket}/docs/pandas.md"])
    assert again.skipped_rag_files_count == 1 and not again.imported_rag_files_count

    found = rag.retrieval_query(
        rag_resources=[rag.RagResource(rag_corpus=corpus.name)],
        text="how do I load a csv file with pandas",
        rag_retrieval_config=rag.RagRetrievalConfig(top_k=2),
    )
    contexts = found.contexts.contexts
    assert len(contexts) == 2
    assert contexts[0].source_uri == f"gs://{bucket}/docs/pandas.md" and "read_csv" in contexts[0].text
    assert contexts[0].source_display_name == "pandas.md" and 0 <= contexts[0].score <= 2

    git = next(f for f in files if f.display_name == "git.txt")
    rag.delete_file(git.name)
    assert sorted(f.display_name for f in rag.list_files(corpus.name)) == ["pandas.md", "venv.md"]
    found = rag.retrieval_query(
        rag_resources=[rag.RagResource(rag_corpus=corpus.name)],
        text="undo the last git commit",
        rag_retrieval_config=rag.RagRetrievalConfig(top_k=5),
    )
    assert all("git" not in c.source_uri for c in found.contexts.contexts)


def test_bad_rag_requests_answer_google_errors(aiplatform_init, bucket, llmops_emulator, corpus):
    from vertexai import rag

    with pytest.raises(RuntimeError, match="missing.md does not exist"):  # the client wraps NotFound
        rag.import_files(corpus.name, [f"gs://{bucket}/missing.md"])
    with pytest.raises(RuntimeError, match="is not found"):
        rag.get_corpus(corpus.name.rsplit("/", 1)[0] + "/123")
    response = rag.import_files(corpus.name, [f"gs://{bucket}/blob.bin"])
    assert response.failed_rag_files_count == 1
    base = f"{llmops_emulator.endpoint}/v1/{corpus.name.split('/ragCorpora/')[0]}"
    r = httpx.post(
        f"{base}:retrieveContexts",
        json={
            "vertexRagStore": {"ragResources": [{"ragCorpus": corpus.name}]},
            "query": {"text": "csv", "ragRetrievalConfig": {"topK": 0}},
        },
    )
    assert r.status_code == 400 and "top_k" in r.json()["error"]["message"]
    r = httpx.post(
        f"{llmops_emulator.endpoint}/v1/{corpus.name}/ragFiles:import",
        json={
            "importRagFilesConfig": {
                "gcsSource": {"uris": [f"gs://{bucket}/docs/"]},
                "ragFileTransformationConfig": {
                    "ragFileChunkingConfig": {"fixedLengthChunking": {"chunkSize": 10, "chunkOverlap": 10}}
                },
            }
        },
    )
    assert r.status_code == 400 and "chunk_overlap" in r.json()["error"]["message"]
    r = httpx.post(f"{base}:noSuchVerb", json={})
    assert r.status_code == 404
