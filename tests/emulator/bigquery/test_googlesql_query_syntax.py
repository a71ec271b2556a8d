"""The examples of Google's GoogleSQL query-syntax reference (SELECT * EXCEPT/REPLACE, UNNEST,
UNPIVOT/PIVOT, joins, ROLLUP, HAVING, ORDER BY NULLS FIRST/LAST, QUALIFY, WINDOW, set operators,
LIMIT/OFFSET, WITH RECURSIVE, range variables) with the result tables it documents, run on the
local warehouse (`llmops sql`'s path) and through the real BigQuery client against the emulator.
Column names and order are compared too; rows sorted unless the query orders them.

Rows not on the page (GROUPING SETS, CUBE, GROUPING(), GROUP BY ALL, DISTINCT, UNION/INTERSECT
DISTINCT, CORRESPONDING-free set operations, the PIVOT naming of INT64 values and of one aliased
aggregate) carry results reasoned from the documented semantics over the same small tables.
"""

from __future__ import annotations

from typing import Any

import pytest

_TABLES = {
    "{R}": "Roster AS (SELECT 'Adams' as LastName, 50 as SchoolID UNION ALL SELECT 'Buchanan', 52 "
    "UNION ALL SELECT 'Coolidge', 52 UNION ALL SELECT 'Davis', 51 UNION ALL SELECT 'Eisenhower', 77)",
    "{P}": "PlayerStats AS (SELECT 'Adams' as LastName, 51 as OpponentID, 3 as PointsScored UNION ALL "
    "SELECT 'Buchanan', 77, 0 UNION ALL SELECT 'Coolidge', 77, 1 UNION ALL SELECT 'Adams', 52, 4 "
    "UNION ALL SELECT 'Buchanan', 50, 13)",
    "{T}": "TeamMascot AS (SELECT 50 as SchoolID, 'Jaguars' as Mascot UNION ALL SELECT 51, 'Knights' "
    "UNION ALL SELECT 52, 'Lakers' UNION ALL SELECT 53, 'Mustangs')",
    "{PR}": "Produce AS (SELECT 'Kale' as product, 51 as sales, 'Q1' as quarter, 2020 as year UNION ALL "
    "SELECT 'Kale', 23, 'Q2', 2020 UNION ALL SELECT 'Kale', 45, 'Q3', 2020 UNION ALL SELECT 'Kale', 3, 'Q4', 2020 "
    "UNION ALL SELECT 'Kale', 70, 'Q1', 2021 UNION ALL SELECT 'Kale', 85, 'Q2', 2021 UNION ALL "
    "SELECT 'Apple', 77, 'Q1', 2020 UNION ALL SELECT 'Apple', 0, 'Q2', 2020 UNION ALL SELECT 'Apple', 1, 'Q1', 2021)",
    "{UP}": "Produce AS (SELECT 'Kale' as product, 51 as Q1, 23 as Q2, 45 as Q3, 3 as Q4 UNION ALL "
    "SELECT 'Apple', 77, 0, 25, 2)",
    "{S}": "Sales AS (SELECT 123 AS sku, 1 AS day, 9.99 AS price UNION ALL SELECT 123, 1, 8.99 UNION ALL "
    "SELECT 456, 1, 4.56 UNION ALL SELECT 123, 2, 9.99 UNION ALL SELECT 789, 3, 1.00 UNION ALL "
    "SELECT 456, 3, 4.25 UNION ALL SELECT 789, 3, 0.99)",
    "{XY}": "(SELECT 1 AS x, true AS y UNION ALL SELECT 9, true UNION ALL SELECT NULL, false)",
}

