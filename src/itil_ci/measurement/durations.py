"""Duration KPIs: mean time to resolve (MTTR, and restore, repair, respond) and to acknowledge.

Wall-clock time by default; on the SLA clock (business hours less pauses)
when given a calendar or pauses.  Conventions: :mod:`itil_ci.measurement.itsm`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from itil_ci._internal.validate import fail
from itil_ci.measurement import _clock
from itil_ci.measurement import _grouping as grp
from itil_ci.measurement._kpi_input import (
    _MTTR_KINDS,
    _QUANTILE_METHODS,
    IntArray,
    Period,
    Unit,
    _divide,
    _grouping,
    _intervals,
    _one_time,
    _period,
    _period_times,
    _unit,
)
from itil_ci.measurement.calendar import BusinessCalendar
from itil_ci.measurement.grouped import GroupedKPI
from itil_ci.measurement.pauses import Pauses

__all__ = ["mtta", "mttr"]


def _duration_kpi(
    kpi: str,
    method: str,
    start: Any,
    end: Any,
    *,
    by: Any,
    period: object,
    period_on: Any,
    unit: object,
    quantile_method: grp.QuantileMethod,
    names: str = "start,end",
    extra_params: Mapping[str, object] | None = None,
    calendar: BusinessCalendar | None = None,
    pauses: Pauses | None = None,
    ids: Any = None,
    as_of: Any = None,
) -> GroupedKPI:
    seconds = _unit(unit)
    per = _period(period)
    if not isinstance(quantile_method, str) or quantile_method not in _QUANTILE_METHODS:
        accepted = ", ".join(map(repr, _QUANTILE_METHODS))
        raise fail("quantile_method", f"one of {accepted}", quantile_method)
    s, e, closed = _intervals(start, end, names)
    n = s.size
    cal, pz, idc = _clock.check(calendar, pauses, ids, n)
    cut = None if as_of is None else _one_time("as_of", as_of)
    rows: npt.NDArray[np.bool_] | None = None
    ptimes: IntArray | None = None
    if per is not None:
        ptimes, rows = _period_times(period_on, s, e, closed, n)
    # one clock for every duration KPI: business time less pauses (wall clock by default)
    m = _clock.measure(s, e, calendar=cal, pauses=pz, ids=idc, as_of=cut)
    d, measured = m.elapsed, m.measured
    if rows is not None:
        d, measured, closed = d[rows], measured[rows], closed[rows]
        assert ptimes is not None
        ptimes = ptimes[rows]
    g, key_names = _grouping(n, by, per, ptimes, rows)
    if measured.all():
        codes, dur = g.codes, d
    else:
        codes, dur = g.codes[measured], d[measured]
    del d
    scale = 1.0 / (seconds * 1e9)
    count = np.bincount(codes, minlength=g.size).astype(np.int64, copy=False)
    total = np.bincount(codes, weights=dur * scale, minlength=g.size)
    median, p90 = grp.quantiles(
        codes, g.size, dur, [50.0, 90.0], scale=scale, method=quantile_method
    )
    mean = _divide(total, count)
    open_ = (
        grp.counts(g.codes, g.size) - count if cut is None else grp.counts(g.codes, g.size, ~closed)
    )
    params: dict[str, object] = {"unit": unit, "period": per, "percentile": "linear"}
    if per is not None:
        params["period_on"] = period_on if isinstance(period_on, str) else "array"
    params.update(extra_params or {})
    params["as_of"] = None if cut is None else str(np.datetime64(cut, "ns"))
    params.update(_clock.describe(cal, pz, m))
    if cal is not None or pz is not None:
        method += " (business time less pauses)"
    return GroupedKPI(
        kpi=kpi,
        names=key_names,
        groups=g.keys,
        count=count,
        value=mean,
        mean=mean,
        median=median,
        p90=p90,
        extra={"open": open_},
        unit=str(unit),
        method=method,
        parameters=params,
    )


def mttr(
    start: Any,
    end: Any,
    *,
    by: Any = None,
    period: Period | None = None,
    period_on: Any = "start",
    kind: str = "resolve",
    unit: Unit = "hours",
    quantile_method: grp.QuantileMethod = "auto",
    calendar: BusinessCalendar | None = None,
    pauses: Pauses | None = None,
    ids: Any = None,
    as_of: Any = None,
) -> GroupedKPI:
    """Mean time to resolve (or restore, repair, respond), with median and p90.

    ``start`` and ``end`` are the two time columns that bound the measured
    interval, e.g. *logged* and *resolved* for ``kind="resolve"``, *outage
    start* and *service restored* for ``"restore"``, *fault reported* and
    *repaired* for ``"repair"``, *logged* and *first response* for
    ``"respond"``; ``kind`` only labels the result.  Open tickets (``end`` is
    ``NaT``) are excluded from the statistics and counted in
    ``extra["open"]``.  ``period_on`` says which time places a ticket in a
    period: ``"start"`` (the cohort of tickets logged in the period, the
    default), ``"end"`` (tickets resolved in the period; open tickets are then
    left out altogether, and with no ticket resolved the result has no rows)
    or an array of times.  ``unit`` is one of
    ``"seconds"``, ``"minutes"``, ``"hours"`` (default), ``"days"``,
    ``"weeks"`` (plural, unlike the singular ``per=`` of rates and trends).
    ``quantile_method`` chooses the segmented percentile algorithm
    (``"auto"``, ``"partition"``, ``"sort"``, ``"argsort"``); the answer is
    the same.

    Durations run on the SLA clock when asked: ``calendar`` (a
    :class:`~itil_ci.measurement.calendar.BusinessCalendar`) counts business
    time only, and ``pauses`` (tied to tickets by ``ids``, one id per ticket)
    take off the business time each ticket spent paused (see
    :func:`~itil_ci.measurement.sla.business_duration`).  With ``as_of``,
    open tickets are measured up to it and included in the statistics (their
    time so far: a lower bound), and ``extra["open"]`` still counts them.
    The result's ``parameters`` record the calendar and the pause states.

    Examples:
        >>> import numpy as np
        >>> t0 = np.datetime64("2026-03-02T09:00", "ns")
        >>> start = np.full(4, t0)
        >>> end = start + np.array([1, 2, 6, "NaT"], dtype="timedelta64[h]")
        >>> r = mttr(start, end, by=np.array(["db", "db", "web", "web"]))
        >>> r.groups[0].tolist(), r.mean.tolist(), r.extra["open"].tolist()
        (['db', 'web'], [1.5, 6.0], [0, 1])
    """
    if not isinstance(kind, str) or kind not in _MTTR_KINDS:
        raise fail("kind", f"one of {', '.join(map(repr, _MTTR_KINDS))}", kind)
    return _duration_kpi(
        "mttr",
        f"mean time to {kind}: mean, median and p90 of end - start over closed tickets",
        start,
        end,
        by=by,
        period=period,
        period_on=period_on,
        unit=unit,
        quantile_method=quantile_method,
        extra_params={"kind": kind},
        calendar=calendar,
        pauses=pauses,
        ids=ids,
        as_of=as_of,
    )


def mtta(
    logged: Any,
    acknowledged: Any,
    *,
    by: Any = None,
    period: Period | None = None,
    period_on: Any = "start",
    unit: Unit = "hours",
    quantile_method: grp.QuantileMethod = "auto",
    calendar: BusinessCalendar | None = None,
    pauses: Pauses | None = None,
    ids: Any = None,
    as_of: Any = None,
) -> GroupedKPI:
    """Mean time to acknowledge: ``acknowledged - logged``, with median and p90.

    Tickets not yet acknowledged (``NaT``) are excluded and counted in
    ``extra["open"]``; otherwise as :func:`mttr`: ``period_on`` is
    ``"start"``, ``"end"`` or an array of times, ``unit`` one of
    ``"seconds"``, ``"minutes"``, ``"hours"`` (default), ``"days"``,
    ``"weeks"``, and ``quantile_method`` one of ``"auto"``, ``"partition"``,
    ``"sort"``, ``"argsort"`` (same answer, different algorithm).
    ``calendar``, ``pauses``, ``ids`` and ``as_of`` put it on the SLA clock,
    as in :func:`mttr`.

    Examples:
        >>> import numpy as np
        >>> logged = np.array(["2026-03-02T09:00"] * 3, dtype="datetime64[ns]")
        >>> ack = logged + np.array([10, 20, 90], dtype="timedelta64[m]")
        >>> r = mtta(logged, ack, unit="minutes")
        >>> r.mean.tolist(), r.median.tolist(), r.p90.tolist()
        ([40.0], [20.0], [76.0])
    """
    return _duration_kpi(
        "mtta",
        "mean time to acknowledge: mean, median and p90 of acknowledged - logged",
        logged,
        acknowledged,
        by=by,
        period=period,
        period_on=period_on,
        unit=unit,
        quantile_method=quantile_method,
        names="logged,acknowledged",
        calendar=calendar,
        pauses=pauses,
        ids=ids,
        as_of=as_of,
    )
