"""Conversation storage growth and append cost:

growth   bytes on disk for a 200-turn conversation carrying ~140 KB of text (goal: well
         under 1 MB; a checkpointer that stores the whole history at every turn grows
         quadratically, ~66 MB for the same)
append   p50/p99 of appending one message (goal < 1 ms), against the floor of one plain
         SQLite INSERT of the same row in the same database settings
fork     bytes added by forking at turn 100 and adding 100 new turns

  python benchmarks/bench_history.py [--turns 200]
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
from pathlib import Path

from llmops.conversations import LocalConversationStore as ConversationStore


def size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--turns", type=int, default=200)
    args = ap.parse_args()
    text = "word " * 70  # 350 chars per message, 2 per turn: 200 turns = 140 KB
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "c.db"
        store = ConversationStore(db)
        cid = store.create()
        times = []
        for i in range(args.turns):
            for role in ("user", "model"):
                t = time.perf_counter()
                store.append(cid, role, f"{i} {text}")
                times.append((time.perf_counter() - t) * 1000)
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        carried = sum(len(m.text) for m in store.messages(cid))
        grown = size(db)
        fork = store.fork(cid, store.messages(cid)[args.turns - 1].id)
        for i in range(args.turns // 2):
            store.append(fork, "user", f"fork {i} {text}")
            store.append(fork, "model", f"fork {i} {text}")
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        forked = size(db) - grown
        store.close()
        floor_db = sqlite3.connect(Path(tmp) / "f.db", isolation_level=None)
        floor_db.execute("PRAGMA journal_mode=WAL")
        floor_db.execute("PRAGMA synchronous=NORMAL")
        floor_db.execute("CREATE TABLE m (id TEXT PRIMARY KEY, text TEXT)")
        floor = []
        for i in range(len(times)):
            t = time.perf_counter()
            floor_db.execute("INSERT INTO m VALUES (?, ?)", (str(i), text))
            floor.append((time.perf_counter() - t) * 1000)
    times.sort()
    floor.sort()
    p50, p99, f50 = times[len(times) // 2], times[int(len(times) * 0.99)], floor[len(floor) // 2]
    print(
        f"growth  {args.turns} turns, {carried / 1000:.0f} KB of text -> {grown / 1000:.0f} KB on disk ({grown / carried:.2f}x the text)"
    )
    print(
        f"append  p50 {p50:.3f} ms, p99 {p99:.3f} ms (goal < 1 ms); plain INSERT p50 {f50:.3f} ms; ratio {p50 / f50:.1f}x"
    )
    print(f"fork    at turn {args.turns // 2} plus {args.turns // 2} turns: +{forked / 1000:.0f} KB")


if __name__ == "__main__":
    main()
