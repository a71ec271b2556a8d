"""`llmops embed`: text embeddings from the offline WordLlama model."""

from __future__ import annotations

import typer

from .common import JsonOption, console, print_json


def embed_command(
    texts: list[str] = typer.Argument(..., help="Texts to embed."),
    json_: bool = JsonOption,
) -> None:
    """Embed texts (256-d, L2-normalised) with the offline model of the `embeddings` extra."""
    from ..core.errors import DataError
    from ..embeddings import MODEL, embed

    empty = [i for i, t in enumerate(texts, 1) if not t.strip()]
    if empty:
        raise DataError(f"text {empty[0]} of {len(texts)} is empty", fix="pass the texts to embed, each non-empty")
    vectors = embed(texts)
    if json_:
        print_json({"model": MODEL, "dimensions": int(vectors.shape[1]), "embeddings": vectors.round(6).tolist()})
        return
    for text, v in zip(texts, vectors):
        head = " ".join(f"{x:+.3f}" for x in v[:6])
        console.print(f"{text[:40]!r}: [{head} …] ({len(v)} dims, {MODEL})", markup=False)


def add_commands(cli: typer.Typer) -> None:
    cli.command("embed")(embed_command)
