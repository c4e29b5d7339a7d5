"""Turning chunks of raw ticket values into a validated :class:`Tickets` (private).

Every importer reads its source in chunks of raw strings, one array per
:class:`~itil_ci.io.tickets.Tickets` field the source has, plus the location
of each row (line or record index).  :func:`convert` parses a chunk
vectorised and marks bad values; :class:`Collector` keeps the good rows and
applies ``on_error``; :func:`finish` turns all rows into the table and the
event :class:`~itil_ci.io.History`: an id that repeats is an event log when
the source has an update-order column (the ticket takes its values from its
latest event), and an error otherwise.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

import attrs
import numpy as np
import numpy.typing as npt

from itil_ci._internal.arrowtext import spread
from itil_ci._internal.columns import UnknownColumn
from itil_ci._internal.threads import each
from itil_ci.errors import ImportRowError
from itil_ci.io import _events, _formats, _parse
from itil_ci.io._json import BAD
from itil_ci.io.history import History
from itil_ci.io.tickets import (
    BOOL_FIELDS,
    COUNT_FIELDS,
    TEXT_FIELDS,
    TIME_FIELDS,
    Tickets,
    check_problems,
)

MAX_PROBLEMS = 10
_INT64_MAX = int(np.iinfo(np.int64).max)

Bools = npt.NDArray[np.bool_]
Strs = npt.NDArray[np.str_]
Ints = npt.NDArray[np.int64]
Cols = dict[str, npt.NDArray[Any]]

# ServiceNow's default priority names (priority choice list "1 - Critical" ...
# "5 - Planning"); Jira's two default schemes (Highest..Lowest and the older
# Blocker..Trivial).
PRIORITY_NAMES: dict[str, int] = {
    "critical": 1,
    "high": 2,
    "moderate": 3,
    "medium": 3,
    "low": 4,
    "planning": 5,
    "highest": 1,
    "lowest": 5,
    "blocker": 1,
    "major": 3,
    "minor": 4,
    "trivial": 5,
}

_TRUE = {"true", "t", "yes", "y", "1"}
_FALSE = {"false", "f", "no", "n", "0"}


def parse_priority(text: str, names: Mapping[str, int] | None = None) -> int:
    """``"2"``, ``"P2"``, ``"2 - High"`` or a known name -> 2; ``ValueError`` otherwise.

    Examples:
        >>> parse_priority("1 - Critical"), parse_priority("P4"), parse_priority("Highest")
        (1, 4, 1)
    """
    s = text.strip()
    table = PRIORITY_NAMES if names is None else names
    lowered = {k.lower(): val for k, val in table.items()}
    if s.lower() in lowered:
        return int(lowered[s.lower()])
    if s[:1] in "pP" and s[1:].isdigit():
        s = s[1:]
    head = s.split(" ", 1)[0].split("-", 1)[0].strip()
    if head.isdigit() and len(head) == 1 and 1 <= int(head) <= 5:
        return int(head)
    raise ValueError(text)


def parse_count(text: str) -> int:
    """A count from 0 to 2**63 - 1 (``"3"`` or ``"3.0"``); empty means 0."""
    s = text.strip()
    if s == "":
        return 0
    if len(s) > 20:
        raise ValueError(text)
    value = float(s) if "." in s or "e" in s.lower() else int(s)
    if not 0 <= value <= _INT64_MAX or value != int(value):
        raise ValueError(text)
    return int(value)


def parse_bool(text: str) -> bool:
    """``true``/``false``, ``yes``/``no``, ``1``/``0`` (any case); empty is False."""
    s = text.strip().lower()
    if s in _TRUE:
        return True
    if s in _FALSE or s == "":
        return False
    raise ValueError(text)


def parse_outcome(text: str) -> bool:
    """Like :func:`parse_bool`, but empty is not an outcome (``ValueError``)."""
    s = text.strip().lower()
    if s in _TRUE:
        return True
    if s in _FALSE:
        return False
    raise ValueError(text)


def parse_hours(text: str) -> float:
    """A number of hours > 0; empty means unknown (NaN)."""
    s = text.strip()
    if s == "":
        return math.nan
    value = float(s)
    if not math.isfinite(value) or value <= 0:
        raise ValueError(text)
    return value


Problem = tuple[str, Bools, str]  # (our field, bad mask, what is accepted)


@attrs.frozen
class TimeParser:
    """How time columns are read: ISO 8601, or one strptime format; wall clock in ``tz``."""

    tz: dt.tzinfo
    fmt: _formats.DateFormat | None = None

    @property
    def expected(self) -> str:
        if self.fmt is None:
            return _parse.ISO_EXPECTED
        return f"a date-time in the format {self.fmt.text!r} (date_format)"

    def __call__(self, values: Strs) -> tuple[npt.NDArray[np.datetime64], Bools]:
        if self.fmt is None:
            return _parse.parse_times(values, tz=self.tz)
        return _formats.parse_format(values, self.fmt, tz=self.tz)


_SPECS: dict[str, tuple[Callable[[str], Any], Any, Any, str]] = {
    "reopen_count": (parse_count, np.int64, 0, "a whole number >= 0"),
    "reassignment_count": (parse_count, np.int64, 0, "a whole number >= 0"),
    "update_count": (parse_count, np.int64, 0, "a whole number >= 0 (the update order)"),
    "first_contact": (parse_bool, np.bool_, False, "true or false"),
    "sla_met": (parse_outcome, np.bool_, False, "true or false (the recorded SLA outcome)"),
    "sla_target_hours": (parse_hours, np.float64, math.nan, "a number of hours > 0"),
}


@attrs.frozen(eq=False)
class Coded:
    """A raw column as its distinct values and one code per row (from the fast path)."""

    uniques: Strs
    codes: Ints

    @property
    def size(self) -> int:
        return int(self.codes.size)

    def values(self) -> Strs:
        """Every row's value (codes are valid by construction: no bounds check)."""
        out: Strs = spread(self.uniques, self.codes)
        return out


