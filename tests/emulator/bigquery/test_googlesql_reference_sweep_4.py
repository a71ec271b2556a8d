"""Scripts and statements that failed or answered differently from BigQuery in the fourth reference
sweep (the procedural language, DML, DDL, lexical structure and conversion pages):

- the procedural `CASE` statement (searched, and with a search value evaluated once) was a syntax
  error;
- `BREAK label` / `LEAVE label` of a labeled `BEGIN ... END` block was "BREAK or CONTINUE outside of a
  loop" (also from an exception handler); a label reused by a nested statement was accepted;
- `BEGIN;` (`BEGIN [TRANSACTION];`) read as a block, and the reference's `ROLLBACK TRANSACTION` in an
  exception handler failed as "no active transaction";
- `@@row_count` in a script of SQL statements only was refused;
- `UPDATE ... SET x = DEFAULT` (and in MERGE) was "unrecognized name: DEFAULT", and MERGE's `UPDATE
  SET T.quantity = ...` was DuckDB's "Qualified column names in UPDATE .. SET not supported";
- a target row that `UPDATE ... FROM` or MERGE's `WHEN MATCHED` joined with two source rows was
  updated from one of them; BigQuery fails the statement;
- `UPDATE` and `DELETE` without WHERE changed every row; BigQuery requires the WHERE;
- an anonymous tuple `(a, b)` in a later input of a set operation kept DuckDB's `_field_1`,
  `_field_2` names, so the result STRUCT had both inputs' fields, half NULL (the DML page's `SET
  comments = ARRAY(SELECT comment FROM UNNEST(comments) AS comment UNION ALL SELECT (DATE, 'c'))`);
- `ALTER TABLE` with several actions (`ADD COLUMN a ..., ADD COLUMN b ...`, `DROP COLUMN ...,
  DROP COLUMN ...`) was DuckDB's "Only one ALTER command per statement is supported";
- raw bytes literals (`rb'...'`, `br"..."`) were syntax errors;
- a TIMESTAMP literal whose UTC offset has a one-digit hour (`-8:00`, `+5:30`, `-7`) was DuckDB's
  "invalid timestamp field format";
- `INFORMATION_SCHEMA` read by a later statement of a script of SQL statements only did not see what
  the earlier ones created or altered;
- a temporary table made by `EXECUTE IMMEDIATE "CREATE TEMP TABLE Books ..."` was "must be qualified
  with a dataset" when a later statement named it.

Each case is our own script with the answer Google's reference gives, run on the local warehouse and
through the real BigQuery client (`client.query`) against the emulator (conftest's `env`).
"""

from __future__ import annotations

import datetime

import pytest

_INV = (
    "CREATE TABLE {ds}.Inventory (product STRING, quantity INT64, supply_constrained BOOL DEFAULT FALSE);"
    "CREATE TABLE {ds}.NewArrivals (product STRING, quantity INT64, warehouse STRING);"
    "INSERT {ds}.Inventory (product, quantity, supply_constrained) VALUES ('dryer', 30, TRUE), ('oven', 5, TRUE),"
    " ('washer', 10, NULL);"
    "INSERT {ds}.NewArrivals VALUES ('dryer', 200, 'warehouse #2'), ('oven', 300, 'warehouse #3');"
)

