"""Vectorised pattern finders behind the special-cause rules (private).

Each finder takes a boolean zone mask (or the values) of one chart stage and
returns its hits as :data:`Hits` without a Python loop over points or
signals: single points, runs, trends, alternation, "k of m" and the NHS and
Nelson patterns.  :mod:`itil_ci.measurement._spc_rules` decides which finder
applies to which zone for each rule set.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from itil_ci.measurement._common import F64, I64

__all__ = [
    "Hits",
    "alternating_hits",
    "empty",
    "join",
    "k_of_m",
    "mixture_hits",
    "run_hits",
    "singles",
    "spans_flat",
    "trend_hits",
    "two_in_three_same_side",
]

# A rule's hits as parallel arrays: ``index`` (the completing point), ``flat``
# (every signal's points, concatenated in signal order), ``counts`` (how many of
# ``flat`` belong to each signal) and ``side`` (+1 above / rising, -1 below /
# falling, 0 no side).  Built without a Python loop over points or signals.
Hits = tuple[I64, I64, I64, I64]
_NONE = np.zeros(0, dtype=np.int64)


def empty() -> Hits:
    return _NONE, _NONE, _NONE, _NONE


def _window_starts(mask: npt.NDArray[np.bool_], length: int) -> I64:
    """Every ``j`` with ``mask[j : j + length]`` all True (doubling, O(n log length))."""
    n = mask.size
    if n < length:
        return _NONE
    a = mask
    k = 1
    while 2 * k <= length:
        a = a[:-k] & a[k:]  # a[j]: mask[j : j + 2k] all True
        k *= 2
    if k < length:
        a = a[: -(length - k)] & a[length - k :]  # two overlapping windows of k cover length
    return np.flatnonzero(a).astype(np.int64, copy=False)


def _run_spans(mask: npt.NDArray[np.bool_], length: int) -> tuple[I64, I64]:
    """Start and (exclusive) end of each maximal run of True at least ``length`` long."""
    w = _window_starts(mask, length)
    if w.size == 0:
        return _NONE, _NONE
    cut = np.flatnonzero(w[1:] != w[:-1] + 1)  # windows of one run are consecutive
    first = w[np.concatenate(([0], cut + 1))]
    last = w[np.concatenate((cut, [w.size - 1]))]
    return first, last + length


def spans_flat(lo: I64, hi: I64) -> tuple[I64, I64]:
    """``concatenate([arange(a, b) for a, b in zip(lo, hi)])`` and the lengths."""
    counts = hi - lo
    total = int(counts.sum())
    if total == 0:
        return _NONE, counts
    shift = lo - (np.cumsum(counts) - counts)
    return np.arange(total, dtype=np.int64) + np.repeat(shift, counts), counts


def _sided(index: I64, flat: I64, counts: I64, side: int) -> Hits:
    return index, flat, counts, np.full(index.size, side, dtype=np.int64)


def singles(mask: npt.NDArray[np.bool_], side: int) -> Hits:
    at = np.flatnonzero(mask).astype(np.int64, copy=False)
    return _sided(at, at, np.ones(at.size, dtype=np.int64), side)


def run_hits(mask: npt.NDArray[np.bool_], length: int, side: int) -> Hits:
    """Runs of at least ``length`` points; the signal completes at the run's ``length``-th."""
    lo, hi = _run_spans(mask, length)
    flat, counts = spans_flat(lo, hi)
    return _sided(lo + (length - 1), flat, counts, side)


def trend_hits(x: F64, length: int) -> Hits:
    """Runs of ``length`` points steadily rising or falling (equal neighbours break one)."""
    if x.size < length:
        return empty()
    parts = []
    for side, steps in ((1, x[1:] > x[:-1]), (-1, x[1:] < x[:-1])):
        lo, hi = _run_spans(steps, length - 1)  # runs of steps; points run one further
        flat, counts = spans_flat(lo, hi + 1)
        parts.append(_sided(lo + (length - 1), flat, counts, side))
    return join(parts)


def alternating_hits(x: F64, length: int) -> Hits:
    """Runs of ``length`` points alternating up and down (an equal step breaks one).

    Two runs that share a point (up, down, ..., up, up, down, ...: the point
    between the two rises ends one run and starts the next) form one signal.
    """
    if x.size < length:
        return empty()
    up, down = x[1:] > x[:-1], x[1:] < x[:-1]
    alt = (up[:-1] & down[1:]) | (down[:-1] & up[1:])  # alt[j]: steps j and j+1 alternate
    lo, hi = _run_spans(alt, length - 2)  # run k covers points lo[k] .. hi[k] + 1
    if lo.size > 1:
        new = np.concatenate(([True], lo[1:] > hi[:-1] + 1))  # no point shared with the last
        lo, hi = lo[new], hi[np.concatenate((np.flatnonzero(new)[1:] - 1, [hi.size - 1]))]
    flat, counts = spans_flat(lo, hi + 2)
    return _sided(lo + (length - 1), flat, counts, 0)


