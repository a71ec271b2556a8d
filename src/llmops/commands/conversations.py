"""`llmops conversations list | show | fork | delete`."""

from __future__ import annotations

import typer
from rich.table import Column, Table
from rich.text import Text

from .common import JsonOption, console, print_json, session

conversations_app = typer.Typer(help="Stored chat conversations: list, show, fork, delete.", no_args_is_help=True)


def _store(read_only: bool = False):
    from ..conversations import open_store

    return open_store(session(read_only=read_only))


@conversations_app.command("list")
def list_command(json_: bool = JsonOption) -> None:
    """Conversations, most recently updated first."""
    store = _store(read_only=True)
    try:
        rows = store.all()
    finally:
        store.close()
    if json_:
        print_json(rows)
        return
    if not rows:
        console.print('no conversations yet (start one with llmops chat "<message>")', markup=False)
        return
    # Agent Engine session ids have 19 digits: keep ids and model names whole (they are what
    # users copy) and let the first message give way on a narrow terminal.
    table = Table(
        Column("id", no_wrap=True, min_width=max(len(r["id"]) for r in rows)),
        Column("updated (UTC)", no_wrap=True, min_width=14),
        Column("msgs", no_wrap=True, justify="right", min_width=4),
        Column("model", no_wrap=True, min_width=min(30, max(7, *(len(r["model"] or "") for r in rows)))),
        Column("forked from", no_wrap=True, min_width=max(6, *(len(r["forked_from"] or "") for r in rows))),
        Column("first message", no_wrap=True, min_width=10, max_width=40),
    )
    for r in rows:
        table.add_row(
            r["id"],
            r["updated"][5:19].replace("T", " "),  # as `llmops logs` shows times: 12-01 19:42:52
            str(r["messages"]),
            r["model"] or "default",  # conversations stored before models were named
            r["forked_from"] or "",
            Text(" ".join(r["first"].split())[:50]),
        )
    console.print(table)


@conversations_app.command("show")
def show_command(cid: str = typer.Argument(..., help="Conversation id."), json_: bool = JsonOption) -> None:
    """The conversation's messages, oldest first, with their ids."""
    store = _store(read_only=True)
    try:
        conv, messages = store.get(cid), store.messages(cid)
    finally:
        store.close()
    if json_:
        print_json({**conv, "messages": [m.__dict__ for m in messages]})
        return
    console.print(
        f"conversation {cid} · model {conv['model'] or 'default'} · system {conv['system'] or '-'}",
        markup=False,
        style="dim",
    )
    for m in messages:
        console.print(f"{m.id[:10]} {m.role}: {m.text}", markup=False)


@conversations_app.command("fork")
def fork_command(
    cid: str = typer.Argument(..., help="Conversation to fork."),
    at: str | None = typer.Option(None, "--at", help="Message id (6+ digits) to fork at (default: the newest)."),
    json_: bool = JsonOption,
) -> None:
    """A new conversation sharing the history up to a message; continue it with --cid."""
    store = _store()
    try:
        new = store.fork(cid, at)
    finally:
        store.close()
    if json_:
        print_json({"conversation": new, "forked_from": cid})
    else:
        console.print(f'forked {cid} as {new}; continue with: llmops chat --cid {new} "<message>"', markup=False)


@conversations_app.command("delete")
def delete_command(
    cid: str | None = typer.Argument(None, help="Conversation id."),
    older_than: str | None = typer.Option(
        None, "--older-than", help="Delete every conversation idle this long (30d, 12h)."
    ),
    json_: bool = JsonOption,
) -> None:
    """Delete a conversation, or all idle longer than --older-than."""
    from ..conversations import parse_age

    age = parse_age(older_than) if older_than else None
    store = _store()
    try:
        ids = store.delete(cid, older_than=age)
    finally:
        store.close()
    if json_:
        print_json({"deleted": ids})
    else:
        console.print(f"deleted {len(ids)} conversation{'s' if len(ids) != 1 else ''}", markup=False)


def add_commands(cli: typer.Typer) -> None:
    cli.add_typer(conversations_app, name="conversations")
