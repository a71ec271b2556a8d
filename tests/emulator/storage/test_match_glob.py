"""`matchGlob` as Cloud Storage documents it: `*` within a segment, `**` across segments, a
`**` segment also matching no segment, sets, alternatives and escapes."""

from __future__ import annotations

import pytest

from llmops.emulator.storage.glob import Glob

NAMES = ["top.txt", "a/c", "a/b/c", "a/b/d/c", "a/bc", "ac", "a/x.txt", "a/b/y.txt", "logs/2024-01.json", "b/c"]


@pytest.mark.parametrize(
    "pattern, expected",
    [
        ("*.txt", ["top.txt"]),
        ("**.txt", ["a/b/y.txt", "a/x.txt", "top.txt"]),
        ("**/*.txt", ["a/b/y.txt", "a/x.txt", "top.txt"]),  # a leading `**/` also matches no folder
        ("a/**/c", ["a/b/c", "a/b/d/c", "a/c"]),  # `a/**/c` matches `a/c` too, but not `a/bc`
        ("a/*", ["a/bc", "a/c", "a/x.txt"]),
        ("a**c", ["a/b/c", "a/b/d/c", "a/bc", "a/c", "ac"]),
        ("?/c", ["a/c", "b/c"]),
        ("[ab]/c", ["a/c", "b/c"]),
        ("[!a]/c", ["b/c"]),
        ("{a,b}/c", ["a/c", "b/c"]),
        ("logs/2024-0[1-9].json", ["logs/2024-01.json"]),
    ],
)
def test_patterns(pattern, expected):
    glob = Glob(pattern)
    assert sorted(n for n in NAMES if glob.match(n)) == expected


def test_through_the_client(storage_client):
    bucket = storage_client.create_bucket("glob-semantics")
    for name in NAMES:
        bucket.blob(name).upload_from_string(name)
    listed = [b.name for b in storage_client.list_blobs(bucket, match_glob="a/**/c")]
    assert listed == ["a/b/c", "a/b/d/c", "a/c"]
