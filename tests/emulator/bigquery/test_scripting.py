"""GoogleSQL procedural scripts, through the local warehouse and through the real BigQuery
client against the emulator (where a script is a parent job with child jobs)."""

from __future__ import annotations

import pytest

from llmops.core.errors import QueryError
from llmops.emulator.bigquery import scripting


@pytest.fixture(params=["local", "client"])
def runner(request):
    """(run(sql) -> rows, error type) for each path, without a dataset (cheaper)."""
    if request.param == "local":
        wh = request.getfixturevalue("scratch_warehouse")
        return (lambda sql: [tuple(r.values()) for r in wh.query_result(sql).table.to_pylist()]), QueryError
    from google.api_core.exceptions import GoogleAPICallError

    client = request.getfixturevalue("bigquery_client")
    return (lambda sql: [tuple(r.values()) for r in client.query(sql).result()]), GoogleAPICallError


CASES = [
    ("DECLARE x INT64 DEFAULT 1; SET x = x + 41; SELECT x", [(42,)]),
    ("DECLARE a, b INT64 DEFAULT 2; SET (a, b) = (5, a * 10); SELECT a, b", [(5, 20)]),
    ("DECLARE s STRING; SET s = (SELECT CONCAT('a', 'b')); SELECT s", [("ab",)]),
    (
        "DECLARE i INT64 DEFAULT 0; DECLARE acc ARRAY<INT64> DEFAULT []; "
        "WHILE i < 3 DO SET i = i + 1; SET acc = ARRAY_CONCAT(acc, [i]); END WHILE; SELECT acc",
        [([1, 2, 3],)],
    ),
    (
        "DECLARE i INT64 DEFAULT 0; DECLARE n INT64 DEFAULT 0; "
        "LOOP SET i = i + 1; IF i > 5 THEN BREAK; ELSEIF MOD(i, 2) = 0 THEN CONTINUE; END IF; SET n = n + i; END LOOP; "
        "SELECT n",
        [(9,)],
    ),
    ("DECLARE i INT64 DEFAULT 0; REPEAT SET i = i + 2; UNTIL i >= 5 END REPEAT; SELECT i", [(6,)]),
    (
        "DECLARE total INT64 DEFAULT 0; FOR r IN (SELECT n FROM UNNEST([1, 2, 3]) AS n) DO "
        "SET total = total + r.n; END FOR; SELECT total",
        [(6,)],
    ),
    (
        "DECLARE x INT64 DEFAULT 5; IF x > 10 THEN SELECT 'big'; ELSEIF x > 1 THEN SELECT 'mid'; ELSE SELECT 'small'; END IF",
        [("mid",)],
    ),
    ("BEGIN SELECT 1 / 0; EXCEPTION WHEN ERROR THEN SELECT @@error.message AS m; END", [("division by zero",)]),
    (
        "DECLARE msg STRING; BEGIN RAISE USING MESSAGE = 'custom'; EXCEPTION WHEN ERROR THEN SET msg = @@error.message; END; "
        "SELECT msg",
        [("custom",)],
    ),
    ("DECLARE a INT64; EXECUTE IMMEDIATE 'SELECT @v * 2' INTO a USING 21 AS v; SELECT a", [(42,)]),
    ("DECLARE a INT64; EXECUTE IMMEDIATE 'SELECT ? + ?' INTO a USING 1, 2; SELECT a", [(3,)]),
    ("SELECT 1; RETURN; SELECT 2", [(1,)]),
    ("outer_loop: LOOP LOOP LEAVE outer_loop; END LOOP; END LOOP outer_loop; SELECT 'out'", [("out",)]),
    ("CREATE TEMP FUNCTION triple(x INT64) AS (x * 3); DECLARE y INT64 DEFAULT triple(2); SELECT triple(y)", [(18,)]),
]


@pytest.mark.parametrize("sql, expected", CASES, ids=[f"case-{i}" for i in range(len(CASES))])
def test_script(runner, sql, expected):
    run, _ = runner
    assert run(sql) == expected


def test_transactions_and_table_ddl(env):
    run, ds, _ = env
    run(f"CREATE TABLE {ds}.t (a INT64, b STRING) AS SELECT 1, 'one'")
    script = f"BEGIN TRANSACTION; INSERT INTO {ds}.t VALUES (2, 'two'); {{}} TRANSACTION; SELECT COUNT(*) FROM {ds}.t"
    assert run(script.format("ROLLBACK")) == [(1,)]
    assert run(script.format("COMMIT")) == [(2,)]
    assert run(f"SELECT a, b FROM {ds}.t ORDER BY a") == [(1, "one"), (2, "two")]


def test_variables_are_bound_not_pasted(env):
    run, ds, _ = env
    run(f"CREATE TABLE {ds}.names (name STRING)")
    evil = "x'); DROP TABLE names; --"
    run(f"DECLARE v STRING DEFAULT {evil!r}; INSERT INTO {ds}.names VALUES (v)".replace('"', "'''", 2))
    assert run(f"SELECT name FROM {ds}.names") == [(evil,)]


BAD = [
    ("SET nope = 1", "Unrecognized name: nope"),
    ("DECLARE x INT64; SET x = 'abc'", "Cannot coerce expression 'abc' to type INT64"),
    ("DECLARE x INT64 DEFAULT 1; LOOP SET x = 2; END LOOP", "Script exceeded the limit"),
    ("RAISE USING MESSAGE = 'stop here'", "stop here"),
    ("IF TRUE THEN SELECT 1;", "Expected keyword END"),
    ("BEGIN TRANSACTION; SELECT 1", "Transaction was not committed"),
]


