"""Bad input a newcomer types: one line naming the option and the fix, exit 1, nothing on stdout."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["predict", "hi", "--safety", "bogus"], "--safety 'bogus' is not CATEGORY=THRESHOLD (write it as --safety"),
        (["sql", "SELECT @a", "-P", "a"], "--param 'a' is not name=value (write it as --param name=value)"),
        (["eval", "-m", "text-bison@001", "--judge", "nope:x"], "unknown model provider 'nope'"),
        (["embed", "hello", " "], "error: text 2 of 2 is empty (pass the texts to embed, each non-empty)"),
    ],
)
def test_bad_values_name_their_option(cli, args, message):
    r = cli(*args)
    assert (r.code, r.out) == (1, "")
    assert message in r.err and len(r.err.strip().splitlines()) == 1
