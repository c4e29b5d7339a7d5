"""Mann-Kendall trend test with Sen's slope, exact and sub-quadratic.

How it works (all vectorised, no Python loop over observations):

- ``S`` counts concordant minus discordant pairs.  The number of pairs
  ``i < j`` with ``x[j] <= x[i]`` is an inversion count, taken by a bottom-up
  merge sort whose levels are numpy operations (``searchsorted`` of each right
  block into its left block, then a stable sort that merges them):
  ``O(n log² n)`` work, exact integers.
- Sen's slope is the median of the ``n(n-1)/2`` pairwise slopes.  The number
  of slopes ``<= b`` is the same inversion count on ``x - b·t``, so the median
  is found by selection on the slopes without listing them: random samples of
  the pairs inside the current bracket narrow it until few enough pairs lie
  inside, and those are listed exactly (pairs whose order differs between
  ``x - lo·t`` and ``x - hi·t``) and partially sorted.  Memory stays
  ``O(n + 4 million)``; the answer is the exact median of the floating-point
  slopes ``(x[j] - x[i]) / (t[j] - t[i])``.  A final check confirms the
  answer is clear of the bracket's rounding margin; if not (heavily tied
  data), a chunked exhaustive pass decides, exact but quadratic.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from itil_ci._internal import arrays
from itil_ci._internal import validate as v
from itil_ci.domain import Series
from itil_ci.domain.kpi import RATE_UNITS
from itil_ci.domain.results import Trend, TrendVerdict
from itil_ci.measurement._common import (
    F64,
    I64,
    dense_rank,
    no_overflow,
    scaled,
    too_large,
    two_sided_p,
    values_of,
)

__all__ = ["mann_kendall", "sen_slope"]

_DIRECT_PAIRS = 3_000_000  # list every slope at once below this many pairs
_ENUM_PAIRS = 6_000_000  # list the pairs inside the bracket below this many
_SAMPLE = 1_000_000  # slopes sampled to narrow the bracket (2x that from all pairs)
_U = 2.0**-53


def _pad(r: I64) -> tuple[I64, int]:
    """Pad to a power of two with increasing sentinels above every value."""
    n = r.size
    m = 1 << max(1, (n - 1).bit_length())
    top = int(r.max()) + 1 if n else 0
    out = np.empty(m, dtype=np.int64)
    out[:n] = r
    out[n:] = np.arange(top, top + m - n, dtype=np.int64)
    return out, top + m - n


def _count_le_pairs(r: I64) -> int:
    """How many pairs ``a < b`` have ``r[b] <= r[a]`` (``r`` integer ranks >= 0)."""
    if r.size < 2:
        return 0
    a, _ = _pad(r)
    m = a.size
    idx = np.arange(m, dtype=np.int64)
    total = 0
    w = 1
    shift = 0
    while w < m:
        # tag: a right element sorts before the equal left ones, so after merging a
        # row (a pair of blocks) its position minus its rank among the right
        # elements counts the left elements strictly below it
        key = (a << 1) | (((idx >> shift) & 1) ^ 1)
        rows = key.reshape(-1, 2 * w)
        rows.sort(axis=1, kind="stable")
        right = (key & 1) == 0
        below = int(np.sum(idx[right] & (2 * w - 1))) - (m // 2) * (w - 1) // 2
        # each right element has w left partners; those not strictly below it count
        total += (m // 2) * w - below
        a = key >> 1
        w *= 2
        shift += 1
    return total


def _pair_positions(r: I64, draws: I64) -> tuple[I64, I64, int]:
    """Positions ``(a, b)`` of the pairs ``a < b`` with ``r[b] <= r[a]`` numbered ``draws``.

    Pairs are numbered level by level of the merge, then by right element in
    merged order, then by left partner; ``draws`` must be sorted.  Also
    returns the number of such pairs.
    """
    a, _ = _pad(r)
    m = a.size
    bits = max(1, (m - 1).bit_length())
    mask = (1 << bits) - 1
    idx = np.arange(m, dtype=np.int64)
    ids = idx.copy()
    out_a = np.empty(draws.size, dtype=np.int64)
    out_b = np.empty(draws.size, dtype=np.int64)
    done = 0
    base = 0
    w = 1
    shift = 0
    while w < m:
        left_ids = ids.reshape(-1, 2, w)[:, 0, :].ravel()  # each left block in ascending order
        key = (((a << 1) | (((idx >> shift) & 1) ^ 1)) << bits) | ids
        key.reshape(-1, 2 * w).sort(axis=1, kind="stable")
        pos = np.flatnonzero(((key >> bits) & 1) == 0)  # right elements, in merged order
        s = (pos & (2 * w - 1)) - (np.arange(pos.size, dtype=np.int64) & (w - 1))
        ge = w - s
        cs = np.cumsum(ge)
        level = int(cs[-1])
        stop = int(np.searchsorted(draws, base + level, side="left"))
        if stop > done:
            u = draws[done:stop] - base
            at = np.searchsorted(cs, u, side="right")
            off = u - (cs[at] - ge[at])
            out_a[done:stop] = left_ids[(pos[at] >> (shift + 1)) * w + s[at] + off]
            out_b[done:stop] = key[pos[at]] & mask
            done = stop
        base += level
        ids = key & mask
        a = key >> (bits + 1)
        w *= 2
        shift += 1
    return out_a, out_b, base


class _Slopes:
    """The pairwise slopes of ``(t, x)`` (``t`` strictly increasing), implicitly."""

    def __init__(self, t: F64, x: F64) -> None:
        self.t, self.x = t, x
        self.n = t.size
        self.pairs = self.n * (self.n - 1) // 2
        dt_min = float(np.min(np.diff(t)))
        scale_x = float(np.max(np.abs(x)))
        scale_t = float(np.max(np.abs(t)))
        self._eps = (16 * _U * scale_x / dt_min, 16 * _U * scale_t / dt_min + 4 * _U)

    def eps(self, b: float) -> float:
        """A bound on how far from ``b`` a slope may be misclassified at ``b``."""
        return self._eps[0] + self._eps[1] * abs(b)

    def _rank_at(self, b: float) -> I64:
        if b == -math.inf:
            return np.arange(self.n, dtype=np.int64)
        if b == math.inf:
            return np.arange(self.n - 1, -1, -1, dtype=np.int64)
        return dense_rank(self.x - b * self.t)[0]

    def count_le(self, b: float) -> int:
        """How many slopes are ``<= b`` (compared through ``x - b·t``)."""
        if b == -math.inf:
            return 0
        if b == math.inf:
            return self.pairs
        return _count_le_pairs(self._rank_at(b))

    def slope(self, i: I64, j: I64) -> F64:
        """Slopes of the pairs ``(i, j)`` with ``i`` earlier than ``j``."""
        out: F64 = (self.x[j] - self.x[i]) / (self.t[j] - self.t[i])
        return out

    def in_bracket(self, lo: float, hi: float, draws: I64) -> tuple[F64, int]:
        """Slopes numbered ``draws`` among those in ``(lo, hi]``, and how many there are."""
        if lo == -math.inf and hi == math.inf:
            i, j = np.triu_indices(self.n, 1)
            return self.slope(i[draws], j[draws]), self.pairs
        r_lo, r_hi = self._rank_at(lo), self._rank_at(hi)
        order = np.lexsort((r_hi, r_lo))
        a, b, total = _pair_positions(r_hi[order], draws)
        # a pair whose slope exceeds lo is ordered by time at lo: a is the earlier point
        return self.slope(order[a], order[b]), total

    def sample(self, lo: float, hi: float, inside: int, size: int, rng: np.random.Generator) -> F64:
        """``size`` slopes drawn uniformly (with replacement) from the ``inside`` in (lo, hi]."""
        if lo == -math.inf and hi == math.inf:
            i = rng.integers(0, self.n, size)
            j = rng.integers(0, self.n - 1, size)
            j = j + (j >= i)
            return self.slope(np.minimum(i, j), np.maximum(i, j))
        draws = np.sort(rng.integers(0, inside, size))
        return self.in_bracket(lo, hi, draws)[0]


def _order_stats(values: F64, ranks: tuple[int, int]) -> tuple[float, float]:
    part = np.partition(values, list(ranks))
    return float(part[ranks[0]]), float(part[ranks[1]])


def _quantiles(sample: F64, fractions: list[float]) -> list[float]:
    at = [min(sample.size - 1, max(0, int(f * sample.size))) for f in fractions]
    part = np.partition(sample, at)
    return [float(part[i]) for i in at]


def _exhaustive(sl: _Slopes, ranks: tuple[int, int]) -> tuple[float, float]:
    """Exact order statistics of all slopes by chunked passes (quadratic time)."""
    rng = np.random.default_rng(7)
    sample = sl.sample(-math.inf, math.inf, sl.pairs, _SAMPLE, rng)
    lo_q = max(0.0, ranks[0] / sl.pairs - 0.01)
    hi_q = min(1.0, (ranks[1] + 1) / sl.pairs + 0.01)
    qa, qb = _quantiles(sample, [lo_q, hi_q])
    a = qa if lo_q > 0 else -math.inf
    b = qb if hi_q < 1 else math.inf
    for _ in range(2):
        below = 0
        kept = []
        rows = max(1, _ENUM_PAIRS // sl.n)
        for start in range(0, sl.n - 1, rows):
            stop = min(sl.n - 1, start + rows)
            i, j = _row_pairs(sl.n, start, stop)
            s = sl.slope(i, j)
            below += int(np.count_nonzero(s < a))
            kept.append(s[(s >= a) & (s <= b)])
        inside = np.concatenate(kept)
        if below <= ranks[0] and below + inside.size > ranks[1]:
            return _order_stats(inside, (ranks[0] - below, ranks[1] - below))
        a, b = -math.inf, math.inf
    raise AssertionError("unreachable: the whole range holds every slope")  # pragma: no cover


def _row_pairs(n: int, start: int, stop: int) -> tuple[I64, I64]:
    """All pairs ``(i, j)``, ``i < j``, with ``start <= i < stop``."""
    rows = np.arange(start, stop, dtype=np.int64)
    counts = n - 1 - rows
    i = np.repeat(rows, counts)
    first = np.cumsum(counts) - counts
    j = np.arange(i.size, dtype=np.int64) - np.repeat(first, counts) + i + 1
    return i, j


def _median_slope(t: F64, x: F64) -> float:
    """The exact median of the pairwise slopes (see the module docstring)."""
    sl = _Slopes(t, x)
    n_pairs = sl.pairs
    ranks = ((n_pairs - 1) // 2, n_pairs // 2)
    if n_pairs <= _DIRECT_PAIRS:
        i, j = np.triu_indices(sl.n, 1)
        lo_v, hi_v = _order_stats(sl.slope(i, j), ranks)
        return (lo_v + hi_v) / 2.0
    rng = np.random.default_rng(20_000)
    lo, hi, c_lo, c_hi = -math.inf, math.inf, 0, n_pairs
    for _ in range(16):
        inside = c_hi - c_lo
        if inside <= _ENUM_PAIRS:
            slopes, total = sl.in_bracket(lo, hi, np.arange(inside, dtype=np.int64))
            if total != inside:  # pragma: no cover - rounding broke the bracket's nesting
                break
            lo_v, hi_v = _order_stats(slopes, (ranks[0] - c_lo, ranks[1] - c_lo))
            if lo != -math.inf and not lo_v > lo + sl.eps(lo):
                lo -= 8 * sl.eps(lo)
                c_lo = sl.count_le(lo)
                continue
            if hi != math.inf and not hi_v < hi - sl.eps(hi):
                hi += 8 * sl.eps(hi)
                c_hi = sl.count_le(hi)
                continue
            return (lo_v + hi_v) / 2.0
        size = _SAMPLE
        if lo == -math.inf and hi == math.inf:  # cheap to draw: enough to land under the limit
            size = int(min(2 * _SAMPLE, max(_SAMPLE / 5, (4 * n_pairs / _ENUM_PAIRS) ** 2)))
        sample = sl.sample(lo, hi, inside, size, rng)
        f_lo = (ranks[0] - c_lo) / inside
        f_hi = (ranks[1] + 1 - c_lo) / inside
        delta = 3.0 * math.sqrt(0.25 / sample.size) + 2.0 / sample.size
        q_lo, q_mid, q_hi = _quantiles(sample, [f_lo - delta, (f_lo + f_hi) / 2, f_hi + delta])
        if q_lo != q_hi:
            if f_lo - delta > 0:
                cand = q_lo - 4 * sl.eps(q_lo)
                c = sl.count_le(cand)
                if c_lo < c <= ranks[0]:
                    lo, c_lo = cand, c
            if f_hi + delta < 1:
                cand = q_hi + 4 * sl.eps(q_hi)
                c = sl.count_le(cand)
                if ranks[1] < c < c_hi:
                    hi, c_hi = cand, c
            if (c_hi - c_lo) * 4 <= inside:
                continue
        # a block of slopes equal up to rounding holds the median: bracket it tightly
        a, b = q_mid - 4 * sl.eps(q_mid), q_mid + 4 * sl.eps(q_mid)
        c_a, c_b = sl.count_le(a), sl.count_le(b)
        if c_a <= ranks[0] and c_b > ranks[1]:
            if c_b - c_a <= _ENUM_PAIRS:
                lo, hi, c_lo, c_hi = a, b, c_a, c_b
                continue
            width = c_b - c_a
            block = sl.sample(a, b, width, _SAMPLE // 5, rng)
            qs = _quantiles(block, [(ranks[0] - c_a) / width, (ranks[1] - c_a) / width])
            return (qs[0] + qs[1]) / 2.0
        if c_a > ranks[0]:
            hi, c_hi = a, c_a
        else:
            lo, c_lo = b, c_b
    return sum(_exhaustive(sl, ranks)) / 2.0


def _times_in_units(name: str, times: Any, n: int, per: str) -> F64:
    t = arrays.as_times(name, times)
    if t.size != n:
        raise v.fail(name, f"{n} times (one per value)", f"{t.size} times")
    ti = t.view(np.int64)
    offset = arrays.span_ns(name, ti[0], ti) if n else ti  # exact: no wrap-round
    if n > 1 and not (np.diff(offset) > 0).all():
        bad = int(np.flatnonzero(np.diff(offset) <= 0)[0]) + 1
        raise v.fail(f"{name}[{bad}]", "strictly increasing times", str(t[bad]))
    out: F64 = offset.astype(np.float64) / (RATE_UNITS[per] * 1e9)
    return out


def _slope_and_intercept(t: F64, x: F64) -> tuple[float, float]:
    """Sen's slope and Conover's intercept; an InvalidInputError when they overflow."""
    with no_overflow("values", "take the pairwise slopes", x):
        slope = _median_slope(t, x)
    intercept = scaled(np.median, x, "values", "take the median") - float(np.median(t)) * slope
    if not (math.isfinite(slope) and math.isfinite(intercept)):
        raise too_large("values", "take the pairwise slopes", x)
    return slope, intercept


def sen_slope(values: Any, times: Any = None, *, per: str = "day") -> tuple[float, float]:
    """Sen's slope (median of pairwise slopes) and its intercept.

    The slope is per index, or per ``per`` when ``times`` are given (one of
    ``"second"``, ``"minute"``, ``"hour"``, ``"day"`` (default), ``"week"``,
    singular, unlike the plural ``unit=`` of the ITSM KPIs); the intercept
    is ``median(x) - median(t)·slope`` (Conover), the line's value at the
    first observation.

    Examples:
        >>> sen_slope([1.0, 3.0, 2.0, 5.0, 4.0])
        (0.875, 1.25)
    """
    x = values_of("values", values.values if isinstance(values, Series) else values)
    if x.size < 2:
        raise v.fail("values", "at least 2 values", f"{x.size} value")
    v.choice("per", per, sorted(RATE_UNITS))
    if times is None and isinstance(values, Series):
        times = values.times
    t = (
        np.arange(x.size, dtype=np.float64)
        if times is None
        else _times_in_units("times", times, x.size, per)
    )
    return _slope_and_intercept(t, x)


def mann_kendall(values: Any, times: Any = None, *, alpha: float = 0.05, per: str = "day") -> Trend:
    """Mann-Kendall test for a monotonic trend, with Sen's slope.

    - ``s`` = Σ sign(x[j] - x[i]) over pairs ``i < j`` (exact, ``O(n log n)``
      levels of vectorised merging);
    - ``var_s`` with the tie correction
      ``[n(n-1)(2n+5) - Σ t(t-1)(2t+5)] / 18``;
    - ``z = (s - sign(s)) / sqrt(var_s)`` (continuity correction; 0 when
      ``s = 0`` or ``var_s = 0``) and the **two-sided** normal ``p``;
    - ``tau_a = s / (n(n-1)/2)``; ``tau_b = s / sqrt((n₀ - n₁)·n₀)`` with
      ``n₁`` the tied pairs (0 when every value is the same);
    - Sen's slope, exact, per index or per ``per`` (``"second"``,
      ``"minute"``, ``"hour"``, ``"day"`` (default), ``"week"``) when
      ``times`` (strictly increasing) are given or ``values`` is a Series,
      with the intercept ``median(x) - median(t)·slope`` at the first time;
    - ``verdict``: increasing / decreasing when ``p < alpha``, else no-trend.

    Conventions match ``pymannkendall.original_test``.  Needs 2 or more values.

    Examples:
        >>> r = mann_kendall([1.0, 2.0, 3.0, 5.0, 4.0])
        >>> r.s, r.var_s, round(r.z, 4), round(r.p, 4), r.tau_a, r.slope
        (8, 16.66..., 1.7146, 0.0864, 0.8, 1.0)
    """
    a = v.number("alpha", alpha)
    if a is None or not 0 < a < 1:
        raise v.fail("alpha", "a number between 0 and 1 (exclusive)", alpha)
    if isinstance(values, Series) and times is None:
        times = values.times
    x = values_of("values", values)
    n = int(x.size)
    if n < 2:
        raise v.fail("values", "at least 2 values for a trend test", f"{n} value")
    v.choice("per", per, sorted(RATE_UNITS))
    t = np.arange(n, dtype=np.float64) if times is None else _times_in_units("times", times, n, per)
    ranks, ties = dense_rank(x)
    n0 = n * (n - 1) // 2
    tied = int(np.sum(ties * (ties - 1) // 2))
    s = n0 - 2 * _count_le_pairs(ranks) + tied
    tf = ties.astype(np.float64)
    var_s = (float(n * (n - 1) * (2 * n + 5)) - float(np.sum(tf * (tf - 1) * (2 * tf + 5)))) / 18
    z = (s - math.copysign(1, s)) / math.sqrt(var_s) if s != 0 and var_s > 0 else 0.0
    p = two_sided_p(z)
    tau_a = s / n0
    tau_b = s / math.sqrt(float(n0 - tied) * n0) if n0 > tied else 0.0
    slope, intercept = _slope_and_intercept(t, x)
    if p < a:
        verdict = TrendVerdict.INCREASING if z > 0 else TrendVerdict.DECREASING
    else:
        verdict = TrendVerdict.NO_TREND
    unit = "index" if times is None else per
    return Trend(
        n=n,
        s=int(s),
        var_s=var_s,
        z=float(z),
        p=float(p),
        tau_a=float(tau_a),
        tau_b=float(tau_b),
        slope=float(slope),
        intercept=intercept,
        verdict=verdict,
        alpha=a,
        slope_unit=unit,
        method="Mann-Kendall (tie-corrected variance, continuity-corrected Z, two-sided p), "
        f"exact Sen's slope per {unit}",
    )
