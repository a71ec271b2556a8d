"""Log a day of synthetic traffic (topic shift at 12:00, latency spike 13:00-18:00, blocked-rate
rise from 15:00) into a workspace, then show the report and the failing check:

    python benchmarks/synthetic_traffic.py --workspace /tmp/demo -n 20000
    llmops -w /tmp/demo monitor report --since 2024-05-01T12:00 --until 2024-05-02 --baseline previous --out r.html
    llmops -w /tmp/demo monitor check --since 2024-05-01T12:00 --until 2024-05-02 \\
        --max-p95-ms 800 --max-blocked-rate 0.05 --max-drift-p 0.01
"""

from __future__ import annotations

import argparse

from llmops.monitoring.synthetic import log_day


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workspace", required=True)
    ap.add_argument("-n", type=int, default=20000, help="predictions over the day")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    day = log_day(args.workspace, args.n, seed=args.seed)
    print(f"logged {args.n} predictions on {day:%Y-%m-%d} into {args.workspace}")


if __name__ == "__main__":
    main()
