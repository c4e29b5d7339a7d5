"""Capture a baseline and evaluate a KPI against its baseline and target."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from itil_ci._internal import arrays
from itil_ci._internal import validate as v
from itil_ci.domain import KPI, AggregationMethod, Baseline, Direction, Series
from itil_ci.domain.results import Evaluation, Status
from itil_ci.domain.series import to_datetime64
from itil_ci.measurement._common import scaled
from itil_ci.measurement.aggregate import _aggregate, aggregate

__all__ = ["baseline", "evaluate"]


def _step_ns(series: Series) -> int | None:
    """The sampling step (ns) when ``series`` has 2+ evenly spaced times, else None."""
    t = series.times.view(np.int64)
    if t.size < 2:
        return None
    d = np.diff(t)
    step = int(d[0])
    if step <= 0 or not bool((d == step).all()):
        return None
    return step


def _ns_to_datetime(ns: int) -> dt.datetime:
    return dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=ns // 1000)


def _rate_window(
    series: Series, start: dt.datetime | None, end: dt.datetime | None
) -> tuple[dt.datetime, dt.datetime, np.timedelta64]:
    """The window ``[start, end)`` of a rate KPI and its length.

    A missing bound is inferred only from evenly spaced times: the start is
    the first observation's time, the end one sampling step after the last
    (each observation stands for one step).  Otherwise the bound is required.
    """
    lo = None if start is None else int(to_datetime64("start", start).astype(np.int64))
    hi = None if end is None else int(to_datetime64("end", end).astype(np.int64))
    if lo is None or hi is None:
        step = _step_ns(series)
        if step is None:
            raise v.fail(
                "start/end",
                "both bounds of the window for a rate KPI (it can be inferred only from "
                "2 or more evenly spaced times)",
                f"start={start}, end={end} with {len(series)} observation(s)"
                + (" at uneven times" if len(series) > 1 else ""),
            )
        t = series.times.view(np.int64)
        lo = int(t[0]) if lo is None else lo
        hi = int(t[-1]) + step if hi is None else hi
    if not hi > lo:
        raise v.fail("start/end", "a window of positive length for a rate KPI", (start, end))
    lo_dt = start if start is not None else _ns_to_datetime(lo)
    hi_dt = end if end is not None else _ns_to_datetime(hi)
    return lo_dt, hi_dt, np.timedelta64(int(arrays.span_ns("start/end", lo, hi)), "ns")


def _just_after(t: dt.datetime | None) -> dt.datetime | None:
    return None if t is None else t + dt.timedelta(microseconds=1)


def _attainment(current: float, base: float, target: float) -> float:
    """``(current - base) / (target - base)`` without overflow in the differences.

    Near ±1.8e308 a difference can overflow (target 1e308 against baseline
    -1e308 gave a distance of inf, so an attainment of 0); then all three are
    quartered first (exact for numbers this large), which keeps the ratio.
    """
    num, den = current - base, target - base
    if not (math.isfinite(num) and math.isfinite(den)):
        num = current * 0.25 - base * 0.25
        den = target * 0.25 - base * 0.25
    return num / den


def baseline(
    kpi: KPI,
    series: Series,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    filters: Mapping[str, str] | None = None,
) -> Baseline:
    """Capture where ``kpi`` stands over ``start <= time < end`` of ``series``.

    The value is the KPI's own aggregation; ``mean``, ``median``, ``p90``
    (linear interpolation) and ``std`` (sample standard deviation, ``ddof=1``;
    ``None`` for a single observation) describe the same observations.  Missing
    values in a Series built with ``allow_missing=True`` are left out and
    counted in ``note``.  ``filters`` records which slice of the data the
    series is (the caller applies it); the window is the given bounds, or,
    when a bound is omitted, the first observation's time and one microsecond
    after the last one's, so that the recorded window ``[start, end)`` holds
    exactly the observations used.

    A ``rate`` KPI is ``sum(values)`` over the window's length, so the window
    must be the time the observations cover, not the distance from the first
    to the last (14 daily counts cover 14 days, not 13).  A bound that is not
    given is inferred only when the times are evenly spaced (2 or more
    observations, one sampling step apart): the start is then the first time
    and the end one step after the last, so the window is the number of
    observations times the step, and a missing observation still counts for
    its step (14 daily counts with one missing: 13 counts over 14 days).
    With uneven times (months, gaps) or a single observation both ``start``
    and ``end`` are required, and their
    absence is an :class:`~itil_ci.errors.InvalidInputError`.  The recorded
    window is the one the rate was taken over.

    Examples:
        >>> import numpy as np
        >>> from itil_ci.domain import KPI, Series
        >>> s = Series(np.array(["2026-01-01", "2026-01-02", "2026-01-03"], dtype="datetime64[ns]"),
        ...            [4.0, 6.0, 8.0], kpi_key="mttr")
        >>> b = baseline(KPI("mttr", direction="lower"), s, filters={"service": "email"})
        >>> b.value, b.n, b.median, b.std, b.filters
        (6.0, 3, 6.0, 2.0, {'service': 'email'})
    """
    if not isinstance(kpi, KPI):
        raise v.fail("kpi", "a KPI", kpi)
    if not isinstance(series, Series):
        raise v.fail("series", "a Series", series)
    if filters is None:
        filters = {}
    if not isinstance(filters, Mapping):
        raise v.fail("filters", "a mapping of names to strings", filters)
    start_utc = v.aware("start", start) if start is not None else None
    end_utc = v.aware("end", end) if end is not None else None
    window = series.between(start_utc, end_utc)
    x = window.values
    nan = np.isnan(x)
    dropped = int(nan.sum())
    if dropped:
        x = x[~nan]
    if x.size == 0:
        raise v.fail(
            "series",
            "at least one observation in the baseline window",
            f"none between {start_utc} and {end_utc}",
        )
    lo = start_utc if start_utc is not None else window.start
    hi = end_utc if end_utc is not None else _just_after(window.end)
    span = None
    if kpi.aggregation.method is AggregationMethod.RATE:
        lo, hi, span = _rate_window(window, start_utc, end_utc)
    result = aggregate(x, kpi.aggregation, window=span)
    note = f"{dropped} missing values left out" if dropped else ""
    return Baseline(
        kpi.key,
        result.value,
        start=lo,
        end=hi,
        n=int(x.size),
        aggregation=kpi.aggregation,
        mean=scaled(np.mean, x, "series", "take the mean"),
        median=scaled(np.median, x, "series", "take the median"),
        p90=scaled(lambda a: np.percentile(a, 90), x, "series", "take the p90"),
        std=scaled(lambda a: np.std(a, ddof=1), x, "series", "take the std")
        if x.size > 1
        else None,
        filters=dict(filters),
        note=note,
        method=f"{result.method} in [start, end)",
    )


def evaluate(
    kpi: KPI,
    baseline: Baseline,
    series_or_value: Series | float | Any,
    *,
    today: dt.date | None = None,
    window: Any = None,
) -> Evaluation:
    """Judge the KPI's current value against its baseline and target.

    ``series_or_value`` is a number (the current value) or observations that
    are aggregated with the KPI's aggregation (a rate over the window
    described below).  Missing values in a Series built with
    ``allow_missing=True`` are left out, as :func:`baseline` does, and counted
    in the result's ``method``.  ``change = value - baseline``; ``relative_change =
    change / |baseline|`` (``None`` when the baseline is 0 or so close to 0
    that the ratio overflows); ``attainment =
    (value - baseline) / (target - baseline)``.  ``target_met`` is
    ``value >= target`` when higher is better and ``value <= target`` when
    lower is better; ``status`` is green when the target is met, amber when it
    is missed by no more than ``kpi.target.tolerance_width``, red otherwise.
    ``days_to_due`` counts from ``today`` (default: today in UTC).

    The target must be an improvement on the baseline (above it when higher
    is better, below it when lower is better); a target on the wrong side, or
    equal to the baseline, is an :class:`~itil_ci.errors.InvalidInputError`.

    For a ``rate`` KPI, ``window`` is the length of time the observations
    cover (a ``timedelta``, ``numpy.timedelta64`` or a number of
    ``kpi.aggregation.per`` units).  It may be left out only for a Series with
    2 or more evenly spaced times, which then covers one sampling step per
    observation (14 daily counts cover 14 days): the window is the number of
    observations times the sampling step, and a missing observation still
    counts for its step (its slot was observed as missing, not skipped), so
    14 daily counts with one missing give a rate over 14 days from 13 counts.
    ``window`` is refused for other KPIs and when the current value is a number.

    Examples:
        >>> import datetime as dt
        >>> from itil_ci.domain import KPI, Baseline, Target
        >>> k = KPI("mttr", direction="lower", target=Target(4.0, due="2026-06-30", tolerance=0.5))
        >>> ev = evaluate(k, Baseline("mttr", 6.0), 4.4, today=dt.date(2026, 6, 1))
        >>> ev.status.value, ev.attainment, ev.target_met, ev.days_to_due
        ('amber', 0.8, False, 29)
    """
    if not isinstance(kpi, KPI):
        raise v.fail("kpi", "a KPI", kpi)
    if not isinstance(baseline, Baseline):
        raise v.fail("baseline", "a Baseline", baseline)
    if baseline.kpi_key != kpi.key:
        raise v.fail("baseline", f"a baseline of KPI {kpi.key!r}", f"one of {baseline.kpi_key!r}")
    if kpi.direction is None:
        raise v.fail("kpi.direction", "a direction ('higher' or 'lower') to evaluate against", None)
    if kpi.target is None:
        raise v.fail("kpi.target", "a Target to evaluate against", None)
    rate = kpi.aggregation.method is AggregationMethod.RATE
    if window is not None and not rate:
        raise v.fail(
            "window", f"None (a window applies to a rate KPI, not {kpi.aggregation})", window
        )
    n, dropped = 1, 0
    if isinstance(series_or_value, bool):
        raise v.fail("series_or_value", "a number or observations", series_or_value)
    if isinstance(series_or_value, int | float | np.integer | np.floating):
        if window is not None:
            raise v.fail("window", "None when the current value is a number", window)
        current = v.number("series_or_value", series_or_value)
        assert current is not None
    else:
        span = window
        if rate and span is None:
            step = _step_ns(series_or_value) if isinstance(series_or_value, Series) else None
            if step is None:
                raise v.fail(
                    "window",
                    "the length of the observation window for a rate KPI (it is inferred "
                    "only from a Series of 2 or more evenly spaced times)",
                    None,
                )
            span = np.timedelta64(
                int(arrays.span_ns("window", 0, step * len(series_or_value))), "ns"
            )
        res = _aggregate(
            series_or_value,
            kpi.aggregation,
            missing="drop" if isinstance(series_or_value, Series) else "reject",
            window=span,
            percentile_method="linear",
            name="series_or_value",
        )
        current, n, dropped = res.value, res.n, res.dropped
    base = baseline.value
    target = kpi.target.value
    if target == base:
        raise v.fail(
            "kpi.target",
            f"a target different from the baseline ({base:g}); attainment is undefined",
            target,
        )
    if (target - base) * kpi.direction.sign < 0:
        better = "above" if kpi.direction is Direction.HIGHER_IS_BETTER else "below"
        raise v.fail(
            "kpi.target",
            f"a target {better} the baseline {base:g} (an improvement, as the direction "
            f"is {kpi.direction.value})",
            target,
        )
    change = current - base
    if not math.isfinite(change):
        raise v.fail(
            "series_or_value",
            f"a value whose change from the baseline ({base:g}) is a finite number",
            current,
        )
    relative = change / abs(base) if base != 0 else None
    if relative is not None and not math.isfinite(relative):
        relative = None  # a baseline too close to 0 for a relative change
    attainment = _attainment(current, base, target)
    if not math.isfinite(attainment):
        raise v.fail(
            "kpi.target",
            f"a target measurably different from the baseline ({base:g})",
            target,
        )
    higher = kpi.direction is Direction.HIGHER_IS_BETTER
    met = current >= target if higher else current <= target
    tol = kpi.target.tolerance_width
    if not math.isfinite(tol):
        raise v.fail(
            "kpi.target.tolerance",
            "a relative tolerance whose width (tolerance × |target|) fits in float64",
            kpi.target.tolerance,
        )
    if met:
        status = Status.GREEN
    elif abs(current - target) <= tol:
        status = Status.AMBER
    else:
        status = Status.RED
    days = None
    if kpi.target.due is not None:
        if today is None:
            today = v.utc_now().date()
        today = v.date("today", today)
        days = (kpi.target.due - today).days
    return Evaluation(
        kpi_key=kpi.key,
        value=float(current),
        baseline=float(base),
        target=float(target),
        change=float(change),
        relative_change=None if relative is None else float(relative),
        attainment=float(attainment) + 0.0,  # no -0.0 at the baseline
        target_met=bool(met),
        status=status,
        direction=kpi.direction.value,
        tolerance=float(tol),
        days_to_due=days,
        n=n,
        method=f"{kpi.aggregation} against baseline {base:g} and target {target:g}"
        + (f"; {dropped} missing values left out" if dropped else ""),
    )
