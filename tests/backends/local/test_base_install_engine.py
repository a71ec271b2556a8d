"""The local warehouse runs on the base install (`pip install -e .`, the README's first command):
no module it imports may need an extra. A change that made the engine import the emulator's HTTP
error helpers (starlette, the `emulator` extra) broke `llmops run` on a fresh machine while every
test passed, since the test extra installs everything; this runs the engine with the extras'
modules made unimportable."""

from __future__ import annotations

import subprocess
import sys
import textwrap

EXTRAS = (
    "starlette",
    "uvicorn",
    "httptools",
    "uvloop",
    "google_crc32c",
    "fastavro",
    "google.cloud",
    "google.genai",
    "wordllama",
    "shapely",
    "py_mini_racer",
)


def test_the_engine_runs_without_any_extra(tmp_path):
    script = textwrap.dedent(
        f"""
        import sys
        for name in {EXTRAS!r}:
            sys.modules[name] = None  # importing it now raises ImportError
        from llmops.emulator.bigquery.engine import BigQueryEngine

        engine = BigQueryEngine({str(tmp_path / "w.duckdb")!r})
        engine.create_dataset("llmops-local", "d")
        run = lambda sql: engine.query(sql, default_project="llmops-local").table.to_pylist()
        run("CREATE TABLE d.p (x DATE, v INT64) PARTITION BY x OPTIONS (require_partition_filter = true)")
        run("INSERT d.p VALUES (DATE '2024-01-01', 1), (DATE '2024-01-02', 3)")
        assert run("SELECT SUM(v) AS s FROM d.p WHERE x > '2000-01-01'") == [{{"s": 4}}]
        assert run("SELECT 1 AS a; SELECT 2 AS b") == [{{"b": 2}}]
        run("CREATE MODEL d.m OPTIONS (model_type = 'linear_reg', input_label_cols = ['y']) AS "
            "SELECT v AS x, 2 * v + 1 AS y FROM d.p WHERE x > '2000-01-01'")
        (row,) = run("SELECT predicted_y FROM ML.PREDICT(MODEL d.m, (SELECT 10 AS x))")
        assert abs(row["predicted_y"] - 21) < 1e-6, row
        assert run("SELECT CAST(CAST('2024-01-01 00:00:00.123456789012' AS TIMESTAMP(12)) AS STRING) AS t") == [
            {{"t": "2024-01-01 00:00:00.123456789012+00"}}
        ]
        # `llmops sql` writes FLOAT64 NaN/infinity and INTERVAL values with the encoding module
        from llmops.emulator.bigquery.encoding import float_text, interval_text

        (row,) = run("SELECT CAST('NaN' AS FLOAT64) AS n, INTERVAL 1 DAY AS i")
        assert float_text(row["n"]) == "NaN" and interval_text(row["i"]) == "0-0 1 0:0:0", row
        print("ok")
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().endswith("ok")