@attrs.frozen(eq=False)
class Clean:
    """A raw text column known to be stripped and free of wrong-type markers (fast path)."""

    values: Strs

    @property
    def size(self) -> int:
        return int(self.values.size)


Raw = Strs | Coded | Clean


def convert(
    raw: Mapping[str, Raw],
    n: int,
    *,
    times: TimeParser,
    priority: Callable[[str], int] = parse_priority,
    na_values: Sequence[str] = (),
    lazy: bool = False,
) -> tuple[Cols, list[Problem]]:
    """Parse a chunk of raw strings into Tickets columns; list the bad values.

    Only the fields in ``raw`` become columns (names starting with ``_`` are
    skipped).  A raw value equal to one of ``na_values`` (after stripping
    blanks) is empty; one equal to :data:`BAD` (a JSON value of the wrong
    type) is always bad.  A :class:`Coded` column is converted once per
    distinct value; with ``lazy`` it stays :class:`Coded` (converted distinct
    values, the same codes) until :func:`finish` picks its rows.
    """
    cols: Cols = {}
    problems: list[Problem] = []
    for name, values in raw.items():
        if name.startswith("_"):
            continue
        coded = values.codes if isinstance(values, Coded) else None
        clean = isinstance(values, Clean)
        base = (
            values.uniques
            if isinstance(values, Coded)
            else values.values
            if isinstance(values, Clean)
            else values
        )
        wrong: Bools | None = None
        if not clean:  # a coded column: checked per distinct value
            wt = base == BAD
            if wt.any():
                wrong = wt
                base = np.where(wt, "", base)
        base = _parse.blank_markers(base, na_values)
        bad: Bools | None = None
        expected = "a string"
        if name in TEXT_FIELDS:
            out: npt.NDArray[Any] = base if clean and not na_values else np.char.strip(base)
            changed = coded is not None and not np.array_equal(out, base)
            if name == "id" and changed and np.unique(out).size != out.size:
                wrong = None if wrong is None else wrong[coded]
                coded, out = None, out[coded]  # ids equal once stripped: not one code each
        elif name in TIME_FIELDS:
            out, bad = times(base)
            expected = times.expected
        else:
            if name == "priority":
                fn: Callable[[str], Any] = priority
                dtype: Any = np.int64
                fill: Any = 3
                expected = "a priority 1..5 (e.g. '2', 'P2', '2 - High')"
            else:
                fn, dtype, fill, expected = _SPECS[name]
            out, bad = _parse.map_unique(base, fn, dtype=dtype, fill=fill)
        if wrong is not None:
            bad = wrong if bad is None else bad | wrong
        if coded is not None:
            if bad is not None and not bad.any():
                bad = None
            bad = None if bad is None else bad[coded]
            if lazy:
                cols[name] = Coded(out, coded)  # type: ignore[assignment]
                if bad is not None:
                    problems.append((name, bad, expected))
                continue
            out = out[coded]
        if bad is not None and bad.any():
            problems.append((name, bad, expected))
        cols[name] = out
    return cols, problems


