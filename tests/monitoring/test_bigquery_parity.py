"""The same GoogleSQL figures on BigQuery (the emulator, through google-cloud-bigquery) as on
the local DuckDB warehouse: one implementation, two warehouses."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from llmops.core import monitoring
from llmops.core.config import load_settings
from llmops.core.session import Session
from llmops.monitoring import report, store
from llmops.monitoring.synthetic import rows


@pytest.fixture
def emulated(llmops_emulator, tmp_path):
    settings = load_settings(
        "emulated", overrides={"workspace": str(tmp_path / "ws")}, environ={"LLMOPS_ENDPOINT": llmops_emulator.endpoint}
    )
    with Session(settings) as s:
        yield s


def test_report_figures_match_on_bigquery_and_duckdb(emulated, session, settings):
    day = datetime(2024, 5, 1, tzinfo=UTC)
    data = rows(600, day, seed=3)
    table = f"mon_{uuid.uuid4().hex[:8]}.predictions"
    log = monitoring.log_for(emulated)
    assert type(log) is monitoring.PredictionLog  # BigQuery: the table, through insert_rows
    monitoring.PredictionLog(emulated.warehouse, table=table).write(data)
    store.append(settings.workspace, data)
    monitoring.log_for(session).ensure_table()

    kw = {
        "since": datetime(2024, 5, 1, 12, tzinfo=UTC),
        "until": datetime(2024, 5, 2, tzinfo=UTC),
        "baseline": "previous",
        "text_drift": False,
    }
    remote = report.build(emulated.warehouse, table=table, **kw)
    local = report.build(session.warehouse, **kw)
    for key in ("window", "bucket_seconds", "summary", "timeseries", "groups", "worst"):
        assert remote[key] == local[key], key
    assert remote["drift"]["results"] == local["drift"]["results"]
    assert remote["summary"]["requests"] == 300
