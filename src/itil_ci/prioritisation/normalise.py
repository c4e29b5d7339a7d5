"""Normalisation of a decision matrix so that criteria on different scales can be combined.

Every method maps column ``j`` linearly, ``n_ij = a_j * x_ij + b_j``, so that
higher is better in every column (a cost criterion is flipped).  The methods:

========== ======================== ==========================  ====================
method     benefit column           cost column                 requires
========== ======================== ==========================  ====================
minmax     (x - min) / (max - min)  (max - x) / (max - min)     -
vector     x / ‖x‖₂                 1 - x / ‖x‖₂                -
sum        x / Σx                   1 - x / Σx                  x >= 0
max        x / max                  1 - x / max                 x >= 0
none       x                        -x                          one common scale
========== ======================== ==========================  ====================

A constant column (all options equal on that criterion) never divides by
zero: under ``minmax``, ``sum`` and ``max`` it is mapped to 0; under
``vector`` and ``none``, which divide by nothing that could be zero (unless
a vector column is all zeros, mapped to 0), it is normalised like any other
column.  Either way it adds the same amount to every option, so it never
changes a ranking — and a score never falls when an option improves, even
for negative values (mapping a constant negative column to 0 would make an
improving option lose score the moment its column starts to vary).

Every cost form is linear, ``1 - x / ...``.  For ``vector`` and ``max`` that
is what pymcdm 1.4 does (``vector_normalization`` and ``max_normalization``
with ``cost=True``); for ``sum`` it is not: pymcdm's ``sum_normalization``
maps a cost column to ``(1/x) / Σ(1/x)``, and this library to ``1 - x / Σx``.
The library keeps the linear form on purpose: a weighted sum then stays a
linear function of the inputs (halving an option's effort gains it the same
score whatever the other options' efforts are), the normalisation is the
same kind of map for all four methods, and a zero cost is allowed (pymcdm
requires every value > 0, as ``1/x`` does).  Reciprocal forms (``min / x``
for max, ``(1/x) / Σ(1/x)`` for sum) rank options differently in general; to
use one, pass ``1 / x`` as a benefit column.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from itil_ci._internal.validate import choice, fail
from itil_ci.prioritisation import _inputs
from itil_ci.prioritisation.criteria import Criterion, _cost_mask, as_criteria

__all__ = ["NORMALISATIONS", "normalise"]

#: The normalisation methods, see the module documentation.
NORMALISATIONS = ("minmax", "vector", "sum", "max", "none")

Normalisation = Literal["minmax", "vector", "sum", "max", "none"]


def _check_method(method: object, name: str = "normalise") -> str:
    """Check a normalisation name."""
    return choice(name, method, NORMALISATIONS)


_BLOCK = 65536


def _column_extremes(
    x: npt.NDArray[np.float64],
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Per-column minimum and maximum of a tall matrix (private helper).

    numpy's ``min(axis=0)`` on a tall C-ordered matrix with few columns runs
    a short inner loop per row; folding halves of row blocks elementwise is
    several times faster and gives the same answer.
    """
    n, m = x.shape
    lo = np.full(m, np.inf)
    hi = np.full(m, -np.inf)
    for start in range(0, n, _BLOCK):
        block = x[start : start + _BLOCK]
        a = b = block
        while a.shape[0] > 16:
            h = a.shape[0] // 2
            na = np.minimum(a[:h], a[h : 2 * h])
            nb = np.maximum(b[:h], b[h : 2 * h])
            if a.shape[0] % 2:
                np.minimum(na[0], a[-1], out=na[0])
                np.maximum(nb[0], b[-1], out=nb[0])
            a, b = na, nb
        np.minimum(lo, a.min(axis=0), out=lo)
        np.maximum(hi, b.max(axis=0), out=hi)
    return lo, hi


_TINY = 2.0**-500  # a column whose largest magnitude is below this is rescaled first