def clean(cols: Cols, problems: Sequence[Problem]) -> bool:
    """True when no value is bad and the table's rules hold (coded columns: per value)."""
    if any(mask.any() for _, mask, _ in problems):
        return False
    flat = {k: (a.uniques if isinstance(a, Coded) else a) for k, a in cols.items()}
    return not check_problems(flat)


def finish_if_clean(
    cols: Cols, problems: Sequence[Problem], where: Ints, coll: Collector
) -> Built | None:
    """``finish(..., strict=True)`` when :func:`clean` holds, else None (the fast path's end).

    On a large table the check and the finishing run at the same time (both
    are numpy passes over the columns); an error raised while finishing a
    table that is not clean is dropped, as it would never have been reached.
    """

    def job(which: int) -> Any:
        if which == 0:
            return clean(cols, problems)
        try:
            return finish(cols, where, coll, strict=True)
        except Exception as e:  # kept until the check says whether it counts
            return e

    ok, built = each(job, [0, 1], rows=int(where.size))
    if not ok:
        return None
    if isinstance(built, Exception):
        raise built
    return cast("Built | None", built)


def dense(col: Any) -> npt.NDArray[Any]:
    """A column as one value per row."""
    out: npt.NDArray[Any] = col.values() if isinstance(col, Coded) else col
    return out


def take(col: Any, rows: Ints) -> Any:
    """The given rows of a column (a coded column stays coded)."""
    if isinstance(col, Coded):
        return Coded(col.uniques, col.codes[rows])
    return col[rows]


