"""`llmops rag create | list | show | delete | query`: retrieval corpora for grounding."""

from __future__ import annotations

import typer
from rich.table import Table
from rich.text import Text

from .common import JsonOption, console, err_console, print_json, session, show_progress

rag_app = typer.Typer(
    help="Retrieval corpora: build from SQL or files, search, ground predictions.", no_args_is_help=True
)


@rag_app.command("create")
def create_command(
    name: str = typer.Argument(..., help="Corpus name (letters, digits, '_', '.', '-')."),
    query: str | None = typer.Option(None, "--query", "-q", help="GoogleSQL whose rows are the documents."),
    files: list[str] | None = typer.Option(
        None, "--files", "-f", help="Files, folders or gs:// URIs (JSONL, text, Markdown, HTML); repeatable."
    ),
    text_column: str | None = typer.Option(
        None, "--text-column", help="Column holding the text (default: text, content or body)."
    ),
    chunk_size: int = typer.Option(200, "--chunk-size", help="Words per chunk."),
    chunk_overlap: int = typer.Option(40, "--chunk-overlap", help="Words shared by neighbouring chunks."),
    replace: bool = typer.Option(False, "--replace", help="Rebuild an existing corpus in place."),
    json_: bool = JsonOption,
) -> None:
    """Build a corpus: read, chunk, index with BM25 and embeddings, store in the workspace."""
    from .. import rag

    chunking = rag.Chunking(chunk_size, chunk_overlap)
    args = dict(query=query, files=files, text_column=text_column, chunking=chunking, replace=replace)
    if show_progress() and not json_:
        with err_console.status(f"building corpus {name}"):
            manifest = rag.create(session(), name, **args)  # type: ignore[arg-type]
    else:
        manifest = rag.create(session(), name, **args)  # type: ignore[arg-type]
    if json_:
        print_json(manifest)
        return
    console.print(
        f"corpus {name}: {manifest['documents']} documents, {manifest['chunks']} chunks "
        f"({manifest['build_seconds']:.1f} s)",
        markup=False,
    )
    console.print(f'  try: llmops rag query {name} "<question>"', markup=False, style="dim")


@rag_app.command("list")
def list_command(json_: bool = JsonOption) -> None:
    """List the corpora in the workspace."""
    from .. import rag

    rows = rag.list_corpora(session(read_only=True))
    if json_:
        print_json(rows)
        return
    if not rows:
        console.print("no corpora yet (create one with `llmops rag create`)", markup=False)
        return
    table = Table("name", "documents", "chunks", "created", "source")
    for m in rows:
        src = m["source"].get("query") or " ".join(m["source"].get("files", []))
        table.add_row(m["name"], str(m["documents"]), str(m["chunks"]), m["created"], Text(src[:60]))
    console.print(table)


@rag_app.command("show")
def show_command(name: str = typer.Argument(..., help="Corpus name."), json_: bool = JsonOption) -> None:
    """Show a corpus's manifest: source, chunking, counts, index settings."""
    from .. import rag

    manifest = rag.open_corpus(session(read_only=True), name).manifest
    if json_:
        print_json(manifest)
        return
    for key, value in manifest.items():
        console.print(f"{key}: {value}", markup=False)


@rag_app.command("delete")
def delete_command(name: str = typer.Argument(..., help="Corpus name."), json_: bool = JsonOption) -> None:
    """Delete a corpus."""
    from .. import rag

    rag.delete(session(), name)
    if json_:
        print_json({"deleted": name})
    else:
        console.print(f"deleted corpus {name}", markup=False)


@rag_app.command("query")
def query_command(
    name: str = typer.Argument(..., help="Corpus name."),
    question: str = typer.Argument(..., help="What to search for."),
    top_k: int = typer.Option(5, "--top-k", "-k", help="How many chunks."),
    json_: bool = JsonOption,
) -> None:
    """Search a corpus; print the best chunks with their scores."""
    from .. import rag

    hits = rag.open_corpus(session(), name).search(question, top_k)
    if json_:
        print_json([h.to_dict() for h in hits])
        return
    if not hits:
        console.print("no chunk matches", markup=False)
    for n, h in enumerate(hits, 1):
        console.print(f"[{n}] {h.title} — {h.uri}", markup=False, style="bold")
        console.print(f"    score {h.score:.4f} · bm25 {h.bm25:.2f} · cosine {h.cosine:.3f}", markup=False, style="dim")
        snippet = " ".join(h.text.split())
        console.print(f"    {snippet[:300]}{'…' if len(snippet) > 300 else ''}", markup=False)


def add_commands(cli: typer.Typer) -> None:
    cli.add_typer(rag_app, name="rag")
