"""Where chains come from: the `register_chains` hook (Python), `chains/*.toml` in the
workspace, and a TOML file given by path. TOML names built-in steps:

    name = "so-answer"                 # default: the file's stem
    description = "..."
    [[steps]]
    use = "clean"                      # a built-in step (see BUILTIN_STEPS)
    redact_pii = true                  # its settings
    [[steps]]
    use = "generate"
    name = "draft"                     # optional: the step's name (default: `use`)
    model = "text-bison@001"
"""

from __future__ import annotations

import inspect
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.errors import ConfigError, NotFoundError
from . import checks, steps
from .model import Chain, Step

if TYPE_CHECKING:
    from ..core.session import Session

BUILTIN_STEPS: dict[str, Callable[..., Step]] = {
    "clean": steps.clean,
    "redact": steps.redact,
    "ground": steps.ground,
    "prompt": steps.prompt,
    "generate": steps.generate,
    "strip": steps.strip,
    "truncate": steps.truncate,
    "cite_sources": steps.cite_sources,
    "safety": checks.safety,
    "require_citations": checks.require_citations,
    "require_grounding": checks.require_grounding,
    "output_format": checks.output_format,
}
"""Steps a TOML chain can `use`, by name."""

EXAMPLES_PLUGIN = "llmops.chains.examples"


def _build_step(spec: Any, where: str, position: int) -> Step:
    if not isinstance(spec, Mapping) or "use" not in spec:
        raise ConfigError(f"{where}: step {position} has no `use`", fix=f"set use = one of {', '.join(BUILTIN_STEPS)}")
    settings = dict(spec)
    use = str(settings.pop("use"))
    factory = BUILTIN_STEPS.get(use)
    if factory is None:
        raise ConfigError(
            f"{where}: step {position} uses unknown step {use!r}", fix=f"use one of {', '.join(BUILTIN_STEPS)}"
        )
    accepted = inspect.signature(factory).parameters
    unknown = sorted(set(settings) - set(accepted))
    if unknown:
        raise ConfigError(
            f"{where}: step {position} ({use}) has unknown setting {unknown[0]!r}",
            fix=f"{use} takes {', '.join(accepted)}",
        )
    settings.setdefault("name", use.replace("_", "-"))
    try:
        return factory(**settings)
    except TypeError as exc:
        raise ConfigError(
            f"{where}: step {position} ({use}): {exc}", fix=f"{use} takes {', '.join(accepted)}"
        ) from None
    except ConfigError as exc:
        raise ConfigError(f"{where}: step {position}: {exc.problem}", fix=exc.fix) from None


def from_toml(text: str, *, source: str, default_name: str | None = None) -> Chain:
    """A chain from TOML text (`source` says where it came from, for messages)."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source} is not valid TOML ({exc})", fix="fix the file") from None
    unknown = sorted(set(doc) - {"name", "description", "steps"})
    if unknown:
        raise ConfigError(
            f"{source}: unknown key {unknown[0]!r}", fix="a chain file has name, description and steps tables"
        )
    name = doc.get("name") or default_name
    if not name:
        raise ConfigError(f"{source} has no name", fix='set name = "..." at the top')
    specs = doc.get("steps")
    if not isinstance(specs, list) or not specs:
        raise ConfigError(f"{source} has no steps", fix="add at least one steps table, each with use = ...")
    built = [_build_step(spec, source, i) for i, spec in enumerate(specs, 1)]
    return Chain(str(name), built, str(doc.get("description", "")), source)


def from_file(path: str | Path) -> Chain:
    """A chain from a TOML file."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise NotFoundError(f"chain file {p} does not exist", fix="check the path passed to --file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"chain file {p} cannot be read ({exc})", fix="pass a UTF-8 TOML file") from None
    return from_toml(text, source=str(p), default_name=p.stem)


def registered() -> dict[str, Chain]:
    """Chains registered through the `register_chains` hook (the shipped examples included)."""
    from ..core import registry

    registry.add_default_plugin(EXAMPLES_PLUGIN)
    found: dict[str, Chain] = {}
    for name, r in registry.registrations("register_chains").items():
        chain = r.obj
        if isinstance(chain, list | tuple):
            chain = Chain(name, chain, r.extra.get("description", ""))
        if not isinstance(chain, Chain):
            raise ConfigError(
                f"plugin {r.plugin!r} registered {name!r}, which is not a chain",
                fix="register a llmops.chains.Chain or a list of steps",
            )
        if not chain.source:
            chain = Chain(chain.name, chain.steps, chain.description, f"plugin {r.plugin}")
        found[name] = chain
    return found


def workspace_chains(session: Session) -> dict[str, Chain]:
    """Chains defined in the workspace's `chains/*.toml`."""
    folder = session.workspace.path("chains")
    found: dict[str, Chain] = {}
    for p in sorted(folder.glob("*.toml")) if folder.is_dir() else []:
        chain = from_file(p)
        if chain.name in found:
            raise ConfigError(
                f"chain {chain.name!r} is defined by {found[chain.name].source} and {p}", fix="rename one of them"
            )
        found[chain.name] = chain
    return found


def all_chains(session: Session) -> dict[str, Chain]:
    """Every chain by name: registered ones and the workspace's; a name defined twice is an error."""
    found = registered()
    for name, chain in workspace_chains(session).items():
        if name in found:
            raise ConfigError(
                f"chain {name!r} is defined by {found[name].source} and {chain.source}",
                fix="rename the workspace chain",
            )
        found[name] = chain
    return found


def get_chain(session: Session, name: str | None = None, *, file: str | Path | None = None) -> Chain:
    """A chain by name, or the one in `file`; checked against the session (templates, models,
    corpora exist) before it is returned."""
    if file is not None:
        chain = from_file(file)
        if name and name != chain.name:
            raise ConfigError(f"{file} defines chain {chain.name!r}, not {name!r}", fix="drop the name or fix it")
    else:
        found = all_chains(session)
        if name not in found:
            raise NotFoundError(
                f"no chain named {name!r}", fix=f"choose one of: {', '.join(sorted(found)) or '(none)'}"
            )
        chain = found[name]
    chain.validate(session)
    return chain
