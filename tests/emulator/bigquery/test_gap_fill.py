"""GAP_FILL, the time series table function (was refused by name: "table function GAP_FILL is not
supported by the local warehouse").

Each case runs on the local warehouse and through the real BigQuery client against the emulator.
The page examples are the time series functions reference's twelve and the "Work with time
series data" guide's three, with the rows the pages print; one exception, said where it is: the
reference's "rows (buckets) are added for gaps" example prints rows that contradict its other
examples. The rest are our own queries with the answer the reference's definitions give.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest

from llmops.backends.local.warehouse import DuckDBWarehouse
from llmops.core.config import Settings
from llmops.core.errors import QueryError


@pytest.fixture(scope="module")
def gap_warehouse(tmp_path_factory):
    wh = DuckDBWarehouse(Settings(workspace=tmp_path_factory.mktemp("gapfill") / "ws"))
    yield wh
    wh.close()


@pytest.fixture(params=["local", "client"])
def run(request):
    """run(sql, dataset name replaces `mydataset`) -> (column names and types, rows); errors as
    (exception type)."""
    ds = f"ds_{uuid.uuid4().hex[:8]}"
    if request.param == "local":
        wh = request.getfixturevalue("gap_warehouse")
        wh.query_result(f"CREATE SCHEMA {ds}")

        def local(sql: str) -> tuple[list[str], list[tuple]]:
            result = wh.query_result(sql.replace("mydataset", ds))
            names = [f"{f['name']}:{f['type']}" for f in result.schema]
            return names, [tuple(_plain(v) for v in r.values()) for r in result.table.to_pylist()]

        yield local, QueryError
        wh.query_result(f"DROP SCHEMA {ds} CASCADE")
        return
    from google.api_core.exceptions import BadRequest

    client = request.getfixturevalue("bigquery_client")
    client.create_dataset(ds)

    def remote(sql: str) -> tuple[list[str], list[tuple]]:
        rows = client.query(sql.replace("mydataset", ds)).result()
        names = [f"{f.name}:{_LEGACY.get(f.field_type, f.field_type)}" for f in rows.schema]
        return names, [tuple(_plain(v) for v in r.values()) for r in rows]

    yield remote, BadRequest
    client.delete_dataset(ds, delete_contents=True, not_found_ok=True)


_LEGACY = {"INTEGER": "INT64", "FLOAT": "FLOAT64"}  # the client's names of the types


def _plain(v: Any) -> Any:
    """A time value as the pages print it (a TIMESTAMP in UTC)."""
    if isinstance(v, dt.datetime):
        if v.tzinfo is not None:
            assert v.utcoffset() == dt.timedelta(0)
        return v.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(v, dt.date):
        return v.isoformat()
    return v


# ------------------------------------------------------------------ the reference's examples


def _device_data(rows: str) -> str:
    return f"""CREATE TEMP TABLE device_data AS
SELECT * FROM UNNEST(
  ARRAY<STRUCT<device_id INT64, time DATETIME, signal INT64, state STRING>>[{rows}]);
