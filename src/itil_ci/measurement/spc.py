"""XmR control charts (natural process limits) and special-cause rules."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any, cast

import attrs
import numpy as np
import numpy.typing as npt

from itil_ci._internal import arrays, display
from itil_ci._internal import validate as v
from itil_ci.domain import Direction, Series
from itil_ci.domain.results import Signal, SignalKind, _trusted_signals
from itil_ci.domain.series import to_datetime64
from itil_ci.measurement._common import (
    F64,
    I64,
    direction_of,
    no_overflow,
    scaled,
    too_large,
    values_of,
)

__all__ = [
    "CONSTANTS",
    "ChartStage",
    "ControlChart",
    "SignalTable",
    "signal_table",
    "signals",
    "xmr",
]

# name -> (E2 = half-width of the limits in average moving ranges, d2, D4)
CONSTANTS: dict[str, tuple[float, float, float]] = {
    "wheeler": (2.66, 1.128, 3.268),
    "exact": (
        3.0 / (2.0 / math.sqrt(math.pi)),
        2.0 / math.sqrt(math.pi),
        1.0 + 3.0 * math.sqrt(2.0 - 4.0 / math.pi) / (2.0 / math.sqrt(math.pi)),
    ),
    "sigma": (3.0 / 1.128, 1.128, 3.267),
}
"""Control-chart constants for ``xmr(constants=...)``: ``(E2, d2, D4)``.

Examples:
    >>> round(CONSTANTS["exact"][2], 9)
    3.266531919
