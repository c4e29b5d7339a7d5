"""How stable a ranking is when the weights are uncertain (Monte Carlo)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import attrs
import numpy as np
import numpy.typing as npt

from itil_ci._internal import arrays, display
from itil_ci._internal.validate import choice, fail, is_whole, number
from itil_ci._internal.validate import rng as _rng
from itil_ci.prioritisation.criteria import Criterion
from itil_ci.prioritisation.normalise import Normalisation, _affine, _check_method
from itil_ci.prioritisation.scoring import _gaps_out_of_range, _ideals, _prepare, _scaled_gaps

__all__ = ["Robustness", "robustness"]

_MODELS = ("weighted_sum", "topsis")
_MAX_DRAWS = 100_000_000  # draws, k and chunk: more would run for days
_MIN_SPREAD = 1e-12  # below this the weights are fixed anyway, and w / spread overflows


@attrs.frozen
class Robustness:
    """Per-option rank statistics over ``draws`` weight vectors.

    ``p_first[i]``: share of draws in which option ``i`` ranks first (ties
    share rank 1 under the "min" rule, so shares can sum to more than 1);
    ``p_top_k[i]``: share in which its rank is at most ``k``;
    ``rank_min``/``rank_max``: the best and worst rank it took;
    ``rank_mean``: its mean rank.  ``ids`` holds opportunity ids when given;
    ``seed`` the whole-number seed used (None when a Generator or no seed was
    given, so the run cannot be repeated from the record alone); it is not
    compared by ``==``, so equal results from a seed and from an equally
    seeded Generator compare equal.

    Examples:
        >>> r = robustness([[8, 3], [5, 1], [2, 2]],
        ...                [Criterion("benefit", 2), Criterion("effort", 1, "cost")],
        ...                draws=200, k=2, seed=1)
        >>> r.p_first.tolist(), r.rank_min.tolist(), r.rank_max.tolist()
        ([0.535, 0.465, 0.0], [1, 1, 3], [2, 2, 3])
    """

    p_first: npt.NDArray[np.float64] = attrs.field(eq=attrs.cmp_using(eq=np.array_equal))
    p_top_k: npt.NDArray[np.float64] = attrs.field(eq=attrs.cmp_using(eq=np.array_equal))
    rank_min: npt.NDArray[np.int64] = attrs.field(eq=attrs.cmp_using(eq=np.array_equal))
    rank_max: npt.NDArray[np.int64] = attrs.field(eq=attrs.cmp_using(eq=np.array_equal))
    rank_mean: npt.NDArray[np.float64] = attrs.field(eq=attrs.cmp_using(eq=np.array_equal))
    k: int
    draws: int
    spread: float
    model: str
    normalise: str
    ids: tuple[str, ...] = ()
    seed: int | None = attrs.field(default=None, eq=False)  # provenance, not part of the result
    method: str = "dirichlet-monte-carlo"

    def _repr_html_(self) -> str:
        return display.html(self)


def _min_ranks(s: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
    """Row-wise competition ranks ("min" ties), highest score first."""
    d, n = s.shape
    order = np.argsort(-s, axis=1)
    sorted_s = np.take_along_axis(s, order, axis=1)
    new = np.ones((d, n), dtype=bool)
    np.not_equal(sorted_s[:, 1:], sorted_s[:, :-1], out=new[:, 1:])
    ranks = np.empty((d, n), dtype=np.int64)
    if new.all():  # no ties: the sort order is the ranking
        start = np.broadcast_to(np.arange(1, n + 1), (d, n))
    else:  # equal scores share the best rank of their group
        start = np.maximum.accumulate(np.where(new, np.arange(n), 0), axis=1) + 1
    np.put_along_axis(ranks, order, start, axis=1)
    return ranks


def robustness(
    matrix: Any,
    criteria: Sequence[Criterion],
    *,
    model: Literal["weighted_sum", "topsis"] = "weighted_sum",
    draws: int = 10_000,
    spread: float = 0.05,
    k: int = 3,
    normalise: Normalisation | None = None,
    seed: int | np.random.Generator | None = None,
    chunk: int = 1_000,
    keys: Mapping[str, str] | None = None,
) -> Robustness:
    """Monte Carlo over uncertain weights: P(rank 1), P(top k) and rank range per option.

    Weight vectors are drawn from a Dirichlet distribution centred on the
    given (rescaled) weights ``w``: ``Dirichlet(w / spread)``.  ``spread`` is
    the inverse of the Dirichlet concentration: weight ``j`` then has mean
    ``w_j`` and standard deviation ``sqrt(w_j (1 - w_j) · spread / (1 + spread))``,
    so the default 0.05 moves a weight of 0.5 by about ±0.11 (one s.d.) and
    ``spread`` → 0 gives back the fixed weights (``spread`` is at least
    1e-12).  Criteria with weight 0 stay
    at 0.  Each draw scores the options with ``model`` (``"weighted_sum"``
    with min-max, or ``"topsis"`` with vector normalisation, unless
    ``normalise`` says otherwise) and ranks them with ties="min".  Draws are
    processed ``chunk`` at a time, so memory is O(chunk × options).  Inputs
    (matrix or opportunities + ``keys``) as in
    :func:`~itil_ci.prioritisation.weighted_sum`.

    Examples:
        >>> crit = [Criterion("value", 1), Criterion("effort", 1, "cost")]
        >>> r = robustness([[9, 9], [5, 1], [1, 5]], crit, draws=2000, k=1, seed=1)
        >>> r.p_first.round(1).tolist(), r.rank_min.tolist(), r.rank_max.tolist()
        ([0.1, 0.9, 0.0], [1, 1, 2], [3, 2, 3])
    """
    choice("model", model, _MODELS)
    norm = _check_method(
        normalise if normalise is not None else ("minmax" if model == "weighted_sum" else "vector")
    )
    for name, val in (("draws", draws), ("k", k), ("chunk", chunk)):
        if not is_whole(val) or not 1 <= val <= _MAX_DRAWS:
            raise fail(name, f"a whole number from 1 to {_MAX_DRAWS:,}", val)
    sp = number("spread", spread, minimum=_MIN_SPREAD)
    assert sp is not None
    rng = _rng("seed", seed)
    p = _prepare(matrix, criteria, keys)
    x, w = p.x, p.w
    n = x.shape[0]
    x, a, b = _affine(x, p.cost, norm)
    active = w > 0
    if model == "weighted_sum":
        basis = (x * a + b)[:, active]  # n × m' normalised
    else:
        c = a[active]
        xa = x[:, active]
        ideal, anti = _ideals(xa, c)
        with np.errstate(over="ignore", invalid="ignore"):
            dp2 = ((xa - ideal) * c) ** 2  # squared distance per criterion, before weighting
            dm2 = ((xa - anti) * c) ** 2
        if _gaps_out_of_range(c, ideal, anti) or not (
            np.isfinite(dp2).all() and np.isfinite(dm2).all()
        ):
            gp, gm = _scaled_gaps(xa, c, ideal, anti)  # huge or tiny inputs over/underflowed
            dp2, dm2 = gp * gp, gm * gm
    alpha = w[active] / sp
    first = np.zeros(n)
    topk = np.zeros(n)
    rmin = np.full(n, n, dtype=np.int64)
    rmax = np.ones(n, dtype=np.int64)
    rsum = np.zeros(n)
    done = 0
    while done < draws and n:
        m = min(chunk, draws - done)
        wd = rng.dirichlet(alpha, size=m) if alpha.size > 1 else np.ones((m, 1))
        if model == "weighted_sum":
            s = wd @ basis.T
        else:
            w2 = wd * wd
            d_plus = np.sqrt(w2 @ dp2.T)
            d_minus = np.sqrt(w2 @ dm2.T)
            total = d_plus + d_minus
            with np.errstate(invalid="ignore", divide="ignore"):
                s = np.where(total > 0, d_minus / total, 0.5)
        r = _min_ranks(s)
        first += np.count_nonzero(r == 1, axis=0)
        topk += np.count_nonzero(r <= k, axis=0)
        np.minimum(rmin, r.min(axis=0), out=rmin)
        np.maximum(rmax, r.max(axis=0), out=rmax)
        rsum += r.sum(axis=0)
        done += m
    total_draws = float(draws)
    return Robustness(
        p_first=arrays.readonly(first / total_draws),
        p_top_k=arrays.readonly(topk / total_draws),
        rank_min=arrays.readonly(rmin if n else np.zeros(0, dtype=np.int64)),
        rank_max=arrays.readonly(rmax),
        rank_mean=arrays.readonly(rsum / total_draws),
        k=int(k),
        draws=int(draws),
        spread=sp,
        model=model,
        normalise=norm,
        ids=p.ids or (),
        seed=int(seed) if is_whole(seed) else None,
    )
