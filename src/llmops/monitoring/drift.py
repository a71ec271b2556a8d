"""Drift between a reference and a current sample: numeric distributions (Kolmogorov–Smirnov
and Wasserstein), categories (chi-squared) and text on embeddings (centroid distance with a
permutation-test p-value, and MMD). numpy only; seeded, so every result is reproducible.

p-values: KS uses the asymptotic Kolmogorov distribution with Stephens' small-sample
correction, `Q((sqrt(ne) + 0.12 + 0.11/sqrt(ne)) * D)`, ne = n*m/(n+m) (Numerical Recipes
14.3); chi-squared uses the Wilson–Hilferty normal approximation of its tail; the permutation
tests report `(1 + #{permuted >= observed}) / (1 + permutations)`. No p-value is given when
either side has fewer than MIN_ROWS rows: the result says so instead.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

MIN_ROWS = 20
"""Fewest rows per side for any p-value."""
ALPHA = 0.01
"""Default significance level: a p-value below it is drift."""
PERMUTATIONS = 200
MMD_SIDE = 400
"""Rows per side used for MMD (kernel matrices are quadratic)."""
SEED = 0
TEXT_CHARS = 1000
"""Texts are embedded on their first TEXT_CHARS characters (HTML bodies can be very long)."""
TEXT_ROWS = 2000
"""Texts per side embedded for text drift (a seeded subsample beyond that)."""


@dataclass
class DriftResult:
    """One test's outcome; `p_value` is None when a side was too small (see `note`)."""

    feature: str
    method: str
    statistic: float | None
    p_value: float | None
    n_reference: int
    n_current: int
    drift: bool | None
    note: str = ""
    distance: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _too_few(feature: str, method: str, n: int, m: int) -> DriftResult | None:
    if min(n, m) >= MIN_ROWS:
        return None
    return DriftResult(
        feature,
        method,
        None,
        None,
        n,
        m,
        None,
        note=f"too few rows for a p-value ({min(n, m)} < {MIN_ROWS} on one side)",
    )


def _kolmogorov_q(x: float) -> float:
    if x < 0.2:
        return 1.0
    total = sum(2 * (-1) ** (k - 1) * math.exp(-2 * k * k * x * x) for k in range(1, 101))
    return min(max(total, 0.0), 1.0)


def ks_test(reference: Sequence[float], current: Sequence[float], feature: str, alpha: float = ALPHA) -> DriftResult:
    """Two-sample Kolmogorov–Smirnov, with the 1-Wasserstein distance alongside."""
    a = np.sort(np.asarray([x for x in reference if x is not None], dtype=float))
    b = np.sort(np.asarray([x for x in current if x is not None], dtype=float))
    short = _too_few(feature, "ks", len(a), len(b))
    if short:
        return short
    grid = np.concatenate([a, b])
    cdf_a = np.searchsorted(a, grid, side="right") / len(a)
    cdf_b = np.searchsorted(b, grid, side="right") / len(b)
    d = float(np.max(np.abs(cdf_a - cdf_b)))
    ne = len(a) * len(b) / (len(a) + len(b))
    p = _kolmogorov_q((math.sqrt(ne) + 0.12 + 0.11 / math.sqrt(ne)) * d)
    return DriftResult(feature, "ks", round(d, 6), p, len(a), len(b), p < alpha, distance=wasserstein(a, b))


def wasserstein(a: np.ndarray, b: np.ndarray) -> float:
    """1-Wasserstein (earth mover's) distance between two 1-D samples."""
    grid = np.sort(np.concatenate([a, b]))
    deltas = np.diff(grid)
    cdf_a = np.searchsorted(np.sort(a), grid[:-1], side="right") / len(a)
    cdf_b = np.searchsorted(np.sort(b), grid[:-1], side="right") / len(b)
    return round(float(np.sum(np.abs(cdf_a - cdf_b) * deltas)), 6)


def chi2_test(reference: Sequence[Any], current: Sequence[Any], feature: str, alpha: float = ALPHA) -> DriftResult:
    """Chi-squared test of homogeneity over the categories seen on either side."""
    ra, ca = Counter(reference), Counter(current)
    short = _too_few(feature, "chi2", len(reference), len(current))
    if short:
        return short
    cats = sorted(set(ra) | set(ca), key=str)
    if len(cats) < 2:
        return DriftResult(feature, "chi2", 0.0, 1.0, len(reference), len(current), False, note="one category")
    obs = np.array([[ra[c] for c in cats], [ca[c] for c in cats]], dtype=float)
    expected = obs.sum(1, keepdims=True) * obs.sum(0, keepdims=True) / obs.sum()
    stat = float(np.sum((obs - expected) ** 2 / expected))
    k = len(cats) - 1
    z = ((stat / k) ** (1 / 3) - (1 - 2 / (9 * k))) / math.sqrt(2 / (9 * k))
    p = 0.5 * math.erfc(z / math.sqrt(2))
    return DriftResult(feature, "chi2", round(stat, 6), p, len(reference), len(current), p < alpha)