class Collector:
    """Accumulate converted chunks; enforce ``on_error``; build the table."""

    def __init__(
        self,
        path: str,
        *,
        on_error: str,
        locate: str,
        source_names: Mapping[str, str],
    ) -> None:
        self.path = path
        self.skip = on_error == "skip"
        self.locate = locate  # "line" or "record"
        self.names = dict(source_names)  # our field -> the source's column/field name
        self.parts: list[Cols] = []
        self.where: list[Ints] = []
        self.rows = 0
        self.skipped = 0
        self.problems: list[ImportRowError] = []

    def error(self, reason: str, where: int | None, field: str | None = None) -> ImportRowError:
        """An :class:`ImportRowError` at a line or record of this file."""
        kw: dict[str, Any] = {"field": field}
        kw[self.locate] = where
        return ImportRowError(self.path, reason, **kw)

    def _row_error(
        self,
        i: int,
        where: Ints,
        field: str,
        expected: str,
        raw: Mapping[str, Raw],
        cols: Mapping[str, npt.NDArray[Any]],
        ids: Strs | None,
    ) -> ImportRowError:
        if field in raw:
            col = raw[field]
            if isinstance(col, Coded):
                value: object = str(col.uniques[col.codes[i]])
            else:
                value = str(col.values[i] if isinstance(col, Clean) else col[i])
            if value == BAD:
                value = "a value of another type"
        elif field not in cols:
            value = None
        else:
            item = cols[field][i]
            value = str(item) if isinstance(item, np.datetime64) else item.item()
        src = self.names.get(field, field)
        got = "" if value is None else f", got {value!r}"[:100]
        reason = f"expected {expected}{got}"
        if ids is not None and field != "id" and str(ids[i]):
            reason = f"ticket {str(ids[i])!r}: {reason}"
        return self.error(reason, int(where[i]), None if field == "_row" else src)

    def add(
        self, raw: Mapping[str, Raw], cols: Cols, problems: list[Problem], where: Ints
    ) -> Bools | None:
        """Add one chunk; raise on the first bad row unless skipping.

        Returns the mask of the rows kept (None: all of them).
        """
        n = where.size
        self.rows += n
        problems = list(problems)
        for name, (mask, expected) in check_problems(dict(cols)).items():
            problems.append((name, mask, expected))
        bad_any = np.zeros(n, dtype=bool)
        for _, mask, _ in problems:
            bad_any |= mask
        if bad_any.any():
            order = {f: k for k, f in enumerate(Tickets.FIELDS)}
            order["_row"] = -1
            problems.sort(key=lambda p: order.get(p[0], 99))
            ids = cols.get("id")
            bad_rows = np.flatnonzero(bad_any)
            if not self.skip:
                i = int(bad_rows[0])
                field, _, expected = next(p for p in problems if p[1][i])
                raise self._row_error(i, where, field, expected, raw, cols, ids)
            room = MAX_PROBLEMS - len(self.problems)
            for i in bad_rows[: max(room, 0)].tolist():
                field, _, expected = next(p for p in problems if p[1][i])
                self.problems.append(self._row_error(i, where, field, expected, raw, cols, ids))
            self.skipped += int(bad_rows.size)
            keep = ~bad_any
            cols = {k: a[keep] for k, a in cols.items()}
            where = where[keep]
            self.parts.append(cols)
            self.where.append(where)
            return keep
        self.parts.append(cols)
        self.where.append(where)
        return None

    def columns(self, known: Sequence[str]) -> tuple[Cols, Ints]:
        """All kept rows: one array per known field, and the rows' locations."""
        empty = empty_columns(known)
        cols: Cols = {}
        for f in known:  # one column at a time, freeing the chunks' copies
            arrays = [p.pop(f) for p in self.parts if f in p]
            cols[f] = np.concatenate(arrays) if arrays else empty[f]
        where = np.concatenate(self.where) if self.where else np.zeros(0, dtype=np.int64)
        self.parts.clear()
        self.where.clear()
        return cols, where

    def finish(self, known: Sequence[str]) -> Built:
        """The table and history of everything added (see :func:`finish`)."""
        cols, where = self.columns(known)
        built = finish(cols, where, self)
        assert built is not None
        return built


def empty_columns(known: Sequence[str]) -> Cols:
    """Zero-length arrays of each field's dtype."""
    out: Cols = {}
    for f in known:
        if f in TIME_FIELDS:
            out[f] = np.empty(0, dtype="datetime64[ns]")
        elif f in TEXT_FIELDS:
            out[f] = np.empty(0, dtype="<U1")
        elif f in BOOL_FIELDS:
            out[f] = np.empty(0, dtype=bool)
        elif f == "sla_target_hours":
            out[f] = np.empty(0, dtype=np.float64)
        else:
            out[f] = np.empty(0, dtype=np.int64)
    return out


@attrs.frozen(eq=False)
class Built:
    """What :func:`finish` made: the tickets, their events, and how."""

    tickets: Tickets
    history: History | None
    events: int
    collapsed: bool
    rows: Ints | None = None  # the input rows the tickets come from (None: all, in order)


ORDER_FIELDS = ("update_count", "updated")


def _duplicates(ids: Strs, where: Ints, coll: Collector) -> Bools:
    """Rows repeating an earlier id; raises unless skipping (then records problems)."""
    _, first, inverse = np.unique(ids, return_index=True, return_inverse=True)
    inverse = inverse.reshape(-1)
    dup = np.ones(ids.size, dtype=bool)
    dup[first] = False
    bad_rows = np.flatnonzero(dup)
    hint = (
        " (an export with one row per update needs an update-order column: "
        "sys_mod_count or sys_updated_on in ServiceNow, update_count or updated in a CSV)"
    )
    for k, i in enumerate(bad_rows.tolist()):
        if coll.skip and len(coll.problems) >= MAX_PROBLEMS:
            break
        seen = int(where[first[inverse[i]]])
        err = coll.error(
            f"duplicate ticket id {str(ids[i])!r} (first seen at {coll.locate} {seen})"
            + (hint if k == 0 else ""),
            int(where[i]),
            coll.names.get("id", "id"),
        )
        if not coll.skip:
            raise err
        coll.problems.append(err)
    coll.skipped += int(bad_rows.size)
    return dup