"""


FIRST = """
    STRUCT(1, DATETIME '2023-11-01 09:34:01', 74, 'INACTIVE'),
    STRUCT(2, DATETIME '2023-11-01 09:36:00', 77, 'ACTIVE'),
    STRUCT(3, DATETIME '2023-11-01 09:37:00', 78, 'ACTIVE'),
    STRUCT(4, DATETIME '2023-11-01 09:38:01', 80, 'ACTIVE')"""
WITH_NULL = FIRST.replace("09:37:00', 78", "09:37:00', NULL")
FOUR_MINUTES = FIRST.replace("78, 'ACTIVE'", "79, 'ACTIVE'")
GAPS = """
    STRUCT(1, DATETIME '2023-11-01 09:35:39', 74, 'INACTIVE'),
    STRUCT(2, DATETIME '2023-11-01 09:37:39', 77, 'ACTIVE'),
    STRUCT(3, DATETIME '2023-11-01 09:38:00', 77, 'ACTIVE'),
    STRUCT(4, DATETIME '2023-11-01 09:40:00', 80, 'ACTIVE')"""
CONDENSED = """
    STRUCT(1, DATETIME '2023-11-01 09:35:39', 74, 'INACTIVE'),
    STRUCT(2, DATETIME '2023-11-01 09:36:60', 77, 'ACTIVE'),
    STRUCT(3, DATETIME '2023-11-01 09:37:00', 77, 'ACTIVE'),
    STRUCT(4, DATETIME '2023-11-01 09:37:20', 80, 'ACTIVE')"""
DEVICES = """
    STRUCT(2, DATETIME '2023-11-01 09:35:07', 87, 'ACTIVE'),
    STRUCT(1, DATETIME '2023-11-01 09:35:26', 82, 'ACTIVE'),
    STRUCT(3, DATETIME '2023-11-01 09:35:39', 74, 'INACTIVE'),
    STRUCT(2, DATETIME '2023-11-01 09:36:07', 88, 'ACTIVE'),
    STRUCT(1, DATETIME '2023-11-01 09:36:26', 82, 'ACTIVE'),
    STRUCT(2, DATETIME '2023-11-01 09:37:07', 88, 'ACTIVE'),
    STRUCT(1, DATETIME '2023-11-01 09:37:28', 80, 'ACTIVE'),
    STRUCT(3, DATETIME '2023-11-01 09:37:39', 77, 'ACTIVE'),
    STRUCT(2, DATETIME '2023-11-01 09:38:07', 86, 'ACTIVE'),
    STRUCT(1, DATETIME '2023-11-01 09:38:26', 81, 'ACTIVE'),
    STRUCT(3, DATETIME '2023-11-01 09:38:39', 77, 'ACTIVE')"""
STATES = """
    STRUCT(1, DATETIME '2023-11-01 09:34:01', 74, 'ACTIVE'),
    STRUCT(2, DATETIME '2023-11-01 09:36:00', 77, 'INACTIVE'),
    STRUCT(3, DATETIME '2023-11-01 09:38:00', 78, 'ACTIVE'),
    STRUCT(4, DATETIME '2023-11-01 09:39:01', 80, 'ACTIVE')"""


def _call(rest: str, order: str = "time") -> str:
    return f"""SELECT *
