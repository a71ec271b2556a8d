"""Checks that catch the three common Kubeflow pipeline mistakes before anything runs, each
with a message that says the fix:

1. a component called with positional arguments (`say_hello(recipient)`),
2. a task passed where its output is meant (`how_are_you(hello_text=hello_task)`),
3. a pipeline returning the task instead of its output (`return how_task`).

kfp raises on all three while it builds the pipeline (at `@dsl.pipeline` time), with messages
that do not say what to change ("Constant argument inputs must be one of type [...] Got:
<PipelineTask object>"). The checks here read the pipeline's source (so they run before kfp
builds anything, and report the line), and `reword_kfp_error` turns kfp's own exception into
the same message for the cases the source reading cannot see (a component reached through a
variable, say).
"""

from __future__ import annotations

import ast
import inspect
import re
import textwrap
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import LlmopsError

_COMPONENT_DECORATORS = {"component", "container_component"}
_PIPELINE_DECORATORS = {"pipeline"}
_LOADERS = re.compile(r"load_component_from_(file|text|url)$")


class PipelineCheckError(LlmopsError):
    """A pipeline definition has one of the common mistakes; the message names it and the fix."""

    def __init__(self, message: str, *, fix: str, kind: str, line: int | None = None):
        super().__init__(message, fix=fix)
        self.kind = kind
        self.line = line


@dataclass(frozen=True)
class _Component:
    name: str
    inputs: tuple[str, ...]


def _decorator_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return None


def _where(pipeline: str, line: int | None, source: str | None) -> str:
    place = f"pipeline {pipeline!r}"
    if line is not None:
        place += f" (line {line}{', ' + source if source else ''})"
    return place


def _analyze(
    fdef: ast.FunctionDef | ast.AsyncFunctionDef,
    component_of: Callable[[ast.Call], _Component | None],
    line_offset: int,
    filename: str | None,
) -> None:
    """Raise PipelineCheckError for the first mistake in one pipeline function's body."""
    pipeline = fdef.name
    tasks: set[str] = set()

    def line(node: ast.stmt | ast.expr) -> int:
        return node.lineno + line_offset

    def src(node: ast.AST) -> str:
        return ast.unparse(node)

    where_file = Path(filename).name if filename else None

    def nodes_in_order(body: list[ast.stmt]):
        for stmt in body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
                continue
            yield from _walk_skipping_defs(stmt)

    for node in nodes_in_order(fdef.body):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and component_of(node.value):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    tasks.add(target.id)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.value, ast.Call) and component_of(node.value):
            if isinstance(node.target, ast.Name):
                tasks.add(node.target.id)
        elif isinstance(node, ast.Call):
            comp = component_of(node)
            if comp is None:
                continue
            if node.args:
                named = [
                    f"{comp.inputs[i] if i < len(comp.inputs) else 'NAME'}={src(a)}" for i, a in enumerate(node.args)
                ] + [f"{k.arg}={src(k.value)}" for k in node.keywords if k.arg]
                raise PipelineCheckError(
                    f"component {comp.name!r} is called with positional arguments in "
                    f"{_where(pipeline, line(node), where_file)}: {src(node)}",
                    fix=f"kfp components take keyword arguments only: {src(node.func)}({', '.join(named)})",
                    kind="positional-arguments",
                    line=line(node),
                )
            for kw in node.keywords:
                value = kw.value
                passed_task = (isinstance(value, ast.Name) and value.id in tasks) or (
                    isinstance(value, ast.Call) and component_of(value) is not None
                )
                if passed_task:
                    shown = src(value)
                    raise PipelineCheckError(
                        f"task {shown} is passed as {kw.arg}= to component {comp.name!r} in "
                        f"{_where(pipeline, line(node), where_file)}; a component input takes a task's output, not the task",
                        fix=f"pass {kw.arg}={shown}.output (or {shown}.outputs['NAME'] when the task has several outputs)",
                        kind="task-instead-of-output",
                        line=line(value),
                    )
        elif isinstance(node, ast.Return) and node.value is not None:
            values = node.value.elts if isinstance(node.value, ast.Tuple) else [node.value]
            if isinstance(node.value, ast.Call) and component_of(node.value) is None:
                values = list(node.value.args) + [k.value for k in node.value.keywords]  # a NamedTuple
            for value in values:
                is_task = (isinstance(value, ast.Name) and value.id in tasks) or (
                    isinstance(value, ast.Call) and component_of(value) is not None
                )
                if is_task:
                    shown = src(value)
                    raise PipelineCheckError(
                        f"{_where(pipeline, line(node), where_file)} returns the task {shown} instead of its output",
                        fix=f"return {shown}.output (or {shown}.outputs['NAME'] when the task has several outputs)",
                        kind="returns-task",
                        line=line(node),
                    )


def _walk_skipping_defs(node: ast.AST):
    """ast.walk in source order that does not enter nested functions or classes."""
    yield node
    for child in ast.iter_child_nodes(node):
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        yield from _walk_skipping_defs(child)


def _resolve(expr: ast.expr, env: dict[str, Any]) -> Any:
    if isinstance(expr, ast.Name):
        return env.get(expr.id)
    if isinstance(expr, ast.Attribute):
        base = _resolve(expr.value, env)
        return getattr(base, expr.attr, None) if base is not None else None
    return None


