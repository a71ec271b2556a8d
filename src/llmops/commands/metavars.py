"""What `--help` shows after an option or for an argument: what to type (`--model MODEL`,
`--since WHEN`, `--limit N`), never the Python type (`<str>`, `<int>`).

A parameter that sets its own `metavar` keeps it. Otherwise the name is looked up, first with
its command (`autosxs --baseline`), then alone (`--baseline`); a name found in neither (a
plugin's option) gets one from its type (`N`, `NUMBER`, `PATH`) or its own name in capitals.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, get_args, get_origin

FORMAT = "table|json|csv"

BY_NAME: dict[str, str] = {
    # global options
    "--profile": "PROFILE",
    "--workspace": "DIR",
    # what to run on
    "--model": "MODEL",
    "--base-model": "MODEL",
    "--candidate": "MODEL",
    "--baseline": "BASELINE",
    "--judge": "PROVIDER[:MODEL]",
    "--dataset": "VERSION",
    "--template": "NAME|FILE",
    "--prompt": "TEMPLATE",
    "--ground": "CORPUS",
    "--table": "TABLE",
    "--source": "llmops|vertex-log",
    "--task": "TASK",
    "--metric": "METRIC",
    # counts and numbers
    "--limit": "N",
    "--count": "N",
    "--max-rows": "N",
    "--max-checks": "N",
    "--samples": "N",
    "--turns": "N",
    "--epochs": "N",
    "--seed": "N",
    "--top-k": "K",
    "--budget": "TOKENS",
    "--max-output-tokens": "TOKENS",
    "--chunk-size": "WORDS",
    "--chunk-overlap": "WORDS",
    "--temperature": "T",
    "--eval-fraction": "FRACTION",
    "--sampling-rate": "RATE",
    "--max-blocked-rate": "RATE",
    "--max-error-rate": "RATE",
    "--min-citation-rate": "RATE",
    "--max-p95-ms": "MS",
    "--max-p99-ms": "MS",
    "--min-grounding": "SCORE",
    "--max-drift-p": "P",
    "--timeout": "SECONDS",
    "--interval": "SECONDS",
    "--port": "PORT",
    # time
    "--since": "WHEN",
    "--until": "WHEN",
    "--window": "DURATION",
    "--older-than": "AGE",
    # files and places
    "--file": "FILE",
    "--query-file": "FILE",
    "--log-file": "FILE",
    "--judgments": "FILE",
    "--human-labels": "FILE",
    "--rubric": "FILE",
    "--report": "FILE",
    "--out": "FILE",
    "--output": "PATH",
    "--batch": "FILE",
    "--files": "PATH|URI",
    "--data": "DIR",
    "--local-files": "DIR",
    "--host": "ADDRESS",
    "--allow-origin": "ORIGIN",
    # text and names
    "--format": FORMAT,
    "--param": "NAME=VALUE",
    "--safety": "CATEGORY=THRESHOLD",
    "--system": "INSTRUCTION",
    "--text": "TEMPLATE",
    "--message": "MESSAGE",
    "--query": "SQL",
    "--save": "NAME",
    "--display-name": "NAME",
    "--run-name": "RUN_ID",
    "--to": "ALIAS",
    "--gate": "CLAUSES",
    "--cid": "ID",
    "--at": "MESSAGE_ID",
    "--id": "REQUEST_ID",
    "--trace": "TRACE_ID",
    "--history": "last|budget|summary",
    "--token": "TOKEN",
    "--on-breach": "COMMAND",
    "--text-column": "COLUMN",
    "--id-column": "COLUMN",
    "--response-column-a": "COLUMN",
    "--response-column-b": "COLUMN",
    "--human-preference-column": "COLUMN",
    # arguments
    "message": "MESSAGE",
    "prompt": "PROMPT",
    "query": "SQL",
    "question": "QUESTION",
    "text": "INPUT",
    "texts": "INPUT",
    "cid": "ID",
    "version": "VERSION",
    "alias": "ALIAS",
    "candidate": "VERSION",
    "old": "OLD",
    "new": "NEW",
    "spec": "NAME[@VERSION|@ALIAS]",
    "a": "NAME@VERSION",
    "b": "NAME@VERSION",
    "source": "FILE.py[:NAME]",
    "package": "FILE",
    "run_id": "RUN",
    # in one command only
    "autosxs --baseline": "MODEL",
    "autosxs --dataset": "VERSION|FILE",
    "data prepare --format": "seed|gemini",
    "predict --template": "NAME",
    "chain name": "CHAIN",
    "models name": "MODEL",
    "prompts name": "PROMPT",
    "rag name": "CORPUS",
}
"""Metavars by parameter name, or by `GROUP NAME` / `COMMAND NAME` where one command differs."""

_BY_TYPE: dict[Any, str] = {int: "N", float: "NUMBER", Path: "PATH"}


def metavar_for(path: list[str], param: Any) -> str:
    """The metavar for a parameter of the command at `path` (`["data", "prepare"]`)."""
    name = param.opts[0] if param.param_type_name == "argument" else max(param.opts, key=len)
    for i in range(len(path)):
        found = BY_NAME.get(f"{' '.join(path[i:])} {name}") or BY_NAME.get(f"{path[i]} {name}")
        if found:
            return found
    if name in BY_NAME:
        return BY_NAME[name]
    annotation = getattr(getattr(param, "type_descriptor", None), "annotation", None)
    if get_origin(annotation) is list:
        annotation = (get_args(annotation) or (str,))[0]
    return _BY_TYPE.get(annotation) or name.lstrip("-").replace("-", "_").upper()


def _no_type(ctx: Any = None) -> None:
    return None


def name_metavars(command: Any, path: list[str] | None = None) -> None:
    """Give every option that takes a value and every argument of `command` and its
    sub-commands a metavar, unless it has one."""
    path = path or []
    for param in command.params:
        if getattr(param, "is_flag", False) or getattr(param, "count", False):
            continue
        if param.metavar is None:
            param.metavar = metavar_for(path, param)
        if param.param_type_name == "argument":
            # typer prints an argument's type after its metavar (`NAME <str>`); the metavar is enough
            param.display_type_rich = _no_type
    for name, sub in (getattr(command, "commands", None) or {}).items():
        name_metavars(sub, [*path, name])
