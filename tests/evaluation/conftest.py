"""Shared data: text pairs built from the bundled Stack Overflow eval split."""

from __future__ import annotations

import pytest

from llmops.core import data, evaluation


@pytest.fixture(scope="session")
def bundled_pairs(tmp_path_factory):
    """(reference, candidate) pairs from the bundled eval split: each reference against its
    prompt, against a neighbour's reference, and against itself with every third word dropped."""
    from llmops.core.config import Settings
    from llmops.core.session import Session

    with Session(Settings(workspace=tmp_path_factory.mktemp("ws"), log_predictions=False)) as s:
        version = data.prepare(s)
        examples = evaluation.read_examples(s, version.eval.uri)
    refs = [e.reference for e in examples]
    pairs = [(e.reference, e.prompt) for e in examples]
    pairs += [(r, refs[(i + 1) % len(refs)]) for i, r in enumerate(refs)]
    pairs += [(r, " ".join(w for j, w in enumerate(r.split()) if j % 3)) for r in refs]
    return pairs
