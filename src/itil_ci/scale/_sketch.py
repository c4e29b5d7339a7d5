"""Approximate percentiles with a guaranteed relative error: a logarithmic histogram (private).

Durations (non-negative integer nanoseconds) are counted in bins whose edges
grow geometrically by ``gamma = (1 + alpha) / (1 - alpha)``: bin ``i >= 0``
holds the durations ``d`` with ``gamma**(i-1) < d <= gamma**i`` and bin
``-1`` holds ``d == 0``.  Bins merge by adding counts, so every partition
sketches its own tickets and the sketches of a cell are summed, whatever
partitions the cell spans.  This is the relative-accuracy histogram of
Masson, Rim and Lee, "DDSketch: a fast and fully-mergeable quantile sketch
with relative-error guarantees", PVLDB 12(12), 2019, without its bin
collapsing (the number of bins is bounded anyway: about
``ln(max / min) / (2 alpha)``, some 2,200 bins from 1 ns to 292 years at
``alpha = 0.01``).

The error bound: the value ``2 gamma**i / (gamma + 1)`` reported for bin
``i`` is within a relative ``alpha`` of every duration in the bin.  A
percentile (numpy's linear interpolation, as the exact kernels use) is
``x[lo] + t (x[hi] - x[lo])`` with ``0 <= t < 1``; both order statistics are
replaced by values within ``alpha`` of them, and a convex combination of
non-negative numbers each off by at most ``alpha`` relative is off by at most
``alpha`` relative: ``|estimate - exact| <= alpha * exact``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from itil_ci._internal.validate import fail
from itil_ci.measurement import _grouping as grp

__all__ = ["bins", "merge", "quantiles", "relative_error"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


def _gamma(alpha: float) -> float:
    return (1.0 + alpha) / (1.0 - alpha)


def bins(durations: IntArray | FloatArray, alpha: float) -> IntArray:
    """The bin of each duration (``>= 0``): ``-1`` for zero, else ``ceil(log_gamma d)``."""
    out = np.full(durations.size, -1, dtype=np.int64)
    positive = durations > 0
    logs = np.log(durations[positive].astype(np.float64)) / math.log(_gamma(alpha))
    out[positive] = np.ceil(logs).astype(np.int64)
    return out


def merge(
    cells: IntArray, binned: IntArray, counts: IntArray
) -> tuple[IntArray, IntArray, IntArray]:
    """Add up the counts of equal ``(cell, bin)`` pairs; sorted by cell, then bin."""
    if cells.size == 0:
        return cells, binned, counts
    low = int(binned.min())
    width = int(binned.max()) - low + 1
    key = cells * width + (binned - low)
    uniq, inverse = np.unique(key, return_inverse=True)
    total = np.bincount(inverse.ravel(), weights=counts, minlength=uniq.size)
    return uniq // width, uniq % width + low, total.astype(np.int64)


def _value(binned: IntArray, alpha: float) -> FloatArray:
    gamma = _gamma(alpha)
    out = np.zeros(binned.size, dtype=np.float64)
    positive = binned >= 0
    out[positive] = 2.0 * np.power(gamma, binned[positive].astype(np.float64)) / (gamma + 1.0)
    return out


def quantiles(
    cells: IntArray,
    binned: IntArray,
    counts: IntArray,
    size: int,
    qs: Sequence[float],
    alpha: float,
    *,
    scale: float = 1.0,
) -> list[FloatArray]:
    """Percentiles ``qs`` (0-100) per cell from merged bins, times ``scale``; NaN for empty cells.

    ``cells``, ``binned`` and ``counts`` come from :func:`merge` (sorted by cell, then bin).
    """
    n_per = np.bincount(cells, weights=counts, minlength=size).astype(np.int64)
    before = np.cumsum(n_per) - n_per  # tickets in the cells before each cell
    running = np.cumsum(counts)  # tickets up to and including each (cell, bin)
    values = _value(binned, alpha) * scale
    last = np.maximum(n_per - 1, 0)
    empty = n_per == 0
    out = []
    for q in qs:
        h = (q / 100.0) * last.astype(np.float64)
        lo = np.floor(h).astype(np.int64)
        hi = np.minimum(lo + 1, last)
        at_lo = np.searchsorted(running, before + lo, side="right")
        at_hi = np.searchsorted(running, before + hi, side="right")
        at_lo = np.minimum(at_lo, max(values.size - 1, 0))
        at_hi = np.minimum(at_hi, max(values.size - 1, 0))
        if values.size == 0:
            res = np.full(size, np.nan)
        else:
            res = grp._lerp(values[at_lo], values[at_hi], h - lo)
        res[empty] = np.nan
        out.append(res)
    return out


def relative_error(value: object) -> float:
    """The checked ``relative_error`` argument of an approximate Dask form."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise fail("relative_error", "a number between 0 and 0.5", value)
    alpha = float(value)
    if not 1e-6 <= alpha <= 0.5:
        raise fail("relative_error", "a number from 1e-06 to 0.5", value)
    return alpha


def split_quantiles(
    parts: Sequence[dict[str, Any]], st: Any, alpha: float, *, scale: float = 1.0
) -> tuple[FloatArray, FloatArray]:
    """Median and p90 per cell of ``st`` from the partitions' sketches, times ``scale``.

    Each partition's ``"sketch"`` is ``(local cells, bins, counts)`` from
    :func:`bins`; ``st.rows(i)`` maps partition ``i``'s local cells to cells.
    """
    cells, binned, counts = [], [], []
    for i, q in enumerate(parts):
        local, b, c = q["sketch"]
        cells.append(st.rows(i)[local])
        binned.append(b)
        counts.append(c)
    merged = merge(np.concatenate(cells), np.concatenate(binned), np.concatenate(counts))
    q50, q90 = quantiles(*merged, st.size, [50.0, 90.0], alpha, scale=scale)
    return q50, q90