"""


@attrs.frozen
class ChartStage:
    """The limits of one stage (a stretch ``[start, end)`` of points) of a chart.

    ``limit_points`` is how many of the stage's points the limits were
    computed from; ``screened`` how many moving ranges were screened out.

    Examples:
        >>> stage = xmr([5, 6, 5, 6, 2, 3, 2, 3], change_at=4).stages[1]
        >>> stage.start, stage.end, stage.centre, stage.limit_points
        (4, 8, 2.5, 4)
    """

    start: int
    end: int
    centre: float
    mr_bar: float
    sigma: float
    upper: float
    lower: float
    mr_upper: float
    limit_points: int
    screened: int = 0

    def _repr_html_(self) -> str:
        return display.html(self)


@attrs.frozen
class ControlChart:
    """An XmR (individuals and moving range) chart.

    ``centre``, ``mr_bar`` (average moving range), ``sigma`` (one-sigma width,
    a third of the distance from the centre to a limit), ``upper`` and
    ``lower`` (natural process limits) and ``mr_upper`` (upper range limit)
    are those of the last stage, i.e. of the current process; ``stages`` holds
    every stage of a staged chart (one stage when there is no change).

    Examples:
        >>> chart = xmr([10, 12, 11, 13, 12])
        >>> chart.centre, chart.mr_bar, round(chart.upper, 3)
        (11.6, 1.5, 15.59)
    """

    centre: float
    mr_bar: float
    sigma: float
    upper: float
    lower: float
    mr_upper: float
    stages: tuple[ChartStage, ...]
    n: int
    constants: str = "wheeler"
    baseline_points: int | None = None
    screen_ranges: bool = False
    known_centre: bool = False
    known_sigma: bool = False
    method: str = ""

    def _repr_html_(self) -> str:
        return display.html(self)


def _stage_bounds(
    name: str, change_at: Any, n: int, times: npt.NDArray[np.datetime64] | None
) -> list[int]:
    if change_at is None:
        return []
    items = (
        list(change_at)
        if isinstance(change_at, Sequence | np.ndarray) and not isinstance(change_at, str | bytes)
        else [change_at]
    )
    cuts: list[int] = []
    for i, item in enumerate(items):
        label = f"{name}[{i}]" if len(items) > 1 else name
        if isinstance(item, bool):
            raise v.fail(label, "an index or a timezone-aware time", item)
        if v.is_whole(item):
            cut = int(item)
        else:
            if times is None:
                raise v.fail(label, "an index (times are needed for a date: pass times=)", item)
            t = to_datetime64(label, item)
            cut = int(np.searchsorted(times, t, side="left"))
        if not 0 < cut < n:
            raise v.fail(label, f"a change strictly inside the series (index 1..{n - 1})", item)
        cuts.append(cut)
    if sorted(set(cuts)) != cuts:
        raise v.fail(name, "changes in increasing order, each in a different place", change_at)
    return cuts


def _natural_bounds(bounds: object) -> tuple[float | None, float | None]:
    if bounds is None:
        return None, None
    if not isinstance(bounds, tuple | list) or len(bounds) != 2:
        raise v.fail("bounds", "None or a (low, high) pair, each a number or None", bounds)
    low = v.number("bounds[0]", bounds[0], allow_none=True)
    high = v.number("bounds[1]", bounds[1], allow_none=True)
    if low is not None and high is not None and not high > low:
        raise v.fail("bounds", "a (low, high) pair with high > low", bounds)
    return low, high


def xmr(
    values: Any,
    *,
    constants: str = "wheeler",
    baseline_points: int | None = None,
    screen_ranges: bool = False,
    centre: float | None = None,
    sigma: float | None = None,
    change_at: Any = None,
    times: Any = None,
    bounds: tuple[float | None, float | None] | None = None,
) -> ControlChart:
    """Build an XmR chart: centre line, average moving range, natural process limits.

    Limits are ``centre ± E2·mR̄`` and the range limit ``D4·mR̄`` with
    ``constants``:

    - ``"wheeler"`` (default): E2 = 2.66, D4 = 3.268 (Wheeler & Chambers);
    - ``"exact"``: d2 = 2/√π = 1.128379167, E2 = 3/d2, D4 = 1 + 3·d3/d2 =
      3.266531919;
    - ``"sigma"``: E2 = 3/1.128, D4 = 3.267 (the NIST/SEMATECH e-Handbook).

    ``baseline_points=k`` computes the limits from the first ``k`` points of
    each stage (all of them when a stage is shorter).  ``screen_ranges=True``
    drops moving ranges above the range limit and recomputes mR̄ once.
    ``centre=`` and ``sigma=`` are known standards used instead of estimates
    (with a known sigma the limits are ``centre ± 3·sigma`` and ``mr_bar`` is
    ``d2·sigma``).  ``change_at`` (an index, a time, or a sequence of them;
    times need ``times=`` or a :class:`~itil_ci.domain.Series`) starts a new
    stage with its own limits: the before/after view of an improvement.

    ``bounds=(low, high)`` are the measure's natural boundaries (``(0, None)``
    for a duration or a count, ``(0, 1)`` for a proportion; either may be
    None): a limit beyond a boundary is replaced by the boundary, as Wheeler
    recommends for bounded data, so a chart never shows a negative lower limit
    for a time.  Centre, sigma and the zones are unchanged.

    Every stage needs two points (one moving range) unless both ``centre`` and
    ``sigma`` are given.  All-equal values give a zero moving range and limits
    equal to the centre.

    Examples:
        >>> chart = xmr([49.6, 47.6, 49.9, 51.3, 47.8, 51.2, 52.6, 52.4, 53.6, 52.1],
        ...             constants="sigma")
        >>> round(chart.centre, 2), round(chart.mr_bar, 4), round(chart.upper, 4)
        (50.81, 1.8778, 55.8041)
        >>> staged = xmr([5, 6, 5, 6, 2, 3, 2, 3], change_at=4)
        >>> [s.centre for s in staged.stages]
        [5.5, 2.5]
    """
    if isinstance(values, Series) and times is None:
        times = values.times
    x = values_of("values", values)
    n = int(x.size)
    v.choice("constants", constants, sorted(CONSTANTS))
    e2, d2, d4 = CONSTANTS[constants]
    if baseline_points is not None and (
        isinstance(baseline_points, bool) or not v.is_whole(baseline_points) or baseline_points < 2
    ):
        raise v.fail("baseline_points", "None or a whole number >= 2", baseline_points)
    if not isinstance(screen_ranges, bool):
        raise v.fail("screen_ranges", "True or False", screen_ranges)
    c_known = v.number("centre", centre, allow_none=True)
    s_known = v.number("sigma", sigma, minimum=0, allow_none=True)
    t = arrays.as_times("times", times) if times is not None else None
    if t is not None:
        if t.size != n:
            raise v.fail("times", f"{n} times (one per value)", f"{t.size} times")
        if t.size > 1 and (np.diff(t.view(np.int64)) < 0).any():
            raise v.fail("times", "times in increasing order", "unsorted times")
    low_bound, high_bound = _natural_bounds(bounds)
    for side, bound, outside in (("low", low_bound, np.less), ("high", high_bound, np.greater)):
        if bound is None:
            continue
        beyond = outside(x, bound)
        if beyond.any():
            i = int(np.flatnonzero(beyond)[0])
            raise v.fail(f"values[{i}]", f"a value within bounds ({side} {bound:g})", float(x[i]))
        if c_known is not None and outside(c_known, bound):
            raise v.fail("centre", f"a centre within bounds ({side} {bound:g})", c_known)
    cuts = _stage_bounds("change_at", change_at, n, t)
    edges = [0, *cuts, n]
    stages = []
    with no_overflow("values", "chart", x):
        for start, end in itertools.pairwise(edges):
            seg = x[start:end]
            k = seg.size if baseline_points is None else min(int(baseline_points), seg.size)
            base = seg[:k]
            if s_known is None and k < 2:
                where = f"stage starting at index {start}" if cuts else "values"
                raise v.fail(where, "at least 2 values for a moving range", f"{k} value")
            c = c_known if c_known is not None else scaled(np.mean, base, "values", "chart")
            screened = 0
            if s_known is not None:
                sd = s_known
                mr_bar = d2 * sd
                half = 3.0 * sd
            else:
                mr = np.abs(np.diff(base))
                mr_bar = scaled(np.mean, mr, "values", "chart")
                if screen_ranges and mr_bar > 0:
                    keep = mr <= d4 * mr_bar
                    screened = int(mr.size - np.count_nonzero(keep))
                    mr_bar = scaled(np.mean, mr[keep], "values", "chart")
                half = e2 * mr_bar
                sd = half / 3.0
            stages.append(
                ChartStage(
                    start=start,
                    end=end,
                    centre=c,
                    mr_bar=mr_bar,
                    sigma=sd,
                    upper=c + half if high_bound is None else min(c + half, high_bound),
                    lower=c - half if low_bound is None else max(c - half, low_bound),
                    mr_upper=d4 * mr_bar,
                    limit_points=int(k),
                    screened=screened,
                )
            )
    for st in stages:
        if not all(map(math.isfinite, (st.sigma, st.upper, st.lower, st.mr_upper))):
            raise too_large("values", "chart", x)
    last = stages[-1]
    method = f"XmR chart, {constants} constants (E2={e2:.6g}, D4={d4:.7g})"
    if baseline_points is not None:
        method += f", limits from the first {baseline_points} points of each stage"
    if len(stages) > 1:
        method += f", {len(stages)} stages"
    if low_bound is not None and high_bound is not None:
        method += f", limits bounded to [{low_bound:g}, {high_bound:g}]"
    elif low_bound is not None:
        method += f", limits bounded below by {low_bound:g}"
    elif high_bound is not None:
        method += f", limits bounded above by {high_bound:g}"
    return ControlChart(
        centre=last.centre,
        mr_bar=last.mr_bar,
        sigma=last.sigma,
        upper=last.upper,
        lower=last.lower,
        mr_upper=last.mr_upper,
        stages=tuple(stages),
        n=n,
        constants=constants,
        baseline_points=None if baseline_points is None else int(baseline_points),
        screen_ranges=screen_ranges,
        known_centre=c_known is not None,
        known_sigma=s_known is not None,
        method=method,
    )


# --- special-cause rules -------------------------------------------------------

_RULE_SETS = ("western-electric", "nelson", "nhs")
_DEFAULT_RUN = {"western-electric": 8, "nelson": 9, "nhs": 7}
_DEFAULT_TREND = {"western-electric": 0, "nelson": 6, "nhs": 7}

# A rule's hits as parallel arrays: ``index`` (the completing point), ``flat``
# (every signal's points, concatenated in signal order), ``counts`` (how many of
# ``flat`` belong to each signal) and ``side`` (+1 above / rising, -1 below /
# falling, 0 no side).  Built without a Python loop over points or signals.
_Hits = tuple[I64, I64, I64, I64]
_NONE = np.zeros(0, dtype=np.int64)


def _empty() -> _Hits:
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


def _spans_flat(lo: I64, hi: I64) -> tuple[I64, I64]:
    """``concatenate([arange(a, b) for a, b in zip(lo, hi)])`` and the lengths."""
    counts = hi - lo
    total = int(counts.sum())
    if total == 0:
        return _NONE, counts
    shift = lo - (np.cumsum(counts) - counts)
    return np.arange(total, dtype=np.int64) + np.repeat(shift, counts), counts


def _sided(index: I64, flat: I64, counts: I64, side: int) -> _Hits:
    return index, flat, counts, np.full(index.size, side, dtype=np.int64)


def _singles(mask: npt.NDArray[np.bool_], side: int) -> _Hits:
    at = np.flatnonzero(mask).astype(np.int64, copy=False)
    return _sided(at, at, np.ones(at.size, dtype=np.int64), side)


def _run_hits(mask: npt.NDArray[np.bool_], length: int, side: int) -> _Hits:
    """Runs of at least ``length`` points; the signal completes at the run's ``length``-th."""
    lo, hi = _run_spans(mask, length)
    flat, counts = _spans_flat(lo, hi)
    return _sided(lo + (length - 1), flat, counts, side)