@pytest.mark.parametrize("sql, fragment", BAD, ids=[f"bad-{i}" for i in range(len(BAD))])
def test_bad_scripts(runner, monkeypatch, sql, fragment):
    run, error = runner
    monkeypatch.setattr(scripting, "MAX_STEPS", 200)
    with pytest.raises(error) as info:
        run(sql)
    assert fragment in str(info.value)
    if error is not QueryError:
        assert info.value.code == 400


def test_script_job_has_child_jobs(bigquery_client):
    job = bigquery_client.query("DECLARE x INT64 DEFAULT 2; SELECT x * 10 AS v; SELECT x * 100 AS w")
    assert [tuple(r.values()) for r in job.result()] == [(200,)]
    assert job.statement_type == "SCRIPT" and job.num_child_jobs == 2
    children = list(bigquery_client.list_jobs(parent_job=job.job_id))
    assert sorted(c.query for c in children) == ["SELECT x * 10 AS v", "SELECT x * 100 AS w"]
    assert all(c.parent_job_id == job.job_id for c in children)
    assert job.job_id not in {j.job_id for j in bigquery_client.list_jobs(parent_job=job.job_id)}
    top = {j.job_id for j in bigquery_client.list_jobs(max_results=50)}
    assert job.job_id in top and not top & {c.job_id for c in children}


def test_error_in_a_transaction_rolls_it_back(env):
    run, ds, _ = env
    run(f"CREATE TABLE {ds}.t (a INT64)")
    script = (
        f"BEGIN BEGIN TRANSACTION; INSERT INTO {ds}.t VALUES (1); SELECT 1 / 0; COMMIT TRANSACTION; "
        f"EXCEPTION WHEN ERROR THEN SELECT 'handled'; END; SELECT COUNT(*) FROM {ds}.t"
    )
    assert run(script) == [(0,)]


def test_dry_run_of_a_script(bigquery_client):
    from google.api_core.exceptions import BadRequest
    from google.cloud import bigquery

    config = bigquery.QueryJobConfig(dry_run=True)
    job = bigquery_client.query("DECLARE x INT64 DEFAULT 1; SELECT x", job_config=config)
    assert job.statement_type == "SCRIPT" and job.error_result is None
    # As for any query, a dry run of a bad script answers the error itself, not a job.
    with pytest.raises(BadRequest, match="Expected keyword END"):
        bigquery_client.query("IF TRUE THEN SELECT 1;", job_config=config)


def test_a_column_shadows_a_variable_of_the_same_name(env):
    run, ds, _ = env
    run(f"CREATE TABLE {ds}.people AS SELECT 'ann' AS name, 30 AS age")
    script = "DECLARE name STRING DEFAULT 'variable'; DECLARE limit_age INT64 DEFAULT 18; "
    script += f"SELECT name FROM {ds}.people WHERE age > limit_age"
    assert run(script) == [("ann",)]
    assert run("DECLARE n INT64 DEFAULT 5; SELECT n FROM UNNEST([1]) AS n") == [(1,)]


def test_a_failed_script_lists_its_child_jobs(bigquery_client):
    from google.api_core.exceptions import BadRequest

    job = bigquery_client.query("DECLARE x INT64 DEFAULT 0; SELECT 1 AS a; SELECT 1 / x")
    with pytest.raises(BadRequest, match="division by zero"):
        job.result()
    children = sorted(bigquery_client.list_jobs(parent_job=job.job_id), key=lambda j: j.job_id)
    assert [c.query for c in children] == ["SELECT 1 AS a", "SELECT 1 / x"]
    assert children[0].error_result is None and "division by zero" in children[1].error_result["message"]


@pytest.mark.parametrize(
    "sql, expected",
    [
        ("DECLARE x INT64 DEFAULT 2; CREATE TEMP TABLE tt AS SELECT x * 2 AS y; SELECT y FROM tt;", [(4,)]),
        (
            "DECLARE x INT64 DEFAULT 2; CREATE TEMP TABLE tt (y INT64); INSERT INTO tt VALUES (x); SELECT y FROM tt;",
            [(2,)],
        ),
        ("BEGIN CREATE TEMPORARY TABLE IF NOT EXISTS `tt` AS SELECT 1 AS y; SELECT * FROM tt; END;", [(1,)]),
        (
            "DECLARE i INT64 DEFAULT 0; CREATE TEMP TABLE acc (v INT64); "
            "WHILE i < 3 DO INSERT INTO acc VALUES (i); SET i = i + 1; END WHILE; SELECT SUM(v) FROM acc;",
            [(3,)],
        ),
    ],
)
def test_a_procedural_script_reads_its_temp_tables_by_bare_name(env, sql, expected):
    """Each statement of a procedural script is translated on its own: the temp tables earlier ones
    created are passed along (they were "must be qualified with a dataset")."""
    run, _, _ = env
    assert run(sql) == expected


def test_a_bare_name_that_is_no_temp_table_still_needs_a_dataset(env):
    run, _, error = env
    with pytest.raises(error, match="must be qualified with a dataset"):
        run("DECLARE x INT64 DEFAULT 1; CREATE TEMP TABLE tt AS SELECT x AS y; SELECT * FROM other;")
