"""SLA clocks per ticket: business durations, status against targets, tickets at risk.

* :func:`business_duration` -- the business time of each ticket less its
  pauses, on a :class:`~itil_ci.measurement.calendar.BusinessCalendar`;
* :func:`sla_status` -- per ticket: elapsed and paused business time, time
  remaining, the share of the target used, the due time and the stage
  (``in_progress``, ``paused``, ``achieved``, ``breached``);
* :func:`at_risk` -- the in-progress tickets past a share of their target.

The clock is the one every duration KPI uses (``_clock``): the measured
interval is ``[start, end)``, or ``[start, as_of)`` for an open ticket when
``as_of`` is given; pauses are tied to tickets by ``ids``, clipped to that
interval and merged, and only their business time is taken off.
"""

from __future__ import annotations

import types
from collections.abc import Mapping
from typing import Any, Literal

import attrs
import numpy as np
import numpy.typing as npt

from itil_ci._internal.arrays import frozen_array
from itil_ci._internal.validate import fail, number
from itil_ci.measurement import _clock
from itil_ci.measurement._kpi_input import (
    _intervals,
    _one_time,
    _same_length,
    _unit,
)
from itil_ci.measurement.attainment import _target_ns
from itil_ci.measurement.calendar import BusinessCalendar
from itil_ci.measurement.pauses import Pauses

__all__ = ["STAGES", "SLAStatus", "at_risk", "business_duration", "sla_status"]

FloatArray = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
Unit = Literal["seconds", "minutes", "hours", "days", "weeks"]
_NAT = np.iinfo(np.int64).min

#: The stages of a ticket's SLA clock, as :attr:`SLAStatus.stage` holds them.
STAGES = ("in_progress", "paused", "achieved", "breached")


def _frozen(m: Mapping[str, object]) -> Mapping[str, object]:
    return types.MappingProxyType(dict(m))


def _as_of(as_of: Any) -> int | None:
    return None if as_of is None else _one_time("as_of", as_of)


def business_duration(
    start: Any,
    end: Any,
    *,
    calendar: BusinessCalendar | None = None,
    pauses: Pauses | None = None,
    ids: Any = None,
    as_of: Any = None,
    unit: Unit = "hours",
) -> FloatArray:
    """Business time of each ticket less its pauses, in ``unit`` (``NaN`` where not measured).

    The measured interval is ``[start, end)``; for an open ticket (``end`` is
    ``NaT``) it is ``[start, as_of)`` when ``as_of`` is given (empty if
    ``as_of`` is not after ``start``), else the ticket has no duration
    (``NaN``).  ``calendar`` (default: wall-clock time, 24 x 7) says when the
    clock runs; ``pauses`` (with ``ids``, the ticket id of each row, to tie
    them to tickets) are clipped to the measured interval, merged where they
    overlap, and their business time is taken off.  Pauses of tickets not in
    ``ids`` are ignored.  ``unit`` is ``"seconds"``, ``"minutes"``,
    ``"hours"`` (default), ``"days"`` or ``"weeks"``.

    Examples:
        >>> import numpy as np
        >>> cal = BusinessCalendar({"mon-fri": ("08:00", "18:00")}, timezone="Europe/London")
        >>> opened = np.array(["2026-01-09T16:00", "2026-01-12T09:00"], dtype="datetime64[ns]")
        >>> resolved = np.array(["2026-01-12T10:00", "NaT"], dtype="datetime64[ns]")
        >>> p = Pauses(id=["INC1"], start=np.array(["2026-01-12T08:00"], dtype="datetime64[ns]"),
        ...            end=np.array(["2026-01-12T09:00"], dtype="datetime64[ns]"))
        >>> # Friday 16:00-18:00 and Monday 08:00-10:00 (4 h), less the paused hour
        >>> business_duration(opened, resolved, calendar=cal, pauses=p, ids=["INC1", "INC2"],
        ...                   as_of="2026-01-12T12:30Z").tolist()
        [3.0, 3.5]
    """
    seconds = _unit(unit)
    s, e, _ = _intervals(start, end, allow_empty=True)
    n = s.size
    cal, pz, idc = _clock.check(calendar, pauses, ids, n)
    m = _clock.measure(s, e, calendar=cal, pauses=pz, ids=idc, as_of=_as_of(as_of))
    out = np.full(n, np.nan)
    out[m.measured] = m.elapsed[m.measured] / (seconds * 1e9)
    return out