def _trend_hits(x: F64, length: int) -> _Hits:
    """Runs of ``length`` points steadily rising or falling (equal neighbours break one)."""
    if x.size < length:
        return _empty()
    parts = []
    for side, steps in ((1, x[1:] > x[:-1]), (-1, x[1:] < x[:-1])):
        lo, hi = _run_spans(steps, length - 1)  # runs of steps; points run one further
        flat, counts = _spans_flat(lo, hi + 1)
        parts.append(_sided(lo + (length - 1), flat, counts, side))
    return _join(parts)


def _alternating_hits(x: F64, length: int) -> _Hits:
    """Runs of ``length`` points alternating up and down (an equal step breaks one).

    Two runs that share a point (up, down, ..., up, up, down, ...: the point
    between the two rises ends one run and starts the next) form one signal.
    """
    if x.size < length:
        return _empty()
    up, down = x[1:] > x[:-1], x[1:] < x[:-1]
    alt = (up[:-1] & down[1:]) | (down[:-1] & up[1:])  # alt[j]: steps j and j+1 alternate
    lo, hi = _run_spans(alt, length - 2)  # run k covers points lo[k] .. hi[k] + 1
    if lo.size > 1:
        new = np.concatenate(([True], lo[1:] > hi[:-1] + 1))  # no point shared with the last
        lo, hi = lo[new], hi[np.concatenate((np.flatnonzero(new)[1:] - 1, [hi.size - 1]))]
    flat, counts = _spans_flat(lo, hi + 2)
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