def finish(cols: Cols, where: Ints, coll: Collector, *, strict: bool = False) -> Built | None:
    """Rows -> one row per ticket, and every row as an event of the history.

    A repeated id is an event of the same ticket when the source has an
    update-order column (``update_count``, then ``updated``; then the row
    order): the ticket takes the values of its latest event.  Without one a
    repeat is an error (skipped rows with ``on_error="skip"``).  The history
    holds every kept row, each ticket's events in that order, at the row's
    update time (``opened`` where it has none), when the source has a state.
    With ``strict`` a repeat without an order column returns None instead (the
    fast path then leaves the file to the streaming parser, which knows lines).
    """
    ids = cols["id"]
    n = ids.size
    coded_ids: tuple[Ints, int] | None = None
    if isinstance(ids, Coded):  # from the fast path: one code per distinct id
        coded_ids = _events.renumber(ids.codes, ids.uniques.size), int(ids.uniques.size)
    keys = [
        cols[f].view(np.int64) if f == "updated" else cols[f] for f in ORDER_FIELDS if f in cols
    ]
    collapsed = False
    rows: Ints | None = None
    if keys:
        if coded_ids is not None:
            perm, codes, k = _events.order_codes(*coded_ids, keys)
        else:
            perm, codes, k = _events.order(ids, keys)
        if perm is not None:
            cols = {f: take(a, perm) for f, a in cols.items()}
        collapsed = k < n
        events = cols
        if collapsed:
            last = _events.group_ends(codes)
            cols = {f: take(a, last) for f, a in events.items()}
            rows = last if perm is None else perm[last]
    else:
        codes, k = coded_ids if coded_ids is not None else _events.first_codes(ids)
        if k < n:
            if strict:
                return None
            dup = _duplicates(dense(ids), where, coll)
            rows = np.flatnonzero(~dup)
            cols = {f: take(a, rows) for f, a in cols.items()}
        events = cols
    if not collapsed:
        cols = events = dict(zip(cols, each(dense, cols.values(), rows=n), strict=True))
    history = _history(events) if "state" in events else None
    full: dict[str, Any] = {}
    if collapsed:
        cols = dict(zip(cols, each(dense, cols.values(), rows=n), strict=True))
    for f in Tickets.FIELDS:
        full[f] = cols[f] if f in cols else UnknownColumn(f, coll.path)
    return Built(Tickets._trusted(full), history, int(events["id"].size), collapsed, rows)


def _history(events: Cols) -> History:
    """Every event; ``events`` are grouped by ticket already (as :func:`finish` leaves them)."""
    when = events["opened"]
    if "updated" in events:
        upd = events["updated"]
        when = np.where(np.isnat(upd), when, upd)
    group = events.get("assignment_group")
    return History._trusted(
        dense(events["id"]), when, dense(events["state"]), None if group is None else dense(group)
    )


def with_sla(cols: Cols, sla_targets: Mapping[int, float] | None, given: bool) -> None:
    """Fill ``sla_target_hours`` from a priority -> hours table unless the source had it."""
    if sla_targets is None or given or "priority" not in cols:
        return
    table = np.full(6, np.nan)
    for p, hours in sla_targets.items():
        table[p] = hours
    prio = cols["priority"]
    if isinstance(prio, Coded):
        hours_u = table[np.clip(prio.uniques, 0, 5)]
        cols["sla_target_hours"] = Coded(hours_u, prio.codes)
    else:
        cols["sla_target_hours"] = table[np.clip(prio, 0, 5)]


__all__ = [
    "BAD",
    "COUNT_FIELDS",
    "MAX_PROBLEMS",
    "PRIORITY_NAMES",
    "Built",
    "Collector",
    "TimeParser",
    "convert",
    "finish",
    "finish_if_clean",
    "parse_priority",
    "with_sla",
]
