"""Rank 1,000,000 options × 10 criteria by weighted sum and by TOPSIS.

Baselines, in the same process on the same matrix:
* the bare numpy expression for the same arithmetic (min-max / vector
  normalisation, weighting, distances) followed by ``np.argsort``;
* pymcdm's ``TOPSIS()`` with its default settings (min-max normalisation),
  which returns preferences only (no ranking).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import _timing
import numpy as np

from itil_ci.prioritisation import Criterion, rank, topsis, weighted_sum

N, M = 1_000_000, 10


def best(fn: Callable[[], object], repeats: int = 5) -> float:
    return _timing.best(fn, repeats=repeats)


def line(name: str, ours: float, base: float) -> None:
    print(f"{name}: ours {ours:.4f} s, baseline {base:.4f} s, ratio {ours / base:.2f}")


def main() -> None:
    rng = np.random.default_rng(0)
    x = rng.uniform(1, 100, size=(N, M))
    w = rng.uniform(0.5, 2, size=M)
    cost = np.arange(M) % 3 == 0
    crit = [Criterion(f"c{j}", w[j], "cost" if cost[j] else "benefit") for j in range(M)]
    wn = w / w.sum()

    def numpy_ws() -> np.ndarray:
        lo, hi = x.min(axis=0), x.max(axis=0)
        nrm = (x - lo) / (hi - lo)
        nrm[:, cost] = 1 - nrm[:, cost]
        return np.argsort(-(nrm @ wn))

    def numpy_topsis() -> np.ndarray:
        v = x / np.sqrt((x**2).sum(axis=0)) * wn
        pis = np.where(cost, v.min(axis=0), v.max(axis=0))
        nis = np.where(cost, v.max(axis=0), v.min(axis=0))
        dp = np.sqrt(((v - pis) ** 2).sum(axis=1))
        dm = np.sqrt(((v - nis) ** 2).sum(axis=1))
        return np.argsort(-(dm / (dp + dm)))

    ours_ws = best(lambda: rank(weighted_sum(x, crit)))
    line("weighted_sum rank 1e6x10 vs numpy expression+argsort", ours_ws, best(numpy_ws))
    ours_t = best(lambda: rank(topsis(x, crit)))
    line("topsis rank 1e6x10 vs numpy expression+argsort", ours_t, best(numpy_topsis))
    try:
        from pymcdm.methods import TOPSIS
    except ImportError:  # pragma: no cover - test-only dependency
        return
    types = np.where(cost, -1, 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        base = best(lambda: TOPSIS()(x, wn, types), repeats=3)
    line("topsis rank 1e6x10 vs pymcdm TOPSIS() default", ours_t, base)


if __name__ == "__main__":
    main()
