"""The SLA clock arguments of a Dask form: calendar, pauses, ids, as_of (private).

``calendar``, ``ids`` and ``as_of`` are per ticket: they go to the in-memory
kernel of every partition as they are (``ids`` names a column).  Pauses
must reach the partition that holds their ticket.  They come in one of
three ways, chosen by :func:`plan`:

* an in-memory :class:`~itil_ci.measurement.pauses.Pauses` (or a frame of
  pauses with one partition): the same table is handed to every partition,
  whose kernel ties the pauses of its own tickets by id and ignores the
  rest, as the in-memory function does;
* a frame of pauses laid out like the tickets: both month-partitioned by the
  month the ticket was opened in (``Tickets.to_parquet`` and
  ``History.to_parquet(..., tickets=...)`` write that), so each partition of
  tickets is paired with the partition of pauses of the same month: nothing
  moves;
* any other frame of pauses: tickets and pauses are both shuffled on a hash
  of the ticket id into the same number of partitions, then paired one to
  one (a pauses frame already hashed so only moves the tickets).

What a result records about its clock is the in-memory one's: the
calendar's holidays counted over the first to the last instant measured in
any partition, and the number of pauses of the whole table given.
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from itil_ci._internal.strings import hash64
from itil_ci._internal.validate import fail
from itil_ci.errors import ItilCiError
from itil_ci.measurement import _clock
from itil_ci.measurement import _timetable as tt
from itil_ci.measurement._kpi_input import _NAT
from itil_ci.measurement.calendar import BusinessCalendar
from itil_ci.measurement.pauses import Pauses
from itil_ci.scale import _layout
from itil_ci.scale._frame import columns, dask, text, times
from itil_ci.scale._run import Job

__all__ = [
    "Clock",
    "Plan",
    "answers",
    "clock",
    "first_round",
    "hashed",
    "plan",
    "span",
    "to_pauses",
]

Ints = npt.NDArray[np.int64]
_PAUSE_COLUMNS = ("id", "start", "end")


def span(s: Ints, e: Ints, as_of: int | None) -> tuple[int, int] | None:
    """The first and last instant the clock measures over these tickets (ns).

    As :func:`itil_ci.measurement._clock.measure` records it: from the
    earliest start to the latest end, an open ticket ending at ``max(start,
    as_of)`` when ``as_of`` is given and at its start otherwise.
    """
    if s.size == 0:
        return None
    closed = e != _NAT
    last = int(e[closed].max()) if closed.any() else int(s.min())
    if not closed.all():
        still = s[~closed]
        last = max(last, int(still.max()) if as_of is None else max(int(still.max()), as_of))
    return int(s.min()), last


def to_pauses(part: Any, states: tuple[str, ...], index: int) -> Pauses:
    """One partition of a frame of pauses (``id``, ``start``, ``end``) as a Pauses table."""
    if part is None:
        return Pauses.empty(states)
    try:
        ids = text(part["id"], "id")
        return Pauses(id=ids, start=times(part["start"]), end=times(part["end"]), states=states)
    except ItilCiError as err:
        raise fail(f"pauses, partition {index}", "a table of pauses", str(err)) from None


def _with_pid(part: Any, column: str, frame: str) -> Any:
    try:
        ids = text(part[column], f"{frame}[{column!r}]")
    except ItilCiError as err:
        raise fail(frame, f"ticket ids in column {column!r}", str(err)) from None
    return part.assign(**{_layout.PID: hash64(ids).view(np.int64)})


def hashed(frame: Any, column: str, n_parts: int, *, name: str = "tickets") -> Any:
    """``frame`` shuffled on a hash of its ``column`` of ticket ids into ``n_parts`` partitions.

    Two frames hashed so into the same number of partitions hold the rows of
    one id in partitions of the same index (Dask places rows by the hash
    column alone, as it does for a merge).
    """
    meta = frame._meta.assign(**{_layout.PID: np.zeros(0, dtype=np.int64)})
    keyed = frame.map_partitions(_with_pid, column, name, meta=meta)
    out = keyed.shuffle(on=_layout.PID, npartitions=n_parts)
    return _layout.remember(out, _layout.Layout(by_ticket=True, hashed=n_parts))


@attrs.frozen(eq=False)
class Clock:
    """The clock of one call: what every partition's kernel gets, and how to describe it."""

    calendar: BusinessCalendar | None
    as_of: Any
    pauses: Pauses | None  # handed to every partition
    frame: Any  # a dask DataFrame of pauses, paired with the tickets
    states: tuple[str, ...]
    ids: str | None  # the column of ticket ids
    table: bool = False  # the partitions get a Pauses table as their companion
    framed: bool = False  # the partitions get a pandas frame of pauses as their companion

    @property
    def has_pauses(self) -> bool:
        return self.table or self.framed

    def for_workers(self) -> Clock:
        """This clock without the pauses themselves (they reach partitions as companions)."""
        return attrs.evolve(self, pauses=None, frame=None)

    def kwargs(self, companion: Any = None, index: int = -1) -> dict[str, Any]:
        """The kernel's clock arguments in a partition (``companion``: its pauses)."""
        out: dict[str, Any] = {"calendar": self.calendar, "as_of": self.as_of}
        if self.table:
            out["pauses"] = companion
        elif self.framed:
            out["pauses"] = to_pauses(companion, self.states, index)
        return out

    def sample(self) -> dict[str, Any]:
        """Clock arguments for the one-ticket check call of a kernel.

        A copy of the calendar, so that the check does not extend the
        caller's calendar's table back to 1970.
        """
        cal = None if self.calendar is None else BusinessCalendar.from_dict(self.calendar.to_dict())
        out: dict[str, Any] = {"calendar": cal, "as_of": self.as_of}
        if self.has_pauses:
            out["pauses"] = Pauses.empty(self.states)
        if self.ids is not None:
            out["ids"] = np.array(["x"])
        return out

    def count(self, companion: Any) -> int:
        """How many pauses a partition's companion holds (0 without a frame of pauses)."""
        if not self.framed or companion is None:
            return 0
        return len(companion)

    def describe(
        self, spans: list[tuple[int, int] | None], counts: list[int], shared: bool
    ) -> dict[str, object]:
        """The ``calendar`` and ``pauses`` parameters of the whole result.

        ``spans`` are the partitions' measured spans and ``counts`` the
        numbers of pauses their companions held: added up, or the same table
        seen by every partition when ``shared``.
        """
        known = [s for s in spans if s is not None]
        whole = (min(s[0] for s in known), max(s[1] for s in known)) if known else None
        none = np.zeros(0, dtype=np.int64)
        measured = _clock.Measured(none, none.astype(bool), tt.IDENTITY, span=whole)
        out = _clock.describe(self.calendar, self.pauses, measured)
        if self.frame is not None:
            n = max(counts, default=0) if shared else sum(counts)
            out["pauses"] = {"states": list(self.states), "pauses": int(n)}
        return out