def _affine(
    x: npt.NDArray[np.float64], cost: npt.NDArray[np.bool_], method: str
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """``(x', a, b)`` per column with ``normalised = a * x' + b`` (private helper).

    ``x'`` is ``x`` itself, except that under every method but ``none`` a
    column of tiny values (largest magnitude below 2**-500) is multiplied by
    a power of two that brings its largest magnitude to about 1: exact, and
    it changes no normalised value (all four methods are scale-invariant),
    but ``a = 1 / (max - min)`` (or ``1 / norm``, ...) of a subnormal column
    would overflow to inf and make every score NaN.  Callers must use ``x'``
    with ``a`` and ``b``.
    """
    m = x.shape[1]
    a = np.zeros(m)
    b = np.zeros(m)
    if x.shape[0] == 0:
        return x, a, b
    lo, hi = _column_extremes(x)
    if method != "none":
        top = np.maximum(np.abs(lo), np.abs(hi))
        tiny = (top > 0) & (top < _TINY)
        if tiny.any():
            shift = -np.frexp(top[tiny])[1]
            x = x.copy()
            x[:, tiny] = np.ldexp(x[:, tiny], shift)
            lo, hi = lo.copy(), hi.copy()
            lo[tiny], hi[tiny] = np.ldexp(lo[tiny], shift), np.ldexp(hi[tiny], shift)
    varies = hi > lo
    sign = np.where(cost, -1.0, 1.0)
    if method == "none":
        a = sign.copy()
    elif method == "minmax":
        # Halve both ends where max - min overflows (values of opposite sign near 1e308).
        with np.errstate(over="ignore"):
            half = np.where(np.isfinite(hi - lo), 1.0, 0.5)
        rng = np.where(varies, hi * half - lo * half, 1.0)
        a = sign * half / rng
        b = np.where(cost, hi, -lo) * half / rng
    else:
        if method in ("sum", "max") and (lo < 0).any():
            j = int(np.flatnonzero(lo < 0)[0])
            raise fail(
                f"matrix column {j}",
                f"values >= 0 for normalise={method!r} (use 'minmax' or 'vector')",
                float(lo[j]),
            )
        scale = np.maximum(np.abs(lo), np.abs(hi))
        scale = np.where(scale > 0, scale, 1.0)
        with np.errstate(over="ignore"):
            if method == "vector":
                denom = np.sqrt(np.einsum("ij,ij->j", x / scale, x / scale)) * scale
            elif method == "sum":
                denom = x.sum(axis=0)
            else:
                denom = hi.copy()
        if method == "vector":
            # x / ||x|| never divides by zero unless the column is all zeros, and it rises
            # with x even when x < 0; treating a constant column as "nothing" here would
            # make a negative column's options lose score when one of them improves.
            varies = (lo != 0) | (hi != 0)
        denom = np.where(varies & (denom > 0), denom, 1.0)
        a = sign / denom
        huge = ~np.isfinite(denom)
        if huge.any():
            # The norm or sum overflows float64 (values near 1e308): divide in two steps.
            xs = x[:, huge] / scale[huge]
            unit = np.sqrt(np.einsum("ij,ij->j", xs, xs)) if method == "vector" else xs.sum(axis=0)
            a[huge] = sign[huge] / scale[huge] / unit
        b = np.where(cost, 1.0, 0.0)
    if method != "none":
        a = np.where(varies, a, 0.0)
        b = np.where(varies, b, 0.0)
    return x, a, b


def normalise(
    matrix: Any,
    criteria: Sequence[Criterion] | None = None,
    *,
    method: Normalisation = "minmax",
) -> npt.NDArray[np.float64]:
    """Normalise a decision matrix (options × criteria) so higher is better everywhere.

    ``criteria`` supplies the directions (all benefit when None).  See the
    module documentation for the formulas.

    Examples:
        >>> normalise([[1.0, 10.0], [3.0, 30.0], [2.0, 20.0]],
        ...           [Criterion("value"), Criterion("effort", 1, "cost")]).tolist()
        [[0.0, 1.0], [1.0, 0.0], [0.5, 0.5]]
    """
    meth = _check_method(method, "method")
    x = _inputs.as_matrix("matrix", matrix)
    if criteria is None:
        cost = np.zeros(x.shape[1], dtype=bool)
    else:
        crit = as_criteria(criteria)
        if len(crit) != x.shape[1]:
            raise fail(
                "matrix", f"{len(crit)} columns (one per criterion)", f"{x.shape[1]} columns"
            )
        cost = _cost_mask(crit)
    x, a, b = _affine(x, cost, meth)
    out: npt.NDArray[np.float64] = x * a + b
    return out