def _two_in_three_same_side(seg: F64, c: float, s: float, upper: float, lower: float) -> _Hits:
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
        return _empty()
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
        cand, span = _spans_flat(first[starts], last[ends] + 1)
        keep = near[cand]
        group = np.repeat(np.arange(starts.size, dtype=np.int64), span)
        counts = np.bincount(group[keep], minlength=starts.size).astype(np.int64)
        parts.append(_sided(comp[starts], cand[keep], counts, side))
    return _join(parts)


def _mixture_hits(above: npt.NDArray[np.bool_], below: npt.NDArray[np.bool_], length: int) -> _Hits:
    """Nelson's rule 8: ``length`` points in a row beyond 1 sigma, with points on both sides.

    Nelson (1984): "eight points in a row on both sides of the centreline with
    none in zone C".  Windows of ``length`` points all beyond 1 sigma and
    holding at least one point above and one below the centre line qualify;
    windows that share points form one signal, completing at the end of the
    first window.
    """
    w = _window_starts(above | below, length)
    if w.size == 0:
        return _empty()
    ca = np.concatenate(([0], np.cumsum(above, dtype=np.int64)))
    cb = np.concatenate(([0], np.cumsum(below, dtype=np.int64)))
    w = w[(ca[w + length] > ca[w]) & (cb[w + length] > cb[w])]
    if w.size == 0:
        return _empty()
    starts, ends = _window_groups(w, w + (length - 1))
    flat, counts = _spans_flat(w[starts], w[ends] + length)
    return _sided(w[starts] + (length - 1), flat, counts, 0)


def _k_of_m(mask: npt.NDArray[np.bool_], k: int, m: int, side: int) -> _Hits:
    """``k`` of ``m`` consecutive points in the zone; overlapping occurrences merge."""
    n = mask.size
    # a zone point completes the pattern when the window of m ending at it holds k zone points
    count = mask.view(np.int8).copy()
    for o in range(1, min(m, n)):
        count[o:] += mask.view(np.int8)[:-o]
    comp = np.flatnonzero(mask & (count >= k)).astype(np.int64, copy=False)
    if comp.size == 0:
        return _empty()
    first = comp.copy()  # the earliest zone point in each completing window
    for o in range(1, m):
        back = comp - o
        inside = back >= 0
        hit = inside & mask[np.where(inside, back, 0)]
        first = np.where(hit, back, first)
    # an occurrence sharing a point with the previous one continues its signal
    starts = np.flatnonzero(np.concatenate(([True], first[1:] > comp[:-1])))
    ends = np.concatenate((starts[1:] - 1, [comp.size - 1]))
    cand, span = _spans_flat(first[starts], comp[ends] + 1)
    keep = mask[cand]
    group = np.repeat(np.arange(starts.size, dtype=np.int64), span)
    counts = np.bincount(group[keep], minlength=starts.size).astype(np.int64)
    return _sided(comp[starts], cand[keep], counts, side)


