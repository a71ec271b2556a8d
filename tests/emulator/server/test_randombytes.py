"""Ids and etags drawn from the pooled os.urandom bytes never repeat, across a refill and a fork."""

from __future__ import annotations

import os
import sys

import pytest

from llmops.emulator.server.randombytes import random_bytes, random_hex


def test_ids_are_hex_of_the_length_asked_and_never_repeat():
    ids = [random_hex(16) for _ in range(2000)]  # several 4 KiB draws
    assert len(set(ids)) == len(ids)
    assert all(len(i) == 32 and int(i, 16) >= 0 for i in ids)
    assert {len(random_bytes(n)) for n in (1, 9, 4096)} == {1, 9, 4096}


@pytest.mark.skipif(sys.platform == "win32", reason="no fork")
def test_a_forked_child_does_not_hand_out_its_parents_next_bytes():
    random_bytes(1)  # the pool holds bytes the child would otherwise repeat
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.write(write, random_bytes(16))
        os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    child = os.read(read, 16)
    os.close(read)
    assert len(child) == 16 and child != random_bytes(16)
