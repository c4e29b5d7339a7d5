"""The Pareto front: options that no other option dominates."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from itil_ci._internal.validate import fail
from itil_ci.prioritisation import _inputs
from itil_ci.prioritisation.criteria import Criterion, _cost_mask, as_criteria

__all__ = ["pareto_front"]


def _front_2d(b: npt.NDArray[np.float64], c: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
    # Sort by cost ascending, then benefit descending; an option is dominated
    # iff an earlier one has a larger benefit, or the same benefit at a lower cost.
    n = b.size
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    order = np.lexsort((-b, c))
    bs, cs = b[order], c[order]
    run = np.maximum.accumulate(bs)
    prev = np.empty(n)
    prev[0] = -np.inf
    prev[1:] = run[:-1]
    # cost of the first option (in sort order) that reached the running best
    first = np.searchsorted(run, prev[1:], side="left")
    first_cost = np.empty(n)
    first_cost[0] = np.inf
    first_cost[1:] = cs[first]
    dominated = (prev > bs) | ((prev == bs) & (first_cost < cs))
    return np.sort(order[~dominated]).astype(np.int64)


def _front_kd(x: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
    # x: higher is better in every column.  Options are visited so that no option comes
    # before one that dominates it; the first option left is then never dominated, and
    # everything it dominates is dropped.  The order: the row sum after scaling each
    # column by a power of two to a largest magnitude of about 1 (per-column scaling
    # keeps dominance, and the sums can no longer overflow to a tie at inf), then
    # lexicographically.  A float sum never falls when one term rises, so a dominating
    # option's sum is at least the dominated one's; when rounding makes them equal
    # ([1e16, 0, 0] and [1e16, 1, 0]) the lexicographic order puts the dominating one first.
    n, m = x.shape
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    top = np.max(np.abs(x), axis=0)
    order_sum = np.ldexp(x, -np.frexp(top)[1]).sum(axis=1)
    keys = [-x[:, j] for j in range(m - 1, -1, -1)]  # lexsort: last key is the primary one
    remaining = np.lexsort([*keys, -order_sum])
    front: list[int] = []
    while remaining.size:
        p = int(remaining[0])
        front.append(p)
        rest = x[remaining]
        ge = (x[p] >= rest).all(axis=1)
        gt = (x[p] > rest).any(axis=1)
        keep = ~(ge & gt)
        keep[0] = False
        remaining = remaining[keep]
    return np.sort(np.array(front, dtype=np.int64))


def pareto_front(
    benefits: Any,
    costs: Any = None,
    *,
    criteria: Sequence[Criterion] | None = None,
    keys: Mapping[str, str] | None = None,
) -> Any:
    """Indices (ascending) of the options that no other option dominates.

    Option *a* dominates *b* when it is at least as good on every criterion
    and strictly better on one; identical options do not dominate each other.
    Two forms:

    * ``pareto_front(benefits, costs)``: two 1-D arrays, more benefit and less
      cost is better; O(n log n).
    * ``pareto_front(matrix, criteria=[...])``: options × criteria with their
      directions (weights are ignored); any number of criteria.

    Given opportunities instead of numbers, with ``criteria`` (and ``keys``
    as in :func:`~itil_ci.prioritisation.weighted_sum`), or without criteria
    for ``expected_benefit`` against ``effort``, returns their ids.

    Examples:
        >>> pareto_front([5, 3, 4, 1], [2, 1, 3, 1]).tolist()
        [0, 1]
        >>> pareto_front([[5, 2], [3, 1], [4, 3]],
        ...              criteria=[Criterion("value"), Criterion("effort", 1, "cost")]).tolist()
        [0, 1]
    """
    ids: tuple[str, ...] | None = None
    if _inputs.is_opportunities(benefits):
        if costs is not None:
            raise fail("costs", "to be left out when opportunities are given", costs)
        if criteria is None:
            criteria = [Criterion("expected_benefit"), Criterion("effort", 1, "cost")]
        crit = as_criteria(criteria)
        resolved = _inputs.check_keys(keys, [c.name for c in crit], {})
        ids = _inputs.ids_of(benefits)
        x = np.column_stack([_inputs.read_column(benefits, c.name, resolved[c.name]) for c in crit])
        cost = _cost_mask(crit)
    elif criteria is not None:
        if costs is not None:
            raise fail("costs", "to be left out when criteria are given", costs)
        crit = as_criteria(criteria)
        x = _inputs.as_matrix("benefits", benefits, len(crit))
        cost = _cost_mask(crit)
    else:
        if costs is None:
            raise fail("costs", "an array of costs (or give a matrix with criteria=)", costs)
        b = _inputs.as_vector("benefits", benefits)
        c = _inputs.as_vector("costs", costs)
        if b.size != c.size:
            raise fail("costs", f"{b.size} costs (one per benefit)", f"{c.size} costs")
        return _front_2d(b, c)
    signed = np.where(cost, -x, x)
    if signed.shape[1] == 2:
        idx = _front_2d(signed[:, 0], -signed[:, 1])
    elif signed.shape[1] == 1:
        best = signed[:, 0].max() if signed.shape[0] else 0.0
        idx = np.flatnonzero(signed[:, 0] == best).astype(np.int64)
    else:
        idx = _front_kd(signed)
    if ids is not None:
        return tuple(ids[i] for i in idx)
    return idx