FROM GAP_FILL(
  TABLE device_data,
  ts_column => 'time',
  bucket_width => INTERVAL 1 MINUTE{rest}
)
ORDER BY {order};"""


def _minutes(*rows: tuple) -> list[tuple]:
    return [(f"2023-11-01 09:{r[0]}", *r[1:]) for r in rows]


TIME_SIGNAL = ["time:DATETIME", "signal:INT64"]
REFERENCE = {
    "locf": (
        FIRST,
        _call(",\n  value_columns => [\n    ('signal', 'locf')\n  ]"),
        TIME_SIGNAL,
        _minutes(("35:00", 74), ("36:00", 77), ("37:00", 78), ("38:00", 78)),
    ),
    "linear": (
        FIRST,
        _call(",\n  value_columns => [\n    ('signal', 'linear')\n  ]"),
        TIME_SIGNAL,
        _minutes(("35:00", 75), ("36:00", 77), ("37:00", 78), ("38:00", 80)),
    ),
    "null": (
        FIRST,
        _call(",\n  value_columns => [\n    ('signal', 'null')\n  ]"),
        TIME_SIGNAL,
        _minutes(("35:00", None), ("36:00", 77), ("37:00", 78), ("38:00", None)),
    ),
    "nulls ignored by default": (
        WITH_NULL,
        _call(",\n  value_columns => [\n    ('signal', 'linear')\n  ]"),
        TIME_SIGNAL,
        _minutes(("35:00", 75), ("36:00", 77), ("37:00", 78), ("38:00", 80)),
    ),
    "ignore_null_values => FALSE": (
        WITH_NULL,
        _call(",\n  value_columns => [\n    ('signal', 'linear')\n  ],\n  ignore_null_values => FALSE"),
        TIME_SIGNAL,
        _minutes(("35:00", 75), ("36:00", 77), ("37:00", None), ("38:00", None)),
    ),
    "no value_columns: null on every column": (
        FOUR_MINUTES,
        _call(""),
        ["time:DATETIME", "device_id:INT64", "signal:INT64", "state:STRING"],
        _minutes(
            ("35:00", None, None, None),
            ("36:00", 2, 77, "ACTIVE"),
            ("37:00", 3, 79, "ACTIVE"),
            ("38:00", None, None, None),
        ),
    ),
    # The page prints 74, 74, 74, 77, 77: a 09:38 bucket of 74 although the rows at 09:37:39 and
    # at 09:38:00 hold 77, and 77 at 09:40 although a row at 09:40:00 holds 80. That contradicts
    # the page's own examples: its "partitions" example answers 77 at 09:38 for device 3 from the
    # same first two rows (09:35:39 74, 09:37:39 77), and its "locf" example takes the row at
    # exactly 09:36:00 for its bucket. These are the rows those examples give.
    "rows added for gaps": (
        GAPS,
        _call(",\n  value_columns => [\n    ('signal', 'locf')\n  ]"),
        TIME_SIGNAL,
        _minutes(("36:00", 74), ("37:00", 74), ("38:00", 77), ("39:00", 77), ("40:00", 80)),
    ),
    "condensed": (
        CONDENSED,
        _call(",\n  value_columns => [\n    ('signal', 'locf')\n  ]"),
        TIME_SIGNAL,
        _minutes(("36:00", 74), ("37:00", 77)),
    ),
    "partitions": (
        DEVICES,
        _call(
            ",\n  partitioning_columns => ['device_id'],\n  value_columns => [\n    ('signal', 'locf')\n  ]",
            order="device_id, time",
        ),
        ["time:DATETIME", "device_id:INT64", "signal:INT64"],
        _minutes(
            ("36:00", 1, 82),
            ("37:00", 1, 82),
            ("38:00", 1, 80),
            ("36:00", 2, 87),
            ("37:00", 2, 88),
            ("38:00", 2, 88),
            ("36:00", 3, 74),
            ("37:00", 3, 74),
            ("38:00", 3, 77),
        ),
    ),
    "several methods": (
        STATES,
        _call(",\n  value_columns => [\n    ('signal', 'linear'),\n    ('state', 'locf')\n  ]"),
        ["time:DATETIME", "signal:INT64", "state:STRING"],
        _minutes(
            ("35:00", 75, "ACTIVE"),
            ("36:00", 77, "INACTIVE"),
            ("37:00", 78, "INACTIVE"),
            ("38:00", 78, "ACTIVE"),
            ("39:00", 80, "ACTIVE"),
        ),
    ),
    "origin": (
        STATES,
        _call(",\n  value_columns => [\n    ('signal', 'null')\n  ],\n  origin => DATETIME '2023-11-01 09:30:01'"),
        TIME_SIGNAL,
        _minutes(("34:01", 74), ("35:01", None), ("36:01", None), ("37:01", None), ("38:01", None), ("39:01", 80)),
    ),
}


@pytest.mark.parametrize("name", list(REFERENCE))
def test_reference_examples(run, name):
    rows, query, names, want = REFERENCE[name]
    execute, _ = run
    got_names, got = execute(_device_data(rows) + query)
    assert got_names == names
    # ORDER BY device_id alone leaves the order within a device open ("partitions")
    assert (sorted(got) if name == "partitions" else got) == (sorted(want) if name == "partitions" else want)


def test_reference_subquery_argument(run):
    execute, _ = run
    names, got = execute(f"""SELECT *