@attrs.frozen(eq=False, repr=False)
class SLAStatus:
    """Each ticket's SLA clock against its target, as read-only columns of one length.

    * ``row``: the ticket's position in the input (kept by :meth:`select`);
      ``id``: its id when ``ids`` was given, else ``None``;
    * ``target``, ``elapsed`` (business time less pauses), ``paused``
      (business time taken off by pauses) and ``remaining`` (``target -
      elapsed``, negative once breached), in ``unit``;
    * ``percent``: ``elapsed / target`` as a share (``1.0`` is the whole
      target; above 1 is breached);
    * ``due``: the instant the clock less pauses reaches the target
      (``datetime64[ns]``, UTC), ``NaT`` while the ticket is paused;
    * ``stage``: ``"achieved"`` / ``"breached"`` for a closed ticket (met
      when ``elapsed <= target``), and for an open one ``"breached"`` once
      ``elapsed > target``, else ``"paused"`` inside a pause at ``as_of``, else
      ``"in_progress"``;
    * ``on_hold``: open and inside a pause at ``as_of`` (also for a breached
      ticket).

    ``pandas.DataFrame(status.columns())`` gives a table.

    Examples:
        >>> import numpy as np
        >>> opened = np.array(["2026-01-12T08:00"] * 3, dtype="datetime64[ns]")
        >>> resolved = np.array(["2026-01-12T11:00", "NaT", "NaT"], dtype="datetime64[ns]")
        >>> s = sla_status(opened, resolved, None, 4, as_of="2026-01-12T11:30Z")
        >>> s.stage.tolist(), s.percent.tolist()
        (['achieved', 'in_progress', 'in_progress'], [0.75, 0.875, 0.875])
        >>> len(s.at_risk(0.8)), str(s.due[1])
        (2, '2026-01-12T12:00:00.000000000')
    """

    row: Ints = attrs.field(converter=frozen_array)
    id: npt.NDArray[np.str_] | None = attrs.field(converter=frozen_array)
    target: FloatArray = attrs.field(converter=frozen_array)
    elapsed: FloatArray = attrs.field(converter=frozen_array)
    paused: FloatArray = attrs.field(converter=frozen_array)
    remaining: FloatArray = attrs.field(converter=frozen_array)
    percent: FloatArray = attrs.field(converter=frozen_array)
    due: npt.NDArray[np.datetime64] = attrs.field(converter=frozen_array)
    stage: npt.NDArray[np.str_] = attrs.field(converter=frozen_array)
    on_hold: npt.NDArray[np.bool_] = attrs.field(converter=frozen_array)
    unit: str = "hours"
    method: str = ""
    parameters: Mapping[str, object] = attrs.field(factory=dict, converter=_frozen)

    _COLUMNS = (
        "row",
        "id",
        "target",
        "elapsed",
        "paused",
        "remaining",
        "percent",
        "due",
        "stage",
        "on_hold",
    )

    def __len__(self) -> int:
        return int(self.row.size)

    def columns(self) -> dict[str, npt.NDArray[Any]]:
        """Every column by name (``id`` only when known).

        Examples:
            >>> s = sla_status(["2026-01-12T08:00Z"], ["2026-01-12T09:00Z"], None, 4)
            >>> list(s.columns())  # doctest: +NORMALIZE_WHITESPACE
            ['row', 'target', 'elapsed', 'paused', 'remaining', 'percent', 'due', 'stage',
             'on_hold']
        """
        out: dict[str, npt.NDArray[Any]] = {}
        for name in self._COLUMNS:
            col = getattr(self, name)
            if col is not None:
                out[name] = col
        return out

    def select(self, which: Any) -> SLAStatus:
        """The tickets picked by a boolean mask (``row`` keeps their input positions).

        Examples:
            >>> s = sla_status(["2026-01-12T08:00Z"] * 2, ["2026-01-12T09:00Z",
            ...                "2026-01-12T14:00Z"], None, 4)
            >>> s.select(s.stage == "breached").row.tolist()
            [1]
        """
        mask = np.asarray(which)
        if mask.dtype != np.bool_ or mask.shape != (len(self),):
            raise fail("which", f"a boolean mask of length {len(self)}", which)
        cols: dict[str, Any] = {}
        for name in self._COLUMNS:
            col = getattr(self, name)
            cols[name] = None if col is None else col[mask]
        return attrs.evolve(self, **cols)

    def at_risk(self, threshold: float = 0.75) -> SLAStatus:
        """The in-progress tickets whose ``percent`` has reached ``threshold`` (:func:`at_risk`).

        Examples:
            >>> s = sla_status(["2026-01-12T08:00Z"], [None], None, 4, as_of="2026-01-12T11:00Z")
            >>> len(s.at_risk()), len(s.at_risk(0.8))
            (1, 0)
        """
        t = number("threshold", threshold, minimum=0.0, strict_min=True)
        if t is None or t > 1:
            raise fail("threshold", "a share of the target in (0, 1]", threshold)
        return self.select((self.stage == "in_progress") & (self.percent >= t))

    def counts(self) -> dict[str, int]:
        """How many tickets are in each stage (every stage named, in :data:`STAGES` order).

        Examples:
            >>> sla_status(["2026-01-12T08:00Z"], ["2026-01-12T09:00Z"], None, 4).counts()
            {'in_progress': 0, 'paused': 0, 'achieved': 1, 'breached': 0}
        """
        return {st: int(np.count_nonzero(self.stage == st)) for st in STAGES}

    def __repr__(self) -> str:
        parts = ", ".join(f"{k}={v}" for k, v in self.counts().items() if v)
        return f"SLAStatus({len(self)} tickets: {parts or 'none'}, unit={self.unit!r})"


