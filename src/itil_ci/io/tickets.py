"""A columnar table of service-desk tickets (incidents).

:class:`Tickets` holds one numpy array per field, all of the same length, so
that a million tickets are a few arrays rather than a million objects, and the
ITSM KPI functions of :mod:`itil_ci.measurement` can be fed column by column
(``mttr(t.opened, t.resolved, by=t.service)``).

An optional column the source did not have is *unknown*, not empty, false or
zero: the attribute is an :class:`~itil_ci.io.UnknownColumn`, which every KPI
function refuses with an error naming the column.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, ClassVar

import attrs
import numpy as np
import numpy.typing as npt

from itil_ci._internal import arrays
from itil_ci._internal import validate as v
from itil_ci._internal.columns import UnknownColumn
from itil_ci.io import _coerce, _events

__all__ = ["Tickets"]

_NS = "datetime64[ns]"
TIME_FIELDS = ("opened", "acknowledged", "resolved", "closed", "updated")
TEXT_FIELDS = ("id", "service", "assignment_group", "category", "state")
COUNT_FIELDS = ("reopen_count", "reassignment_count", "update_count")
BOOL_FIELDS = ("first_contact", "sla_met")
REQUIRED = ("id", "opened")

Column = Any  # an array, or an UnknownColumn
Times = npt.NDArray[np.datetime64]
Strs = npt.NDArray[np.str_]
Ints = npt.NDArray[np.int64]
Flags = npt.NDArray[np.bool_]


def kind_of(field: str) -> str:
    """``"time"``, ``"text"``, ``"int"``, ``"bool"`` or ``"float"``."""
    if field in TIME_FIELDS:
        return "time"
    if field in TEXT_FIELDS:
        return "text"
    if field in BOOL_FIELDS:
        return "bool"
    if field == "sla_target_hours":
        return "float"
    return "int"


def _eq(a: Column, b: Column) -> bool:
    if isinstance(a, UnknownColumn) or isinstance(b, UnknownColumn):
        return isinstance(a, UnknownColumn) and isinstance(b, UnknownColumn)
    if a.shape != b.shape:
        return False
    if a.dtype.kind == "M" and b.dtype.kind == "M":
        return bool(np.array_equal(a.view(np.int64), b.view(np.int64)))
    if a.dtype.kind == "f" and b.dtype.kind == "f":
        return bool(np.array_equal(a, b, equal_nan=True))
    return bool(np.array_equal(a, b))


def _coerce_field(name: str, value: Any) -> Column:
    label = f"Tickets.{name}"
    if value is None:
        return UnknownColumn(name)
    if isinstance(value, UnknownColumn):
        return value if value.name == name else UnknownColumn(name, value.source)
    kind = kind_of(name)
    if kind == "time":
        return _coerce.times(label, value, required=name == "opened")
    if kind == "text":
        return _coerce.text(label, value)
    if kind == "bool":
        return _coerce.bools(label, value)
    if kind == "float":
        return _coerce.floats(label, value)
    return _coerce.ints(label, value)


@attrs.frozen(init=False, repr=False, eq=False)
class Tickets:
    """Service-desk tickets as columns (numpy arrays of one length, read-only).

    Columns (times are ``datetime64[ns]`` in UTC, ``NaT`` where a ticket has
    none, e.g. ``resolved`` of an open ticket):

    - ``id`` (str): the ticket number, e.g. ``"INC0010001"``; required, unique
      is not enforced here (importers collapse or reject repeats; see
      :meth:`latest`).
    - ``opened`` (time): when the ticket was logged; required.
    - ``acknowledged`` (time): first response by the service provider.
    - ``resolved`` (time): when a fix was provided (ServiceNow ``resolved_at``,
      Jira ``resolutiondate``).
    - ``closed`` (time): when the ticket was closed for good.
    - ``updated`` (time): when this version of the ticket was written
      (ServiceNow ``sys_updated_on``); decides which version is the latest.
    - ``priority`` (int64): 1 (critical) .. 5 (planning), ITIL/ServiceNow order.
    - ``service``, ``assignment_group``, ``category``, ``state`` (str): grouping
      keys; ``""`` where a ticket has none.
    - ``reopen_count``, ``reassignment_count`` (int64, >= 0): how often the
      ticket was reopened after a resolution, and handed to another group.
    - ``update_count`` (int64, >= 0): how many times the ticket was updated
      (ServiceNow ``sys_mod_count``); decides which version is the latest.
    - ``first_contact`` (bool): resolved at first contact (no hand-over).
    - ``sla_met`` (bool): the SLA outcome the tool recorded (ServiceNow
      ``made_sla``).
    - ``sla_target_hours`` (float64): resolution target in hours, ``NaN`` when
      not set for a ticket.

    Only ``id`` and ``opened`` are required.  Every other column the source
    does not have is unknown: the attribute is an
    :class:`~itil_ci.io.UnknownColumn` (``t.unknown`` lists them) and a KPI
    function given it raises an error naming the column, so that a missing
    resolution column never reads as "all open" and a missing SLA outcome
    never as "all breached".  Every time that is present (except ``updated``)
    must not be earlier than ``opened``.

    Build with keyword arguments.  Arrays given as numpy arrays of the right
    dtype are used without a Python loop (``datetime64`` arrays are read as
    UTC); pandas, polars and Arrow columns are converted; lists of aware
    datetimes, ISO strings or None are accepted for small tables.

    Examples:
        >>> import numpy as np
        >>> t = Tickets(id=["INC1", "INC2"],
        ...             opened=np.array(["2026-01-05T09:00", "2026-01-05T10:00"], dtype="M8[ns]"),
        ...             resolved=["2026-01-05T13:00:00+00:00", None],
        ...             priority=[3, 4], service=["email", "network"])
        >>> len(t), t.service.tolist(), bool(np.isnat(t.resolved[1]))
        (2, ['email', 'network'], True)
        >>> t.sla_met
        UnknownColumn('sla_met')
        >>> "sla_met" in t.unknown, t.known[:4]
        (True, ('id', 'opened', 'resolved', 'priority'))
    """

    FIELDS: ClassVar[tuple[str, ...]] = (
        "id",
        "opened",
        "acknowledged",
        "resolved",
        "closed",
        "updated",
        "priority",
        "service",
        "assignment_group",
        "category",
        "state",
        "reopen_count",
        "reassignment_count",
        "update_count",
        "first_contact",
        "sla_met",
        "sla_target_hours",
    )
    REQUIRED: ClassVar[tuple[str, ...]] = REQUIRED

    id: Strs
    opened: Times
    acknowledged: Times | UnknownColumn
    resolved: Times | UnknownColumn
    closed: Times | UnknownColumn
    updated: Times | UnknownColumn
    priority: Ints | UnknownColumn
    service: Strs | UnknownColumn
    assignment_group: Strs | UnknownColumn
    category: Strs | UnknownColumn
    state: Strs | UnknownColumn
    reopen_count: Ints | UnknownColumn
    reassignment_count: Ints | UnknownColumn
    update_count: Ints | UnknownColumn
    first_contact: Flags | UnknownColumn
    sla_met: Flags | UnknownColumn
    sla_target_hours: npt.NDArray[np.float64] | UnknownColumn

    def __init__(
        self,
        *,
        id: Any,
        opened: Any,
        priority: Any = None,
        acknowledged: Any = None,
        resolved: Any = None,
        closed: Any = None,
        updated: Any = None,
        service: Any = None,
        assignment_group: Any = None,
        category: Any = None,
        state: Any = None,
        reopen_count: Any = None,
        reassignment_count: Any = None,
        update_count: Any = None,
        first_contact: Any = None,
        sla_met: Any = None,
        sla_target_hours: Any = None,
    ) -> None:
        given = dict(locals())
        if id is None or isinstance(id, UnknownColumn):
            raise v.fail("Tickets.id", "an array of ticket ids (it is required)", id)
        if opened is None or isinstance(opened, UnknownColumn):
            raise v.fail("Tickets.opened", "an array of times (it is required)", opened)
        cols: dict[str, Column] = {name: _coerce_field(name, given[name]) for name in self.FIELDS}
        n = cols["id"].size
        for name, arr in cols.items():
            if not isinstance(arr, UnknownColumn) and arr.shape != (n,):
                raise v.fail(f"Tickets.{name}", f"{n} values (one per id)", f"{arr.size} values")
        _check_values(cols)
        for name, arr in cols.items():
            if not isinstance(arr, UnknownColumn):
                # own copies: the caller's arrays stay writeable and ours cannot change
                cols[name] = arrays.readonly(arr.copy() if arr is given[name] else arr)
        self.__attrs_init__(**cols)

    @classmethod
    def _trusted(cls, cols: dict[str, Column]) -> Tickets:
        """Build from already validated columns (no checks, no copies; absent = unknown)."""
        obj = object.__new__(cls)
        for name in cls.FIELDS:
            arr = cols.get(name)
            if arr is None:
                arr = UnknownColumn(name)
            elif not isinstance(arr, UnknownColumn):
                arr.flags.writeable = False
            object.__setattr__(obj, name, arr)
        return obj

    @classmethod
    def empty(cls) -> Tickets:
        """A table with no tickets (every optional column unknown).

        Examples:
            >>> len(Tickets.empty()), Tickets.empty().known
            (0, ('id', 'opened'))
        """
        return cls(id=np.empty(0, dtype="<U1"), opened=np.empty(0, dtype=_NS))

    def __len__(self) -> int:
        return int(self.id.size)

    def __repr__(self) -> str:
        if len(self) == 0:
            return "Tickets(n=0)"
        unknown = f", unknown={list(self.unknown)}" if self.unknown else ""
        return (
            f"Tickets(n={len(self)}, opened from {self.opened.min()!s} "
            f"to {self.opened.max()!s}{unknown})"
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Tickets):
            return NotImplemented
        return all(_eq(getattr(self, f), getattr(other, f)) for f in self.FIELDS)

    def __hash__(self) -> int:
        return hash((len(self), self.id.tobytes(), self.opened.tobytes()))

    @property
    def known(self) -> tuple[str, ...]:
        """The columns the table has, in :attr:`FIELDS` order.

        Examples:
            >>> import numpy as np
            >>> Tickets(id=["a"], opened=np.zeros(1, "M8[ns]"), sla_met=[True]).known
            ('id', 'opened', 'sla_met')
        """
        return tuple(f for f in self.FIELDS if not isinstance(getattr(self, f), UnknownColumn))

    @property
    def unknown(self) -> tuple[str, ...]:
        """The optional columns the source did not have (unknown, not empty).

        Examples:
            >>> import numpy as np
            >>> t = Tickets(id=["a"], opened=np.zeros(1, "M8[ns]"), priority=[2])
            >>> "resolved" in t.unknown, "priority" in t.unknown
            (True, False)
        """
        return tuple(f for f in self.FIELDS if isinstance(getattr(self, f), UnknownColumn))

    def column(self, name: str) -> npt.NDArray[Any]:
        """The array of a known column; an unknown or misspelt one is an error.

        Examples:
            >>> import numpy as np
            >>> t = Tickets(id=["a"], opened=np.zeros(1, "M8[ns]"))
            >>> t.column("id").tolist()
            ['a']
            >>> try:
            ...     t.column("resolved")
            ... except ValueError as err:
            ...     print(str(err)[:46])
            resolved: Tickets.resolved is unknown: the sou
        """
        if not isinstance(name, str) or name not in self.FIELDS:
            raise v.fail("name", "one of " + ", ".join(self.FIELDS), name)
        arr = getattr(self, name)
        if isinstance(arr, UnknownColumn):
            from itil_ci._internal.columns import refuse_unknown

            refuse_unknown(name, arr)
        return arr  # type: ignore[no-any-return]

    def columns(self) -> Iterator[tuple[str, npt.NDArray[Any]]]:
        """Yield ``(name, array)`` for every known column, in :attr:`FIELDS` order.

        Examples:
            >>> [name for name, _ in Tickets.empty().columns()]
            ['id', 'opened']
        """
        for name in self.FIELDS:
            arr = getattr(self, name)
            if not isinstance(arr, UnknownColumn):
                yield name, arr

    def _all(self) -> dict[str, Column]:
        return {name: getattr(self, name) for name in self.FIELDS}

    def select(self, which: Any) -> Tickets:
        """The tickets picked by a boolean mask or an array of integer positions.

        Examples:
            >>> import numpy as np
            >>> opened = np.zeros(3, dtype="M8[ns]")
            >>> t = Tickets(id=["a", "b", "c"], opened=opened, priority=[1, 2, 3])
            >>> t.select(t.priority > 1).id.tolist(), t.select([2, 0]).id.tolist()
            (['b', 'c'], ['c', 'a'])
        """
        idx = np.asarray(which)
        n = len(self)
        if idx.dtype == np.bool_:
            if idx.shape != (n,):
                raise v.fail("which", f"a boolean mask of length {n}", f"shape {idx.shape}")
        elif idx.dtype.kind in "iu" or idx.size == 0:
            idx = idx.astype(np.int64).reshape(-1)
            if idx.size and (idx.min() < -n or idx.max() >= n):
                bad = idx[(idx < -n) | (idx >= n)][0]
                raise v.fail("which", f"positions in [{-n}, {n})", int(bad))
        else:
            raise v.fail("which", "a boolean mask or integer positions", f"dtype {idx.dtype}")
        return Tickets._trusted(
            {k: a if isinstance(a, UnknownColumn) else a[idx] for k, a in self._all().items()}
        )

    @classmethod
    def concat(cls, tables: Iterable[Tickets]) -> Tickets:
        """The tickets of several tables, one after the other.

        A column is known in the result only when it is known in every part
        (a column one import lacks stays unknown rather than half filled).
        Repeated ids are kept; :meth:`latest` keeps one version of each.

        Examples:
            >>> import numpy as np
            >>> a = Tickets(id=["a"], opened=np.zeros(1, dtype="M8[ns]"), priority=[1])
            >>> b = Tickets(id=["b"], opened=np.zeros(1, dtype="M8[ns]"))
            >>> c = Tickets.concat([a, b])
            >>> c.id.tolist(), "priority" in c.unknown
            (['a', 'b'], True)
        """
        parts = list(tables)
        for i, part in enumerate(parts):
            if not isinstance(part, Tickets):
                raise v.fail(f"tables[{i}]", "a Tickets table", part)
        if not parts:
            return cls.empty()
        if len(parts) == 1:
            return parts[0]
        out: dict[str, Column] = {}
        for name in cls.FIELDS:
            cols = [getattr(p, name) for p in parts]
            unknown = [c for c in cols if isinstance(c, UnknownColumn)]
            out[name] = unknown[0] if unknown else np.concatenate(cols)
        return Tickets._trusted(out)

    def latest(self, by: str = "id") -> Tickets:
        """One row per ticket: its latest version.

        The rows of one ticket are ordered by ``update_count`` (when known),
        then ``updated`` (when known; a missing time comes first), then
        position in the table (a later row is later, so in
        ``Tickets.concat([old, new]).latest()`` the new import wins a tie);
        the last row is kept.  Tickets keep the order of their first row.
        ``by`` names the key column; only ``"id"`` is supported.

        Examples:
            >>> import numpy as np
            >>> t0 = np.zeros(1, dtype="M8[ns]")
            >>> old = Tickets(id=["a"], opened=t0, state=["New"], update_count=[3])
            >>> new = Tickets(id=["a"], opened=t0, state=["Resolved"], update_count=[5])
            >>> Tickets.concat([new, old]).latest().state.tolist()
            ['Resolved']
        """
        if by != "id":
            raise v.fail("by", "'id' (the ticket key)", by)
        keys: list[Ints] = []
        if not isinstance(self.update_count, UnknownColumn):
            keys.append(self.update_count)
        if not isinstance(self.updated, UnknownColumn):
            keys.append(self.updated.view(np.int64))
        perm, codes, _ = _events.order(self.id, keys)
        last = _events.group_ends(codes)
        rows = last if perm is None else perm[last]
        if rows.size == len(self):
            return self
        return self.select(np.sort(rows) if perm is None else rows)

    # -- Arrow, Parquet and pandas (optional extras) ---------------------------------

    @classmethod
    def from_arrow(cls, obj: Any, mapping: dict[str, str] | None = None) -> Tickets:
        """Tickets from any Arrow table-like object (pyarrow, pandas, polars, DuckDB).

        See :func:`itil_ci.io.arrow.from_arrow`; needs pyarrow.

        Examples:
            >>> import pyarrow as pa
            >>> tbl = pa.table({"number": ["INC1"],
            ...                 "opened": pa.array([0], pa.timestamp("s", tz="UTC"))})
            >>> Tickets.from_arrow(tbl, {"number": "id"}).id.tolist()
            ['INC1']
        """
        from itil_ci.io.arrow import from_arrow

        return from_arrow(obj, mapping)

    def to_arrow(self) -> Any:
        """The table as a ``pyarrow.Table``; see :func:`itil_ci.io.arrow.to_arrow`.

        Examples:
            >>> import numpy as np
            >>> t = Tickets(id=["a"], opened=np.zeros(1, "M8[ns]"))
            >>> t.to_arrow().column_names
            ['id', 'opened']
        """
        from itil_ci.io.arrow import to_arrow

        return to_arrow(self)

    def to_parquet(self, path: str | Path, *, partition_by: str | None = None) -> None:
        """Write Parquet; see :func:`itil_ci.io.arrow.to_parquet`.

        Examples:
            >>> import numpy as np, pathlib, tempfile
            >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.parquet"
            >>> t = Tickets(id=["a"], opened=np.zeros(1, "M8[ns]"))
            >>> t.to_parquet(p)
            >>> Tickets.from_parquet(p) == t
            True
        """
        from itil_ci.io.arrow import to_parquet

        to_parquet(self, path, partition_by=partition_by)

    @classmethod
    def from_parquet(cls, path: str | Path) -> Tickets:
        """Read what :meth:`to_parquet` wrote; see :func:`itil_ci.io.arrow.from_parquet`.

        Examples:
            >>> Tickets.from_parquet  # doctest: +ELLIPSIS
            <bound method Tickets.from_parquet of <class '...Tickets'>>
        """
        from itil_ci.io.arrow import from_parquet

        return from_parquet(path)

    def to_pandas(self) -> Any:
        """The known columns as a pandas DataFrame (times tz-aware UTC); needs pandas.

        Examples:
            >>> import numpy as np
            >>> df = Tickets(id=["a"], opened=np.zeros(1, dtype="M8[ns]"), priority=[2]).to_pandas()
            >>> str(df["opened"].dtype), int(df["priority"].iloc[0]), list(df.columns)
            ('datetime64[ns, UTC]', 2, ['id', 'opened', 'priority'])
        """
        try:
            import pandas as pd
        except ImportError:  # pragma: no cover - pandas is installed for the tests
            raise ImportError(
                "Tickets.to_pandas() needs pandas: pip install 'itil-ci[pandas]'"
            ) from None
        data: dict[str, Any] = {}
        for name, arr in self.columns():
            if name in TIME_FIELDS:
                data[name] = pd.Series(arr, copy=True).dt.tz_localize("UTC")
            else:
                data[name] = pd.Series(arr.copy() if arr.dtype.kind != "U" else arr.tolist())
        return pd.DataFrame(data)


def check_problems(
    cols: dict[str, Column],
) -> dict[str, tuple[npt.NDArray[np.bool_], str]]:
    """Per-column masks of rows whose values break the table's rules.

    Returns ``{column: (bad_mask, what is accepted)}`` for the columns with at
    least one bad row; unknown columns are skipped.  Used by the constructor
    and by the importers (which report the rows).
    """
    out: dict[str, tuple[npt.NDArray[np.bool_], str]] = {}

    def known(name: str) -> npt.NDArray[Any] | None:
        arr = cols.get(name)
        return None if arr is None or isinstance(arr, UnknownColumn) else arr

    ids = known("id")
    if ids is not None:
        bad = ids == ""
        if bad.any():
            out["id"] = (bad, "a non-empty ticket id")
    opened_t = known("opened")
    if opened_t is not None:
        opened = opened_t.view(np.int64)
        missing = np.isnat(opened_t)
        if missing.any():
            out["opened"] = (missing, "a time (not missing)")
        for name in ("acknowledged", "resolved", "closed"):
            t = known(name)
            if t is None:
                continue
            bad = ~np.isnat(t) & ~missing & (t.view(np.int64) < opened)
            if bad.any():
                out[name] = (bad, "a time not earlier than opened")
    p = known("priority")
    if p is not None:
        bad = (p < 1) | (p > 5)
        if bad.any():
            out["priority"] = (bad, "a priority from 1 to 5")
    for name in COUNT_FIELDS:
        c = known(name)
        if c is not None:
            bad = c < 0
            if bad.any():
                out[name] = (bad, "a count >= 0")
    s = known("sla_target_hours")
    if s is not None:
        with np.errstate(invalid="ignore"):
            bad = ~np.isnan(s) & ~(s > 0)
        if bad.any():
            out["sla_target_hours"] = (bad, "a number of hours > 0 (or missing)")
    return out


def _check_values(cols: dict[str, Column]) -> None:
    problems = check_problems(cols)
    for name, (bad, expected) in problems.items():
        i = int(np.flatnonzero(bad)[0])
        value = cols[name][i]
        shown: object = value.item() if hasattr(value, "item") else value
        if isinstance(value, np.datetime64):
            shown = str(value)
        raise v.fail(f"Tickets.{name}[{i}]", expected, shown)