def centroid_test(
    reference: np.ndarray,
    current: np.ndarray,
    feature: str = "text",
    alpha: float = ALPHA,
    permutations: int = PERMUTATIONS,
    seed: int = SEED,
) -> DriftResult:
    """Distance between the embedding centroids, with a permutation-test p-value."""
    n, m = len(reference), len(current)
    short = _too_few(feature, "centroid", n, m)
    if short:
        return short
    pooled = np.concatenate([reference, current]).astype(np.float64)
    total = pooled.sum(0)
    observed = float(np.linalg.norm(reference.mean(0) - current.mean(0)))
    rng = np.random.default_rng(seed)
    masks = np.zeros((permutations, n + m))
    for i in range(permutations):
        masks[i, rng.permutation(n + m)[:n]] = 1.0
    sums = masks @ pooled
    dist = np.linalg.norm(sums / n - (total - sums) / m, axis=1)
    p = (1 + int(np.sum(dist >= observed))) / (1 + permutations)
    return DriftResult(feature, "centroid", round(observed, 6), p, n, m, p < alpha)


def mmd_test(
    reference: np.ndarray,
    current: np.ndarray,
    feature: str = "text",
    alpha: float = ALPHA,
    permutations: int = PERMUTATIONS,
    seed: int = SEED,
) -> DriftResult:
    """Maximum mean discrepancy (RBF kernel, median-distance bandwidth) with a permutation
    p-value, on at most MMD_SIDE rows per side."""
    rng = np.random.default_rng(seed)
    a = reference[rng.permutation(len(reference))[:MMD_SIDE]].astype(np.float64)
    b = current[rng.permutation(len(current))[:MMD_SIDE]].astype(np.float64)
    n, m = len(a), len(b)
    short = _too_few(feature, "mmd", n, m)
    if short:
        return short
    z = np.concatenate([a, b])
    sq = np.sum(z * z, 1)
    d2 = np.maximum(sq[:, None] + sq[None, :] - 2 * z @ z.T, 0)
    med = float(np.median(d2[np.triu_indices(n + m, 1)])) or 1.0
    k = np.exp(-d2 / med)

    def mmd2(idx_a: np.ndarray, idx_b: np.ndarray) -> float:
        kaa, kbb, kab = k[np.ix_(idx_a, idx_a)], k[np.ix_(idx_b, idx_b)], k[np.ix_(idx_a, idx_b)]
        return float(
            (kaa.sum() - np.trace(kaa)) / (n * (n - 1)) + (kbb.sum() - np.trace(kbb)) / (m * (m - 1)) - 2 * kab.mean()
        )

    idx = np.arange(n + m)
    observed = mmd2(idx[:n], idx[n:])
    perms = [rng.permutation(n + m) for _ in range(permutations)]
    count = sum(mmd2(p[:n], p[n:]) >= observed for p in perms)
    p = (1 + count) / (1 + permutations)
    return DriftResult(feature, "mmd", round(observed, 6), p, n, m, p < alpha)


def text_drift(reference: Sequence[str], current: Sequence[str], alpha: float = ALPHA) -> list[DriftResult]:
    """Centroid and MMD tests on the texts' embeddings (needs the `embeddings` extra), on at
    most TEXT_ROWS texts a side, each cut to TEXT_CHARS characters."""
    from ..embeddings import embed

    short = _too_few("text", "centroid", len(reference), len(current))
    if short:
        return [short, _too_few("text", "mmd", len(reference), len(current)) or short]
    rng = np.random.default_rng(SEED)
    ref = [reference[i][:TEXT_CHARS] for i in sorted(rng.permutation(len(reference))[:TEXT_ROWS])]
    cur = [current[i][:TEXT_CHARS] for i in sorted(rng.permutation(len(current))[:TEXT_ROWS])]
    unique = sorted(set(ref) | set(cur))  # prompts from templates repeat: embed each text once
    vectors = embed(unique)
    index = {t: i for i, t in enumerate(unique)}
    a = vectors[[index[t] for t in ref]]
    b = vectors[[index[t] for t in cur]]
    return [centroid_test(a, b, alpha=alpha), mmd_test(a, b, alpha=alpha)]


NUMERIC_FEATURES = ("prompt_chars", "response_chars", "prompt_tokens", "output_tokens")
CATEGORY_FEATURES = ("finish_reason", "blocked")


def compare(
    reference: dict[str, list[Any]], current: dict[str, list[Any]], *, text: bool = True, alpha: float = ALPHA
) -> list[DriftResult]:
    """Every drift test between two column samples (as from `queries.sample`)."""
    from .queries import CATEGORIES

    results = [ks_test(reference[f], current[f], f, alpha) for f in NUMERIC_FEATURES]
    for c in CATEGORIES:
        for kind in ("prob", "sev"):
            results.append(ks_test(reference[f"{c}_{kind}"], current[f"{c}_{kind}"], f"safety {c} {kind}", alpha))
    results += [chi2_test(reference[f], current[f], f, alpha) for f in CATEGORY_FEATURES]
    if text:
        ref_t = [t for t in reference["prompt"] if t]
        cur_t = [t for t in current["prompt"] if t]
        results += text_drift(ref_t, cur_t, alpha)
    return results