FROM GAP_FILL(
  (
    SELECT * FROM UNNEST(
    ARRAY<STRUCT<device_id INT64, time DATETIME, signal INT64, state STRING>>[{FIRST}
    ])
  ),
  ts_column => 'time',
  bucket_width => INTERVAL 1 MINUTE,
  value_columns => [
    ('signal', 'linear')
  ]
)
ORDER BY time;""")
    assert names == TIME_SIGNAL
    assert got == _minutes(("35:00", 75), ("36:00", 77), ("37:00", 78), ("38:00", 80))


# ------------------------------------------------------------------ the guide's examples

HOURLY_WITH_GAPS = [
    (60606, "00:30:51", 22, 66),
    (60606, "01:32:10", 23, 63),
    (60606, "02:30:35", 22, 60),
    (60606, "03:29:39", 21, 58),
    (60606, "04:33:05", 21, 59),
    (60606, "05:32:01", 21, 57),
    (60606, "06:31:14", 22, 56),
    (60606, "07:31:06", 28, 55),
    (60606, "08:29:59", 30, 55),
    (60606, "09:29:34", 31, 55),
    (60606, "10:31:24", 38, 56),
    (60606, "11:31:24", 38, 56),
    (60606, "16:34:22", 43, 65),
    (60606, "17:33:23", 42, 68),
    (60606, "18:28:47", 36, 69),
    (60606, "19:30:28", 34, 67),
    (60606, "20:30:53", 29, 67),
    (60606, "21:32:28", 27, 67),
    (60606, "22:31:45", 25, 65),
    (60606, "23:31:02", 22, 63),
    (94105, "00:07:11", 60, 74),
    (94105, "01:07:24", 61, 73),
    (94105, "02:08:07", 60, 71),
    (94105, "03:11:05", 69, 69),
    (94105, "04:07:26", 72, 67),
    (94105, "05:08:11", 70, 66),
    (94105, "06:07:30", 68, 65),
    (94105, "07:07:10", 77, 64),
    (94105, "08:06:35", 81, 64),
    (94105, "09:10:18", 82, 63),
    (94105, "10:08:10", 107, 62),
    (94105, "11:08:01", 115, 62),
    (94105, "12:07:39", 120, 62),
    (94105, "13:06:03", 125, 61),
    (94105, "14:08:37", 129, 62),
    (94105, "19:08:43", 151, 67),
    (94105, "20:07:19", 150, 69),
    (94105, "21:07:37", 148, 72),
    (94105, "22:08:01", 143, 76),
    (94105, "23:08:41", 137, 75),
]
CREATE_HOURLY = (
    "CREATE OR REPLACE TABLE mydataset.environmental_data_hourly_with_gaps AS\nSELECT * FROM UNNEST(\n"
    "  ARRAY<STRUCT<zip_code INT64, time TIMESTAMP, aqi INT64, temperature INT64>>[\n"
    + ",\n".join(f"    STRUCT({z}, TIMESTAMP '2020-09-08 {t}', {a}, {c})" for z, t, a, c in HOURLY_WITH_GAPS)
    + "\n]);\n"
)
AGGREGATED = """WITH aggregated_3_hr AS (
  SELECT
    TIMESTAMP_BUCKET(time, INTERVAL 3 HOUR) AS time,
    zip_code,
    CAST(AVG(aqi) AS INT64) AS aqi,
    CAST(AVG(temperature) AS INT64) AS temperature
   FROM mydataset.environmental_data_hourly_with_gaps
   GROUP BY zip_code, time)

SELECT *
FROM GAP_FILL(
  TABLE aggregated_3_hr,
  ts_column => 'time',
  bucket_width => INTERVAL 3 HOUR,
  partitioning_columns => ['zip_code']{rest}
)
ORDER BY zip_code, time;"""
GUIDE_NAMES = ["time:TIMESTAMP", "zip_code:INT64", "aqi:INT64", "temperature:INT64"]


def _hours(zip_code: int, *rows: tuple) -> list[tuple]:
    return [(f"2020-09-08 {h:02d}:00:00", zip_code, *r) for h, *r in rows]


def test_guide_fill_gaps_with_null(run):
    execute, _ = run
    execute(CREATE_HOURLY)
    names, got = execute(AGGREGATED.format(rest=""))
    assert names == GUIDE_NAMES
    assert got == _hours(
        60606,
        (0, 22, 63),
        (3, 21, 58),
        (6, 27, 55),
        (9, 36, 56),
        (12, None, None),
        (15, 43, 67),
        (18, 33, 68),
        (21, 25, 65),
    ) + _hours(
        94105,
        (0, 60, 73),
        (3, 70, 67),
        (6, 75, 64),
        (9, 101, 62),
        (12, 125, 62),
        (15, None, None),
        (18, 151, 68),
        (21, 143, 74),
    )


def test_guide_fill_gaps_with_linear_and_locf(run):
    execute, _ = run
    execute(CREATE_HOURLY)
    names, got = execute(
        AGGREGATED.format(rest=",\n  value_columns => [\n    ('aqi', 'locf'),\n    ('temperature', 'linear')\n  ]")
    )
    assert names == GUIDE_NAMES
    assert got == _hours(
        60606,
        (0, 22, 63),
        (3, 21, 58),
        (6, 27, 55),
        (9, 36, 56),
        (12, 36, 62),
        (15, 43, 67),
        (18, 33, 68),
        (21, 25, 65),
    ) + _hours(
        94105,
        (0, 60, 73),
        (3, 70, 67),
        (6, 75, 64),
        (9, 101, 62),
        (12, 125, 62),
        (15, 125, 65),
        (18, 151, 68),
        (21, 143, 74),
    )


def test_guide_align_time_series(run):
    execute, _ = run
    execute(
        "CREATE OR REPLACE TABLE mydataset.device_data AS\nSELECT * FROM UNNEST(\n"
        "  ARRAY<STRUCT<device_id INT64, time TIMESTAMP, signal INT64, state STRING>>["
        + DEVICES.replace("DATETIME '", "TIMESTAMP '")
        + "\n]);"
    )
    names, got = execute("""SELECT *