# (name, query, whether it orders its rows, BigQuery's column names, its rows)
CASES: list[tuple[str, str, bool, list[str], list[tuple[Any, ...]]]] = [
    (
        "select_star",
        "SELECT * FROM (SELECT 'apple' AS fruit, 'carrot' AS vegetable)",
        False,
        ["fruit", "vegetable"],
        [("apple", "carrot")],
    ),
    (
        "g_star",
        "WITH groceries AS (SELECT 'milk' AS dairy, 'eggs' AS protein, 'bread' AS grain) SELECT g.* FROM groceries AS g",
        False,
        ["dairy", "protein", "grain"],
        [("milk", "eggs", "bread")],
    ),
    (
        "except",
        "WITH orders AS (SELECT 5 as order_id, 'sprocket' as item_name, 200 as quantity) SELECT * EXCEPT (order_id) FROM orders",
        False,
        ["item_name", "quantity"],
        [("sprocket", 200)],
    ),
    (
        "replace",
        "WITH orders AS (SELECT 5 as order_id, 'sprocket' as item_name, 200 as quantity) SELECT * REPLACE ('widget' AS item_name) FROM orders",
        False,
        ["order_id", "item_name", "quantity"],
        [(5, "widget", 200)],
    ),
    (
        "replace_div",
        "WITH orders AS (SELECT 5 as order_id, 'sprocket' as item_name, 200 as quantity) SELECT * REPLACE (quantity/2 AS quantity) FROM orders",
        False,
        ["order_id", "item_name", "quantity"],
        [(5, "sprocket", 100.0)],
    ),
    ("as_struct_array", "SELECT ARRAY(SELECT AS STRUCT 1 a, 2 b)", False, ["f0_"], [([{"a": 1, "b": 2}],)]),
    # a value table of STRUCTs as the query's result, or read in FROM: its fields are the columns
    ("as_struct_result", "SELECT AS STRUCT 1 AS a, 'x' AS b", False, ["a", "b"], [(1, "x")]),
    ("as_value_struct_result", "SELECT AS VALUE STRUCT(1 AS a, 'x' AS b) xyz", False, ["a", "b"], [(1, "x")]),
    ("as_struct_in_from", "SELECT * FROM (SELECT AS STRUCT 1 AS a, 2 AS b)", False, ["a", "b"], [(1, 2)]),
    ("as_struct_row", "SELECT v FROM (SELECT AS STRUCT 1 AS a, 2 AS b) v", False, ["v"], [({"a": 1, "b": 2},)]),
    (
        "unnest_structs",
        "SELECT * FROM UNNEST(ARRAY<STRUCT<x INT64, y STRING, z STRUCT<a INT64, b INT64>>>[(1, 'foo', (10, 11)), (3, 'bar', (20, 21))])",
        False,
        ["x", "y", "z"],
        [(1, "foo", {"a": 10, "b": 11}), (3, "bar", {"a": 20, "b": 21})],
    ),
    (
        "unnest_range_var",
        "SELECT *, struct_value FROM UNNEST(ARRAY<STRUCT<x INT64, y STRING>>[(1, 'foo'), (3, 'bar')]) AS struct_value",
        False,
        ["x", "y", "struct_value"],
        [(3, "bar", {"x": 3, "y": "bar"}), (1, "foo", {"x": 1, "y": "foo"})],
    ),
    (
        "unnest_offset",
        "SELECT * FROM UNNEST ([10,20,30]) as numbers WITH OFFSET",
        False,
        ["numbers", "offset"],
        [(10, 0), (20, 1), (30, 2)],
    ),
    (
        "unpivot",
        "WITH {UP} SELECT * FROM Produce UNPIVOT(sales FOR quarter IN (Q1, Q2, Q3, Q4))",
        False,
        ["product", "sales", "quarter"],
        [
            ("Kale", 51, "Q1"),
            ("Kale", 23, "Q2"),
            ("Kale", 45, "Q3"),
            ("Kale", 3, "Q4"),
            ("Apple", 77, "Q1"),
            ("Apple", 0, "Q2"),
            ("Apple", 25, "Q3"),
            ("Apple", 2, "Q4"),
        ],
    ),
    (
        "unpivot_multi",
        "WITH {UP} SELECT * FROM Produce UNPIVOT((first_half_sales, second_half_sales) FOR semesters IN ((Q1, Q2) AS 'semester_1', (Q3, Q4) AS 'semester_2'))",
        False,
        ["product", "first_half_sales", "second_half_sales", "semesters"],
        [
            ("Kale", 51, 23, "semester_1"),
            ("Kale", 45, 3, "semester_2"),
            ("Apple", 77, 0, "semester_1"),
            ("Apple", 25, 2, "semester_2"),
        ],
    ),
    (
        "pivot",
        "WITH {PR} SELECT * FROM Produce PIVOT(SUM(sales) FOR quarter IN ('Q1', 'Q2', 'Q3', 'Q4'))",
        False,
        ["product", "year", "Q1", "Q2", "Q3", "Q4"],
        [
            ("Apple", 2020, 77, 0, None, None),
            ("Apple", 2021, 1, None, None, None),
            ("Kale", 2020, 51, 23, 45, 3),
            ("Kale", 2021, 70, 85, None, None),
        ],
    ),
    (
        "pivot_noyear",
        "WITH {PR} SELECT * FROM (SELECT product, sales, quarter FROM Produce) PIVOT(SUM(sales) FOR quarter IN ('Q1', 'Q2', 'Q3', 'Q4'))",
        False,
        ["product", "Q1", "Q2", "Q3", "Q4"],
        [("Apple", 78, 0, None, None), ("Kale", 121, 108, 45, 3)],
    ),
    (
        "pivot_subset",
        "WITH {PR} SELECT * FROM (SELECT product, sales, quarter FROM Produce) PIVOT(SUM(sales) FOR quarter IN ('Q1', 'Q2', 'Q3'))",
        False,
        ["product", "Q1", "Q2", "Q3"],
        [("Apple", 78, 0, None), ("Kale", 121, 108, 45)],
    ),
    (
        "pivot_nogroup",
        "WITH {PR} SELECT * FROM (SELECT sales, quarter FROM Produce) PIVOT(SUM(sales) FOR quarter IN ('Q1', 'Q2', 'Q3'))",
        False,
        ["Q1", "Q2", "Q3"],
        [(199, 108, 45)],
    ),
    (
        "pivot_multi",
        "WITH {PR} SELECT * FROM (SELECT product, sales, quarter FROM Produce) PIVOT(SUM(sales) AS total_sales, COUNT(*) AS num_records FOR quarter IN ('Q1', 'Q2'))",
        False,
        ["product", "total_sales_Q1", "num_records_Q1", "total_sales_Q2", "num_records_Q2"],
        [("Kale", 121, 2, 108, 2), ("Apple", 78, 2, 0, 1)],
    ),
    (
        "inner_join",
        "WITH {R}, {T} SELECT Roster.LastName, TeamMascot.Mascot FROM Roster JOIN TeamMascot ON Roster.SchoolID = TeamMascot.SchoolID",
        False,
        ["LastName", "Mascot"],
        [("Adams", "Jaguars"), ("Buchanan", "Lakers"), ("Coolidge", "Lakers"), ("Davis", "Knights")],
    ),
    (
        "full_join",
        "WITH {R}, {T} SELECT Roster.LastName, TeamMascot.Mascot FROM Roster FULL JOIN TeamMascot ON Roster.SchoolID = TeamMascot.SchoolID",
        False,
        ["LastName", "Mascot"],
        [
            ("Adams", "Jaguars"),
            ("Buchanan", "Lakers"),
            ("Coolidge", "Lakers"),
            ("Davis", "Knights"),
            ("Eisenhower", None),
            (None, "Mustangs"),
        ],
    ),
    (
        "left_join",
        "WITH {R}, {T} SELECT Roster.LastName, TeamMascot.Mascot FROM Roster LEFT JOIN TeamMascot ON Roster.SchoolID = TeamMascot.SchoolID",
        False,
        ["LastName", "Mascot"],
        [
            ("Adams", "Jaguars"),
            ("Buchanan", "Lakers"),
            ("Coolidge", "Lakers"),
            ("Davis", "Knights"),
            ("Eisenhower", None),
        ],
    ),
    (
        "right_join",
        "WITH {R}, {T} SELECT Roster.LastName, TeamMascot.Mascot FROM Roster RIGHT JOIN TeamMascot ON Roster.SchoolID = TeamMascot.SchoolID",
        False,
        ["LastName", "Mascot"],
        [
            ("Adams", "Jaguars"),
            ("Buchanan", "Lakers"),
            ("Coolidge", "Lakers"),
            ("Davis", "Knights"),
            (None, "Mustangs"),
        ],
    ),
    (
        "using_star",
        "WITH {R}, {T} SELECT * FROM Roster INNER JOIN TeamMascot USING (SchoolID)",
        False,
        ["SchoolID", "LastName", "Mascot"],
        [(50, "Adams", "Jaguars"), (52, "Buchanan", "Lakers"), (52, "Coolidge", "Lakers"), (51, "Davis", "Knights")],
    ),
    ("comma_join_count", "WITH {R}, {T} SELECT COUNT(*) FROM Roster, TeamMascot", False, ["f0_"], [(20,)]),
    (
        "rollup_day",
        "WITH {S} SELECT day, SUM(price) AS total FROM Sales GROUP BY ROLLUP(day)",
        False,
        ["day", "total"],
        [(None, 39.77), (1, 23.54), (2, 9.99), (3, 6.24)],
    ),
    (
        "rollup_sku_day",
        "WITH {S} SELECT sku, day, SUM(price) AS total FROM Sales GROUP BY ROLLUP(sku, day) ORDER BY sku, day",
        False,
        ["sku", "day", "total"],
        [
            (None, None, 39.77),
            (123, None, 28.97),
            (123, 1, 18.98),
            (123, 2, 9.99),
            (456, None, 8.81),
            (456, 1, 4.56),
            (456, 3, 4.25),
            (789, None, 1.99),
            (789, 3, 1.99),
        ],
    ),
    (
        "having_alias",
        "WITH {P} SELECT LastName, SUM(PointsScored) AS total FROM PlayerStats GROUP BY LastName HAVING total > 15",
        False,
        ["LastName", "total"],
        [],
    ),
    (
        "having_agg",
        "WITH {P} SELECT LastName, COUNT(*) FROM PlayerStats GROUP BY LastName HAVING SUM(PointsScored) > 10",
        False,
        ["LastName", "f0_"],
        [("Buchanan", 2)],
    ),
    ("order_default", "SELECT x, y FROM {XY} ORDER BY x", True, ["x", "y"], [(None, False), (1, True), (9, True)]),
    (
        "order_nulls_last",
        "SELECT x, y FROM {XY} ORDER BY x NULLS LAST",
        True,
        ["x", "y"],
        [(1, True), (9, True), (None, False)],
    ),
    ("order_desc", "SELECT x, y FROM {XY} ORDER BY x DESC", True, ["x", "y"], [(9, True), (1, True), (None, False)]),
    (
        "order_desc_nulls_first",
        "SELECT x, y FROM {XY} ORDER BY x DESC NULLS FIRST",
        True,
        ["x", "y"],
        [(None, False), (9, True), (1, True)],
    ),
    (
        "group_by_sum",
        "WITH {P} SELECT LastName, SUM(PointsScored) FROM PlayerStats GROUP BY LastName",
        False,
        ["LastName", "f0_"],
        [("Adams", 7), ("Buchanan", 13), ("Coolidge", 1)],
    ),
    (
        "group_by_ordinal",
        "WITH {P} SELECT SUM(PointsScored), LastName FROM PlayerStats GROUP BY 2 ORDER BY 2",
        True,
        ["f0_", "LastName"],
        [(7, "Adams"), (13, "Buchanan"), (1, "Coolidge")],
    ),
    (
        "union_all",
        "WITH {P}, {T} SELECT Mascot AS X, SchoolID AS Y FROM TeamMascot UNION ALL SELECT LastName, PointsScored FROM PlayerStats",
        False,
        ["X", "Y"],
        [
            ("Jaguars", 50),
            ("Knights", 51),
            ("Lakers", 52),
            ("Mustangs", 53),
            ("Adams", 3),
            ("Buchanan", 0),
            ("Coolidge", 1),
            ("Adams", 4),
            ("Buchanan", 13),
        ],
    ),
    (
        "except_distinct",
        "WITH {R}, {P} SELECT LastName FROM Roster EXCEPT DISTINCT SELECT LastName FROM PlayerStats",
        False,
        ["LastName"],
        [("Eisenhower",), ("Davis",)],
    ),
    (
        "except_distinct_rev",
        "WITH {R}, {P} SELECT LastName FROM PlayerStats EXCEPT DISTINCT SELECT LastName FROM Roster",
        False,
        ["LastName"],
        [],
    ),
    (
        "except_unnest",
        "SELECT * FROM UNNEST(ARRAY<int64>[1, 2, 3]) AS number EXCEPT DISTINCT SELECT 1",
        False,
        ["number"],
        [(2,), (3,)],
    ),
    (
        "limit",
        "SELECT * FROM UNNEST(ARRAY<STRING>['a', 'b', 'c', 'd', 'e']) AS letter ORDER BY letter ASC LIMIT 2",
        True,
        ["letter"],
        [("a",), ("b",)],
    ),
    (
        "limit_offset",
        "SELECT * FROM UNNEST(ARRAY<STRING>['a', 'b', 'c', 'd', 'e']) AS letter ORDER BY letter ASC LIMIT 3 OFFSET 1",
        True,
        ["letter"],
        [("b",), ("c",), ("d",)],
    ),
    (
        "rec1",
        "WITH RECURSIVE T1 AS ( (SELECT 1 AS n) UNION ALL (SELECT n + 1 AS n FROM T1 WHERE n < 3) ) SELECT n FROM T1",
        False,
        ["n"],
        [(2,), (1,), (3,)],
    ),
    (
        "rec2",
        "WITH RECURSIVE T1 AS ((SELECT 1 AS n) UNION ALL (SELECT n + 2 FROM T1 WHERE n < 4)) SELECT * FROM T1 ORDER BY n",
        True,
        ["n"],
        [(1,), (3,), (5,)],
    ),
    (
        "rec3",
        "WITH RECURSIVE T0 AS (SELECT 1 AS n), T1 AS ((SELECT * FROM T0) UNION ALL (SELECT n + 1 FROM T1 WHERE n < 4)), T2 AS ((SELECT 1 AS n) UNION ALL (SELECT n + 1 FROM T2 WHERE n < 4)), T3 AS (SELECT * FROM T1 INNER JOIN T2 USING (n)) SELECT * FROM T3 ORDER BY n",
        True,
        ["n"],
        [(1,), (2,), (3,), (4,)],
    ),
    (
        "rec4",
        "WITH RECURSIVE T0 AS (SELECT * FROM UNNEST ([60, 20, 30])), T1 AS ((SELECT 1 AS n) UNION ALL (SELECT n + (SELECT COUNT(*) FROM T0) FROM T1 WHERE n < 4)) SELECT * FROM T1 ORDER BY n",
        True,
        ["n"],
        [(1,), (4,)],
    ),
    (
        "rec5",
        "WITH RECURSIVE T0 AS (SELECT 1 AS n), T1 AS ((SELECT 1 AS n) UNION ALL (SELECT n + 1 FROM T1 INNER JOIN T0 USING (n))) SELECT * FROM T1 ORDER BY n",
        True,
        ["n"],
        [(1,), (2,)],
    ),
    (
        "rec6",
        "WITH RECURSIVE T0 AS (SELECT 2 AS p), T1 AS ((SELECT 1 AS n) UNION ALL (SELECT T1.n + T0.p FROM T1 CROSS JOIN T0 WHERE T1.n < 4)) SELECT * FROM T1 CROSS JOIN T0 ORDER BY n",
        True,
        ["n", "p"],
        [(1, 2), (3, 2), (5, 2)],
    ),
    (
        "rec7",
        "WITH RECURSIVE T1 AS ( (SELECT 0 AS n) UNION DISTINCT (SELECT MOD(n + 1, 5) FROM T1) ) SELECT * FROM T1 ORDER BY n",
        True,
        ["n"],
        [(0,), (1,), (2,), (3,), (4,)],
    ),
    (
        "rec_self",
        "WITH RECURSIVE A AS (SELECT 1 AS n UNION ALL (SELECT n + 1 FROM A WHERE n < 3)) SELECT * FROM A",
        False,
        ["n"],
        [(1,), (2,), (3,)],
    ),
    (
        "rec_forward",
        "WITH RECURSIVE A AS (SELECT * FROM B), B AS (SELECT 1 AS n) SELECT * FROM B",
        False,
        ["n"],
        [(1,)],
    ),
    (
        "rec_backward",
        "WITH RECURSIVE A AS (SELECT 1 AS n), B AS (SELECT * FROM A) SELECT * FROM B",
        False,
        ["n"],
        [(1,)],
    ),
    ("nonrec_backward", "WITH A AS (SELECT 1 AS n), B AS (SELECT * FROM A) SELECT * FROM B", False, ["n"], [(1,)]),
    (
        "range_var_col",
        "WITH Grid AS (SELECT 1 x, 2 y) SELECT Coordinate.x FROM Grid AS Coordinate",
        False,
        ["x"],
        [(1,)],
    ),
    (
        "range_var_star",
        "WITH Grid AS (SELECT 1 x, 2 y) SELECT Coordinate.* FROM Grid AS Coordinate",
        False,
        ["x", "y"],
        [(1, 2)],
    ),
    (
        "range_var_struct",
        "WITH Grid AS (SELECT 1 x, 2 y) SELECT Coordinate FROM Grid AS Coordinate",
        False,
        ["Coordinate"],
        [({"x": 1, "y": 2},)],
    ),
    (
        "qualify_rank",
        "WITH Produce AS (SELECT 'kale' as item, 23 as purchases, 'vegetable' as category UNION ALL SELECT 'banana', 2, 'fruit' UNION ALL SELECT 'cabbage', 9, 'vegetable' UNION ALL SELECT 'apple', 8, 'fruit' UNION ALL SELECT 'leek', 2, 'vegetable' UNION ALL SELECT 'lettuce', 10, 'vegetable') SELECT item, RANK() OVER (PARTITION BY category ORDER BY purchases DESC) as rank FROM Produce WHERE Produce.category = 'vegetable' QUALIFY rank <= 3",
        False,
        ["item", "rank"],
        [("kale", 1), ("lettuce", 2), ("cabbage", 3)],
    ),
    (
        "qualify_nosel",
        "WITH Produce AS (SELECT 'kale' as item, 23 as purchases, 'vegetable' as category UNION ALL SELECT 'banana', 2, 'fruit' UNION ALL SELECT 'cabbage', 9, 'vegetable' UNION ALL SELECT 'apple', 8, 'fruit' UNION ALL SELECT 'leek', 2, 'vegetable' UNION ALL SELECT 'lettuce', 10, 'vegetable') SELECT item FROM Produce WHERE Produce.category = 'vegetable' QUALIFY RANK() OVER (PARTITION BY category ORDER BY purchases DESC) <= 3",
        False,
        ["item"],
        [("kale",), ("lettuce",), ("cabbage",)],
    ),
    (
        "window1",
        "WITH Produce AS (SELECT 'kale' as item, 23 as purchases, 'vegetable' as category UNION ALL SELECT 'banana', 2, 'fruit' UNION ALL SELECT 'cabbage', 9, 'vegetable' UNION ALL SELECT 'apple', 8, 'fruit' UNION ALL SELECT 'leek', 2, 'vegetable' UNION ALL SELECT 'lettuce', 10, 'vegetable') SELECT item, purchases, category, LAST_VALUE(item) OVER (item_window) AS most_popular FROM Produce WINDOW item_window AS (PARTITION BY category ORDER BY purchases ROWS BETWEEN 2 PRECEDING AND 2 FOLLOWING)",
        False,
        ["item", "purchases", "category", "most_popular"],
        [
            ("banana", 2, "fruit", "apple"),
            ("apple", 8, "fruit", "apple"),
            ("leek", 2, "vegetable", "lettuce"),
            ("cabbage", 9, "vegetable", "kale"),
            ("lettuce", 10, "vegetable", "kale"),
            ("kale", 23, "vegetable", "kale"),
        ],
    ),
    (
        "window3",
        "WITH Produce AS (SELECT 'kale' as item, 23 as purchases, 'vegetable' as category UNION ALL SELECT 'banana', 2, 'fruit' UNION ALL SELECT 'cabbage', 9, 'vegetable' UNION ALL SELECT 'apple', 8, 'fruit' UNION ALL SELECT 'leek', 2, 'vegetable' UNION ALL SELECT 'lettuce', 10, 'vegetable') SELECT item, purchases, category, LAST_VALUE(item) OVER (c ROWS BETWEEN 2 PRECEDING AND 2 FOLLOWING) AS most_popular FROM Produce WINDOW a AS (PARTITION BY category), b AS (a ORDER BY purchases), c AS b",
        False,
        ["item", "purchases", "category", "most_popular"],
        [
            ("banana", 2, "fruit", "apple"),
            ("apple", 8, "fruit", "apple"),
            ("leek", 2, "vegetable", "lettuce"),
            ("cabbage", 9, "vegetable", "kale"),
            ("lettuce", 10, "vegetable", "kale"),
            ("kale", 23, "vegetable", "kale"),
        ],
    ),
    (
        "grouping_sets",
        "WITH Products AS (SELECT 'shirt' AS product_type, 't-shirt' AS product_name, 3 AS product_count UNION ALL SELECT 'shirt', 't-shirt', 8 UNION ALL SELECT 'shirt', 'polo', 25 UNION ALL SELECT 'pants', 'jeans', 7) SELECT product_type, product_name, SUM(product_count) AS product_sum FROM Products GROUP BY GROUPING SETS (product_type, product_name)",
        False,
        ["product_type", "product_name", "product_sum"],
        [("shirt", None, 36), ("pants", None, 7), (None, "t-shirt", 11), (None, "polo", 25), (None, "jeans", 7)],
    ),
    (
        "grouping_sets_empty",
        "WITH Products AS (SELECT 'shirt' AS product_type, 't-shirt' AS product_name, 3 AS product_count UNION ALL SELECT 'shirt', 't-shirt', 8 UNION ALL SELECT 'shirt', 'polo', 25 UNION ALL SELECT 'pants', 'jeans', 7) SELECT product_type, SUM(product_count) AS s FROM Products GROUP BY GROUPING SETS ((product_type), ())",
        False,
        ["product_type", "s"],
        [("shirt", 36), ("pants", 7), (None, 43)],
    ),
    (
        "cube",
        "WITH Products AS (SELECT 'shirt' AS product_type, 't-shirt' AS product_name, 3 AS product_count UNION ALL SELECT 'shirt', 't-shirt', 8 UNION ALL SELECT 'shirt', 'polo', 25 UNION ALL SELECT 'pants', 'jeans', 7) SELECT product_type, product_name, SUM(product_count) AS product_sum FROM Products GROUP BY CUBE (product_type, product_name)",
        False,
        ["product_type", "product_name", "product_sum"],
        [
            ("shirt", "t-shirt", 11),
            ("shirt", "polo", 25),
            ("pants", "jeans", 7),
            ("shirt", None, 36),
            ("pants", None, 7),
            (None, "t-shirt", 11),
            (None, "polo", 25),
            (None, "jeans", 7),
            (None, None, 43),
        ],
    ),
    (
        "grouping_fn",
        "WITH Products AS (SELECT 'shirt' AS product_type, 't-shirt' AS product_name, 3 AS product_count UNION ALL SELECT 'shirt', 't-shirt', 8 UNION ALL SELECT 'shirt', 'polo', 25 UNION ALL SELECT 'pants', 'jeans', 7) SELECT product_type, GROUPING(product_type) AS g, SUM(product_count) AS s FROM Products GROUP BY ROLLUP(product_type)",
        False,
        ["product_type", "g", "s"],
        [("shirt", 0, 36), ("pants", 0, 7), (None, 1, 43)],
    ),
    (
        "group_by_all",
        "WITH Products AS (SELECT 'shirt' AS product_type, 't-shirt' AS product_name, 3 AS product_count UNION ALL SELECT 'shirt', 't-shirt', 8 UNION ALL SELECT 'shirt', 'polo', 25 UNION ALL SELECT 'pants', 'jeans', 7) SELECT product_type, SUM(product_count) AS s FROM Products GROUP BY ALL",
        False,
        ["product_type", "s"],
        [("shirt", 36), ("pants", 7)],
    ),
    (
        "group_by_all_expr",
        "WITH Products AS (SELECT 'shirt' AS product_type, 't-shirt' AS product_name, 3 AS product_count UNION ALL SELECT 'shirt', 't-shirt', 8 UNION ALL SELECT 'shirt', 'polo', 25 UNION ALL SELECT 'pants', 'jeans', 7) SELECT UPPER(product_type) AS t, COUNT(*) AS n FROM Products GROUP BY ALL",
        False,
        ["t", "n"],
        [("SHIRT", 3), ("PANTS", 1)],
    ),
    ("distinct", "SELECT DISTINCT x FROM UNNEST([1, 1, 2, NULL, NULL]) AS x", False, ["x"], [(1,), (2,), (None,)]),
    ("by_name", "SELECT 1 AS a, 2 AS b UNION ALL BY NAME SELECT 3 AS b, 4 AS a", False, ["a", "b"], [(1, 2), (4, 3)]),
    ("union_distinct", "SELECT 1 AS a UNION DISTINCT SELECT 1 UNION DISTINCT SELECT 2", False, ["a"], [(1,), (2,)]),
    (
        "intersect_distinct",
        "SELECT * FROM UNNEST([1,1,2,3]) AS a INTERSECT DISTINCT SELECT * FROM UNNEST([1,1,3])",
        False,
        ["a"],
        [(1,), (3,)],
    ),
    (
        "intersect_distinct_doc",
        "WITH {R}, {P} SELECT LastName FROM Roster INTERSECT DISTINCT SELECT LastName FROM PlayerStats",
        False,
        ["LastName"],
        [("Adams",), ("Coolidge",), ("Buchanan",)],
    ),
    (
        "pivot_agg_alias",
        "WITH {PR} SELECT * FROM (SELECT product, sales, quarter FROM Produce) PIVOT(SUM(sales) AS total FOR quarter IN ('Q1', 'Q2'))",
        False,
        ["product", "total_Q1", "total_Q2"],
        [("Kale", 121, 108), ("Apple", 78, 0)],
    ),
    (
        "pivot_int_values",
        "WITH {PR} SELECT * FROM (SELECT sales, year FROM Produce) PIVOT(SUM(sales) FOR year IN (2020, 2021 AS y))",
        False,
        ["_2020", "y"],
        [(199, 156)],
    ),
    (
        "pivot_int_values_aliased_aggs",
        "WITH {PR} SELECT * FROM (SELECT sales, year FROM Produce) PIVOT(SUM(sales) AS s, COUNT(*) AS c FOR year IN (2020, 2021 AS y))",
        False,
        ["s_2020", "c_2020", "s_y", "c_y"],
        [(199, 6, 156, 3)],
    ),
]


