"""Default plugin: the Google Cloud backends. Google client libraries are imported only when a
backend is built, so `pip install llmops` without the `gcp` extra still lists them."""

from __future__ import annotations

from ...core.hookspecs import hookimpl
