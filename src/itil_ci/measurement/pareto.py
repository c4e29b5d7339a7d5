"""Pareto analysis of causes: the vital few and the useful many."""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from itil_ci._internal import arrays
from itil_ci._internal import validate as v

__all__ = ["ParetoAnalysis", "pareto"]

_TOL = 1e-12  # a cumulative share within this of the cut-off counts as reaching it


@attrs.frozen
class ParetoAnalysis:
    """Categories by descending total with their shares.

    ``cumulative[i]`` is the share of the first ``i + 1`` categories;
    ``vital_few`` are the categories up to and including the first whose
    cumulative share reaches ``cutoff``.

    Examples:
        >>> pa = pareto(["disk", "network", "disk", "auth", "disk", "network"])
        >>> pa.categories, pa.totals.tolist(), pa.vital_few
        (('disk', 'network', 'auth'), [3.0, 2.0, 1.0], ('disk', 'network'))
    """

    categories: tuple[str, ...]
    totals: npt.NDArray[np.float64] = attrs.field(eq=attrs.cmp_using(eq=np.array_equal))
    shares: npt.NDArray[np.float64] = attrs.field(eq=attrs.cmp_using(eq=np.array_equal))
    cumulative: npt.NDArray[np.float64] = attrs.field(eq=attrs.cmp_using(eq=np.array_equal))
    vital_few: tuple[str, ...]
    cutoff: float = 0.8
    weighted: bool = False
    method: str = ""


def pareto(categories: Any, weights: Any = None, cutoff: float = 0.8) -> ParetoAnalysis:
    """Rank categories by count (or by summed ``weights``) and find the vital few.

    ``categories`` is one label per observation (strings, or anything turned
    into a string); ``weights`` (optional, one per observation, >= 0) are
    summed per category instead of counting, e.g. hours lost per incident.
    Ties in total are ordered by category name.  ``cutoff`` is the cumulative
    share, in ``(0, 1]``, that the vital few reach (0.8 by default: the 80/20
    rule).

    Examples:
        >>> pareto(["a", "b", "c"], weights=[1.0, 8.0, 1.0], cutoff=0.8).vital_few
        ('b',)
    """
    c = v.number("cutoff", cutoff)
    if c is None or not 0 < c <= 1:
        raise v.fail("cutoff", "a share in (0, 1]", cutoff)
    if isinstance(categories, str) or not hasattr(categories, "__len__"):
        raise v.fail("categories", "a sequence of category labels", categories)
    try:
        labels = np.asarray(categories)
    except (TypeError, ValueError, RecursionError):
        raise v.fail("categories", "a one-dimensional sequence of labels", categories) from None
    if labels.ndim != 1:
        raise v.fail("categories", "a one-dimensional sequence", f"shape {labels.shape}")
    if labels.size == 0:
        raise v.fail("categories", "at least one category", "an empty sequence")
    if labels.dtype.kind not in "US":
        labels = labels.astype(str)
    names, inverse = np.unique(labels, return_inverse=True)
    totals: npt.NDArray[np.float64]
    if weights is None:
        totals = np.bincount(inverse, minlength=names.size).astype(np.float64)
    else:
        w = arrays.as_values("weights", weights)
        if w.size != labels.size:
            raise v.fail("weights", f"{labels.size} weights (one per category)", f"{w.size}")
        if (w < 0).any():
            i = int(np.flatnonzero(w < 0)[0])
            raise v.fail(f"weights[{i}]", "a weight >= 0", float(w[i]))
        totals = np.bincount(inverse, weights=w, minlength=names.size).astype(np.float64)
    grand = float(totals.sum())
    if not grand > 0:
        raise v.fail("weights", "at least one positive weight", "all zero")
    order = np.lexsort((names, -totals))  # descending total, then name
    totals = totals[order]
    shares = totals / grand
    cumulative = np.cumsum(totals) / grand
    cumulative[-1] = 1.0
    k = int(np.searchsorted(cumulative, c - _TOL, side="left")) + 1
    ordered = tuple(str(s) for s in names[order])
    return ParetoAnalysis(
        categories=ordered,
        totals=arrays.readonly(totals),
        shares=arrays.readonly(shares),
        cumulative=arrays.readonly(cumulative),
        vital_few=ordered[:k],
        cutoff=c,
        weighted=weights is not None,
        method=f"Pareto by {'summed weight' if weights is not None else 'count'}; vital few "
        f"up to and including the category crossing {c:g}",
    )