def _sql(text: str) -> str:
    for key, table in _TABLES.items():
        text = text.replace(key, table)
    return text


def _rows(rows: list[tuple[Any, ...]], ordered: bool) -> list[tuple[Any, ...]]:
    rows = [tuple(round(v, 6) if isinstance(v, float) else v for v in row) for row in rows]
    return rows if ordered else sorted(rows, key=repr)


@pytest.mark.parametrize("name, sql, ordered, columns, rows", CASES, ids=[c[0] for c in CASES])
def test_local_warehouse(warehouse, name, sql, ordered, columns, rows):
    result = warehouse.query_result(_sql(sql))
    assert [f["name"] for f in result.schema] == columns
    got = [tuple(r.values()) for r in result.table.to_pylist()]
    assert _rows(got, ordered) == _rows(rows, ordered)


def test_bigquery_client(bigquery_client):
    for name, sql, ordered, columns, rows in CASES:
        result = bigquery_client.query_and_wait(_sql(sql))
        assert [f.name for f in result.schema] == columns, name
        got = [tuple(r.values()) for r in result]
        assert _rows(got, ordered) == _rows(rows, ordered), name


def test_pivot_values_without_a_known_name_are_refused(warehouse):
    from llmops.core.errors import QueryError

    # BigQuery names a FLOAT64 literal's column after the pivot column's type (NUMERIC: `_1_point_5`)
    with pytest.raises(QueryError, match="is not supported by the local warehouse"):
        warehouse.query_result(
            _sql("WITH {PR} SELECT * FROM (SELECT sales, year FROM Produce) PIVOT(SUM(sales) FOR year IN (1.5))")
        )
