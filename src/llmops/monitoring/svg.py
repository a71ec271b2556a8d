"""Small hand-written SVG line charts: no JavaScript, no fonts, no external references."""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import UTC, datetime

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f")


def _fmt(v: float) -> str:
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    return f"{v:.3g}"


def _time(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).strftime("%m-%d %H:%M")


def line_chart(
    title: str,
    xs: Sequence[float],
    series: dict[str, Sequence[float | None]],
    *,
    width: int = 460,
    height: int = 170,
    unit: str = "",
) -> str:
    """A titled SVG chart: one polyline per series over epoch-second `xs`; None breaks a line."""
    left, right, top, bottom = 48, 8, 22, 30
    w, h = width - left - right, height - top - bottom
    values = [v for s in series.values() for v in s if v is not None]
    lo, hi = 0.0, max(values, default=1.0) or 1.0
    x0, x1 = (min(xs), max(xs)) if xs else (0.0, 1.0)
    span = (x1 - x0) or 1.0

    def px(x: float) -> float:
        return left + (x - x0) / span * w

    def py(y: float) -> float:
        return top + h - (y - lo) / (hi - lo) * h

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{html.escape(title)}">',
        f'<text x="{left}" y="14" font-size="12" font-weight="bold">{html.escape(title)}</text>',
        f'<rect x="{left}" y="{top}" width="{w}" height="{h}" fill="none" stroke="#ccc"/>',
        f'<text x="{left - 4}" y="{top + 8}" font-size="9" text-anchor="end">{_fmt(hi)}{unit}</text>',
        f'<text x="{left - 4}" y="{top + h}" font-size="9" text-anchor="end">0</text>',
    ]
    if xs:
        out.append(f'<text x="{left}" y="{height - 16}" font-size="9">{_time(x0)}</text>')
        out.append(f'<text x="{left + w}" y="{height - 16}" font-size="9" text-anchor="end">{_time(x1)}</text>')
    for i, (name, ys) in enumerate(series.items()):
        color = PALETTE[i % len(PALETTE)]
        runs: list[list[str]] = [[]]
        for x, y in zip(xs, ys):
            if y is None:
                runs.append([])
            else:
                runs[-1].append(f"{px(x):.1f},{py(y):.1f}")
        for run in runs:
            if len(run) == 1:
                cx, cy = run[0].split(",")
                out.append(f'<circle cx="{cx}" cy="{cy}" r="1.5" fill="{color}"/>')
            elif run:
                out.append(f'<polyline fill="none" stroke="{color}" stroke-width="1.5" points="{" ".join(run)}"/>')
        lx = left + 4 + i * 110
        out.append(f'<rect x="{lx}" y="{height - 10}" width="8" height="8" fill="{color}"/>')
        out.append(f'<text x="{lx + 11}" y="{height - 3}" font-size="9">{html.escape(name)}</text>')
    out.append("</svg>")
    return "".join(out)
