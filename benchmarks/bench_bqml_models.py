"""Cost of BigQuery ML's trained models on the local warehouse: training a linear and a logistic
regression model (numpy), and ML.PREDICT (the model's formula written as SQL by the engine)
against DuckDB computing the same formula written by hand, on the same table.

    .venv/bin/python benchmarks/bench_bqml_models.py [--rows 1000000]
"""

from __future__ import annotations

import time

from rewrite_costs import TABLE, arguments, engine_with_table, median_seconds, print_ratio


def main() -> None:
    args = arguments(__doc__, 1_000_000, only=False).parse_args()
    engine = engine_with_table(
        f"SELECT CAST(n AS FLOAT64) AS x, IF(MOD(n, 2) = 0, 'a', 'b') AS c, "
        f"3.0 * n + IF(MOD(n, 2) = 0, 5.0, -1.0) AS y, n > {args.rows // 2} AS big "
        f"FROM UNNEST(GENERATE_ARRAY(1, {args.rows})) AS n"
    )
    for name, sql in (
        (
            "train linear_reg (normal eq.)",
            "OPTIONS(model_type = 'linear_reg', input_label_cols = ['y']) AS SELECT x, c, y FROM b.t",
        ),
        (
            "train logistic_reg (20 it.)",
            "OPTIONS(model_type = 'logistic_reg', input_label_cols = ['big'], "
            "early_stop = FALSE) AS SELECT x, c, big FROM b.t",
        ),
    ):
        start = time.perf_counter()
        engine.query(f"CREATE OR REPLACE MODEL b.{name.split()[1]} {sql}")
        print(f"{name:32} {time.perf_counter() - start:12.4f} s for {args.rows:,} rows")
    # the same formula by hand: standardized x, c one-hot (weights read back from the model)
    weights = {
        r["processed_input"]: r for r in engine.query("SELECT * FROM ML.WEIGHTS(MODEL b.linear_reg)").table.to_pylist()
    }
    cats = {w["category"]: w["weight"] for w in weights["c"]["category_weights"]}
    native = (
        f"SELECT sum({weights['__INTERCEPT__']['weight']!r} + x * {weights['x']['weight']!r} + "
        f"CASE c WHEN 'a' THEN {cats['a']!r} WHEN 'b' THEN {cats['b']!r} ELSE 0 END) FROM {TABLE}"
    )
    ours = median_seconds(
        lambda: engine.query("SELECT SUM(predicted_y) FROM ML.PREDICT(MODEL b.linear_reg, TABLE b.t)")
    )
    with engine.connection() as con:
        base = median_seconds(lambda: con.execute(native).fetchall())
    print(f"{'case':32} {'ML.PREDICT s':>12} {'native s':>10} {'ratio':>6}")
    print_ratio("ML.PREDICT linear_reg", ours, base)


if __name__ == "__main__":
    main()