def _window_groups(first: I64, last: I64) -> tuple[I64, I64]:
    """Group windows (sorted) that share a point: the first and last window of each group.

    Window ``i`` holds the points ``first[i] .. last[i]``, and ``last`` never
    decreases; a window starting after the previous one's last point starts a group.
    """
    new = np.concatenate(([True], first[1:] > last[:-1]))
    starts = np.flatnonzero(new)
    ends = np.concatenate((starts[1:] - 1, [first.size - 1]))
    return starts, ends


def two_in_three_same_side(seg: F64, c: float, s: float, upper: float, lower: float) -> Hits:
    """NHS "two-in-three": 2 of 3 points close to a limit, all 3 on one side of the mean.

    As NHSRplotthedots (``ptd_two_in_three``, fixed in 0.2.2, NEWS: "points on
    opposite sides of the mean could incorrectly trigger 2-in-3 special-cause
    flags"): a point is close to a limit when it is beyond 2 sigma but not
    beyond the process limits (those are "astronomical" points already); three
    consecutive points qualify when at least two are close to a limit and all
    three lie strictly on the same side of the centre line (a point on it
    breaks the pattern).  The signal's points are the close points of the
    windows that share points; it completes at the second close point.
    """
    n = seg.size
    if n < 3:
        return empty()
    within = (seg <= upper) & (seg >= lower)
    parts = []
    for side, same, near in (
        (1, seg > c, within & (seg > c + 2 * s)),
        (-1, seg < c, within & (seg < c - 2 * s)),
    ):
        count = near[:-2].view(np.int8) + near[1:-1].view(np.int8) + near[2:].view(np.int8)
        j = np.flatnonzero(same[:-2] & same[1:-1] & same[2:] & (count >= 2)).astype(np.int64)
        if j.size == 0:
            continue
        first = np.where(near[j], j, j + 1)
        last = np.where(near[j + 2], j + 2, j + 1)
        comp = np.where(near[j] & near[j + 1], j + 1, j + 2)
        starts, ends = _window_groups(first, last)
        cand, span = spans_flat(first[starts], last[ends] + 1)
        keep = near[cand]
        group = np.repeat(np.arange(starts.size, dtype=np.int64), span)
        counts = np.bincount(group[keep], minlength=starts.size).astype(np.int64)
        parts.append(_sided(comp[starts], cand[keep], counts, side))
    return join(parts)


def mixture_hits(above: npt.NDArray[np.bool_], below: npt.NDArray[np.bool_], length: int) -> Hits:
    """Nelson's rule 8: ``length`` points in a row beyond 1 sigma, with points on both sides.

    Nelson (1984): "eight points in a row on both sides of the centreline with
    none in zone C".  Windows of ``length`` points all beyond 1 sigma and
    holding at least one point above and one below the centre line qualify;
    windows that share points form one signal, completing at the end of the
    first window.
    """
    w = _window_starts(above | below, length)
    if w.size == 0:
        return empty()
    ca = np.concatenate(([0], np.cumsum(above, dtype=np.int64)))
    cb = np.concatenate(([0], np.cumsum(below, dtype=np.int64)))
    w = w[(ca[w + length] > ca[w]) & (cb[w + length] > cb[w])]
    if w.size == 0:
        return empty()
    starts, ends = _window_groups(w, w + (length - 1))
    flat, counts = spans_flat(w[starts], w[ends] + length)
    return _sided(w[starts] + (length - 1), flat, counts, 0)


def k_of_m(mask: npt.NDArray[np.bool_], k: int, m: int, side: int) -> Hits:
    """``k`` of ``m`` consecutive points in the zone; overlapping occurrences merge."""
    n = mask.size
    # a zone point completes the pattern when the window of m ending at it holds k zone points
    count = mask.view(np.int8).copy()
    for o in range(1, min(m, n)):
        count[o:] += mask.view(np.int8)[:-o]
    comp = np.flatnonzero(mask & (count >= k)).astype(np.int64, copy=False)
    if comp.size == 0:
        return empty()
    first = comp.copy()  # the earliest zone point in each completing window
    for o in range(1, m):
        back = comp - o
        inside = back >= 0
        hit = inside & mask[np.where(inside, back, 0)]
        first = np.where(hit, back, first)
    # an occurrence sharing a point with the previous one continues its signal
    starts = np.flatnonzero(np.concatenate(([True], first[1:] > comp[:-1])))
    ends = np.concatenate((starts[1:] - 1, [comp.size - 1]))
    cand, span = spans_flat(first[starts], comp[ends] + 1)
    keep = mask[cand]
    group = np.repeat(np.arange(starts.size, dtype=np.int64), span)
    counts = np.bincount(group[keep], minlength=starts.size).astype(np.int64)
    return _sided(comp[starts], cand[keep], counts, side)


def join(parts: list[Hits]) -> Hits:
    if not parts:
        return empty()
    if len(parts) == 1:
        return parts[0]
    a, b, c, d = zip(*parts, strict=True)
    return np.concatenate(a), np.concatenate(b), np.concatenate(c), np.concatenate(d)
