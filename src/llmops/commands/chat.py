"""`llmops chat`: talk to a model with the conversation's history, interactively or one message
at a time (`-c` continues the latest conversation, `--cid` a given one)."""

from __future__ import annotations

import sys

import typer

from .common import JsonOption, console, print_json, session


def chat_command(
    message: str | None = typer.Argument(None, help="Message to send; without one, chat interactively."),
    model: str | None = typer.Option(
        None, "--model", "-m", help="Model (default: the conversation's, else base_model)."
    ),
    ground: str | None = typer.Option(None, "--ground", help="Ground every answer on this retrieval corpus."),
    system: str | None = typer.Option(None, "--system", help="System instruction for a new conversation."),
    continue_: bool = typer.Option(False, "-c", "--continue", help="Continue the most recent conversation."),
    cid: str | None = typer.Option(None, "--cid", help="Continue this conversation."),
    strategy: str = typer.Option("budget", "--history", help="History sent: last (N turns), budget (tokens), summary."),
    turns: int = typer.Option(10, "--turns", help="Turns kept by --history last."),
    budget: int = typer.Option(2000, "--budget", help="Tokens of history kept by --history budget|summary."),
    json_: bool = JsonOption,
) -> None:
    """Chat with a model; every turn is stored so the conversation can be continued or forked."""
    from ..conversations import HistoryPolicy, chat, open_store

    policy = HistoryPolicy(strategy, turns, budget)
    s = session()
    store = open_store(s)
    try:
        if message is not None:
            reply = chat(
                s,
                message,
                cid=cid,
                continue_latest=continue_,
                model=model,
                system=system,
                ground=ground,
                policy=policy,
                store=store,
            )
            _show(reply, json_)
            return
        if cid is None and continue_:
            cid = store.latest()
        console.print("chat (empty line, 'exit' or Ctrl-D to stop)", markup=False, style="dim")
        for line in sys.stdin:
            text = line.strip()
            if text in ("", "exit", "quit"):
                break
            reply = chat(s, text, cid=cid, model=model, system=system, ground=ground, policy=policy, store=store)
            cid = reply.conversation
            _show(reply, json_)
    finally:
        store.close()


def _show(reply, json_: bool) -> None:
    if json_:
        print_json(reply.to_dict())
        return
    p = reply.prediction
    console.print("(blocked for safety)" if p.blocked else p.text, markup=False, style="yellow" if p.blocked else None)
    extra = f" · grounding {reply.grounded.report.score:.2f}" if reply.grounded else ""
    cut = f" · {reply.history_turns_left_out} older turns left out" if reply.history_turns_left_out else ""
    console.print(f"conversation {reply.conversation} · {p.model}{extra}{cut}", markup=False, style="dim")


def add_commands(cli: typer.Typer) -> None:
    cli.command("chat")(chat_command)
