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
    "docs/git.txt": "How do I undo the last git commit? Run git reset --soft HEAD~1: it undoes the commit and keeps the changes.",
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

    venv = next(f for f in files if f.display_name == "venv.md")
    only = rag.retrieval_query(
        rag_resources=[rag.RagResource(rag_corpus=corpus.name, rag_file_ids=[venv.name.rsplit("/", 1)[-1]])],
        text="how do I load a csv file with pandas",
        rag_retrieval_config=rag.RagRetrievalConfig(top_k=5),
    )
    assert {c.source_display_name for c in only.contexts.contexts} == {"venv.md"}

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


def _supports_point_at_supported_text(answer: str, meta) -> None:
    raw = answer.encode("utf-8")
    assert meta.grounding_supports
    for s in meta.grounding_supports:
        start = s.segment.start_index or 0
        assert raw[start : s.segment.end_index].decode("utf-8") == s.segment.text
        assert all(0 <= i < len(meta.grounding_chunks) for i in s.grounding_chunk_indices)
        assert len(s.confidence_scores) == len(s.grounding_chunk_indices)


def test_genai_vertex_rag_store_tool_returns_grounding_metadata(genai_client, bucket, corpus):
    from google.genai import types

    tool = types.Tool(
        retrieval=types.Retrieval(
            vertex_rag_store=types.VertexRagStore(
                rag_resources=[types.VertexRagStoreRagResource(rag_corpus=corpus.name)],
                rag_retrieval_config=types.RagRetrievalConfig(top_k=2),
            )
        )
    )
    r = genai_client.models.generate_content(
        model="gemini-2.5-flash",
        contents="How do I read a CSV file with pandas?",
        config=types.GenerateContentConfig(tools=[tool]),
    )
    meta = r.candidates[0].grounding_metadata
    assert meta.retrieval_queries == ["How do I read a CSV file with pandas?"]
    first = meta.grounding_chunks[0].retrieved_context
    assert first.uri == f"gs://{bucket}/docs/pandas.md" and "read_csv" in first.text and first.title == "pandas.md"
    assert len(meta.grounding_chunks) == 2
    _supports_point_at_supported_text(r.text, meta)
    # the supported text is really in the chunk it names
    s = meta.grounding_supports[0]
    words = s.segment.text.lower().split()[:3]
    assert " ".join(words) in meta.grounding_chunks[s.grounding_chunk_indices[0]].retrieved_context.text.lower()

    chunks = list(
        genai_client.models.generate_content_stream(
            model="gemini-2.5-flash",
            contents="How do I read a CSV file with pandas?",
            config=types.GenerateContentConfig(tools=[tool]),
        )
    )
    streamed = "".join(c.text or "" for c in chunks)
    _supports_point_at_supported_text(streamed, chunks[-1].candidates[0].grounding_metadata)


def _search(genai_client, question):
    from google.genai import types

    r = genai_client.models.generate_content(
        model="gemini-2.5-flash",
        contents=question,
        config=types.GenerateContentConfig(tools=[types.Tool(google_search=types.GoogleSearch())]),
    )
    meta = r.candidates[0].grounding_metadata
    assert meta.web_search_queries == [question]
    assert "emulated" in meta.search_entry_point.rendered_content
    return r, meta


def test_google_search_searches_the_google_search_corpus(aiplatform_init, genai_client, bucket):
    from vertexai import rag

    web = rag.create_corpus(display_name="google-search")
    try:
        rag.import_files(web.name, [f"gs://{bucket}/docs/git.txt"])
        r, meta = _search(genai_client, "How do I undo the last git commit?")
        (chunk,) = meta.grounding_chunks
        assert chunk.web.uri == f"gs://{bucket}/docs/git.txt" and chunk.web.title == "git.txt"
        _supports_point_at_supported_text(r.text, meta)
    finally:
        rag.delete_corpus(web.name)


def test_stack_overflow_sample_documents_link_to_stackoverflow():
    from llmops.emulator.vertex.grounding_tools import stackoverflow_documents

    docs = stackoverflow_documents()
    assert len(docs) == 700 and all(d.uri.startswith("https://stackoverflow.com/") for d in docs)
    assert sum("/q/" in d.uri for d in docs) == 100 and sum("/a/" in d.uri for d in docs) == 100


@pytest.mark.slow  # indexes the bundled sample once (about 10 s on a busy 2-core machine)
def test_google_search_defaults_to_the_stack_overflow_sample(genai_client):
    r, meta = _search(genai_client, "How do I sort a dictionary by value in Python?")
    assert len(meta.grounding_chunks) == 5
    assert all(c.web.domain == "stackoverflow.com" for c in meta.grounding_chunks)
    assert any("dict" in c.web.uri.lower() or "dict" in (c.web.title or "").lower() for c in meta.grounding_chunks)
    if meta.grounding_supports:  # the emulated model echoes the first source, not always enough of it
        _supports_point_at_supported_text(r.text, meta)


def test_vertex_ai_search_datastore_is_a_rag_corpus(genai_client, corpus):
    from google.genai import errors, types

    def ask(datastore):
        tool = types.Tool(retrieval=types.Retrieval(vertex_ai_search=types.VertexAISearch(datastore=datastore)))
        return genai_client.models.generate_content(
            model="gemini-2.5-flash",
            contents="create a virtual environment",
            config=types.GenerateContentConfig(tools=[tool]),
        )

    ds = "projects/p/locations/global/collections/default_collection/dataStores/"
    meta = ask(ds + "docs").candidates[0].grounding_metadata
    assert meta.grounding_chunks[0].retrieved_context.uri.endswith("docs/venv.md")
    with pytest.raises(errors.ClientError) as err:
        ask(ds + "nope")
    assert err.value.code == 404 and "display name is 'nope'" in err.value.message


def test_vertexai_generative_model_with_rag_retrieval_tool(aiplatform_init, bucket, corpus):
    from vertexai import rag
    from vertexai.generative_models import GenerativeModel, Tool

    tool = Tool.from_retrieval(
        rag.Retrieval(
            source=rag.VertexRagStore(
                rag_resources=[rag.RagResource(rag_corpus=corpus.name)],
                rag_retrieval_config=rag.RagRetrievalConfig(top_k=1),
            )
        )
    )
    r = GenerativeModel("gemini-2.0-flash", tools=[tool]).generate_content("How do I read a CSV file with pandas?")
    meta = r.candidates[0].grounding_metadata
    assert [c.retrieved_context.uri for c in meta.grounding_chunks] == [f"gs://{bucket}/docs/pandas.md"]
    assert list(meta.retrieval_queries) == ["How do I read a CSV file with pandas?"]