def _join(parts: list[_Hits]) -> _Hits:
    if not parts:
        return _empty()
    if len(parts) == 1:
        return parts[0]
    a, b, c, d = zip(*parts, strict=True)
    return np.concatenate(a), np.concatenate(b), np.concatenate(c), np.concatenate(d)


_DESCRIPTIONS = {
    "beyond": "a point beyond the process limits",
    "2of3": "2 of 3 consecutive points beyond 2 sigma on the same side",
    "4of5": "4 of 5 consecutive points beyond 1 sigma on the same side",
    "run": "{n} consecutive points on the same side of the centre line",
    "trend": "{n} consecutive points steadily rising or falling",
    "alternating": "14 consecutive points alternating up and down",
    "hugging": "15 consecutive points within 1 sigma of the centre line",
    "mixture": "8 consecutive points beyond 1 sigma, with points on both sides of the centre line",
    "2of3-same-side": "2 of 3 consecutive points close to a process limit (beyond 2 sigma, "
    "within the limits), all 3 on the same side of the mean",
}

_RULES: dict[str, list[tuple[str, str]]] = {
    "western-electric": [("we1", "beyond"), ("we2", "2of3"), ("we3", "4of5"), ("we4", "run")],
    "nelson": [
        ("nelson1", "beyond"),
        ("nelson2", "run"),
        ("nelson3", "trend"),
        ("nelson4", "alternating"),
        ("nelson5", "2of3"),
        ("nelson6", "4of5"),
        ("nelson7", "hugging"),
        ("nelson8", "mixture"),
    ],
    "nhs": [
        ("astronomical", "beyond"),
        ("shift", "run"),
        ("trend", "trend"),
        ("two-in-three", "2of3-same-side"),
    ],
}


_LONGEST = 2**40  # a run or trend longer than any series: no signal, and no overflow


def _length(name: str, value: object, default: int) -> int:
    if value is None:
        return default
    if not v.is_whole(value) or int(cast(Any, value)) < 2:
        raise v.fail(name, "None or a whole number >= 2", value)
    return min(int(cast(Any, value)), _LONGEST)


def _ro(arr: npt.NDArray[Any]) -> npt.NDArray[Any]:
    out = np.array(arr)  # a private copy, so the table cannot change under its owner
    return arrays.readonly(out)


