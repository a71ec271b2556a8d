"""A day of synthetic production traffic for demos, tests and benchmarks: steady until midday,
then a topic shift (Python questions give way to the Stack Overflow sample's mixed topics at
12:00), a latency spike (13:00–18:00) and a blocked-rate rise (from 15:00)."""

from __future__ import annotations

import json
import os
import uuid
from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Any

import numpy as np

from ..core.monitoring import SAFETY_COLUMNS, SCHEMA_VERSION
from . import store

TOPIC_SHIFT_H, SPIKE_H, BLOCK_RISE_H = 12, (13, 18), 15


def questions() -> tuple[list[str], list[str]]:
    """(Python questions, mixed-topic questions) from the bundled Stack Overflow sample."""
    root = resources.files("llmops") / "data" / "stackoverflow" / "posts_questions.jsonl"
    python: list[str] = []
    mixed: list[str] = []
    for line in root.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        text = f"{row['title']} {(row.get('body') or '')[:400]}"
        (python if row["id"] < 0 else mixed).append(text)
    return python, mixed


def rows(n: int, day: datetime, seed: int = 0) -> list[dict[str, Any]]:
    """`n` log rows spread evenly over the day starting at `day` (UTC midnight)."""
    rng = np.random.default_rng(seed)
    python, mixed = questions()
    out = []
    for i in range(n):
        t = day + timedelta(seconds=86400 * (i + rng.random()) / n)
        hour = (t - day).total_seconds() / 3600
        topic = mixed if hour >= TOPIC_SHIFT_H else python
        prompt = topic[int(rng.integers(len(topic)))]
        latency = float(rng.lognormal(np.log(220), 0.3))
        if SPIKE_H[0] <= hour < SPIKE_H[1]:
            latency *= 6
        blocked = bool(rng.random() < (0.12 if hour >= BLOCK_RISE_H else 0.01))
        response = "" if blocked else f"An answer about: {prompt[:80]}"
        row: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "request_id": str(uuid.UUID(int=int(rng.integers(2**63)) << 64 | i)),
            "created": t.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "provider": "synthetic",
            "model": "gemini-1.5-flash-002" if i % 4 else "text-bison@001",
            "prompt_version": "v2" if hour >= 6 else "v1",
            "prompt": prompt,
            "response": response,
            "prompt_chars": len(prompt),
            "response_chars": len(response),
            "blocked": blocked,
            "prompt_blocked": blocked,
            "finish_reason": "SAFETY" if blocked else "STOP",
            "error": "DeadlineExceeded: 504" if rng.random() < 0.002 else None,
            "latency_ms": round(latency, 3),
            "prompt_tokens": len(prompt) // 4,
            "output_tokens": len(response) // 4,
            "max_safety_score": 0.9 if blocked else round(float(rng.random() * 0.2), 3),
            "citations_count": int(rng.random() < 0.1),
            "grounding_score": round(float(rng.beta(8, 2)), 3) if i % 3 == 0 else None,
        }
        for column, _ in SAFETY_COLUMNS:
            base = float(rng.random() * 0.2)
            row[column] = round(base + (0.6 if blocked and column.startswith("harassment") else 0.0), 3)
        out.append(row)
    return out


def log_day(workspace: str | os.PathLike[str], n: int, day: datetime | None = None, seed: int = 0) -> datetime:
    """Append a day of `n` synthetic predictions to a workspace's log; return the day's start."""
    day = day or datetime(2024, 5, 1, tzinfo=UTC)
    batch = rows(n, day, seed)
    for i in range(0, len(batch), 5000):
        store.append(workspace, batch[i : i + 5000])
    store.writer(store.log_dir(workspace)).close()  # a finished segment can be compacted
    return day
