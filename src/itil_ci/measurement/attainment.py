"""SLA attainment: the share of tickets resolved within their target, or as the tool recorded it.

Conventions: :mod:`itil_ci.measurement.itsm`; the SLA clock:
:mod:`itil_ci.measurement.calendar` and :mod:`itil_ci.measurement.sla`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from itil_ci._internal.columns import native
from itil_ci._internal.validate import fail, number
from itil_ci.measurement import _clock
from itil_ci.measurement import _grouping as grp
from itil_ci.measurement._kpi_input import (
    IntArray,
    Period,
    Unit,
    _divide,
    _flags,
    _grouping,
    _intervals,
    _one_time,
    _period,
    _period_times,
    _same_length,
    _unit,
)
from itil_ci.measurement.calendar import BusinessCalendar
from itil_ci.measurement.grouped import GroupedKPI
from itil_ci.measurement.pauses import Pauses

__all__ = ["sla_attainment"]


def _target_ns(
    priority: Any, targets: Any, n: int, seconds: float
) -> tuple[IntArray | int, dict[str, float] | float]:
    """Target per ticket in ns (or one target for all) and the targets as recorded."""
    per_second = seconds * 1e9
    if not isinstance(targets, Mapping):
        t = _positive("targets", targets)
        return _ns(t * per_second), t
    if not targets:
        raise fail("targets", "a number or a non-empty mapping of priority to target", targets)
    recorded: dict[str, float] = {}
    table: dict[Any, int] = {}
    for key, val in targets.items():
        t = _positive(f"targets[{key!r}]", val)
        recorded[str(key)] = t
        table[key] = _ns(t * per_second)
    if priority is None:
        raise fail("priority", "a priority per ticket when targets is a mapping", None)
    codes, uniques = grp.factorise("priority", priority, n)
    lookup = np.empty(uniques.size, dtype=np.int64)
    for i, u in enumerate(uniques.tolist()):  # loop over distinct priorities only
        if u not in table:
            bad = int(np.flatnonzero(codes == i)[0])
            accepted = ", ".join(repr(k) for k in targets)
            raise fail(f"priority[{bad}]", f"a priority with a target ({accepted})", u)
        lookup[i] = table[u]
    return lookup[codes], recorded


def _ns(target: float) -> int:
    """A target in ns; beyond int64 it is the largest (no ticket can take longer)."""
    return round(target) if target < 2.0**63 else int(np.iinfo(np.int64).max)


def _positive(name: str, value: object) -> float:
    out = number(name, value, minimum=0, strict_min=True)
    assert out is not None
    return out


def sla_attainment(
    start: Any,
    end: Any,
    priority: Any = None,
    targets: Mapping[Any, float] | float | None = None,
    *,
    met: Any = None,
    by: Any = None,
    period: Period | None = None,
    period_on: Any = "start",
    as_of: Any = None,
    unit: Unit = "hours",
    calendar: BusinessCalendar | None = None,
    pauses: Pauses | None = None,
    ids: Any = None,
) -> GroupedKPI:
    """Share of tickets resolved within their target: computed, or as the tool recorded it.

    Two ways to judge a ticket, exactly one of which is given:

    * ``targets`` maps each priority to its target in ``unit`` (or is one
      number for every ticket; ``priority`` may then be ``None``).  A ticket
      meets its target when ``end - start <= target`` (on time counts as met).
    * ``met`` is the outcome the service-desk tool recorded per ticket
      (ServiceNow's ``made_sla``, :attr:`Tickets.sla_met <itil_ci.io.Tickets>`):
      true or false; ``priority`` and ``targets`` are then not needed.

    Open tickets (``end`` is ``NaT``) are not judged, unless ``as_of`` is
    given with ``targets``: an open ticket already older than its target at
    ``as_of`` has breached and is counted as such (with ``met``, an open
    ticket's recorded outcome is not final, so ``as_of`` is refused).
    ``count`` is the number of judged tickets, ``value`` the share met; extra
    columns ``met``, ``breached`` and ``open`` (open and not yet judged).  A
    priority without a target is an error naming the first such row.

    ``period_on`` places a ticket in a period: ``"start"`` (default), an
    array of times, or ``"end"``, the time its outcome was decided: its
    resolution for a closed ticket and, with ``as_of``, the instant an open
    ticket breached (``start + target``).  Other open tickets have no such
    time and are left out with ``period_on="end"`` (as in :func:`mttr`), so
    ``open`` is then 0.  ``unit`` (of ``targets``) is one of ``"seconds"``,
    ``"minutes"``, ``"hours"`` (default), ``"days"``, ``"weeks"``; a target
    too long to express in int64 nanoseconds (over 292 years) is never
    breached.

    On the SLA clock (``calendar``; ``pauses`` tied to tickets by ``ids``)
    durations and targets are business time less pauses (see
    :func:`~itil_ci.measurement.sla.sla_status` for the per-ticket view), and
    an open ticket's breach instant for ``period_on="end"`` is its due time.

    Examples:
        >>> import numpy as np
        >>> start = np.array(["2026-03-02T09:00"] * 4, dtype="datetime64[ns]")
        >>> end = start + np.array([3, 5, 10, 30], dtype="timedelta64[h]")
        >>> r = sla_attainment(start, end, ["P1", "P1", "P2", "P2"], {"P1": 4, "P2": 24})
        >>> r.value.tolist(), r.extra["met"].tolist()
        ([0.5], [2])
        >>> # the outcome the tool recorded; the fourth ticket is still open
        >>> end[3] = np.datetime64("NaT")
        >>> r = sla_attainment(start, end, met=[True, False, True, False], by=["a", "a", "b", "b"])
        >>> r.value.tolist(), r.count.tolist(), r.extra["open"].tolist()
        ([0.5, 1.0], [2, 1], [0, 1])
    """
    seconds = _unit(unit)
    per = _period(period)
    s, e, closed = _intervals(start, end)
    n = s.size
    recorded: dict[str, float] | float | str
    target: IntArray | int = 0
    cut = None if as_of is None else _one_time("as_of", as_of)
    if met is not None:
        if targets is not None:
            raise fail("targets", "None when met= is given (give one way to judge)", targets)
        if as_of is not None:
            raise fail(
                "as_of",
                "None when met= is given (a recorded outcome is final only once resolved)",
                as_of,
            )
        for name, given in (("calendar", calendar), ("pauses", pauses)):
            if given is not None:
                raise fail(
                    name, "None when met= is given (the recorded outcome is already judged)", given
                )
        outcome = _flags("met", met)
        _same_length(n, met=outcome.size)
        ok = closed & outcome
        breached = closed & ~outcome
        recorded = "recorded outcome (met=)"
        cal, pz, m, clocked = None, None, None, False
    else:
        if targets is None:
            raise fail("targets", "a target (a number or a priority mapping), or met=", None)
        if priority is not None:
            priority = native("priority", priority)
            if hasattr(priority, "__len__"):
                _same_length(n, priority=len(priority))
        target, recorded = _target_ns(priority, targets, n, seconds)
        cal, pz, idc = _clock.check(calendar, pauses, ids, n)
        clocked = cal is not None or pz is not None
        m = _clock.measure(
            s,
            e,
            calendar=cal,
            pauses=pz,
            ids=idc,
            as_of=cut,
            keep_for_due=clocked and per is not None,
        )
        d = m.elapsed  # business time less pauses; to as_of for open tickets when given
        ok = closed & (d <= target)
        breached = closed & ~ok
        if cut is not None:
            breached |= ~closed & (d > target)
        del d
    judged = ok | breached
    rows: npt.NDArray[np.bool_] | None = None
    ptimes: IntArray | None = None
    if per is not None:
        ptimes, rows = _period_times(period_on, s, e, closed, n)
        late = breached & ~closed  # open and past its target at as_of: judged at the breach
        if rows is not None and late.any():
            if clocked:  # the instant the clock less pauses reached the target
                assert m is not None
                per_ticket = np.broadcast_to(np.asarray(target, dtype=np.int64), (n,))
                ptimes = np.where(late, _clock.due(m, per_ticket, late), ptimes)
            else:
                ptimes = np.where(late, s + target, ptimes)
            rows = rows | late
    if rows is not None:
        assert ptimes is not None
        ptimes, ok, breached, judged = ptimes[rows], ok[rows], breached[rows], judged[rows]
    g, key_names = _grouping(n, by, per, ptimes, rows)
    count = grp.counts(g.codes, g.size, judged)
    n_met = grp.counts(g.codes, g.size, ok)
    total = grp.counts(g.codes, g.size)
    params: dict[str, object] = {
        "unit": unit,
        "period": per,
        "targets": recorded,
        "as_of": None if cut is None else str(np.datetime64(cut, "ns")),
        "on_time": "met (duration <= target)" if met is None else "met as recorded",
    }
    params.update(_clock.describe(cal, pz, m))
    if per is not None:
        params["period_on"] = period_on if isinstance(period_on, str) else "array"
    method = (
        "share of judged tickets resolved within their priority's target"
        if met is None
        else "share of resolved tickets whose recorded SLA outcome is met"
    )
    return GroupedKPI(
        kpi="sla_attainment",
        names=key_names,
        groups=g.keys,
        count=count,
        value=_divide(n_met, count),
        extra={"met": n_met, "breached": count - n_met, "open": total - count},
        unit=str(unit),
        method=method,
        parameters=params,
    )