# (script, the rows of its last SELECT)
SCRIPTS = [
    # CASE statements
    (
        "DECLARE product_id INT64 DEFAULT 2; CASE product_id WHEN 1 THEN SELECT 'one'; WHEN 2 THEN SELECT 'two';"
        " ELSE SELECT 'other'; END CASE;",
        [("two",)],
    ),
    (
        "DECLARE product_id INT64 DEFAULT 7; CASE product_id WHEN 1 THEN SELECT 'one'; ELSE SELECT 'other'; END CASE;",
        [("other",)],
    ),
    (
        "CREATE TABLE {ds}.a (id INT64); CREATE TABLE {ds}.b (id INT64); INSERT {ds}.b VALUES (103);"
        " DECLARE target INT64 DEFAULT 103;"
        " CASE WHEN EXISTS(SELECT 1 FROM {ds}.a WHERE id = target) THEN SELECT 'in a';"
        " WHEN EXISTS(SELECT 1 FROM {ds}.b WHERE id = target) THEN SELECT 'in b'; ELSE SELECT 'nowhere'; END CASE;",
        [("in b",)],
    ),
    # no WHEN matches and no ELSE: nothing runs
    ("DECLARE x INT64 DEFAULT 0; CASE WHEN x > 5 THEN SET x = 1; END CASE; SELECT x;", [(0,)]),
    # a NULL search value equals nothing
    (
        "DECLARE x INT64; DECLARE r STRING DEFAULT 'none'; CASE x WHEN NULL THEN SET r = 'null';"
        " ELSE SET r = 'else'; END CASE; SELECT r;",
        [("else",)],
    ),
    # the search value is evaluated once
    (
        "CREATE TABLE {ds}.n (v INT64); INSERT {ds}.n VALUES (1);"
        " CASE (SELECT COUNT(*) FROM {ds}.n) WHEN 1 THEN INSERT {ds}.n VALUES (2); WHEN 2 THEN SELECT 'never'; END CASE;"
        " SELECT COUNT(*) FROM {ds}.n;",
        [(2,)],
    ),
    # labeled blocks
    ("label_1: BEGIN SELECT 1 AS x; BREAK label_1; SELECT 2 AS x; END;", [(1,)]),
    ("outer_b: BEGIN SELECT 'a' AS s; LEAVE outer_b; END outer_b; SELECT 'after' AS s;", [("after",)]),
    ("label_1: BEGIN DECLARE label_1 INT64; BREAK label_1; END; SELECT 'ok';", [("ok",)]),
    (
        "label_1: BEGIN SELECT 1/0; EXCEPTION WHEN ERROR THEN BREAK label_1; SELECT 2; END; SELECT 'after';",
        [("after",)],
    ),
    (
        "DECLARE n INT64 DEFAULT 0; blk: BEGIN WHILE TRUE DO SET n = n + 1; IF n = 3 THEN BREAK blk; END IF; END WHILE;"
        " SET n = 100; END; SELECT n;",
        [(3,)],
    ),
    # an unlabeled BREAK inside a block still leaves the loop around it
    ("DECLARE n INT64 DEFAULT 0; LOOP BEGIN SET n = n + 1; BREAK; END; END LOOP; SELECT n;", [(1,)]),
    # transactions
    (
        "CREATE TABLE {ds}.t (x INT64); BEGIN; INSERT {ds}.t VALUES (1); ROLLBACK; SELECT COUNT(*) FROM {ds}.t;",
        [(0,)],
    ),
    (
        "CREATE TABLE {ds}.t (x INT64); BEGIN BEGIN TRANSACTION; INSERT {ds}.t VALUES (1); SELECT 1/0;"
        " COMMIT TRANSACTION; EXCEPTION WHEN ERROR THEN SELECT @@error.message; ROLLBACK TRANSACTION; END;"
        " INSERT {ds}.t VALUES (2); SELECT x FROM {ds}.t;",
        [(2,)],
    ),
    # @@row_count in a script of SQL statements only
    (_INV + "UPDATE {ds}.Inventory SET quantity = 0 WHERE quantity < 15; SELECT @@row_count;", [(2,)]),
    (_INV + "DELETE {ds}.Inventory WHERE TRUE; SELECT @@row_count AS n;", [(3,)]),
    # SET x = DEFAULT: the column's default (or NULL without one)
    (
        _INV
        + "UPDATE {ds}.Inventory SET quantity = quantity - 1, supply_constrained = DEFAULT WHERE product = 'dryer';"
        " SELECT quantity, supply_constrained FROM {ds}.Inventory WHERE product = 'dryer';",
        [(29, False)],
    ),
    (
        _INV + "UPDATE {ds}.Inventory SET quantity = DEFAULT WHERE product = 'oven';"
        " SELECT quantity FROM {ds}.Inventory WHERE product = 'oven';",
        [(None,)],
    ),
    (
        _INV + "MERGE {ds}.Inventory T USING {ds}.NewArrivals S ON T.product = S.product"
        " WHEN MATCHED THEN UPDATE SET supply_constrained = DEFAULT;"
        " SELECT product, supply_constrained FROM {ds}.Inventory ORDER BY product;",
        [("dryer", False), ("oven", False), ("washer", None)],
    ),
    # MERGE's UPDATE SET qualified by the target's alias
    (
        _INV + "MERGE {ds}.Inventory T USING {ds}.NewArrivals S ON T.product = S.product"
        " WHEN MATCHED THEN UPDATE SET T.quantity = T.quantity + S.quantity, T.supply_constrained = NULL;"
        " SELECT product, quantity, supply_constrained FROM {ds}.Inventory ORDER BY product;",
        [("dryer", 230, None), ("oven", 305, None), ("washer", 10, None)],
    ),
    # one source row per target row: no error; duplicate source rows that insert are fine too
    (
        _INV + "INSERT {ds}.NewArrivals VALUES ('kettle', 1, 'w'), ('kettle', 2, 'w');"
        " MERGE {ds}.Inventory T USING {ds}.NewArrivals S ON T.product = S.product"
        " WHEN MATCHED THEN UPDATE SET quantity = S.quantity WHEN NOT MATCHED THEN INSERT (product, quantity)"
        " VALUES (product, quantity); SELECT product, quantity FROM {ds}.Inventory ORDER BY product, quantity;",
        [("dryer", 200), ("kettle", 1), ("kettle", 2), ("oven", 300), ("washer", 10)],
    ),
    (
        _INV + "UPDATE {ds}.Inventory i SET quantity = i.quantity + n.quantity FROM {ds}.NewArrivals n"
        " WHERE i.product = n.product; SELECT product, quantity FROM {ds}.Inventory ORDER BY product;",
        [("dryer", 230), ("oven", 305), ("washer", 10)],
    ),
]

