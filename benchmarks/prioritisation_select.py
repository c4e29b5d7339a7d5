"""Budgeted selection: 1,000 options with an integer budget of 100,000.

Baseline: scipy's mixed-integer solver (``scipy.optimize.milp``, HiGHS) on the
same 0/1 knapsack, which also serves as the independent check that both find
the same optimum (on the large case and on 200 small random cases).
"""

from __future__ import annotations

import numpy as np
from _timing import best

from itil_ci.prioritisation import select


def milp_value(v: np.ndarray, c: np.ndarray, budget: float) -> float:
    from scipy.optimize import Bounds, LinearConstraint, milp

    res = milp(
        -v,
        constraints=LinearConstraint(c[None, :], -np.inf, budget),
        integrality=np.ones_like(v),
        bounds=Bounds(0, 1),
    )
    return float(-res.fun)


def main() -> None:
    rng = np.random.default_rng(0)
    n, budget = 1_000, 100_000
    c = rng.integers(1, 1_000, n).astype(float)
    v = np.round(c * rng.uniform(0.5, 1.5, n) + rng.normal(0, 50, n)).clip(1)
    ours = best(lambda: select(v, c, budget))
    base = best(lambda: milp_value(v, c, budget))
    s = select(v, c, budget)
    ref = milp_value(v, c, budget)
    assert abs(s.value - ref) < 1e-6 * max(1.0, ref), (s.value, ref)
    print(
        f"select 1000 options budget 100000 vs scipy milp: ours {ours:.4f} s, "
        f"baseline {base:.4f} s, ratio {ours / base:.2f}"
    )
    for trial in range(200):
        k = int(rng.integers(1, 40))
        cc = rng.integers(0, 60, k).astype(float)
        vv = rng.integers(0, 100, k).astype(float)
        b = float(rng.integers(0, 400))
        got = select(vv, cc, b).value
        want = milp_value(vv, cc, b)
        assert abs(got - want) < 1e-6, (trial, got, want)


if __name__ == "__main__":
    main()