def sla_status(
    start: Any,
    end: Any,
    priority: Any,
    targets: Mapping[Any, float] | float,
    *,
    calendar: BusinessCalendar | None = None,
    pauses: Pauses | None = None,
    ids: Any = None,
    as_of: Any = None,
    unit: Unit = "hours",
) -> SLAStatus:
    """Each ticket's SLA clock against the target of its priority, at ``as_of``.

    ``targets`` maps each priority to its target in ``unit`` of business
    time (or is one number for every ticket, ``priority`` then ``None``), as
    in :func:`~itil_ci.measurement.itsm.sla_attainment`.  The clock is that of
    :func:`business_duration`: ``calendar``, ``pauses`` tied to tickets by
    ``ids``; an open ticket is measured up to ``as_of``, which is required
    when any ticket is open (closed tickets are measured to their end).

    The due time is the instant at which the ticket's business clock less
    its pauses reaches the target -- for an open ticket assuming no further
    pause -- and ``NaT`` while it is paused.  See :class:`SLAStatus` for the
    columns and stages; :func:`at_risk` picks the tickets about to breach.

    Examples:
        >>> import numpy as np
        >>> cal = BusinessCalendar("mon-fri 08:00-18:00", timezone="Europe/London")
        >>> opened = np.array(["2026-01-09T15:00", "2026-01-09T17:00"], dtype="datetime64[ns]")
        >>> s = sla_status(opened, np.array(["NaT", "NaT"], dtype="datetime64[ns]"),
        ...                ["P2", "P3"], {"P2": 4, "P3": 8}, calendar=cal,
        ...                as_of="2026-01-12T09:00Z")
        >>> s.stage.tolist(), s.elapsed.tolist(), s.due.astype("datetime64[m]").astype(str).tolist()
        (['in_progress', 'in_progress'], [4.0, 2.0], ['2026-01-12T09:00', '2026-01-12T15:00'])
    """
    seconds = _unit(unit)
    s, e, closed = _intervals(start, end)
    n = s.size
    if priority is not None and hasattr(priority, "__len__"):
        _same_length(n, priority=len(priority))
    target_ns, recorded = _target_ns(priority, targets, n, seconds)
    target = np.broadcast_to(np.asarray(target_ns, dtype=np.int64), (n,))
    cal, pz, idc = _clock.check(calendar, pauses, ids, n)
    cut = _as_of(as_of)
    if cut is None and not closed.all():
        bad = int(np.flatnonzero(~closed)[0])
        raise fail("as_of", f"the time to measure open tickets at (end[{bad}] is NaT)", None)
    m = _clock.measure(s, e, calendar=cal, pauses=pz, ids=idc, as_of=cut, keep_for_due=True)
    elapsed = m.elapsed
    holding = m.holding if m.holding is not None else np.zeros(n, dtype=bool)
    over = elapsed > target
    stage = np.full(n, "in_progress", dtype="<U11")
    stage[~closed & holding] = "paused"
    stage[closed] = "achieved"
    stage[over] = "breached"
    due = _clock.due(m, target, ~(~closed & holding))
    per_unit = seconds * 1e9  # divide (not multiply by 1 / per_unit): whole units stay exact
    paused = m.paused if m.paused is not None else np.zeros(n, dtype=np.int64)
    params: dict[str, object] = {
        "unit": unit,
        "targets": recorded,
        "as_of": None if cut is None else str(np.datetime64(cut, "ns")),
        "on_time": "met (elapsed <= target)",
        "percent": "elapsed / target",
    }
    params.update(_clock.describe(cal, pz, m))
    return SLAStatus(
        row=np.arange(n, dtype=np.int64),
        id=idc,
        target=target / per_unit,
        elapsed=elapsed / per_unit,
        paused=paused / per_unit,
        remaining=(target - elapsed) / per_unit,
        percent=elapsed / target,
        due=due.view("datetime64[ns]"),
        stage=stage,
        on_hold=~closed & holding,
        unit=str(unit),
        method="business time less pauses against each priority's target, per ticket",
        parameters=params,
    )


def at_risk(status: SLAStatus, threshold: float = 0.75) -> SLAStatus:
    """The in-progress tickets whose clock has used at least ``threshold`` of their target.

    ``threshold`` is a share in ``(0, 1]`` (0.75: three quarters of the
    target gone).  Paused, achieved and breached tickets are never at risk.

    Examples:
        >>> s = sla_status(["2026-01-12T08:00Z"] * 2, [None] * 2, [1, 2], {1: 4, 2: 8},
        ...                as_of="2026-01-12T11:30Z")
        >>> at_risk(s).row.tolist(), at_risk(s).percent.tolist()
        ([0], [0.875])
    """
    if not isinstance(status, SLAStatus):
        raise fail("status", "an SLAStatus (from sla_status)", status)
    return status.at_risk(threshold)