def clock(calendar: object, pauses: object, ids: object, as_of: object) -> Clock:
    """Check the clock arguments of a Dask form (the kernel's check call checks the rest)."""
    cal, _, _ = _clock.check(calendar, None, None, 0)
    dd = dask()
    table: Pauses | None = None
    frame = None
    states: tuple[str, ...] = ()
    if isinstance(pauses, Pauses):
        table, states = pauses, pauses.states
    elif isinstance(pauses, dd.DataFrame):
        roles: dict[str, tuple[object, Any]] = {
            "id": ("id", "any"),
            "start": ("start", "time"),
            "end": ("end", "optional-time"),
        }
        columns(pauses, roles, None, frame="pauses")
        layout = _layout.of(pauses)
        states = () if layout is None else layout.states
        frame = pauses
    elif pauses is not None:
        raise fail(
            "pauses",
            "a Pauses table, a dask DataFrame of pauses (id, start, end; "
            "itil_ci.scale.pauses(history, states) gives one) or None",
            pauses,
        )
    if ids is not None and not isinstance(ids, str):
        raise fail("ids", "the name of the column of ticket ids, or None", ids)
    column = ids if ids is not None else ("id" if table is not None or frame is not None else None)
    return Clock(cal, as_of, table, frame, states, column, table is not None, frame is not None)


