"""Turning chunks of raw ticket values into a validated :class:`Tickets` (private).

Every importer reads its source in chunks of raw strings, one array per
:class:`~itil_ci.io.tickets.Tickets` field, plus the location of each row
(line or record index).  :func:`convert` parses a chunk vectorised and marks
bad values; :class:`Collector` keeps the good rows, applies ``on_error``,
rejects duplicate ids and builds the table at the end.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from itil_ci.errors import ImportRowError
from itil_ci.io import _parse
from itil_ci.io.tickets import TEXT_FIELDS, TIME_FIELDS, Tickets, check_problems

MAX_PROBLEMS = 10
BAD = "\x00\x01bad"  # marks a value of the wrong JSON type in a raw column

Bools = npt.NDArray[np.bool_]
Strs = npt.NDArray[np.str_]

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
_FALSE = {"false", "f", "no", "n", "0", ""}


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
    if head.isdigit() and 1 <= int(head) <= 5:
        return int(head)
    raise ValueError(text)


def parse_count(text: str) -> int:
    """A count >= 0; empty means 0."""
    s = text.strip()
    if s == "":
        return 0
    value = float(s) if "." in s else int(s)
    if value < 0 or value != int(value):
        raise ValueError(text)
    return int(value)


def parse_bool(text: str) -> bool:
    """``true``/``false``, ``yes``/``no``, ``1``/``0`` (any case); empty is False."""
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


def convert(
    raw: Mapping[str, Strs],
    n: int,
    *,
    tz: dt.tzinfo,
    priority: Callable[[str], int] = parse_priority,
) -> tuple[dict[str, npt.NDArray[Any]], list[Problem]]:
    """Parse a chunk of raw strings into Tickets columns; list the bad values.

    Fields missing from ``raw`` take their "absent" value.  A raw value equal
    to :data:`BAD` (a JSON value of the wrong type) is always bad.
    """
    cols: dict[str, npt.NDArray[Any]] = {}
    problems: list[Problem] = []

    def wrong_type(name: str) -> Bools | None:
        if name not in raw:
            return None
        mask = raw[name] == BAD
        return mask if mask.any() else None

    for name in TEXT_FIELDS:
        if name in raw:
            arr = np.char.strip(raw[name])
            wt = wrong_type(name)
            if wt is not None:
                arr = np.where(wt, "", arr)
                problems.append((name, wt, "a string"))
            cols[name] = arr
        else:
            cols[name] = np.full(n, "", dtype="<U1")
    for name in TIME_FIELDS:
        if name in raw:
            wt = wrong_type(name)
            values = np.where(wt, "", raw[name]) if wt is not None else raw[name]
            times, bad = _parse.parse_times(values, tz=tz)
            if wt is not None:
                bad |= wt
            if bad.any():
                problems.append(
                    (name, bad, "a date-time like 2024-01-31 13:45:00 or 2024-01-31T13:45:00+01:00")
                )
            cols[name] = times
        else:
            cols[name] = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    specs: list[tuple[str, Callable[[str], Any], Any, Any, str]] = [
        ("priority", priority, np.int64, 3, "a priority 1..5 (e.g. '2', 'P2', '2 - High')"),
        ("reopen_count", parse_count, np.int64, 0, "a whole number >= 0"),
        ("first_contact", parse_bool, np.bool_, False, "true or false"),
        ("sla_target_hours", parse_hours, np.float64, math.nan, "a number of hours > 0"),
    ]
    for name, fn, dtype, fill, expected in specs:
        if name in raw:
            out, bad = _parse.map_unique(raw[name], fn, dtype=dtype, fill=fill)
            if bad.any():
                problems.append((name, bad, expected))
            cols[name] = out
        else:
            cols[name] = np.full(n, fill, dtype=dtype)
    return cols, problems


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
        self.parts: list[dict[str, npt.NDArray[Any]]] = []
        self.where: list[npt.NDArray[np.int64]] = []
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
        where: npt.NDArray[np.int64],
        field: str,
        expected: str,
        raw: Mapping[str, Strs],
        cols: Mapping[str, npt.NDArray[Any]],
        ids: Strs | None,
    ) -> ImportRowError:
        if field in raw:
            value: object = str(raw[field][i])
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
        self,
        raw: Mapping[str, Strs],
        cols: dict[str, npt.NDArray[Any]],
        problems: list[Problem],
        where: npt.NDArray[np.int64],
    ) -> None:
        """Add one chunk; raise on the first bad row unless skipping."""
        n = where.size
        self.rows += n
        problems = list(problems)
        for name, (mask, expected) in check_problems(cols).items():
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

    def note_skip(self, err: ImportRowError) -> None:
        """Count a row skipped by the reader itself (e.g. a CSV row of the wrong width)."""
        self.skipped += 1
        self.rows += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(err)

    def finish(self) -> Tickets:
        """Concatenate the chunks, reject duplicate ids, return the table."""
        if not self.parts:
            return Tickets.empty()
        cols: dict[str, npt.NDArray[Any]] = {}
        for f in Tickets.FIELDS:  # one column at a time, freeing the chunks' copies
            cols[f] = np.concatenate([p.pop(f) for p in self.parts])
        where = np.concatenate(self.where)
        self.parts.clear()
        ids = cols["id"]
        if ids.size:
            _, first = np.unique(ids, return_index=True)
            dup = np.ones(ids.size, dtype=bool)
            dup[first] = False
            if dup.any():
                first_of = {}
                bad_rows = np.flatnonzero(dup)
                uniq, inverse = np.unique(ids, return_inverse=True)
                first_pos = np.full(uniq.size, -1, dtype=np.int64)
                first_pos[inverse[first]] = first
                for i in bad_rows[:MAX_PROBLEMS].tolist():
                    first_of[i] = int(where[first_pos[inverse[i]]])
                if not self.skip:
                    i = int(bad_rows[0])
                    raise self.error(
                        f"duplicate ticket id {str(ids[i])!r} (first seen at {self.locate} "
                        f"{first_of[i]})",
                        int(where[i]),
                        self.names.get("id", "id"),
                    )
                for i in bad_rows.tolist():
                    if len(self.problems) >= MAX_PROBLEMS:
                        break
                    self.problems.append(
                        self.error(
                            f"duplicate ticket id {str(ids[i])!r} (first seen at "
                            f"{self.locate} {first_of[i]})",
                            int(where[i]),
                            self.names.get("id", "id"),
                        )
                    )
                self.skipped += int(bad_rows.size)
                cols = {k: a[~dup] for k, a in cols.items()}
        return Tickets._trusted(cols)


def with_sla(
    cols: dict[str, npt.NDArray[Any]], sla_targets: Mapping[int, float] | None, given: bool
) -> None:
    """Fill ``sla_target_hours`` from a priority -> hours table unless the source had it."""
    if sla_targets is None or given:
        return
    table = np.full(6, np.nan)
    for p, hours in sla_targets.items():
        table[p] = hours
    cols["sla_target_hours"] = table[np.clip(cols["priority"], 0, 5)]
