"""JavaScript UDFs (the `js` extra, mini-racer's V8): temporary and persistent, through the
local warehouse and through the real BigQuery client; bounded; a one-line error without the extra."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from llmops.core.errors import QueryError

pytest.importorskip("py_mini_racer")


def test_temporary_js_udf(env):
    run, _, _ = env
    sql = (
        'CREATE TEMP FUNCTION multiply(x FLOAT64, y FLOAT64) RETURNS FLOAT64 LANGUAGE js AS r"""return x * y;"""; '
        "SELECT multiply(a, 2.5) AS m FROM UNNEST([2.0, 4.0]) AS a ORDER BY m"
    )
    assert run(sql) == [(5.0,), (10.0,)]


def test_persistent_js_udf_across_queries(env):
    run, ds, _ = env
    run(
        f"CREATE FUNCTION {ds}.shout(s STRING) RETURNS STRING LANGUAGE js "
        "AS r'''return s === null ? null : s.toUpperCase() + '!';'''"
    )
    assert run(f"SELECT {ds}.shout('hi'), {ds}.shout(NULL)") == [("HI!", None)]
    run(f"CREATE FUNCTION {ds}.len_int(s STRING) RETURNS INT64 LANGUAGE js AS 'return s.length;'")
    assert run(f"SELECT {ds}.len_int('abcd')") == [(4,)]


BAD = [
    (
        "CREATE TEMP FUNCTION f(x FLOAT64) RETURNS FLOAT64 LANGUAGE js AS 'return x +'; SELECT f(1.0)",
        "JavaScript UDF body is invalid",
    ),
    (
        "CREATE TEMP FUNCTION f(x FLOAT64) RETURNS FLOAT64 LANGUAGE js AS 'while (true) {}'; SELECT f(1.0)",
        "longer than",
    ),
    (
        "CREATE TEMP FUNCTION f(x FLOAT64) RETURNS FLOAT64 LANGUAGE js AS 'throw new Error(\"nope\")'; SELECT f(1.0)",
        "nope",
    ),
]


@pytest.mark.parametrize("sql, fragment", BAD, ids=["syntax", "timeout", "throws"])
def test_bad_js_udfs(env, monkeypatch, sql, fragment):
    from llmops.emulator.bigquery import js_udfs

    if fragment == "longer than":  # only here: on a loaded machine a body can take 0.2 s to compile
        monkeypatch.setattr(js_udfs, "TIMEOUT_S", 0.2)
    run, _, error = env
    with pytest.raises(error) as info:
        run(sql)
    assert fragment in str(info.value)
    if error is not QueryError:
        assert info.value.code == 400


def test_without_the_js_extra_one_line_error(tmp_path):
    code = textwrap.dedent(
        """
        import sys
        class Block:
            def find_spec(self, name, path=None, target=None):
                if name == "py_mini_racer" or name.startswith("py_mini_racer."):
                    raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        sys.meta_path.insert(0, Block())
        from llmops.emulator.bigquery.engine import BigQueryEngine
        from llmops.core.errors import LlmopsError
        try:
            BigQueryEngine().query("CREATE TEMP FUNCTION f(x FLOAT64) RETURNS FLOAT64 LANGUAGE js AS 'return x'; SELECT f(1.0)")
        except LlmopsError as exc:
            print(exc)
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    line = out.stdout.strip()
    assert "\n" not in line and "pip install 'llmops[js]'" in line and "py_mini_racer" in line
