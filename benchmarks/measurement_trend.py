"""Mann-Kendall with Sen's slope: 20,000 points against pymannkendall; 1,000,000 alone.

Workload 1: ``mann_kendall(x)`` (S, var(S), Z, p, tau, exact Sen's slope) on
20,000 points of a noisy trend.  Baseline: ``pymannkendall.original_test(x)``
(version 1.4.3, which also computes Sen's slope) on the same data, run once
(it takes many seconds); S, Z and p must agree to 1e-9 and the slope exactly.

Workload 2: ``mann_kendall(x)`` on 1,000,000 points.  pymannkendall cannot run
at this size (it lists every pairwise slope), so the baseline is
``scipy.stats.kendalltau`` against the index, an O(n log n) Kendall tau and
p-value without Sen's slope: what the test costs without the slope.
"""

from __future__ import annotations

import time

import numpy as np
import pymannkendall
import scipy.stats
from _timing import best

from itil_ci.measurement import mann_kendall


def main() -> None:
    rng = np.random.default_rng(0)
    n = 20_000
    x = 1e-4 * np.arange(n) + rng.normal(size=n)
    t0 = time.perf_counter()
    peer = pymannkendall.original_test(x)
    base = time.perf_counter() - t0
    ours_r = mann_kendall(x)
    assert ours_r.s == peer.s
    assert abs(ours_r.z - peer.z) <= 1e-9 * max(1.0, abs(peer.z))
    assert abs(ours_r.p - peer.p) <= 1e-9
    assert ours_r.slope == peer.slope
    ours = best(lambda: mann_kendall(x))
    print(
        f"mann_kendall + Sen's slope 2e4 points vs pymannkendall.original_test: "
        f"ours {ours:.4f} s, baseline {base:.4f} s, ratio {ours / base:.4f}"
    )

    big = 1e-6 * np.arange(1_000_000) + rng.normal(size=1_000_000)
    idx = np.arange(big.size)
    base_big = best(lambda: scipy.stats.kendalltau(idx, big), repeats=1)
    ours_big = best(lambda: mann_kendall(big), repeats=1)
    print(
        f"mann_kendall + Sen's slope 1e6 points vs scipy.stats.kendalltau (no slope): "
        f"ours {ours_big:.4f} s, baseline {base_big:.4f} s, ratio {ours_big / base_big:.2f}"
    )


if __name__ == "__main__":
    main()
