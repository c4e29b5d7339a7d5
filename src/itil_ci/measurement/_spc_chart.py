"""XmR control charts: constants, stages, natural process limits (private).

:func:`xmr` builds a :class:`ControlChart`; the special-cause rules that read
one live in :mod:`itil_ci.measurement._spc_rules`.  Public through
:mod:`itil_ci.measurement.spc`.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from itil_ci._internal import arrays, display
from itil_ci._internal import validate as v
from itil_ci.domain import Series
from itil_ci.domain.series import to_datetime64
from itil_ci.measurement._common import no_overflow, scaled, too_large, values_of

__all__ = ["CONSTANTS", "ChartStage", "ControlChart", "xmr"]

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
    v.flag("screen_ranges", screen_ranges)
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
