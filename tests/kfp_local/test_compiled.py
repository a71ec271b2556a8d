"""A package is compiled again only when what it is compiled from, or the package itself, changed."""

from __future__ import annotations

from pathlib import Path

from llmops.kfp_local.compiled import compile_if_changed


def test_compiles_only_on_a_change(tmp_path: Path) -> None:
    source = tmp_path / "pipeline.py"
    source.write_text("A = 1\n")
    package = tmp_path / "out" / "p.yaml"
    calls: list[Path] = []

    def compile_(path: Path) -> None:
        calls.append(path)
        path.parent.mkdir(exist_ok=True)
        path.write_text(f"compiled from {source.read_text()}")

    assert compile_if_changed(package, [source], {"image": "x"}, compile_)
    assert not compile_if_changed(package, [source], {"image": "x"}, compile_)
    assert compile_if_changed(package, [source], {"image": "y"}, compile_)  # a setting it reads
    source.write_text("A = 2\n")
    assert compile_if_changed(package, [source], {"image": "y"}, compile_)  # its source
    package.write_text("edited by hand")
    assert compile_if_changed(package, [source], {"image": "y"}, compile_)  # the package itself
    package.unlink()
    assert compile_if_changed(package, [source], {"image": "y"}, compile_)
    assert len(calls) == 5