SCRIPTS += [
    (
        "CREATE TABLE {ds}.t (x INT64); CREATE OR REPLACE TABLE {ds}.t (y STRING, z DATE);"
        " SELECT column_name FROM {ds}.INFORMATION_SCHEMA.COLUMNS WHERE table_name = 't' ORDER BY ordinal_position;",
        [("y",), ("z",)],
    ),
    (
        "CREATE TABLE {ds}.t (x INT64, y STRING); ALTER TABLE {ds}.t ALTER COLUMN x SET DATA TYPE NUMERIC;"
        " SELECT data_type FROM {ds}.INFORMATION_SCHEMA.COLUMNS WHERE table_name = 't' AND column_name = 'x';",
        [("NUMERIC",)],
    ),
    (
        "CREATE TABLE {ds}.t (x INT64); ALTER TABLE {ds}.t SET OPTIONS (description = 'my table');"
        " SELECT option_value FROM {ds}.INFORMATION_SCHEMA.TABLE_OPTIONS"
        " WHERE table_name = 't' AND option_name = 'description';",
        [('"my table"',)],
    ),
    (
        "DECLARE first_year INT64;"
        ' EXECUTE IMMEDIATE "CREATE TEMP TABLE Books (title STRING, publish_date INT64)";'
        ' EXECUTE IMMEDIATE "INSERT INTO Books (title, publish_date) VALUES (@name, @year)" USING 1815 AS year,'
        " \"Emma\" AS name; INSERT INTO Books VALUES ('Hamlet', 1599);"
        ' EXECUTE IMMEDIATE "SELECT MIN(publish_date) FROM Books" INTO first_year; SELECT first_year;',
        [(1599,)],
    ),
]

SCRIPTS += [
    # a UTC offset with a one-digit hour ({+|-}H[H][:M[M]])
    (
        "SELECT TIMESTAMP '2014-09-27 12:30:00.45-8:00' = TIMESTAMP '2014-09-27 20:30:00.45+00',"
        " CAST('2014-09-27 12:30:00+5:30' AS TIMESTAMP) = TIMESTAMP '2014-09-27 07:00:00+00',"
        " UNIX_SECONDS(TIMESTAMP '2014-09-27 12:30:00-7') - UNIX_SECONDS(TIMESTAMP '2014-09-27 12:30:00Z')",
        [(True, True, 25200)],
    ),
]

SCRIPTS += [
    # an anonymous tuple in a later input of a set operation takes the first input's field names
    (
        "SELECT s.a, s.b FROM (SELECT STRUCT(1 AS a, 'x' AS b) AS s UNION ALL SELECT (2, 'y')) ORDER BY s.a",
        [(1, "x"), (2, "y")],
    ),
    (
        "CREATE TABLE {ds}.DetailedInventory (product STRING, comments ARRAY<STRUCT<created DATE, comment STRING>>);"
        " INSERT {ds}.DetailedInventory VALUES ('washer', [(DATE '2015-01-01', 'old')]);"
        " UPDATE {ds}.DetailedInventory SET comments = ARRAY(SELECT comment FROM UNNEST(comments) AS comment"
        " UNION ALL SELECT (CAST('2016-01-01' AS DATE), 'comment1')) WHERE product LIKE '%washer%';"
        " SELECT c.comment, c.created FROM {ds}.DetailedInventory, UNNEST(comments) AS c ORDER BY c.created;",
        [("old", datetime.date(2015, 1, 1)), ("comment1", datetime.date(2016, 1, 1))],
    ),
]