@attrs.frozen(eq=False)
class SignalTable:
    """Special-cause signals as columns, for bulk use (from :func:`signal_table`).

    Row ``i`` is the signal ``Signal(rule=rule[i], index=index[i],
    points=points[offsets[i]:offsets[i + 1]], kind=kind[i], rule_set=rule_set,
    description=description[i])``; rows are sorted like :func:`signals`.
    ``rule``, ``kind`` and ``description`` are object arrays of the ``str`` /
    :class:`~itil_ci.domain.results.SignalKind` values themselves (so
    ``table.rule == "nelson1"`` selects rows); ``index``, ``offsets`` (one
    longer than the table) and ``points`` (every signal's points, concatenated)
    are ``int64``.  All arrays are read-only.  ``to_list()`` gives the records
    that :func:`signals` returns.

    Examples:
        >>> x = [0.0, 0.0, 3.5, 2.5, 0.0, 2.5]
        >>> table = signal_table(x, xmr(x, centre=0.0, sigma=1.0), "western-electric")
        >>> len(table), table.index.tolist(), table.points_of(1).tolist()
        (2, [2, 3], [2, 3, 5])
        >>> [s.rule for s in table.to_list()]
        ['we1', 'we2']
    """

    rule_set: str
    rule: npt.NDArray[np.object_] = attrs.field(converter=_ro)
    index: I64 = attrs.field(converter=_ro)
    kind: npt.NDArray[np.object_] = attrs.field(converter=_ro)
    description: npt.NDArray[np.object_] = attrs.field(converter=_ro)
    offsets: I64 = attrs.field(converter=_ro)
    points: I64 = attrs.field(converter=_ro)

    def __len__(self) -> int:
        return int(self.index.size)

    def points_of(self, i: int) -> I64:
        """The points of row ``i`` (a read-only view of ``points``).

        Examples:
            >>> x = [0.0, 3.5]
            >>> signal_table(x, xmr(x, centre=0.0, sigma=1.0)).points_of(0).tolist()
            [1]
        """
        n = len(self)
        if not v.is_whole(i) or not -n <= i < n:
            raise v.fail("i", f"a row number in [{-n}, {n})", i)
        j = int(i) % n
        out: I64 = self.points[self.offsets[j] : self.offsets[j + 1]]
        return out

    def to_list(self) -> list[Signal]:
        """The signals as :class:`~itil_ci.domain.results.Signal` records, in row order.

        Examples:
            >>> x = [0.0, 3.5]
            >>> table = signal_table(x, xmr(x, centre=0.0, sigma=1.0))
            >>> [(s.rule, s.points) for s in table.to_list()]
            [('we1', (1,))]
        """
        points = tuple(self.points.tolist())
        bounds = self.offsets.tolist()
        return _trusted_signals(
            self.rule.tolist(),
            self.index.tolist(),
            map(points.__getitem__, map(slice, bounds[:-1], bounds[1:])),
            self.kind.tolist(),
            self.rule_set,
            self.description.tolist(),
        )

    def _repr_html_(self) -> str:
        return display.html(self)


def signals(
    values: Any,
    chart: ControlChart,
    rules: str = "western-electric",
    *,
    direction: Direction | str | Any = None,
    run_length: int | None = None,
    trend_length: int | None = None,
) -> list[Signal]:
    """Find special-cause signals of ``values`` on ``chart``.

    Rule sets (zones are multiples of ``chart.sigma`` from the centre line;
    "beyond" is strict):

    - ``"western-electric"``: ``we1`` a point beyond the limits; ``we2`` 2 of
      3 beyond 2 sigma on one side; ``we3`` 4 of 5 beyond 1 sigma on one side;
      ``we4`` a run of 8 on one side;
    - ``"nelson"``: ``nelson1`` beyond the limits; ``nelson2`` 9 on one side;
      ``nelson3`` 6 points steadily rising or falling; ``nelson4`` 14 points
      alternating up and down; ``nelson5`` 2 of 3 beyond 2 sigma; ``nelson6``
      4 of 5 beyond 1 sigma; ``nelson7`` 15 within 1 sigma; ``nelson8`` 8
      in a row beyond 1 sigma with points on both sides of the centre line
      (Nelson 1984: none in zone C);
    - ``"nhs"`` (NHS *Making Data Count*): ``astronomical`` beyond the limits;
      ``shift`` 7 on one side; ``trend`` 7 rising or falling;
      ``two-in-three`` 2 of 3 consecutive points close to a limit (beyond 2
      sigma but within the limits) with all 3 on the same side of the mean,
      as NHSRplotthedots.

    ``run_length`` and ``trend_length`` override the run (8 / 9 / 7) and trend
    (6 / 7) lengths.  A point exactly on the centre line breaks a run; equal
    neighbours break a trend.  Rules never span two stages of a staged chart.

    Each signal gives ``index``, the point that completes it (for a run, the
    point where the run reaches its length; for "k of m", the k-th point in
    the zone), and ``points``, every point taking part.  Occurrences of a rule
    that share points form one signal (a run of 12 is one shift).  ``kind``
    is improvement or concern from ``direction`` (a Direction,
    ``"higher"``/``"lower"`` or a KPI), neutral without one and for the rules
    with no side (``nelson4``, ``nelson7``, ``nelson8``).  Signals come sorted
    by index.

    Examples:
        >>> x = [5, 5.5, 4.5, 5, 5.2, 4.8, 5, 9, 5]
        >>> chart = xmr(x[:7])
        >>> [(s.rule, s.index, s.kind.value) for s in signals(x, xmr(x, baseline_points=7),
        ...                                                    "nhs", direction="lower")]
        [('astronomical', 7, 'concern')]
    """
    return signal_table(
        values,
        chart,
        rules,
        direction=direction,
        run_length=run_length,
        trend_length=trend_length,
    ).to_list()


