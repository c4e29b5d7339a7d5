"""Stocks over time: the backlog of open tickets and service availability.

Conventions: :mod:`itil_ci.measurement.itsm`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from itil_ci._internal import arrays
from itil_ci._internal.validate import fail
from itil_ci.measurement import _grouping as grp
from itil_ci.measurement._kpi_input import (
    IntArray,
    Period,
    Unit,
    _divide,
    _grouping,
    _intervals,
    _one_time,
    _period,
    _period_code,
    _period_labels,
    _period_start,
    _unit,
)
from itil_ci.measurement.attainment import _positive
from itil_ci.measurement.grouped import GroupedKPI

__all__ = ["availability", "backlog"]


def _grid(
    n: int, by: Any, per: str, first: int, last: int
) -> tuple[grp.Grouping, tuple[str, ...], int, tuple[npt.NDArray[Any], ...]]:
    """Group by ``by`` only; rows are then every group x every period first..last."""
    g, names = _grouping(n, by, None, None)
    n_periods = last - first + 1
    codes = np.arange(first, last + 1, dtype=np.int64)
    keys = tuple(np.repeat(k, n_periods) for k in g.keys)
    keys = (*keys, np.tile(_period_labels(codes, per), g.size))
    return g, (*names, "period"), n_periods, keys


def backlog(
    opened: Any,
    closed: Any,
    *,
    by: Any = None,
    period: Period | None = None,
    as_of: Any = None,
    unit: Unit = "hours",
) -> GroupedKPI:
    """Open tickets: how many, how the count grows, and how old they are.

    A ticket is open at instant ``t`` when ``opened <= t`` and it is not
    closed by then (``closed`` is ``NaT`` or later).  ``as_of`` (default: the
    latest time in the data) is the end of the observation: tickets opened
    later are ignored and tickets closed later count as open.

    Without ``period`` there is one row per group, a snapshot at ``as_of``.
    With ``period`` there is one row per group and per period, for every
    period from the first ticket to ``as_of`` (a backlog is a stock, so quiet
    periods are rows too), each measured at the end of the period (at
    ``as_of`` for the last one).  A ticket opened or closed exactly at a
    period's end belongs to the next period; the last period includes
    ``as_of`` itself.  Columns: ``count`` and ``value`` (open
    tickets), ``mean`` (average age of the open tickets, in ``unit``; ``NaN``
    when none is open), and in ``extra``: ``opened`` and ``closed`` in the
    period (or up to ``as_of``), and ``growth`` (opened - closed in the
    period, the change in the open count) when ``period`` is given.  Ages are
    accumulated in float64 seconds (error well under a second).  ``unit`` is
    one of ``"seconds"``, ``"minutes"``, ``"hours"`` (default), ``"days"``,
    ``"weeks"``.

    Examples:
        >>> import numpy as np
        >>> opened = np.array(["2026-01-05", "2026-01-20", "2026-02-03"], dtype="datetime64[ns]")
        >>> closed = np.array(["2026-02-10", "NaT", "NaT"], dtype="datetime64[ns]")
        >>> r = backlog(opened, closed, period="month", as_of=np.datetime64("2026-02-28", "ns"))
        >>> r.groups[0].astype(str).tolist(), r.count.tolist(), r.extra["growth"].tolist()
        (['2026-01-01', '2026-02-01'], [2, 2], [2, 0])
        >>> # hours: Jan (27 + 12 days) / 2 at Feb 1; Feb (39 + 25 days) / 2
        >>> r.mean.round(1).tolist()
        [468.0, 768.0]
    """
    seconds = _unit(unit)
    per = _period(period)
    o, c, has_close = _intervals(opened, closed, "opened,closed")
    n = o.size
    if as_of is None:
        cut = int(max(o.max(), c[has_close].max() if has_close.any() else o.max()))
    else:
        cut = _one_time("as_of", as_of)
    live = o <= cut
    done = has_close & (c <= cut)
    to_unit = 1.0 / seconds
    params: dict[str, object] = {
        "unit": unit,
        "period": per,
        "as_of": str(np.datetime64(cut, "ns")),
        "open": "opened <= t and not closed by t",
    }
    if per is None:
        g, names = _grouping(n, by, None, None)
        open_now = live & ~done
        count = grp.counts(g.codes, g.size, open_now)
        age = arrays.span_ns("as_of - opened", o[open_now], cut).astype(np.float64)
        age *= to_unit / 1e9
        mean = _divide(np.bincount(g.codes[open_now], weights=age, minlength=g.size), count)
        return GroupedKPI(
            kpi="backlog",
            names=names,
            groups=g.keys,
            count=count,
            value=count.astype(np.float64),
            mean=mean,
            extra={
                "opened": grp.counts(g.codes, g.size, live),
                "closed": grp.counts(g.codes, g.size, done),
            },
            unit=str(unit),
            method="open tickets at as_of and their mean age",
            parameters=params,
        )
    po = _period_code(o, per)
    first = int(po[live].min()) if live.any() else int(_period_code(np.array([cut]), per)[0])
    last = int(_period_code(np.array([cut], dtype=np.int64), per)[0])
    g, names, n_p, keys = _grid(n, by, per, first, last)
    cells = g.size * n_p
    ref = int(_period_start(np.array([first], dtype=np.int64), per)[0])
    arrays.span_ns("as_of - opened", ref, cut)  # every age below is at most this
    idx_o = g.codes[live] * n_p + (po[live] - first)
    idx_c = g.codes[done] * n_p + (_period_code(c[done], per) - first)
    opened_in = np.bincount(idx_o, minlength=cells).reshape(g.size, n_p)
    closed_in = np.bincount(idx_c, minlength=cells).reshape(g.size, n_p)
    o_rel = (o - ref).astype(np.float64) / 1e9
    net = np.bincount(idx_o, weights=o_rel[live], minlength=cells)
    net -= np.bincount(idx_c, weights=o_rel[done], minlength=cells)
    open_n = np.cumsum(opened_in - closed_in, axis=1)
    age_sum_o = np.cumsum(net.reshape(g.size, n_p), axis=1)
    ends = _period_start(np.arange(first + 1, last + 2, dtype=np.int64), per)
    ends[-1] = cut
    at = (ends - ref).astype(np.float64) / 1e9
    age_total = open_n * at[None, :] - age_sum_o
    mean = _divide(age_total.ravel() * to_unit, open_n.ravel())
    count = open_n.ravel().astype(np.int64)
    return GroupedKPI(
        kpi="backlog",
        names=names,
        groups=keys,
        count=count,
        value=count.astype(np.float64),
        mean=mean,
        extra={
            "opened": opened_in.ravel().astype(np.int64),
            "closed": closed_in.ravel().astype(np.int64),
            "growth": (opened_in - closed_in).ravel().astype(np.int64),
        },
        unit=str(unit),
        method="open tickets at the end of each period, their mean age, and growth",
        parameters=params,
    )


def _window(window: Any) -> tuple[int, int]:
    if not isinstance(window, tuple | list) or len(window) != 2:
        raise fail("window", "a (begin, end) pair of times", window)
    begin = _one_time("window[0]", window[0])
    finish = _one_time("window[1]", window[1])
    if finish <= begin:
        raise fail("window", "a (begin, end) pair with end after begin", window)
    return begin, finish


def availability(
    start: Any,
    end: Any,
    *,
    by: Any = None,
    period: Period | None = None,
    window: Any = None,
    agreed: float | None = None,
    unit: Unit = "hours",
) -> GroupedKPI:
    """Availability, MTBF, MTRS and MTBSI from outage records.

    Each row of ``start``/``end`` is one unplanned outage (break) of the
    service named by ``by``; an outage still going on has ``end`` = ``NaT``
    and lasts until the end of the window.  Outages of one service must not
    overlap (merge them first; an overlap is an error naming both rows).

    The agreed service time (AST) of a row is its calendar time within
    ``window`` (24 x 7 service) or, when ``agreed`` is given, that many
    ``unit`` per row (each period, or the whole window).  Downtime is the
    outage time inside the row's span (outages crossing a period boundary are
    split); a break is counted in the period where it starts.  Then, as in
    ITIL availability management:

    * ``value`` = availability = (AST - downtime) / AST, in ``[0, 1]``;
    * ``extra["mtrs"]`` = downtime / breaks (mean time to restore service);
    * ``extra["mtbf"]`` = (AST - downtime) / breaks (mean uptime between failures);
    * ``extra["mtbsi"]`` = AST / breaks (mean time between service incidents);
    * ``count`` = breaks; ``extra["downtime"]`` and ``extra["agreed"]``.

    MTRS, MTBF and MTBSI are ``NaN`` where there was no break.  ``window`` is
    required without ``period``; with ``period`` it defaults to the whole
    periods from the first outage's start to the last outage's end, and every
    period in it is a row (a period without outages is 100 % available).
    Services without any outage do not appear: they have no rows to group.
    ``unit`` (of the durations and of ``agreed``) is one of ``"seconds"``,
    ``"minutes"``, ``"hours"`` (default), ``"days"``, ``"weeks"``.

    Examples:
        >>> import numpy as np
        >>> start = np.array(["2026-03-02T10:00", "2026-03-20T00:00"], dtype="datetime64[ns]")
        >>> end = start + np.array([2, 4], dtype="timedelta64[h]")
        >>> r = availability(start, end, window=("2026-03-01T00:00Z", "2026-04-01T00:00Z"))
        >>> r.extra["agreed"].tolist(), r.extra["downtime"].tolist(), r.count.tolist()
        ([744.0], [6.0], [2])
        >>> round(float(r.value[0]), 6), r.extra["mtrs"].tolist(), r.extra["mtbf"].tolist()
        (0.991935, [3.0], [369.0])
    """
    _unit(unit)
    per = _period(period)
    s, e, ended = _intervals(start, end)
    n = s.size
    if agreed is not None:
        agreed = _positive("agreed", agreed)
    if window is not None:
        begin, finish = _window(window)
    elif per is None:
        raise fail("window", "a (begin, end) pair of times when period is None", None)
    else:
        latest = int(max(s.max(), e[ended].max() if ended.any() else s.max()))
        p0 = int(_period_code(np.array([s.min()], dtype=np.int64), per)[0])
        p1 = int(_period_code(np.array([latest], dtype=np.int64), per)[0])
        begin = int(_period_start(np.array([p0], dtype=np.int64), per)[0])
        finish = int(_period_start(np.array([p1 + 1], dtype=np.int64), per)[0])
    arrays.span_ns("window", begin, finish)  # every outage piece below is at most this long
    e_eff = np.where(ended, e, finish)
    g0, key_names = _grouping(n, by, None, None)
    _check_overlaps(g0.codes, s, e_eff)
    a = np.maximum(s, begin)
    b = np.minimum(e_eff, finish)
    inside = b > a
    starts_in = (s >= begin) & (s < finish)
    if per is None:
        g, n_p, keys = g0, 1, g0.keys
        down_ns = grp.int_sums(g.codes[inside], g.size, (b - a)[inside])
        breaks = grp.counts(g.codes, g.size, starts_in)
        span_ns = np.full(g.size, finish - begin, dtype=np.int64)
    else:
        first = int(_period_code(np.array([begin], dtype=np.int64), per)[0])
        last = int(_period_code(np.array([finish - 1], dtype=np.int64), per)[0])
        g, key_names, n_p, keys = _grid(n, by, per, first, last)
        bounds = _period_start(np.arange(first, last + 2, dtype=np.int64), per)
        bounds[0], bounds[-1] = begin, finish
        cells = g.size * n_p
        ai, bi, gi = a[inside], b[inside], g.codes[inside]
        pa = _period_code(ai, per) - first
        pb = _period_code(bi - 1, per) - first
        pieces = pb - pa + 1
        owner = np.repeat(np.arange(ai.size), pieces)
        offs = np.cumsum(pieces) - pieces
        pp = pa[owner] + (np.arange(owner.size) - offs[owner])
        lo = np.maximum(ai[owner], bounds[pp])
        hi = np.minimum(bi[owner], bounds[pp + 1])
        down_ns = grp.int_sums(gi[owner] * n_p + pp, cells, hi - lo)
        ps = _period_code(s[starts_in], per) - first
        breaks = np.bincount(g.codes[starts_in] * n_p + ps, minlength=cells).astype(np.int64)
        span_ns = np.tile(np.diff(bounds), g.size)
    return _availability_result(
        key_names,
        keys,
        down_ns,
        breaks,
        span_ns,
        agreed=agreed,
        unit=str(unit),
        parameters={
            "unit": unit,
            "period": per,
            "window": (str(np.datetime64(begin, "ns")), str(np.datetime64(finish, "ns"))),
            "agreed": "calendar time (24x7)" if agreed is None else agreed,
        },
    )


def _availability_result(
    names: tuple[str, ...],
    keys: tuple[npt.NDArray[Any], ...],
    down_ns: IntArray,
    breaks: IntArray,
    span_ns: IntArray,
    *,
    agreed: float | None,
    unit: str,
    parameters: Mapping[str, object],
) -> GroupedKPI:
    """The availability KPI from exact downtime and period lengths (ns) per row.

    Downtime is summed in integer nanoseconds, so it never exceeds its period's
    time by rounding and a period that was down throughout is exactly 0 %
    available.  Shared by :func:`availability` and its Dask form.
    """
    ns_to_unit = 1.0 / (_unit(unit) * 1e9)
    down = down_ns * ns_to_unit
    if agreed is None:
        ast = span_ns * ns_to_unit
        up = (span_ns - down_ns) * ns_to_unit
        value = (span_ns - down_ns) / span_ns
    else:
        ast = np.full(span_ns.size, agreed)
        if (down > ast).any():
            bad = int(np.flatnonzero(down > ast)[0])
            raise fail(
                "agreed", f"at least the downtime of row {bad} ({down[bad]:g} {unit})", agreed
            )
        up = ast - down
        value = up / ast
    return GroupedKPI(
        kpi="availability",
        names=names,
        groups=keys,
        count=breaks,
        value=value,
        extra={
            "downtime": down,
            "agreed": ast,
            "mtrs": _divide(down, breaks),
            "mtbf": _divide(up, breaks),
            "mtbsi": _divide(ast, breaks),
        },
        unit=unit,
        method="availability = (AST - downtime) / AST; MTRS, MTBF, MTBSI per break",
        parameters=parameters,
    )


def _check_overlaps(codes: IntArray, s: IntArray, e: IntArray) -> None:
    """Reject overlapping outages of one group (adjacent pairs after sorting suffice)."""
    if s.size < 2:
        return
    order = np.lexsort((s, codes))
    same = codes[order][1:] == codes[order][:-1]
    clash = same & (s[order][1:] < e[order][:-1])
    if clash.any():
        k = int(np.flatnonzero(clash)[0])
        i, j = sorted((int(order[k]), int(order[k + 1])))
        raise fail(
            f"start[{j}]",
            f"outages of one service that do not overlap (row {i} is still going on)",
            str(np.datetime64(int(s[j]), "ns")),
        )
