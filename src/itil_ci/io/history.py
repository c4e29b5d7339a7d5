"""The state history of tickets as a columnar table.

A :class:`History` holds one row per event — the ticket it belongs to, when it
happened and the state the ticket was in from then on (and, where the source
records it, the assignment group) — with each ticket's events contiguous and in
the order they happened.  Importers build one from an export's update rows;
:meth:`History.__init__` builds one from plain arrays.  The SLA clock reads it
for pauses and time in state.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, ClassVar

import attrs
import numpy as np
import numpy.typing as npt

from itil_ci._internal import arrays
from itil_ci._internal import validate as v
from itil_ci._internal.strings import grouped as _grouped
from itil_ci._internal.strings import strings as _strings

if TYPE_CHECKING:
    from itil_ci.io.tickets import Tickets
    from itil_ci.measurement.pauses import Pauses

__all__ = ["History"]

_NS = "datetime64[ns]"
Strs = npt.NDArray[np.str_]
Ints = npt.NDArray[np.int64]


@attrs.frozen(init=False, repr=False, eq=False)
class History:
    """Events of tickets as columns: ``id``, ``time``, ``state`` (and ``assignment_group``).

    One row per event: ticket ``id`` (str), ``time`` (``datetime64[ns]``,
    UTC, never missing) and ``state`` (str), the state the ticket entered at
    that time.  ``assignment_group`` (str) is the group that held the ticket
    from then on, or ``None`` when the source does not record it (unknown, not
    empty).

    Each ticket's events are contiguous and keep the order in which they were
    given (the history order, which importers take from the source's update
    order, not from the times: two updates in the same second keep their
    order).  Tickets appear in the order of their first event.  Times are
    not required to increase within a ticket; code that measures durations
    between events decides what a backwards step means.

    Arrays given as numpy arrays of the right dtype are used without a Python
    loop (``datetime64`` is read as UTC); lists of aware datetimes or ISO
    strings with an offset are accepted for small tables.

    Examples:
        >>> import numpy as np
        >>> h = History(
        ...     id=["INC2", "INC1", "INC2"],
        ...     time=np.array(["2025-01-06T09:00", "2025-01-06T10:00", "2025-01-06T11:00"],
        ...                   dtype="M8[ns]"),
        ...     state=["New", "New", "On Hold"],
        ... )
        >>> h.id.tolist(), h.state.tolist()
        (['INC2', 'INC2', 'INC1'], ['New', 'On Hold', 'New'])
        >>> len(h), h.tickets().tolist()
        (3, ['INC2', 'INC1'])
    """

    FIELDS: ClassVar[tuple[str, ...]] = ("id", "time", "state", "assignment_group")

    id: npt.NDArray[np.str_]
    time: npt.NDArray[np.datetime64]
    state: npt.NDArray[np.str_]
    assignment_group: npt.NDArray[np.str_] | None

    def __init__(self, *, id: Any, time: Any, state: Any, assignment_group: Any = None) -> None:
        ids = _strings("History.id", id)
        n = ids.size
        times = arrays.as_times("History.time", time)
        states = _strings("History.state", state)
        group = (
            None
            if assignment_group is None
            else _strings("History.assignment_group", assignment_group)
        )
        for name, arr in (("time", times), ("state", states), ("assignment_group", group)):
            if arr is not None and arr.shape != (n,):
                raise v.fail(f"History.{name}", f"{n} values (one per id)", f"{arr.size} values")
        empty = ids == ""
        if empty.any():
            bad = int(np.flatnonzero(empty)[0])
            raise v.fail(f"History.id[{bad}]", "a non-empty ticket id", "")
        order = _grouped(ids)

        def own(a: npt.NDArray[Any]) -> npt.NDArray[Any]:
            # Own copies (reordered, or plain): the caller's arrays stay writeable.
            return arrays.readonly(a[order] if order is not None else a.copy())

        object.__setattr__(self, "id", own(ids))
        object.__setattr__(self, "time", own(times))
        object.__setattr__(self, "state", own(states))
        object.__setattr__(self, "assignment_group", None if group is None else own(group))

    @classmethod
    def _trusted(
        cls,
        id: Strs,
        time: npt.NDArray[np.datetime64],
        state: Strs,
        assignment_group: Strs | None = None,
    ) -> History:
        """Build from validated columns already grouped by ticket (no checks, no copies)."""
        obj = object.__new__(cls)
        for name, arr in (
            ("id", id),
            ("time", time),
            ("state", state),
            ("assignment_group", assignment_group),
        ):
            if arr is not None:
                arr.flags.writeable = False
            object.__setattr__(obj, name, arr)
        return obj

    @classmethod
    def empty(cls) -> History:
        """A history with no events.

        Examples:
            >>> len(History.empty())
            0
        """
        none = np.empty(0, dtype="<U1")
        return cls._trusted(none, np.empty(0, dtype=_NS), none.copy())

    def __len__(self) -> int:
        return int(self.id.size)

    def __repr__(self) -> str:
        if len(self) == 0:
            return "History(n=0)"
        return (
            f"History(n={len(self)} events, tickets={self.tickets().size}, "
            f"states={np.unique(self.state).size})"
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, History):
            return NotImplemented
        if (self.assignment_group is None) != (other.assignment_group is None):
            return False
        return (
            np.array_equal(self.id, other.id)
            and np.array_equal(self.time.view(np.int64), other.time.view(np.int64))
            and np.array_equal(self.state, other.state)
            and (
                self.assignment_group is None
                or np.array_equal(self.assignment_group, other.assignment_group)  # type: ignore[arg-type]
            )
        )

    def __hash__(self) -> int:
        return hash((len(self), self.id.tobytes(), self.time.tobytes()))

    def columns(self) -> Iterator[tuple[str, npt.NDArray[Any]]]:
        """Yield ``(name, array)`` for every known column, in :attr:`FIELDS` order.

        Examples:
            >>> [name for name, _ in History.empty().columns()]
            ['id', 'time', 'state']
        """
        for name in self.FIELDS:
            arr = getattr(self, name)
            if arr is not None:
                yield name, arr

    def tickets(self) -> npt.NDArray[np.str_]:
        """The distinct ticket ids, in the order of their first event.

        Examples:
            >>> import numpy as np
            >>> t = np.zeros(3, dtype="M8[ns]")
            >>> History(id=["b", "a", "b"], time=t, state=["x", "x", "y"]).tickets().tolist()
            ['b', 'a']
        """
        if self.id.size == 0:
            return self.id.copy()
        starts = np.concatenate(([True], self.id[1:] != self.id[:-1]))
        return self.id[starts]

    def select(self, which: Any) -> History:
        """The events picked by a boolean mask (each ticket's order is kept).

        Examples:
            >>> import numpy as np
            >>> t = np.zeros(3, dtype="M8[ns]")
            >>> h = History(id=["a", "a", "b"], time=t, state=["New", "On Hold", "New"])
            >>> h.select(h.state == "New").id.tolist()
            ['a', 'b']
        """
        mask = np.asarray(which)
        if mask.dtype != np.bool_ or mask.shape != (len(self),):
            raise v.fail("which", f"a boolean mask of length {len(self)}", which)
        return History._trusted(
            self.id[mask],
            self.time[mask],
            self.state[mask],
            None if self.assignment_group is None else self.assignment_group[mask],
        )

    def pauses(self, states: Iterable[str]) -> Pauses:
        """The pauses of the SLA clock: the spells each ticket spent in any of ``states``.

        A pause starts at an event whose state is one of ``states`` (after an
        event that is not, or at the ticket's first event) and ends at the
        ticket's next event, in history order, whose state is not: moving
        from one pause state to another continues the same pause.  A pause
        with no such event has ``end`` = ``NaT`` (it lasts to the end of
        whatever interval is measured).  States are matched exactly (case
        and spaces count).  The result keeps the history's ticket order and
        records ``states``.

        Examples:
            >>> import numpy as np
            >>> t = np.datetime64("2026-01-12T08:00", "ns") + np.arange(5) * np.timedelta64(1, "h")
            >>> h = History(id=["a", "a", "a", "a", "b"], time=t, state=[
            ...     "New", "On Hold", "Awaiting User Info", "In Progress", "On Hold"])
            >>> p = h.pauses({"On Hold", "Awaiting User Info"})
            >>> p.id.tolist(), p.start.astype(str).tolist(), p.end.astype(str).tolist()
            (['a', 'b'], ['2026-01-12T09:00:00.000000000', '2026-01-12T12:00:00.000000000'], \
['2026-01-12T11:00:00.000000000', 'NaT'])
        """
        from itil_ci.measurement.pauses import Pauses, _states

        wanted = _states(states)
        n = len(self)
        on = np.zeros(n, dtype=bool)
        for state in wanted:  # a loop over the few pause states, not over events
            on |= self.state == state
        if not wanted or not on.any():
            return Pauses.empty(wanted)
        new_ticket = np.ones(n, dtype=bool)
        new_ticket[1:] = self.id[1:] != self.id[:-1]
        was_on = np.zeros(n, dtype=bool)
        was_on[1:] = on[:-1]
        begins = on & (new_ticket | ~was_on)
        ends = ~on & ~new_ticket & was_on  # the event that ends the pause before it
        first = np.flatnonzero(begins)
        closing = np.flatnonzero(ends)
        # The pause begun at row i ends at the next closing row, unless another pause
        # begins first (a closing row of a later ticket comes after that ticket's pause).
        k = np.searchsorted(closing, first)
        nxt = np.append(first[1:], n)
        has_end = k < closing.size
        has_end[has_end] = closing[k[has_end]] < nxt[has_end]
        end = np.full(first.size, np.datetime64("NaT"), dtype=_NS)
        end[has_end] = self.time[closing[k[has_end]]]
        return Pauses._trusted(self.id[first], self.time[first], end, wanted)

    @classmethod
    def concat(cls, histories: Iterable[History]) -> History:
        """The events of several histories; a ticket's events stay in the given order.

        A ticket present in several parts gets its events of the first part,
        then those of the next, and so on.  ``assignment_group`` is kept only
        when every part has it.

        Examples:
            >>> import numpy as np
            >>> t = np.zeros(1, dtype="M8[ns]")
            >>> a = History(id=["x"], time=t, state=["New"])
            >>> b = History(id=["y"], time=t, state=["New"])
            >>> History.concat([a, b, a]).id.tolist()
            ['x', 'x', 'y']
        """
        parts = list(histories)
        for i, part in enumerate(parts):
            if not isinstance(part, History):
                raise v.fail(f"histories[{i}]", "a History", part)
        if not parts:
            return cls.empty()
        if len(parts) == 1:
            return parts[0]
        groups = [p.assignment_group for p in parts]
        group: Strs | None = None
        if all(g is not None for g in groups):
            group = np.concatenate([g for g in groups if g is not None])
        ids = np.concatenate([p.id for p in parts])
        time = np.concatenate([p.time for p in parts])
        state = np.concatenate([p.state for p in parts])
        order = _grouped(ids)
        if order is not None:
            ids, time, state = ids[order], time[order], state[order]
            group = None if group is None else group[order]
        return cls._trusted(ids, time, state, group)

    def to_parquet(
        self,
        path: str | os.PathLike[str],
        *,
        partition_by: str | None = None,
        tickets: Tickets | None = None,
    ) -> None:
        """Write Parquet; see :func:`itil_ci.io.arrow.history_to_parquet`.

        Examples:
            >>> import numpy as np, pathlib, tempfile
            >>> p = pathlib.Path(tempfile.mkdtemp()) / "h.parquet"
            >>> h = History(id=["a"], time=np.zeros(1, dtype="M8[ns]"), state=["New"])
            >>> h.to_parquet(p)
            >>> History.from_parquet(p) == h
            True
        """
        from itil_ci.io.arrow import history_to_parquet

        history_to_parquet(self, path, partition_by=partition_by, tickets=tickets)

    @classmethod
    def from_parquet(cls, path: str | os.PathLike[str]) -> History:
        """Read what :meth:`to_parquet` wrote; see :func:`itil_ci.io.arrow.history_from_parquet`.

        Examples:
            >>> History.from_parquet  # doctest: +ELLIPSIS
            <bound method History.from_parquet of <class '...History'>>
        """
        from itil_ci.io.arrow import history_from_parquet

        return history_from_parquet(path)

    def to_pandas(self) -> Any:
        """The events as a pandas DataFrame (``time`` tz-aware UTC); needs pandas.

        Examples:
            >>> import numpy as np
            >>> h = History(id=["a"], time=np.zeros(1, dtype="M8[ns]"), state=["New"])
            >>> df = h.to_pandas()
            >>> list(df.columns), str(df["time"].dtype)
            (['id', 'time', 'state'], 'datetime64[ns, UTC]')
        """
        try:
            import pandas as pd
        except ImportError:  # pragma: no cover - pandas is installed for the tests
            raise ImportError(
                "History.to_pandas() needs pandas: pip install 'itil-ci[pandas]'"
            ) from None
        data: dict[str, Any] = {}
        for name, arr in self.columns():
            if name == "time":
                data[name] = pd.Series(arr, copy=True).dt.tz_localize("UTC")
            else:
                data[name] = pd.Series(arr.tolist(), dtype=object)
        return pd.DataFrame(data)