def signal_table(
    values: Any,
    chart: ControlChart,
    rules: str = "western-electric",
    *,
    direction: Direction | str | Any = None,
    run_length: int | None = None,
    trend_length: int | None = None,
) -> SignalTable:
    """The signals of :func:`signals` (same arguments, rules and order) as columns.

    For bulk use: a million random points give some 15,000 signals, and most
    of the time of :func:`signals` then goes to building that many Python
    records; the table holds them as a few numpy arrays instead.
    ``signal_table(...).to_list() == signals(...)``.

    Examples:
        >>> x = [0.0, 0.0, 3.5, -3.5]
        >>> t = signal_table(x, xmr(x, centre=0.0, sigma=1.0), "nhs", direction="lower")
        >>> t.rule.tolist(), t.index.tolist(), [k.value for k in t.kind]
        (['astronomical', 'astronomical'], [2, 3], ['concern', 'improvement'])
    """
    if not isinstance(chart, ControlChart):
        raise v.fail("chart", "a ControlChart (from xmr)", chart)
    v.choice("rules", rules, _RULE_SETS)
    x = values_of("values", values)
    if x.size != chart.n:
        raise v.fail("values", f"{chart.n} values (the chart's length)", f"{x.size} values")
    d = direction_of("direction", direction, allow_none=True)
    run = _length("run_length", run_length, _DEFAULT_RUN[rules])
    trend = _length("trend_length", trend_length, _DEFAULT_TREND[rules] or 2)
    names = _RULES[rules]
    parts: list[_Hits] = []
    codes: list[I64] = []
    for st in chart.stages:
        seg = x[st.start : st.end]
        c, s = st.centre, st.sigma
        above1, below1 = seg > c + s, seg < c - s
        for rule_no, (_, kind) in enumerate(names):
            if kind == "beyond":
                hits = _join([_singles(seg > st.upper, 1), _singles(seg < st.lower, -1)])
            elif kind == "2of3":
                hits = _join(
                    [_k_of_m(seg > c + 2 * s, 2, 3, 1), _k_of_m(seg < c - 2 * s, 2, 3, -1)]
                )
            elif kind == "4of5":
                hits = _join([_k_of_m(above1, 4, 5, 1), _k_of_m(below1, 4, 5, -1)])
            elif kind == "run":
                hits = _join([_run_hits(seg > c, run, 1), _run_hits(seg < c, run, -1)])
            elif kind == "trend":
                hits = _trend_hits(seg, trend)
            elif kind == "alternating":
                hits = _alternating_hits(seg, 14)
            elif kind == "2of3-same-side":
                hits = _two_in_three_same_side(seg, c, s, st.upper, st.lower)
            elif kind == "hugging":
                hits = _run_hits((seg > c - s) & (seg < c + s), 15, 0)
            else:  # mixture
                hits = _mixture_hits(above1, below1, 8)
            index, flat, counts, side = hits
            parts.append((index + st.start, flat + st.start, counts, side))
            codes.append(np.full(index.size, rule_no, dtype=np.int64))
    index, flat, counts, side = _join(parts)
    code = np.concatenate(codes)
    order = np.lexsort((code, index))  # by index, then by the rule's place in the set
    offsets = np.zeros(index.size + 1, dtype=np.int64)
    np.cumsum(counts[order], out=offsets[1:])
    starts = (np.cumsum(counts) - counts)[order]
    take, _ = _spans_flat(starts, starts + counts[order])  # points regrouped in signal order
    text = [_DESCRIPTIONS[kind].format(n=run if kind == "run" else trend) for _, kind in names]
    by_side = [
        SignalKind.NEUTRAL
        if d is None or sd == 0
        else (SignalKind.IMPROVEMENT if sd == d.sign else SignalKind.CONCERN)
        for sd in (-1, 0, 1)
    ]
    code = code[order]
    return SignalTable(
        rule_set=rules,
        rule=_pick([rule for rule, _ in names], code),
        index=index[order],
        kind=_pick(by_side, side[order] + 1),
        description=_pick(text, code),
        offsets=offsets,
        points=flat[take],
    )


def _pick(table: Sequence[Any], codes: I64) -> npt.NDArray[np.object_]:
    """``table[codes]`` as an object array holding ``table``'s own objects."""
    items = np.empty(len(table), dtype=object)
    items[:] = list(table)
    out: npt.NDArray[np.object_] = items[codes]
    return out
