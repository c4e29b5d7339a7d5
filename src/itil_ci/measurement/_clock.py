"""The SLA clock shared by every duration KPI (private).

:func:`measure` turns ticket intervals into business time less pauses, in
int64 nanoseconds, with one table lookup per time (see ``_timetable``):

* the measured interval of a ticket is ``[start, end)``, or ``[start,
  as_of)`` for an open ticket when ``as_of`` is given (empty when ``as_of``
  is not after ``start``); an open ticket without ``as_of`` is not measured;
* its business time is ``C(end) - C(start)``, ``C`` being the cumulative
  business time of the calendar (wall-clock time without one);
* pauses are tied to tickets by id, clipped to the measured interval,
  merged where they overlap, and their business time is taken off.

Overlaps are merged in business time: ``C`` is non-decreasing, so the
business time of a union of intervals is the length of the union of their
images ``[C(a), C(b))``.  The per-pause pieces kept by :func:`measure` also
give :func:`due`, the instant at which the clock less pauses reaches a
target.  :func:`describe` says what a result records about the clock.
"""

from __future__ import annotations

import attrs
import numpy as np
import numpy.typing as npt

from itil_ci._internal import arrays
from itil_ci._internal.strings import run_starts, strings
from itil_ci._internal.validate import fail
from itil_ci.measurement import _timetable as tt
from itil_ci.measurement._join import rows_of
from itil_ci.measurement.calendar import BusinessCalendar
from itil_ci.measurement.pauses import Pauses

__all__ = ["Measured", "check", "describe", "due", "measure"]

Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
_NAT = np.iinfo(np.int64).min
_MAX64 = np.iinfo(np.int64).max
_HUGE = 2**62  # a target at least this long (ns, ~146 years) is never reached


@attrs.frozen(eq=False)
class Measured:
    """Per ticket: business time less pauses (ns) over the measured interval, and what made it.

    ``elapsed`` is 0 where ``measured`` is false.  ``paused`` (business ns
    taken off) and ``holding`` (open and inside a pause at ``as_of``) are
    ``None`` without pauses.  ``start_c`` (the cumulative business time at
    each start) and the pause pieces (``piece_row``, ``piece_from``,
    ``piece_len``, in business ns, sorted by ticket and time; ``seg`` the first
    piece of each ticket) are kept for :func:`due`.
    """

    elapsed: Ints
    measured: Bools
    table: tt.Timetable
    calendar: BusinessCalendar | None = None
    span: tuple[int, int] | None = None  # the first and last instant measured (ns)
    paused: Ints | None = None
    holding: Bools | None = None
    start_c: Ints | None = None
    piece_row: Ints | None = None
    piece_from: Ints | None = None
    piece_len: Ints | None = None
    seg: Ints | None = None


def check(
    calendar: object, pauses: object, ids: object, n: int
) -> tuple[BusinessCalendar | None, Pauses | None, npt.NDArray[np.str_] | None]:
    """Validate the clock arguments of a KPI over ``n`` tickets."""
    if calendar is not None and not isinstance(calendar, BusinessCalendar):
        raise fail("calendar", "a BusinessCalendar or None", calendar)
    if pauses is not None and not isinstance(pauses, Pauses):
        raise fail("pauses", "a Pauses table (e.g. history.pauses({'On Hold'})) or None", pauses)
    id_col = None
    if ids is not None:
        id_col = strings("ids", ids)
        if id_col.size != n:
            raise fail("ids", f"{n} ticket ids (one per ticket)", f"{id_col.size} ids")
    elif pauses is not None:
        raise fail("ids", "the ticket ids (one per ticket) to tie the pauses to", None)
    return calendar, pauses, id_col


def measure(
    s: Ints,
    e: Ints,
    *,
    calendar: BusinessCalendar | None,
    pauses: Pauses | None,
    ids: npt.NDArray[np.str_] | None,
    as_of: int | None,
    keep_for_due: bool = False,
) -> Measured:
    """Business time less pauses of each ticket's measured interval (see the module doc)."""
    closed = e != _NAT
    if as_of is None:
        measured = closed
        x = e if closed.all() else np.where(closed, e, s)
    else:
        measured = np.ones(s.size, dtype=bool)
        x = e if closed.all() else np.where(closed, e, np.maximum(s, as_of))
    if calendar is None and pauses is None:
        # closed rows were checked by the caller; an open row measured to as_of may not fit
        d = x - s if as_of is None else arrays.span_ns("as_of - start", s, x, where=~closed)
        return Measured(d, measured, tt.IDENTITY, start_c=s if keep_for_due else None)
    span = None if s.size == 0 else (int(s.min()), int(x.max()))
    table = tt.IDENTITY if span is None or calendar is None else calendar._table(*span)
    start_c = table.at(s)
    elapsed = table.at(x)
    if elapsed is x:  # the identity table hands back its input: never write into it
        elapsed = x - start_c
    else:
        elapsed -= start_c
    if pauses is None or len(pauses) == 0:
        return Measured(
            elapsed,
            measured,
            table,
            calendar,
            span,
            paused=None if pauses is None else np.zeros(s.size, dtype=np.int64),
            holding=None if pauses is None else np.zeros(s.size, dtype=bool),
            start_c=start_c if keep_for_due else None,
        )
    assert ids is not None
    m = _less_pauses(
        s, x, closed, measured, elapsed, start_c, table, calendar, pauses, ids, as_of, keep_for_due
    )
    return attrs.evolve(m, span=span)


