"""Pauses of the SLA clock: the intervals in which a ticket waited, as columns.

A :class:`Pauses` table holds one row per pause -- the ticket ``id``, its
``start`` and its ``end`` (``NaT`` when nothing ended it: it lasts to the end
of whatever interval is measured) -- with each ticket's pauses contiguous.
:meth:`itil_ci.io.History.pauses` derives one from a state history; the
constructor builds one from plain arrays.  The SLA clock clips pauses to the
measured interval, merges the ones that overlap and takes off only their
business time.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import numpy.typing as npt

from itil_ci._internal import arrays
from itil_ci._internal import validate as v
from itil_ci._internal.strings import grouped, run_starts, strings

__all__ = ["Pauses"]

Strs = npt.NDArray[np.str_]
Times = npt.NDArray[np.datetime64]
_NS = "datetime64[ns]"


def _states(value: object) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise v.fail("states", "a collection of state names such as {'On Hold'}", value)
    out = {v.text(f"states[{i}]", s, allow_empty=False) for i, s in enumerate(value)}
    return tuple(sorted(out))


class Pauses:
    """Intervals during which tickets' SLA clocks stop: columns ``id``, ``start``, ``end``.

    ``id`` (str) is the ticket, ``start`` (``datetime64[ns]``, UTC) when the
    pause began and ``end`` when it ended, ``NaT`` when nothing ended it (it
    then lasts to the end of the measured interval).  ``states`` names the
    pause states it was derived from (empty when built from arrays); results
    record them.  Each ticket's pauses are made contiguous, keeping their
    given order; an ``end`` before its ``start`` is kept and measures nothing.

    Examples:
        >>> import numpy as np
        >>> p = Pauses(id=["INC1", "INC2", "INC1"],
        ...            start=np.array(["2026-01-05T10:00", "2026-01-05T11:00",
        ...                            "2026-01-06T09:00"], dtype="datetime64[ns]"),
        ...            end=np.array(["2026-01-05T12:00", "NaT", "2026-01-06T10:00"],
        ...                         dtype="datetime64[ns]"))
        >>> p
        Pauses(n=3 pauses, tickets=2, open=1)
        >>> p.id.tolist(), p.tickets().tolist()
        (['INC1', 'INC1', 'INC2'], ['INC1', 'INC2'])
    """

    __slots__ = ("end", "id", "start", "states")

    id: Strs
    start: Times
    end: Times
    states: tuple[str, ...]

    def __init__(self, *, id: Any, start: Any, end: Any, states: Iterable[str] = ()) -> None:
        ids = strings("Pauses.id", id)
        n = ids.size
        begin = arrays.as_times("Pauses.start", start)
        finish = arrays.as_times("Pauses.end", end, allow_missing=True)
        for name, arr in (("start", begin), ("end", finish)):
            if arr.shape != (n,):
                raise v.fail(f"Pauses.{name}", f"{n} times (one per id)", f"{arr.size} times")
        empty = ids == ""
        if empty.any():
            bad = int(np.flatnonzero(empty)[0])
            raise v.fail(f"Pauses.id[{bad}]", "a non-empty ticket id", "")
        order = grouped(ids)

        def own(a: npt.NDArray[Any]) -> npt.NDArray[Any]:
            return arrays.readonly(a[order] if order is not None else a.copy())

        self._set(own(ids), own(begin), own(finish), _states(states))

    def _set(self, ids: Strs, start: Times, end: Times, states: tuple[str, ...]) -> None:
        object.__setattr__(self, "id", ids)
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "end", end)
        object.__setattr__(self, "states", states)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Pauses is immutable")

    @classmethod
    def _trusted(cls, id: Strs, start: Times, end: Times, states: tuple[str, ...]) -> Pauses:
        """Build from validated columns already grouped by ticket (no checks, no copies)."""
        obj = object.__new__(cls)
        for arr in (id, start, end):
            arr.flags.writeable = False
        obj._set(id, start, end, states)
        return obj

    @classmethod
    def empty(cls, states: Iterable[str] = ()) -> Pauses:
        """No pauses.

        Examples:
            >>> len(Pauses.empty())
            0
        """
        none = np.empty(0, dtype=_NS)
        return cls._trusted(np.empty(0, dtype="<U1"), none, none.copy(), _states(states))

    def __len__(self) -> int:
        return int(self.id.size)

    def __repr__(self) -> str:
        if len(self) == 0:
            return "Pauses(n=0)"
        still = int(np.isnat(self.end).sum())
        return f"Pauses(n={len(self)} pauses, tickets={self.tickets().size}, open={still})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Pauses):
            return NotImplemented
        return (
            self.states == other.states
            and np.array_equal(self.id, other.id)
            and np.array_equal(self.start.view(np.int64), other.start.view(np.int64))
            and np.array_equal(self.end.view(np.int64), other.end.view(np.int64))
        )

    def __hash__(self) -> int:
        return hash((len(self), self.states, self.id.tobytes(), self.start.tobytes()))

    def __reduce__(self) -> tuple[Any, ...]:
        return (Pauses._trusted, (self.id.copy(), self.start.copy(), self.end.copy(), self.states))

    def tickets(self) -> Strs:
        """The distinct ticket ids, in the order of their first pause.

        Examples:
            >>> t = np.zeros(3, dtype="datetime64[ns]")
            >>> Pauses(id=["b", "a", "b"], start=t, end=t).tickets().tolist()
            ['b', 'a']
        """
        return self.id[run_starts(self.id)]

    def select(self, which: Any) -> Pauses:
        """The pauses picked by a boolean mask (each ticket's order is kept).

        Useful to hand each partition of a large table only its tickets'
        pauses (``np.isin(p.id, partition_ids)``).

        Examples:
            >>> t = np.zeros(3, dtype="datetime64[ns]")
            >>> p = Pauses(id=["a", "b", "a"], start=t, end=t, states=["On Hold"])
            >>> p.select(p.id == "a").id.tolist(), p.select(p.id == "a").states
            (['a', 'a'], ('On Hold',))
        """
        mask = np.asarray(which)
        if mask.dtype != np.bool_ or mask.shape != (len(self),):
            raise v.fail("which", f"a boolean mask of length {len(self)}", which)
        return Pauses._trusted(self.id[mask], self.start[mask], self.end[mask], self.states)