@attrs.frozen(eq=False)
class Plan:
    """Where a Dask form reads its tickets and how their partitions get their pauses."""

    tickets: Any
    companion: Any = None
    pairing: tuple[int, ...] | None = None
    companion_columns: tuple[str, ...] | None = None
    unpaired: tuple[int, ...] = ()  # partitions of pauses no partition of tickets gets
    shared: bool = False  # every partition gets the same pauses

    def job(self, columns: tuple[str, ...] | None, fn: Any, args: tuple[Any, ...]) -> Job:
        """A job over the planned tickets with their pauses as the companion."""
        return Job(
            self.tickets, columns, fn, args, self.companion, self.pairing, self.companion_columns
        )

    def count_job(self, frame: Any) -> Job | None:
        """A job counting the pauses of the partitions that no tickets are paired with."""
        if not self.unpaired:
            return None
        rest = frame.partitions[list(self.unpaired)]
        return Job(rest, ("id",), _count)


def _count(part: Any, index: int) -> int:
    return len(part)


def _shared(obj: Any) -> Any:
    """One object for every partition: scattered to the workers of the client computing, if any.

    Embedded in the task graph it would travel through the scheduler (and
    Dask warns about graphs past a few MiB); scattered, each worker holds it
    once.
    """
    from dask.base import get_scheduler
    from dask.delayed import delayed

    client = getattr(get_scheduler(), "__self__", None)  # type: ignore[no-untyped-call]
    if client is not None and type(client).__name__ == "Client" and hasattr(client, "scatter"):
        return client.scatter(obj, broadcast=True, hash=False)
    return delayed(obj, pure=True)


def plan(tickets: Any, needed: list[str], c: Clock) -> Plan:
    """How the partitions of ``tickets`` (only ``needed`` columns) meet their pauses."""
    if c.frame is None:
        if c.pauses is None:
            return Plan(tickets)
        return Plan(tickets, companion=_shared(c.pauses), shared=True)
    assert c.ids is not None
    pz = c.frame
    cols = _PAUSE_COLUMNS
    if pz.npartitions == 1:  # one table of pauses for every partition
        part = pz[list(cols)].to_delayed()[0]
        return Plan(tickets, companion=part, shared=True)
    lt, lp = _layout.of(tickets), _layout.of(pz)
    if lp is not None and lp.hashed is not None:
        moved = hashed(tickets[needed], c.ids, lp.hashed)
        return Plan(moved, pz, tuple(range(lp.hashed)), cols)
    if (
        lt is not None
        and lp is not None
        and lt.by_opened_month
        and lp.by_opened_month
        and lt.keys is not None
        and lp.keys is not None
    ):
        where = {k: i for i, k in enumerate(lp.keys)}
        pairing = tuple(where.get(k, -1) for k in lt.keys)
        unpaired = tuple(sorted(set(range(len(lp.keys))) - set(pairing)))
        return Plan(tickets, pz, pairing, cols, unpaired)
    n = max(int(tickets.npartitions), int(pz.npartitions))
    moved = hashed(tickets[needed], c.ids, n)
    pauses = hashed(pz[list(cols)], "id", n, name="pauses")
    return Plan(moved, pauses, tuple(range(n)), cols)


def first_round(
    p: Plan, c: Clock | None, cols: tuple[str, ...], fn: Any, args: tuple[Any, ...]
) -> tuple[Job, ...]:
    """The partitions' job, and a count of the pauses no partition of tickets is paired with."""
    job = p.job(cols, fn, args)
    extra = None if c is None or c.frame is None else p.count_job(c.frame)
    return (job,) if extra is None else (job, extra)


def answers(answer: list[Any]) -> tuple[list[Any], int]:
    """The partitions' results of :func:`first_round`, and the pauses counted besides."""
    return answer[0], int(sum(answer[1])) if len(answer) > 1 else 0
