"""A columnar table of service-desk tickets (incidents).

:class:`Tickets` holds one numpy array per field, all of the same length, so
that a million tickets are a few arrays rather than a million objects, and the
ITSM KPI functions of :mod:`itil_ci.measurement` can be fed column by column
(``mttr(t.opened, t.resolved, by=t.service)``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, ClassVar

import attrs
import numpy as np
import numpy.typing as npt

from itil_ci._internal import arrays
from itil_ci._internal import validate as v

__all__ = ["Tickets"]

_NS = "datetime64[ns]"
TIME_FIELDS = ("opened", "acknowledged", "resolved", "closed")
TEXT_FIELDS = ("id", "service", "assignment_group", "category", "state")


def _eq(a: npt.NDArray[Any], b: npt.NDArray[Any]) -> bool:
    if a.shape != b.shape:
        return False
    if a.dtype.kind == "M" and b.dtype.kind == "M":
        return bool(np.array_equal(a.view(np.int64), b.view(np.int64)))
    if a.dtype.kind == "f" and b.dtype.kind == "f":
        return bool(np.array_equal(a, b, equal_nan=True))
    return bool(np.array_equal(a, b))


def _times(name: str, value: Any, n: int | None, *, required: bool) -> npt.NDArray[np.datetime64]:
    if value is None:
        if required or n is None:
            raise v.fail(name, "an array of times", None)
        return np.full(n, np.datetime64("NaT"), dtype=_NS)
    if arrays._is_pandas(value):
        dt_acc = getattr(value, "dt", None)
        tz = getattr(dt_acc if dt_acc is not None else value, "tz", None)
        if tz is None:
            raise v.fail(name, "timezone-aware pandas times (use .dt.tz_localize('UTC'))", value)
        conv = (
            value.dt.tz_convert("UTC").dt.tz_localize(None)
            if dt_acc is not None
            else (value.tz_convert("UTC").tz_localize(None))
        )
        arr = np.asarray(conv.to_numpy(dtype=_NS))
    elif isinstance(value, np.ndarray) and value.dtype.kind == "M":
        arr = value.astype(_NS)
    else:
        if isinstance(value, str | bytes) or not hasattr(value, "__len__"):
            raise v.fail(name, "a sequence of timezone-aware times", value)
        items = list(value)
        arr = np.full(len(items), np.datetime64("NaT"), dtype=_NS)
        for i, item in enumerate(items):  # the slow path for small Python inputs
            if item is None:
                continue
            arr[i] = arrays._one_time(f"{name}[{i}]", item)
    if arr.ndim != 1:
        raise v.fail(name, "a one-dimensional array of times", f"array of shape {arr.shape}")
    if required and arr.size and np.isnat(arr).any():
        bad = int(np.flatnonzero(np.isnat(arr))[0])
        raise v.fail(f"{name}[{bad}]", "a time (not missing)", "NaT")
    return arr


def _text(name: str, value: Any, n: int | None) -> npt.NDArray[np.str_]:
    if value is None:
        if n is None:
            raise v.fail(name, "an array of strings", None)
        return np.full(n, "", dtype="<U1")
    if arrays._is_pandas(value):
        value = value.to_numpy(dtype=object)
    if isinstance(value, str) or not hasattr(value, "__len__"):
        raise v.fail(name, "a sequence of strings", value)
    arr = value if isinstance(value, np.ndarray) else np.asarray(value, dtype=object)
    if arr.dtype.kind != "U":
        if arr.size == 0:
            return np.empty(0, dtype="<U1")
        if arr.dtype != object:
            raise v.fail(name, "an array of strings", f"array of dtype {arr.dtype}")
        for i, item in enumerate(arr.ravel().tolist()):  # edge check, small inputs
            if not isinstance(item, str):
                raise v.fail(f"{name}[{i}]", "a string", item)
        arr = arr.astype(np.str_)
    if arr.ndim != 1:
        raise v.fail(name, "a one-dimensional array of strings", f"array of shape {arr.shape}")
    return arr


def _ints(name: str, value: Any, n: int | None, default: int | None) -> npt.NDArray[np.int64]:
    if value is None:
        if default is None or n is None:
            raise v.fail(name, "an array of integers", None)
        return np.full(n, default, dtype=np.int64)
    if arrays._is_pandas(value):
        value = value.to_numpy()
    arr = np.asarray(value)
    if arr.size == 0:
        arr = arr.astype(np.int64)
    if arr.dtype.kind not in "iu" or arr.ndim != 1:
        raise v.fail(name, "a one-dimensional array of integers", f"array of dtype {arr.dtype}")
    return arr.astype(np.int64)


def _bools(name: str, value: Any, n: int | None) -> npt.NDArray[np.bool_]:
    if value is None:
        if n is None:
            raise v.fail(name, "an array of booleans", None)
        return np.zeros(n, dtype=bool)
    if arrays._is_pandas(value):
        value = value.to_numpy()
    arr = np.asarray(value)
    if arr.size == 0:
        arr = arr.astype(bool)
    if arr.dtype != np.bool_ or arr.ndim != 1:
        raise v.fail(name, "a one-dimensional array of booleans", f"array of dtype {arr.dtype}")
    return arr


@attrs.frozen(init=False, repr=False, eq=False)
class Tickets:
    """Service-desk tickets as columns (numpy arrays of one length, read-only).

    Columns (times are ``datetime64[ns]`` in UTC, ``NaT`` when absent):

    - ``id`` (str): the ticket number, e.g. ``"INC0010001"``; required, unique
      is not enforced here (the importers reject duplicates).
    - ``opened`` (time): when the ticket was logged; required.
    - ``acknowledged`` (time): first response by the service provider
      (assignment, first comment or work start, depending on the source).
    - ``resolved`` (time): when a fix was provided (ServiceNow ``resolved_at``,
      Jira ``resolutiondate``).
    - ``closed`` (time): when the ticket was closed for good.
    - ``priority`` (int64): 1 (critical) .. 5 (planning), ITIL/ServiceNow order.
    - ``service``, ``assignment_group``, ``category``, ``state`` (str): grouping
      keys; ``""`` when unknown.
    - ``reopen_count`` (int64, >= 0): how often the ticket was reopened after a
      resolution.
    - ``first_contact`` (bool): resolved at first contact (no hand-over).
    - ``sla_target_hours`` (float64): resolution target in hours, ``NaN`` when
      unknown.

    Every time that is present must not be earlier than ``opened``.  Build with
    keyword arguments; omitted optional columns take their "absent" value.
    Arrays given as numpy arrays of the right dtype are used without a Python
    loop (``datetime64`` arrays are read as UTC); lists of aware datetimes,
    ISO strings or None are accepted for small tables.

    Examples:
        >>> import numpy as np
        >>> t = Tickets(id=["INC1", "INC2"],
        ...             opened=np.array(["2026-01-05T09:00", "2026-01-05T10:00"], dtype="M8[ns]"),
        ...             resolved=["2026-01-05T13:00:00+00:00", None],
        ...             priority=[3, 4], service=["email", "network"])
        >>> len(t), t.service.tolist(), bool(np.isnat(t.resolved[1]))
        (2, ['email', 'network'], True)
    """

    FIELDS: ClassVar[tuple[str, ...]] = (
        "id",
        "opened",
        "acknowledged",
        "resolved",
        "closed",
        "priority",
        "service",
        "assignment_group",
        "category",
        "state",
        "reopen_count",
        "first_contact",
        "sla_target_hours",
    )

    id: npt.NDArray[np.str_]
    opened: npt.NDArray[np.datetime64]
    acknowledged: npt.NDArray[np.datetime64]
    resolved: npt.NDArray[np.datetime64]
    closed: npt.NDArray[np.datetime64]
    priority: npt.NDArray[np.int64]
    service: npt.NDArray[np.str_]
    assignment_group: npt.NDArray[np.str_]
    category: npt.NDArray[np.str_]
    state: npt.NDArray[np.str_]
    reopen_count: npt.NDArray[np.int64]
    first_contact: npt.NDArray[np.bool_]
    sla_target_hours: npt.NDArray[np.float64]

    def __init__(
        self,
        *,
        id: Any,
        opened: Any,
        priority: Any,
        acknowledged: Any = None,
        resolved: Any = None,
        closed: Any = None,
        service: Any = None,
        assignment_group: Any = None,
        category: Any = None,
        state: Any = None,
        reopen_count: Any = None,
        first_contact: Any = None,
        sla_target_hours: Any = None,
    ) -> None:
        ids = _text("Tickets.id", id, None)
        n = ids.size
        cols: dict[str, npt.NDArray[Any]] = {"id": ids}
        cols["opened"] = _times("Tickets.opened", opened, n, required=True)
        for name, val in (
            ("acknowledged", acknowledged),
            ("resolved", resolved),
            ("closed", closed),
        ):
            cols[name] = _times(f"Tickets.{name}", val, n, required=False)
        cols["priority"] = _ints("Tickets.priority", priority, n, None)
        for name, val in (
            ("service", service),
            ("assignment_group", assignment_group),
            ("category", category),
            ("state", state),
        ):
            cols[name] = _text(f"Tickets.{name}", val, n)
        cols["reopen_count"] = _ints("Tickets.reopen_count", reopen_count, n, 0)
        cols["first_contact"] = _bools("Tickets.first_contact", first_contact, n)
        if sla_target_hours is None:
            cols["sla_target_hours"] = np.full(n, np.nan)
        else:
            cols["sla_target_hours"] = arrays.as_values(
                "Tickets.sla_target_hours", sla_target_hours, allow_missing=True
            )
        for name, arr in cols.items():
            if arr.shape != (n,):
                raise v.fail(f"Tickets.{name}", f"{n} values (one per id)", f"{arr.size} values")
        _check_values(cols)
        self.__attrs_init__(**{k: arrays.readonly(a) for k, a in cols.items()})

    @classmethod
    def _trusted(cls, cols: dict[str, npt.NDArray[Any]]) -> Tickets:
        """Build from already validated columns (no checks, no copies)."""
        obj = object.__new__(cls)
        for name in cls.FIELDS:
            arr = cols[name]
            arr.flags.writeable = False
            object.__setattr__(obj, name, arr)
        return obj

    @classmethod
    def empty(cls) -> Tickets:
        """A table with no tickets.

        Examples:
            >>> len(Tickets.empty())
            0
        """
        return cls(id=np.empty(0, dtype="<U1"), opened=np.empty(0, dtype=_NS), priority=[])

    def __len__(self) -> int:
        return int(self.id.size)

    def __repr__(self) -> str:
        if len(self) == 0:
            return "Tickets(n=0)"
        return (
            f"Tickets(n={len(self)}, opened from {self.opened.min()!s} "
            f"to {self.opened.max()!s}, services={np.unique(self.service).size})"
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Tickets):
            return NotImplemented
        return all(_eq(getattr(self, f), getattr(other, f)) for f in self.FIELDS)

    def __hash__(self) -> int:
        return hash((len(self), self.id.tobytes(), self.opened.tobytes()))

    def columns(self) -> Iterator[tuple[str, npt.NDArray[Any]]]:
        """Yield ``(name, array)`` for every column, in :attr:`FIELDS` order.

        Examples:
            >>> [name for name, _ in Tickets.empty().columns()][:3]
            ['id', 'opened', 'acknowledged']
        """
        for name in self.FIELDS:
            yield name, getattr(self, name)

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
        return Tickets._trusted({name: arr[idx] for name, arr in self.columns()})

    @classmethod
    def concat(cls, tables: Iterable[Tickets]) -> Tickets:
        """The tickets of several tables, one after the other.

        Examples:
            >>> import numpy as np
            >>> a = Tickets(id=["a"], opened=np.zeros(1, dtype="M8[ns]"), priority=[1])
            >>> Tickets.concat([a, a]).id.tolist()
            ['a', 'a']
        """
        parts = list(tables)
        for i, part in enumerate(parts):
            if not isinstance(part, Tickets):
                raise v.fail(f"tables[{i}]", "a Tickets table", part)
        if not parts:
            return cls.empty()
        if len(parts) == 1:
            return parts[0]
        return Tickets._trusted(
            {name: np.concatenate([getattr(p, name) for p in parts]) for name in cls.FIELDS}
        )

    def to_pandas(self) -> Any:
        """The table as a pandas DataFrame (times tz-aware UTC); needs pandas.

        Examples:
            >>> import numpy as np
            >>> df = Tickets(id=["a"], opened=np.zeros(1, dtype="M8[ns]"), priority=[2]).to_pandas()
            >>> str(df["opened"].dtype), int(df["priority"].iloc[0])
            ('datetime64[ns, UTC]', 2)
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
    cols: dict[str, npt.NDArray[Any]],
) -> dict[str, tuple[npt.NDArray[np.bool_], str]]:
    """Per-column masks of rows whose values break the table's rules.

    Returns ``{column: (bad_mask, what is accepted)}`` for the columns with at
    least one bad row.  Used by the constructor and by the importers (which
    report the rows).
    """
    out: dict[str, tuple[npt.NDArray[np.bool_], str]] = {}
    ids = cols["id"]
    bad = ids == ""
    if bad.any():
        out["id"] = (bad, "a non-empty ticket id")
    opened = cols["opened"].view(np.int64)
    bad = np.isnat(cols["opened"])
    if bad.any():
        out["opened"] = (bad, "a time (not missing)")
    for name in ("acknowledged", "resolved", "closed"):
        t = cols[name]
        bad = ~np.isnat(t) & ~np.isnat(cols["opened"]) & (t.view(np.int64) < opened)
        if bad.any():
            out[name] = (bad, "a time not earlier than opened")
    p = cols["priority"]
    bad = (p < 1) | (p > 5)
    if bad.any():
        out["priority"] = (bad, "a priority from 1 to 5")
    bad = cols["reopen_count"] < 0
    if bad.any():
        out["reopen_count"] = (bad, "a count >= 0")
    s = cols["sla_target_hours"]
    with np.errstate(invalid="ignore"):
        bad = ~np.isnan(s) & ~(s > 0)
    if bad.any():
        out["sla_target_hours"] = (bad, "a number of hours > 0 (or missing)")
    return out


def _check_values(cols: dict[str, npt.NDArray[Any]]) -> None:
    problems = check_problems(cols)
    for name, (bad, expected) in problems.items():
        i = int(np.flatnonzero(bad)[0])
        value = cols[name][i]
        shown: object = value.item() if hasattr(value, "item") else value
        if isinstance(value, np.datetime64):
            shown = str(value)
        raise v.fail(f"Tickets.{name}[{i}]", expected, shown)
