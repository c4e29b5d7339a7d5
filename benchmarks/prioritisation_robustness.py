"""Robustness: 10,000 weight draws × 1,000 options × 8 criteria.

Baseline: the same Monte Carlo written as plain numpy on the whole draw
matrix at once (Dirichlet draws, scores, a double argsort for ranks), which
holds all 10,000 × 1,000 ranks in memory; ours processes the draws in chunks
and keeps min-ties ranks.
"""

from __future__ import annotations

import numpy as np
from _timing import best

from itil_ci.prioritisation import Criterion, normalise, robustness


def main() -> None:
    rng = np.random.default_rng(0)
    n, m, draws = 1_000, 8, 10_000
    x = rng.uniform(1, 10, (n, m))
    w = rng.uniform(0.5, 2, m)
    crit = [Criterion(f"c{j}", w[j], "cost" if j % 2 else "benefit") for j in range(m)]
    nx = normalise(x, crit)

    def numpy_mc() -> np.ndarray:
        wd = np.random.default_rng(1).dirichlet(w / w.sum() / 0.05, size=draws)
        s = wd @ nx.T
        ranks = np.argsort(np.argsort(-s, axis=1), axis=1) + 1
        return (ranks == 1).mean(axis=0)

    ours = best(lambda: robustness(x, crit, draws=draws, seed=1))
    base = best(numpy_mc)
    print(
        f"robustness 10000 draws x 1000 options x 8 criteria vs whole-matrix numpy: "
        f"ours {ours:.4f} s, baseline {base:.4f} s, ratio {ours / base:.2f}"
    )
    ours_t = best(lambda: robustness(x, crit, model="topsis", draws=draws, seed=1))
    print(
        f"robustness topsis 10000 draws x 1000 options x 8 criteria vs whole-matrix numpy "
        f"weighted sum: ours {ours_t:.4f} s, baseline {base:.4f} s, ratio {ours_t / base:.2f}"
    )


if __name__ == "__main__":
    main()