def check_pipeline(func: Any) -> None:
    """Check a pipeline — a plain function or a kfp `@dsl.pipeline` — for the three common
    mistakes; raise PipelineCheckError with the fix for the first one found."""
    from kfp.dsl.base_component import BaseComponent

    fn = getattr(func, "pipeline_func", func)
    try:
        source = textwrap.dedent(inspect.getsource(fn))
        first_line = inspect.getsourcelines(fn)[1]
        filename = inspect.getsourcefile(fn)
    except (OSError, TypeError):
        return  # no source (built in a REPL): kfp's own errors are reworded at build time
    tree = ast.parse(source)
    fdef = next((n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))), None)
    if fdef is None:
        return
    env = dict(getattr(fn, "__globals__", {}))
    closure = inspect.getclosurevars(fn) if inspect.isfunction(fn) else None
    if closure is not None:
        env.update(closure.nonlocals)

    def component_of(call: ast.Call) -> _Component | None:
        obj = _resolve(call.func, env)
        if isinstance(obj, BaseComponent):
            return _Component(obj.name, tuple((obj.component_spec.inputs or {}).keys()))
        return None

    # decorators sit above `def`; ast numbers lines from the decorator or def, as getsourcelines does
    _analyze(fdef, component_of, first_line - 1, filename)


def check_pipeline_source(source: str, filename: str | None = None) -> None:
    """Check every `@dsl.pipeline` function in a module's source, without running it.

    Components are recognised by their decorators (`@dsl.component`, `@component`, ...) and by
    `load_component_from_file/text/url(...)` assignments in the same module."""
    try:
        tree = ast.parse(source, filename=filename or "<pipeline>")
    except SyntaxError as exc:
        raise PipelineCheckError(
            f"{filename or 'the pipeline source'} is not valid Python (line {exc.lineno}: {exc.msg})",
            fix="fix the syntax error",
            kind="syntax",
            line=exc.lineno,
        ) from None
    components: dict[str, _Component] = {}
    pipelines: list[ast.FunctionDef | ast.AsyncFunctionDef] = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            names = {_decorator_name(d) for d in node.decorator_list}
            if names & _COMPONENT_DECORATORS:
                args = [a.arg for a in node.args.posonlyargs + node.args.args + node.args.kwonlyargs]
                components[node.name] = _Component(node.name.replace("_", "-"), tuple(args))
            if names & _PIPELINE_DECORATORS:
                pipelines.append(node)
                components[node.name] = _Component(
                    node.name.replace("_", "-"), tuple(a.arg for a in node.args.args + node.args.kwonlyargs)
                )
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            loader = _decorator_name(node.value.func)
            if loader and _LOADERS.search(loader):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        components[target.id] = _Component(target.id.replace("_", "-"), ())

    def component_of(call: ast.Call) -> _Component | None:
        return components.get(call.func.id) if isinstance(call.func, ast.Name) else None

    for fdef in pipelines:
        _analyze(fdef, component_of, 0, filename)


def check_pipeline_file(path: str | Path) -> None:
    """`check_pipeline_source` over a Python file."""
    path = Path(path)
    check_pipeline_source(path.read_text(encoding="utf-8"), str(path))


_KFP_PATTERNS = (
    (
        re.compile(r"Components must be instantiated using keyword arguments.*component \"([^\"]+)\"", re.S),
        "positional-arguments",
    ),
    (re.compile(r"Constant argument inputs must be one of type .*PipelineTask", re.S), "task-instead-of-output"),
    (re.compile(r"Got unknown pipeline output, .*PipelineTask", re.S), "returns-task"),
)


def reword_kfp_error(exc: BaseException, pipeline: str | None = None) -> PipelineCheckError | None:
    """kfp's exception for one of the three mistakes, as a PipelineCheckError with the fix;
    None for anything else."""
    text = str(exc)
    for pattern, kind in _KFP_PATTERNS:
        m = pattern.search(text)
        if not m:
            continue
        where = _user_frame(exc)
        place = f" ({where})" if where else ""
        name = f"pipeline {pipeline!r}" if pipeline else "the pipeline"
        if kind == "positional-arguments":
            return PipelineCheckError(
                f"component {m.group(1)!r} is called with positional arguments in {name}{place}",
                fix="kfp components take keyword arguments only: component(name=value, ...)",
                kind=kind,
            )
        if kind == "task-instead-of-output":
            return PipelineCheckError(
                f"a task is passed where its output is meant in {name}{place}",
                fix="pass task.output (or task.outputs['NAME'] when the task has several outputs)",
                kind=kind,
            )
        return PipelineCheckError(
            f"{name} returns a task instead of its output{place}",
            fix="return task.output (or task.outputs['NAME'] when the task has several outputs)",
            kind=kind,
        )
    return None


def _user_frame(exc: BaseException) -> str | None:
    """`file:line` of the innermost frame outside kfp, where the user's mistake is."""
    found = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if "/kfp/" not in frame.filename.replace("\\", "/") and "llmops/core/pipeline" not in frame.filename:
            found = f"{Path(frame.filename).name}:{frame.lineno}"
    return found