FROM GAP_FILL(
  TABLE mydataset.device_data,
  ts_column => 'time',
  bucket_width => INTERVAL 1 MINUTE,
  partitioning_columns => ['device_id'],
  value_columns => [
    ('signal', 'linear'),
    ('state', 'locf')
  ]
)
ORDER BY time, device_id;""")
    assert names == ["time:TIMESTAMP", "device_id:INT64", "signal:INT64", "state:STRING"]
    assert got == [
        (f"2023-11-01 09:{m}:00", d, s, state)
        for m, d, s, state in [
            (36, 1, 82, "ACTIVE"),
            (36, 2, 88, "ACTIVE"),
            (36, 3, 75, "INACTIVE"),
            (37, 1, 81, "ACTIVE"),
            (37, 2, 88, "ACTIVE"),
            (37, 3, 76, "INACTIVE"),
            (38, 1, 81, "ACTIVE"),
            (38, 2, 86, "ACTIVE"),
            (38, 3, 77, "ACTIVE"),
        ]
    ]


# ------------------------------------------------------------------ our own cases

EDGES = [
    # DATE buckets before and after the default origin 1950-01-01 (2-day buckets: ..., 1949-12-30,
    # 1950-01-01, 1950-01-03, ...); FLOAT64 interpolated without rounding
    (
        "SELECT * FROM GAP_FILL((SELECT * FROM UNNEST([STRUCT(DATE '1949-12-29' AS d, 1.0 AS v),"
        " (DATE '1950-01-04', 4.0)])), 'd', INTERVAL 2 DAY, value_columns => [('v', 'linear')]) ORDER BY d",
        ["d:DATE", "v:FLOAT64"],
        [("1949-12-30", 1.5), ("1950-01-01", 2.5), ("1950-01-03", 3.5)],
    ),
    # positional arguments; TIMESTAMP; a NULL partition is a time series of its own; locf with
    # ignore_null_values => FALSE carries a NULL forward
    (
        "SELECT * FROM GAP_FILL((SELECT * FROM UNNEST([STRUCT(TIMESTAMP '2020-01-01 00:00:10' AS t,"
        " CAST(NULL AS INT64) AS g, 5 AS v), (TIMESTAMP '2020-01-01 00:00:50', NULL, NULL),"
        " (TIMESTAMP '2020-01-01 00:01:40', NULL, 9), (TIMESTAMP '2020-01-01 00:00:30', 1, 7)])),"
        " 't', INTERVAL 20 SECOND, ['g'], [('v', 'locf')], ignore_null_values => FALSE) ORDER BY g, t",
        ["t:TIMESTAMP", "g:INT64", "v:INT64"],
        [
            ("2020-01-01 00:00:20", None, 5),
            ("2020-01-01 00:00:40", None, 5),
            ("2020-01-01 00:01:00", None, None),
            ("2020-01-01 00:01:20", None, None),
            ("2020-01-01 00:01:40", None, 9),
        ],
    ),
    # the same with NULLs ignored (the default): the last non-NULL value
    (
        "SELECT * FROM GAP_FILL((SELECT * FROM UNNEST([STRUCT(TIMESTAMP '2020-01-01 00:00:10' AS t, 5 AS v),"
        " (TIMESTAMP '2020-01-01 00:00:50', NULL), (TIMESTAMP '2020-01-01 00:01:40', 9)])),"
        " 't', INTERVAL 20 SECOND, value_columns => [('v', 'locf')]) ORDER BY t",
        ["t:TIMESTAMP", "v:INT64"],
        [
            ("2020-01-01 00:00:20", 5),
            ("2020-01-01 00:00:40", 5),
            ("2020-01-01 00:01:00", 5),
            ("2020-01-01 00:01:20", 5),
            ("2020-01-01 00:01:40", 9),
        ],
    ),
    # empty input: no rows, the columns in GAP_FILL's order
    (
        "SELECT * FROM GAP_FILL((SELECT 'a' AS s, DATETIME '2020-01-01 00:00:00' AS t FROM UNNEST([1]) WHERE FALSE),"
        " 't', INTERVAL 1 HOUR)",
        ["t:DATETIME", "s:STRING"],
        [],
    ),
    # a series whose rows fall between two buckets has none
    (
        "SELECT COUNT(*) FROM GAP_FILL((SELECT DATETIME '2020-01-01 00:10:00' AS t UNION ALL"
        " SELECT DATETIME '2020-01-01 00:50:00'), 't', INTERVAL 1 HOUR)",
        ["f0_:INT64"],
        [(0,)],
    ),
    # GAP_FILL of a WITH query that is itself a GAP_FILL, with a custom DATE origin
    (
        "WITH a AS (SELECT DATE '2020-01-01' AS d, 1 AS v UNION ALL SELECT DATE '2020-01-05', 5),"
        " b AS (SELECT * FROM GAP_FILL(TABLE a, 'd', INTERVAL 1 DAY, value_columns => [('v', 'linear')]))"
        " SELECT * FROM GAP_FILL(TABLE b, 'd', INTERVAL 1 WEEK, origin => DATE '2020-01-03') ORDER BY d",
        ["d:DATE", "v:INT64"],
        [("2020-01-03", 3)],
    ),
    # monthly DATE buckets (from the default origin's first of the month); linear by elapsed days:
    # 1 + 5 * 17 / 138 on 2020-02-01, 6 + 2 * 30 / 49 on 2020-07-01
    (
        "SELECT d, ROUND(v, 4) AS v FROM GAP_FILL((SELECT DATE '2020-01-15' AS d, 1.0 AS v UNION ALL"
        " SELECT DATE '2020-06-01', 6.0 UNION ALL SELECT DATE '2020-07-20', 8.0), 'd', INTERVAL 1 MONTH,"
        " value_columns => [('v', 'linear')]) ORDER BY d",
        ["d:DATE", "v:FLOAT64"],
        [
            ("2020-02-01", 1.6159),
            ("2020-03-01", 2.6667),
            ("2020-04-01", 3.7899),
            ("2020-05-01", 4.8768),
            ("2020-06-01", 6.0),
            ("2020-07-01", 7.2245),
        ],
    ),
    # two-month buckets from a custom origin, yearly DATETIME buckets across the default origin
    (
        "SELECT * FROM GAP_FILL((SELECT DATE '2020-01-15' AS d, 1 AS v UNION ALL SELECT DATE '2020-09-30', 6),"
        " 'd', INTERVAL 2 MONTH, origin => DATE '2020-02-01', value_columns => [('v', 'locf')]) ORDER BY d",
        ["d:DATE", "v:INT64"],
        [("2020-02-01", 1), ("2020-04-01", 1), ("2020-06-01", 1), ("2020-08-01", 1)],
    ),
    (
        "SELECT * FROM GAP_FILL((SELECT DATETIME '1949-03-05 10:00:00' AS d, 1 AS v UNION ALL"
        " SELECT DATETIME '1952-01-01 00:00:00', 6), 'd', INTERVAL 1 YEAR, value_columns => [('v', 'locf')]) ORDER BY d",
        ["d:DATETIME", "v:INT64"],
        [("1950-01-01 00:00:00", 1), ("1951-01-01 00:00:00", 1), ("1952-01-01 00:00:00", 6)],
    ),
    # linear at exactly half way rounds an INT64 away from zero
    (
        "SELECT v FROM GAP_FILL((SELECT DATE '2020-01-01' AS d, -1 AS v UNION ALL SELECT DATE '2020-01-03', -4),"
        " 'd', INTERVAL 1 DAY, value_columns => [('v', 'linear')]) ORDER BY d",
        ["v:INT64"],
        [(-1,), (-3,), (-4,)],
    ),
]


@pytest.mark.parametrize("sql, names, want", EDGES)
def test_own_cases(run, sql, names, want):
    execute, _ = run
    assert execute(sql) == (names, want)


ERRORS = [
    (
        "SELECT * FROM GAP_FILL((SELECT 1 AS t, 2 AS v), 't', INTERVAL 1 DAY)",
        "GAP_FILL's time series column t must be of type DATE, DATETIME or TIMESTAMP, not INT64",
    ),
    (
        "SELECT * FROM GAP_FILL((SELECT DATE '2020-01-01' AS d, 'a' AS v), 'd', INTERVAL 1 DAY,"
        " value_columns => [('v', 'linear')])",
        "GAP_FILL's linear gap-filling method needs a numeric column; v is STRING",
    ),
    (
        "SELECT * FROM GAP_FILL((SELECT DATE '2020-01-01' AS d), 'd', INTERVAL 1 DAY, origin => TIMESTAMP '2020-01-01')",
        "GAP_FILL's origin must have the type of the time series column d (DATE), not TIMESTAMP",
    ),
    (
        "SELECT * FROM GAP_FILL((SELECT DATE '2020-01-01' AS d), 'd', INTERVAL 6 HOUR)",
        "GAP_FILL's bucket width INTERVAL 6 HOUR is not a whole number of days, which a DATE column needs",
    ),
    ("SELECT * FROM GAP_FILL((SELECT DATE '2020-01-01' AS d), 'e', INTERVAL 1 DAY)", "ts_column e is not a column"),
    (
        "SELECT * FROM GAP_FILL((SELECT DATE '2020-01-01' AS d, 1 AS v), 'd', INTERVAL 1 DAY,"
        " value_columns => [('v', 'spline')])",
        "GAP_FILL's gap-filling method must be 'null', 'locf' or 'linear', not 'spline'",
    ),
    ("SELECT * FROM GAP_FILL((SELECT DATE '2020-01-01' AS d), 'd', INTERVAL 0 DAY)", "bucket_width must be positive"),
    # refused by name: what the local warehouse does not serve
    (
        "SELECT * FROM GAP_FILL((SELECT TIMESTAMP '2020-01-01' AS t), 't', INTERVAL 1 MONTH)",
        "a GAP_FILL bucket width in months, quarters or years (INTERVAL 1 MONTH) of a TIMESTAMP column is not"
        " supported by the local warehouse",
    ),
    (
        "SELECT * FROM GAP_FILL((SELECT DATE '2020-01-01' AS d), 'd', INTERVAL 1 MONTH, origin => DATE '2020-01-31')",
        "a GAP_FILL bucket width in months, quarters or years (INTERVAL 1 MONTH) with an origin other than the first"
        " of a month at midnight is not supported by the local warehouse",
    ),
    (
        "SELECT * FROM GAP_FILL((SELECT DATE '2020-01-01' AS d, NUMERIC '1.5' AS n), 'd', INTERVAL 1 DAY,"
        " value_columns => [('n', 'linear')])",
        "linear gap filling of the NUMERIC column n is not supported by the local warehouse",
    ),
    (
        "SELECT * FROM GAP_FILL((SELECT CAST(NULL AS DATE) AS d UNION ALL SELECT DATE '2020-01-01'), 'd',"
        " INTERVAL 1 DAY)",
        "GAP_FILL of an input row whose time series column d is NULL is not supported by the local warehouse",
    ),
    (
        "SELECT * FROM GAP_FILL((SELECT DATE '2020-01-01' AS d, 1 AS v UNION ALL SELECT DATE '2020-01-01', 2),"
        " 'd', INTERVAL 1 DAY)",
        "GAP_FILL of two input rows of one time series at one time point with different values is not supported",
    ),
    (
        "CREATE VIEW mydataset.v AS SELECT * FROM GAP_FILL((SELECT DATE '2020-01-01' AS d), 'd', INTERVAL 1 DAY)",
        "a view over GAP_FILL is not supported by the local warehouse",
    ),
]


@pytest.mark.parametrize("sql, fragment", ERRORS)
def test_errors(run, sql, fragment):
    execute, error = run
    with pytest.raises(error) as info:
        execute(sql)
    assert fragment in str(info.value)


def test_dry_run_describes_the_filled_columns(bigquery_client):
    from google.cloud import bigquery

    job = bigquery_client.query(
        "SELECT * FROM GAP_FILL((SELECT DATE '2020-01-01' AS d, 1.5 AS v), 'd', INTERVAL 1 DAY)",
        job_config=bigquery.QueryJobConfig(dry_run=True),
    )
    assert [(f.name, f.field_type) for f in job.schema] == [("d", "DATE"), ("v", "FLOAT")]