SCRIPTS += [
    # ALTER TABLE with several actions (the DDL reference's ADD COLUMN list)
    (
        "CREATE TABLE {ds}.t (x INT64, y STRING); ALTER TABLE {ds}.t ADD COLUMN a STRING,"
        " ADD COLUMN IF NOT EXISTS b GEOGRAPHY, ADD COLUMN c ARRAY<NUMERIC>,"
        " ADD COLUMN d DATE OPTIONS(description = 'my description');"
        " SELECT column_name, data_type FROM {ds}.INFORMATION_SCHEMA.COLUMNS WHERE table_name = 't'"
        " ORDER BY ordinal_position;",
        [
            ("x", "INT64"),
            ("y", "STRING"),
            ("a", "STRING"),
            ("b", "GEOGRAPHY"),
            ("c", "ARRAY<NUMERIC>"),
            ("d", "DATE"),
        ],
    ),
    (
        "CREATE TABLE {ds}.t (x INT64, y STRING, z BOOL); INSERT {ds}.t VALUES (1, 'a', TRUE);"
        " ALTER TABLE {ds}.t DROP COLUMN IF EXISTS q, DROP COLUMN y, DROP COLUMN z; SELECT * FROM {ds}.t;",
        [(1,)],
    ),
]

SCRIPTS += [
    # raw bytes literals keep their backslashes
    (
        r"""SELECT rb'\x01' = b'\\x01', LENGTH(br'\x01'), RB"a\"b" = b'a\\"b', Br'''x'y''' = b"x'y" """,
        [(True, 4, True, True)],
    ),
]

# (script, a fragment of BigQuery's error)
ERRORS = [
    (_INV + "DELETE {ds}.Inventory;", "DELETE must have a WHERE clause"),
    (_INV + "UPDATE {ds}.Inventory SET quantity = 0;", "UPDATE must have a WHERE clause"),
    (
        _INV + "INSERT {ds}.NewArrivals VALUES ('dryer', 1, 'warehouse #1');"
        " MERGE {ds}.Inventory T USING {ds}.NewArrivals S ON T.product = S.product"
        " WHEN MATCHED THEN UPDATE SET quantity = S.quantity;",
        "UPDATE/MERGE must match at most one source row for each target row",
    ),
    (
        _INV + "INSERT {ds}.NewArrivals VALUES ('oven', 1, 'warehouse #1');"
        " MERGE {ds}.Inventory T USING {ds}.NewArrivals S ON T.product = S.product WHEN MATCHED THEN DELETE;",
        "UPDATE/MERGE must match at most one source row for each target row",
    ),
    (
        _INV + "INSERT {ds}.NewArrivals VALUES ('dryer', 1, 'warehouse #1');"
        " UPDATE {ds}.Inventory i SET quantity = n.quantity FROM {ds}.NewArrivals n WHERE i.product = n.product;",
        "UPDATE/MERGE must match at most one source row for each target row",
    ),
    ("label_1: BEGIN label_1: BEGIN BREAK label_1; END; END;", "Label label_1 is already in use"),
]


@pytest.mark.parametrize("script, rows", SCRIPTS, ids=[f"script-{i}" for i in range(len(SCRIPTS))])
def test_script(env, script, rows):
    run, ds, _ = env
    assert run(script.format(ds=ds)) == rows


@pytest.mark.parametrize("script, fragment", ERRORS, ids=[f"error-{i}" for i in range(len(ERRORS))])
def test_error(env, script, fragment):
    run, ds, error = env
    with pytest.raises(error) as info:
        run(script.format(ds=ds))
    assert fragment in str(info.value)


def test_failed_merge_changes_nothing(env):
    """The failing MERGE leaves the table as it was (the error is the statement's, not a row's)."""
    run, ds, error = env
    with pytest.raises(error):
        run(
            (
                _INV + "INSERT {ds}.NewArrivals VALUES ('dryer', 1, 'w');"
                " MERGE {ds}.Inventory T USING {ds}.NewArrivals S ON T.product = S.product"
                " WHEN MATCHED THEN UPDATE SET quantity = S.quantity;"
            ).format(ds=ds)
        )
    assert run(f"SELECT product, quantity FROM {ds}.Inventory ORDER BY product") == [
        ("dryer", 30),
        ("oven", 5),
        ("washer", 10),
    ]
