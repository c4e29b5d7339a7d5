"""Time in state: where each ticket's business time goes, from its state history.

Each event of a :class:`~itil_ci.io.History` starts a *stint*: the ticket
is in the event's state (and assignment group) from the event's time to the
next event of the same ticket in history order.  A ticket's last stint runs
to ``as_of`` when it is given (events after ``as_of`` are left out) and is
otherwise still running, so it is not measured.  A stint whose next event is
earlier than its own (times going backwards) is empty.  Stints are measured
on a :class:`~itil_ci.measurement.calendar.BusinessCalendar` (wall-clock time
without one) and summed by the keys asked for -- by default per ticket and
state (and assignment group, where the history records it) -- into a
:class:`~itil_ci.measurement.itsm.GroupedKPI`, ready for a Pareto of the
waiting states.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt

from itil_ci._internal.strings import run_starts
from itil_ci._internal.validate import fail
from itil_ci.measurement import _clock
from itil_ci.measurement import _grouping as grp
from itil_ci.measurement import _timetable as tt
from itil_ci.measurement._kpi_input import _divide, _one_time, _unit
from itil_ci.measurement.calendar import BusinessCalendar
from itil_ci.measurement.grouped import GroupedKPI

if TYPE_CHECKING:
    from itil_ci.io.history import History

__all__ = ["time_in_state"]

Ints = npt.NDArray[np.int64]
Unit = Literal["seconds", "minutes", "hours", "days", "weeks"]
_KEYS = ("id", "state", "assignment_group")
_FEW = 64  # distinct strings found by comparison before sorting the rest


def _factorise(values: npt.NDArray[np.str_]) -> tuple[Ints, npt.NDArray[np.str_]]:
    """Codes in sorted order of the distinct strings, without sorting every row.

    A column of a few distinct states is factorised by one comparison per
    distinct value over the rows not yet coded; past :data:`_FEW` values the
    rest is sorted.
    """
    n = values.size
    codes = np.full(n, -1, dtype=np.int64)
    found: list[str] = []
    rest = np.arange(n, dtype=np.int64)
    vals = values
    while rest.size and len(found) < _FEW:  # a loop over distinct values
        first = str(vals[0])
        same = vals == first
        codes[rest[same]] = len(found)
        found.append(first)
        rest, vals = rest[~same], vals[~same]
    if rest.size:
        more, inverse = np.unique(vals, return_inverse=True)
        codes[rest] = inverse.reshape(-1) + len(found)
        found.extend(more.tolist())
    uniques = np.array(found, dtype=values.dtype if found else "<U1")
    order = np.argsort(uniques, kind="stable")
    rank = np.empty(order.size, dtype=np.int64)
    rank[order] = np.arange(order.size, dtype=np.int64)
    return rank[codes], uniques[order]


def _by(by: object, has_group: bool) -> tuple[str, ...]:
    if by is None:
        return ("id", "state", "assignment_group") if has_group else ("id", "state")
    names = (by,) if isinstance(by, str) else by
    if not isinstance(names, Sequence) or not names:
        raise fail("by", f"one or more of {', '.join(map(repr, _KEYS))}", by)
    out: list[str] = []
    for name in names:
        if not isinstance(name, str) or name not in _KEYS:
            raise fail("by", f"names among {', '.join(map(repr, _KEYS))}", name)
        if name == "assignment_group" and not has_group:
            raise fail("by", "columns the history has (no assignment_group recorded)", name)
        if name in out:
            raise fail("by", "each column once", name)
        out.append(name)
    return tuple(out)


def time_in_state(
    history: History,
    *,
    calendar: BusinessCalendar | None = None,
    as_of: Any = None,
    by: str | Sequence[str] | None = None,
    unit: Unit = "hours",
) -> GroupedKPI:
    """Business time spent in each state, per ticket (or grouped by ``by``).

    ``by`` names the keys of the rows: any of ``"id"``, ``"state"`` and
    ``"assignment_group"`` (default: ``id`` and ``state``, and
    ``assignment_group`` when the history records it); ids come in history
    order, states and groups in sorted order.  Per row: ``value`` is the
    total business time in ``unit``, ``count`` the
    measured stints, ``mean``/``median``/``p90`` the time per stint,
    ``extra["tickets"]`` the distinct tickets and ``extra["open"]`` the stints
    still running at the end of the history (measured to ``as_of`` when it
    is given, else left out).  ``unit`` is ``"seconds"``, ``"minutes"``,
    ``"hours"`` (default), ``"days"`` or ``"weeks"``.

    Examples:
        >>> import numpy as np
        >>> from itil_ci.io import History
        >>> h = History(id=["INC1"] * 4,
        ...             time=np.array(["2026-01-12T08:00", "2026-01-12T09:00", "2026-01-12T12:00",
        ...                            "2026-01-12T13:00"], dtype="datetime64[ns]"),
        ...             state=["New", "On Hold", "In Progress", "Resolved"])
        >>> r = time_in_state(h, by="state", as_of="2026-01-12T13:30Z")
        >>> r.groups[0].tolist(), r.value.tolist(), r.extra["open"].tolist()
        (['In Progress', 'New', 'On Hold', 'Resolved'], [1.0, 1.0, 3.0, 0.5], [0, 0, 0, 1])
    """
    from itil_ci.io.history import History

    if not isinstance(history, History):
        raise fail("history", "an itil_ci.io.History", history)
    seconds = _unit(unit)
    keys = _by(by, history.assignment_group is not None)
    cal, _, _ = _clock.check(calendar, None, None, 0)
    cut = None if as_of is None else _one_time("as_of", as_of)
    ids, t, state, group = history.id, history.time.view(np.int64), history.state, None
    group = history.assignment_group
    if cut is not None and (t > cut).any():
        keep = t <= cut
        ids, t, state = ids[keep], t[keep], state[keep]
        group = None if group is None else group[keep]
    n = t.size
    starts = run_starts(ids)
    last = np.zeros(n, dtype=bool)
    if n:
        last[np.append(starts[1:], n) - 1] = True
    nxt = np.empty(n, dtype=np.int64)
    nxt[:-1] = t[1:]
    if n:
        nxt[last] = t[last] if cut is None else cut
    np.maximum(nxt, t, out=nxt)  # backwards in time: an empty stint
    measured = ~last if cut is None else np.ones(n, dtype=bool)
    table = tt.IDENTITY if cal is None or n == 0 else cal._table(int(t.min()), int(nxt.max()))
    dur = table.at(nxt)
    dur = nxt - table.at(t) if dur is nxt else dur - table.at(t)
    first = np.zeros(n, dtype=bool)
    first[starts] = True
    ticket_code = np.cumsum(first) - 1
    columns: list[Any] = []
    labels: list[npt.NDArray[Any]] = []
    for name in keys:  # a loop over the (at most three) key columns
        if name == "id":
            columns.append(ticket_code)
            labels.append(ids[starts])
        else:
            col = state if name == "state" else group
            assert col is not None
            code, uniques = _factorise(col)
            columns.append(code)
            labels.append(uniques)
    if n == 0:
        empty = np.empty(0, dtype=np.int64)
        g = grp.Grouping(empty, 0, tuple(empty for _ in keys))
    else:
        g = grp.group(columns, n, list(keys))
    groups = tuple(lab[k.astype(np.int64)] for lab, k in zip(labels, g.keys, strict=True))
    scale = 1.0 / (seconds * 1e9)
    codes = g.codes[measured]
    stint = dur[measured]
    count = np.bincount(codes, minlength=g.size).astype(np.int64)
    total = np.bincount(codes, weights=stint * scale, minlength=g.size)
    median, p90 = grp.quantiles(codes, g.size, stint, [50.0, 90.0], scale=scale)
    if "id" in keys:
        tickets = np.ones(g.size, dtype=np.int64)
    else:
        width = max(int(starts.size), 1)
        pair = np.unique(g.codes * width + ticket_code)  # (group, ticket) pairs
        tickets = np.bincount(pair // width, minlength=g.size).astype(np.int64)
    params: dict[str, object] = {
        "unit": unit,
        "by": list(keys),
        "as_of": None if cut is None else str(np.datetime64(cut, "ns")),
        "stint": "from an event to the ticket's next event in history order",
    }
    span = None if n == 0 else (int(t.min()), int(nxt.max()))
    params.update(_clock.describe(cal, None, _clock.Measured(dur, measured, table, cal, span)))
    return GroupedKPI(
        kpi="time_in_state",
        names=keys,
        groups=groups,
        count=count,
        value=total,
        mean=_divide(total, count),
        median=median,
        p90=p90,
        extra={
            "tickets": tickets,
            "open": np.bincount(g.codes[last], minlength=g.size).astype(np.int64),
        },
        unit=str(unit),
        method="business time from each event to the ticket's next event, summed per key",
        parameters=params,
    )