def _less_pauses(
    s: Ints,
    x: Ints,
    closed: Bools,
    measured: Bools,
    elapsed: Ints,
    start_c: Ints,
    table: tt.Timetable,
    calendar: BusinessCalendar | None,
    pauses: Pauses,
    ids: npt.NDArray[np.str_],
    as_of: int | None,
    keep_for_due: bool,
) -> Measured:
    n = s.size
    runs = run_starts(pauses.id)
    row_of_run = rows_of(ids, pauses.id[runs])
    row = np.repeat(row_of_run, np.diff(np.append(runs, len(pauses))))
    use = row >= 0
    use[use] = measured[row[use]]
    row = row[use]
    ps = pauses.start.view(np.int64)[use]
    pe = pauses.end.view(np.int64)[use].copy()
    pe[pe == _NAT] = _MAX64  # open-ended: to the end of the measured interval
    holding = np.zeros(n, dtype=bool)
    if as_of is not None:
        hold = ~closed[row] & (ps <= as_of) & (as_of < pe)
        holding[row[hold]] = True
    lo, hi = s[row], x[row]
    a = np.minimum(np.maximum(ps, lo), hi)
    b = np.minimum(np.maximum(pe, lo), hi)
    del lo, hi, ps, pe
    some = b > a
    row, ca, cb = row[some], table.at(a[some]), table.at(b[some])
    del a, b
    some = cb > ca  # a pause wholly outside business hours takes nothing off
    row, ca, cb = row[some], ca[some], cb[some]
    same = row[1:] == row[:-1]
    if (same & (ca[1:] < ca[:-1])).any():  # a ticket's pauses not in time order
        order = np.lexsort((ca, row))
        row, ca, cb = row[order], ca[order], cb[order]
        same = row[1:] == row[:-1]
    if (same & (ca[1:] < cb[:-1])).any():
        ca, cb = _merge(row, ca, cb)
    length = cb - ca
    seg = run_starts(row)
    paused = np.zeros(n, dtype=np.int64)
    if row.size:
        paused[row[seg]] = np.add.reduceat(length, seg)
    elapsed -= paused
    keep = length > 0
    if keep_for_due:
        row, ca, length = row[keep], ca[keep], length[keep]
        return Measured(
            elapsed,
            measured,
            table,
            calendar,
            paused=paused,
            holding=holding,
            start_c=start_c,
            piece_row=row,
            piece_from=ca,
            piece_len=length,
            seg=run_starts(row),
        )
    return Measured(elapsed, measured, table, calendar, paused=paused, holding=holding)


def _merge(row: Ints, ca: Ints, cb: Ints) -> tuple[Ints, Ints]:
    """Pieces of the union of each ticket's intervals (sorted by ticket, then start).

    Each interval keeps the part after every earlier interval of its ticket
    ends: ``[max(ca, M), cb)`` with ``M`` the running maximum of the earlier
    ends (empty when covered).  The running maximum restarts at each ticket
    through a combined key (ticket rank, rank of the end).
    """
    m = cb.size
    order = np.argsort(cb, kind="stable")
    rank = np.empty(m, dtype=np.int64)
    rank[order] = np.arange(m, dtype=np.int64)
    seg_no = np.cumsum(np.concatenate(([0], row[1:] != row[:-1])))
    key = seg_no * m + rank
    running = np.maximum.accumulate(key)
    prev_max = np.full(m, _NAT, dtype=np.int64)
    first = np.concatenate(([True], row[1:] != row[:-1]))
    later = np.flatnonzero(~first)
    prev_max[later] = cb[order[running[later - 1] % m]]
    start = np.maximum(ca, prev_max)
    return start, np.maximum(cb, start)


def due(m: Measured, target: Ints, which: Bools) -> Ints:
    """The instant (ns) at which each selected ticket's clock less pauses reaches its target.

    ``target`` is business ns per ticket; the pauses counted are those of the
    measured interval, so for an open ticket the answer assumes no pause after
    ``as_of``.  ``NaT`` where not selected, where the target is too long to
    reach before 2262, or where the calendar would need a table past 2262.
    """
    assert m.start_c is not None
    n = m.elapsed.size
    out = np.full(n, _NAT, dtype=np.int64)
    ok = which & (target < _HUGE)
    if not ok.any():
        return out
    reach = np.full(n, _NAT, dtype=np.int64)
    reach[ok] = m.start_c[ok] + target[ok]
    if m.piece_row is not None and m.piece_row.size:
        assert m.piece_from is not None
        assert m.piece_len is not None
        assert m.seg is not None
        row, length, seg = m.piece_row, m.piece_len, m.seg
        before = np.cumsum(length) - length  # pause time before each piece, then per ticket
        before -= np.repeat(before[seg], np.diff(np.append(seg, row.size)))
        clock_at = m.piece_from - m.start_c[row] - before  # the clock when each pause begins
        counts = np.where(clock_at < target[row], length, 0)  # pauses before the target is met
        extra = np.zeros(n, dtype=np.int64)
        extra[row[seg]] = np.add.reduceat(counts, seg)
        reach[ok] += extra[ok]
    table = m.table
    if m.calendar is not None and not table.identity:
        table = m.calendar._extended(table, int(reach[ok].max()))
    inside = ok & (reach <= (table.total if not table.identity else _MAX64))
    out[inside] = table.instant(reach[inside])
    return out


def describe(
    calendar: BusinessCalendar | None, pauses: Pauses | None, m: Measured | None
) -> dict[str, object]:
    """What a result records about its clock: the calendar and the pause states."""
    return {
        "calendar": None if calendar is None else calendar._describe(None if m is None else m.span),
        "pauses": None
        if pauses is None
        else {"states": list(pauses.states), "pauses": len(pauses)},
    }
