"""Turn raw observations into one KPI value."""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import numpy as np

from itil_ci._internal import arrays, display
from itil_ci._internal import validate as v
from itil_ci.domain import Aggregation, AggregationMethod, Series
from itil_ci.domain.kpi import RATE_UNITS
from itil_ci.measurement._common import F64, scaled

__all__ = ["AggregateResult", "aggregate"]

_MISSING = ("reject", "drop")
_PERCENTILE_METHODS = (
    "linear",
    "lower",
    "higher",
    "nearest",
    "midpoint",
    "inverted_cdf",
    "averaged_inverted_cdf",
    "closest_observation",
    "interpolated_inverted_cdf",
    "hazen",
    "weibull",
    "median_unbiased",
    "normal_unbiased",
)


@attrs.frozen
class AggregateResult:
    """One KPI value and how it was obtained.

    ``n`` counts the observations used and ``dropped`` the missing ones left
    out (``missing="drop"``).  ``float(result)`` is ``result.value``.

    Examples:
        >>> r = aggregate([1, 2, 3, 10], "median")
        >>> r.value, r.n, float(r)
        (2.5, 4, 2.5)
    """

    value: float
    n: int
    dropped: int
    aggregation: Aggregation
    method: str

    def __float__(self) -> float:
        return self.value

    def _repr_html_(self) -> str:
        return display.html(self)


def _window_in_units(window: Any, per: str) -> float:
    unit = RATE_UNITS[per]
    if isinstance(window, dt.timedelta):
        seconds = window.total_seconds()
    elif isinstance(window, np.timedelta64):
        seconds = arrays.timedelta_seconds("window", window)
    else:
        w = v.number("window", window, minimum=0, strict_min=True)
        assert w is not None
        return w
    if not seconds > 0:
        raise v.fail("window", "a positive duration", window)
    return seconds / unit


def aggregate(
    values: Any,
    aggregation: Aggregation | str,
    *,
    missing: str = "reject",
    window: Any = None,
    percentile_method: str = "linear",
) -> AggregateResult:
    """Aggregate observations into one KPI value.

    ``aggregation`` is an :class:`~itil_ci.domain.Aggregation` or its name
    (``"mean"``, ``"median"``, ``"p90"``, ``"proportion"``, ``"rate"``,
    ``"sum"``, ``"count"``).

    - percentiles use numpy's ``percentile_method`` (default ``"linear"``,
      Hyndman & Fan type 7, as R and Excel ``PERCENTILE.INC``);
    - ``proportion`` is the share of true values among booleans (or 0/1);
      every other method takes real numbers only (no booleans, strings,
      complex numbers or other objects);
    - ``rate`` is ``sum(values)`` per time unit (``aggregation.per``: one of
      ``"second"``, ``"minute"``, ``"hour"``, ``"day"`` (default),
      ``"week"``) over ``window`` (a ``timedelta``, ``numpy.timedelta64`` or
      a number of those units): pass one value per event, or counts per
      observation;
    - ``count`` is the number of non-missing observations (0 for an empty
      array); every other method rejects an empty array.

    Missing values (NaN or None) are rejected unless ``missing="drop"``; the
    result reports how many were dropped.  Huge but finite values are handled
    without overflow where the answer is a float64 (the mean of ``[1e308,
    1e308]`` is ``1e308``); an answer beyond it (their sum) is an
    :class:`~itil_ci.errors.InvalidInputError`.

    Examples:
        >>> aggregate([2.0, 4.0, None], "mean", missing="drop")
        AggregateResult(value=3.0, n=2, dropped=1, aggregation=..., method='mean of 2 values')
        >>> aggregate([True, False, True, True], "proportion").value
        0.75
        >>> import datetime as dt
        >>> aggregate([1] * 14, "rate", window=dt.timedelta(days=7)).value
        2.0
    """
    return _aggregate(
        values,
        aggregation,
        missing=missing,
        window=window,
        percentile_method=percentile_method,
        name="values",
    )


def _aggregate(
    values: Any,
    aggregation: Aggregation | str,
    *,
    missing: str,
    window: Any,
    percentile_method: str,
    name: str,
) -> AggregateResult:
    """:func:`aggregate`, with errors about the observations naming ``name``."""
    agg = Aggregation.parse(aggregation)
    v.choice("missing", missing, _MISSING)
    v.choice("percentile_method", percentile_method, _PERCENTILE_METHODS)
    if isinstance(values, Series):
        x: F64 = values.values
        if missing == "reject" and values.missing:
            raise v.fail(name, "no missing values (or missing='drop')", "a Series with NaN")
    else:
        x = arrays.as_values(
            name,
            values,
            allow_missing=missing == "drop",
            allow_bool=agg.method is AggregationMethod.PROPORTION,
        )
    dropped = 0
    if missing == "drop":
        keep = ~np.isnan(x)
        dropped = int(x.size - np.count_nonzero(keep))
        if dropped:
            x = x[keep]
    n = int(x.size)
    method = agg.method
    if method is AggregationMethod.COUNT:
        return AggregateResult(float(n), n, dropped, agg, f"count of {n} values")
    if n == 0:
        raise v.fail(name, f"at least one value to take the {agg}", "no values")
    if method is AggregationMethod.MEAN:
        value = scaled(np.mean, x, name, "take the mean")
    elif method is AggregationMethod.MEDIAN:
        value = scaled(np.median, x, name, "take the median")
    elif method is AggregationMethod.PERCENTILE:
        p = agg.p
        assert p is not None
        value = scaled(
            lambda a: np.percentile(a, p, method=percentile_method),  # type: ignore[call-overload]
            x,
            name,
            f"take the {agg}",
        )
    elif method is AggregationMethod.SUM:
        value = scaled(np.sum, x, name, "sum")
    elif method is AggregationMethod.PROPORTION:
        bad = (x != 0.0) & (x != 1.0)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise v.fail(f"{name}[{i}]", "a boolean (or 0/1) for a proportion", float(x[i]))
        value = float(np.mean(x))
    else:  # RATE
        per = agg.per or "day"
        if window is None:
            raise v.fail(
                "window", f"the length of the observation window for a rate per {per}", None
            )
        length = _window_in_units(window, per)
        value = scaled(lambda a: np.sum(a) / length, x, name, f"take the rate per {per}")
        return AggregateResult(
            value, n, dropped, agg, f"rate per {per}: sum of {n} values / window"
        )
    detail = f" ({percentile_method})" if method is AggregationMethod.PERCENTILE else ""
    return AggregateResult(value, n, dropped, agg, f"{agg}{detail} of {n} values")
