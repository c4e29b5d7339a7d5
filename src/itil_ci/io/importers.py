"""Import ticket exports (CSV, ServiceNow, Jira) into a :class:`Tickets` table.

All importers stream: they read a chunk of rows or records, parse it
vectorised into numpy columns and drop the Python objects before reading the
next, so a million-row export never exists as a million dicts at once.

Bad rows raise :class:`~itil_ci.errors.ImportRowError` naming the file, the
line (CSV) or record index (JSON) and the field; nothing is returned.  With
``on_error="skip"`` bad rows are left out and counted instead, and the
result keeps the first few problems.  Problems with the file as a whole
(missing required columns, truncated or invalid JSON, a record too large)
always raise.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import math
import operator
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import IO, Any, Literal

import attrs
import numpy as np
import numpy.typing as npt

from itil_ci._internal import validate as v
from itil_ci.errors import ImportRowError
from itil_ci.io import _build, _parse
from itil_ci.io.tickets import Tickets

__all__ = [
    "JIRA_FIELDS",
    "SERVICENOW_FIELDS",
    "SERVICENOW_STATES",
    "ImportResult",
    "read_csv",
    "read_jira",
    "read_servicenow",
]

OnError = Literal["raise", "skip"]
Strs = npt.NDArray[np.str_]

#: Where :func:`read_servicenow` finds each :class:`Tickets` field by default
#: (incident table field names; None means "not in a default export").
SERVICENOW_FIELDS: Mapping[str, str | None] = {
    "id": "number",
    "opened": "opened_at",
    "acknowledged": None,
    "resolved": "resolved_at",
    "closed": "closed_at",
    "priority": "priority",
    "service": "business_service",
    "assignment_group": "assignment_group",
    "category": "category",
    "state": "state",
    "reopen_count": "reopen_count",
    "first_contact": None,
    "sla_target_hours": None,
}

#: ServiceNow incident ``state`` codes of the default state model.  Source:
#: ServiceNow docs "Incident life cycle" (state names) and the code table in
#: ansible-collections/servicenow.itsm plugins/module_utils/incident.py
#: (1 new, 2 in_progress, 3 on_hold, 6 resolved, 7 closed, 8 canceled).
SERVICENOW_STATES: Mapping[str, str] = {
    "1": "New",
    "2": "In Progress",
    "3": "On Hold",
    "6": "Resolved",
    "7": "Closed",
    "8": "Canceled",
}

#: ServiceNow's default priority lookup (impact, urgency) -> priority, used
#: when ``priority`` is empty.  Source: ServiceNow docs "Data lookup for
#: prioritizing problems" (1-High/1-High -> 1-Critical ... 3-Low/3-Low -> 5-Planning).
_SN_PRIORITY = {
    ("1", "1"): 1,
    ("1", "2"): 2,
    ("2", "1"): 2,
    ("1", "3"): 3,
    ("2", "2"): 3,
    ("3", "1"): 3,
    ("2", "3"): 4,
    ("3", "2"): 4,
    ("3", "3"): 5,
}

#: Where :func:`read_jira` finds each field by default, as dotted paths into an
#: issue of a Jira search result (a number indexes a list).  ``acknowledged``,
#: ``closed``, ``reopen_count`` and ``first_contact`` are derived from the
#: changelog and comments unless a path is given for them.
JIRA_FIELDS: Mapping[str, str | None] = {
    "id": "key",
    "opened": "fields.created",
    "resolved": "fields.resolutiondate",
    "priority": "fields.priority.name",
    "service": "fields.project.key",
    "assignment_group": "fields.components.0.name",
    "category": "fields.issuetype.name",
    "state": "fields.status.name",
}

_REQUIRED = ("id", "opened", "priority")


@attrs.frozen(eq=False)
class ImportResult:
    """What an import produced: the tickets and how they were read.

    ``rows`` counts the data rows or records read, ``skipped`` those left out
    (``on_error="skip"``), ``problems`` the first few reasons, and ``notes``
    how derived fields were computed.  ``method`` names the importer and
    ``parameters`` the options it ran with.

    Examples:
        >>> import numpy as np
        >>> r = ImportResult(tickets=Tickets.empty(), method="csv", path="x.csv")
        >>> r.skipped, len(r.tickets)
        (0, 0)
    """

    tickets: Tickets
    method: str
    path: str
    rows: int = 0
    skipped: int = 0
    problems: tuple[ImportRowError, ...] = ()
    notes: tuple[str, ...] = ()
    parameters: tuple[tuple[str, str], ...] = ()


# --- argument checks ------------------------------------------------------------------


def _path(path: object) -> str:
    if not isinstance(path, str | os.PathLike):
        raise v.fail("path", "a file path", path)
    p = os.fspath(path)
    if not isinstance(p, str):
        raise v.fail("path", "a text file path", path)
    if not os.path.isfile(p):
        raise v.fail("path", "an existing file", p)
    return p


def _on_error(value: object) -> OnError:
    if value not in ("raise", "skip"):
        raise v.fail("on_error", "'raise' or 'skip'", value)
    return "skip" if value == "skip" else "raise"


def _tz(value: object) -> dt.tzinfo:
    try:
        return _parse.resolve_tz(value)  # type: ignore[arg-type]
    except ValueError:
        raise v.fail(
            "tz", "'UTC', an offset like '+02:00', an IANA zone name or a tzinfo", value
        ) from None


def _sla(value: object) -> dict[int, float] | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise v.fail("sla_targets", "a mapping of priority (1..5) to hours", value)
    out: dict[int, float] = {}
    for k, hours in value.items():
        if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= 5:
            raise v.fail("sla_targets key", "a priority from 1 to 5", k)
        h = v.number(f"sla_targets[{k}]", hours, minimum=0, strict_min=True)
        assert h is not None
        out[k] = h
    return out


def _positive(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise v.fail(name, "an integer >= 1", value)
    return value


def _fields(name: str, value: object, defaults: Mapping[str, str | None]) -> dict[str, str | None]:
    out = dict(defaults)
    if value is None:
        return out
    if not isinstance(value, Mapping):
        raise v.fail(name, "a mapping of Tickets field to source field", value)
    for k, src in value.items():
        if k not in Tickets.FIELDS:
            raise v.fail(f"{name} key", "one of " + ", ".join(Tickets.FIELDS), k)
        if src is not None and (not isinstance(src, str) or not src):
            raise v.fail(f"{name}[{k!r}]", "a source field name or None", src)
        out[k] = src
    for k in _REQUIRED:
        if out.get(k) is None:
            raise v.fail(f"{name}[{k!r}]", "a source field (it is required)", None)
    return out


def _open(path: str, encoding: str) -> IO[str]:
    try:
        return open(path, encoding=encoding, newline="")  # closed by the caller
    except LookupError:
        raise v.fail("encoding", "a known text encoding", encoding) from None
    except OSError as e:
        raise v.fail("path", "a readable file", f"{path} ({e.strerror})") from None


def _params(**kw: object) -> tuple[tuple[str, str], ...]:
    return tuple((k, str(val)) for k, val in kw.items())


# --- CSV ---------------------------------------------------------------------------


def read_csv(
    path: str | os.PathLike[str],
    mapping: Mapping[str, str] | None = None,
    *,
    on_error: OnError = "raise",
    tz: str | dt.tzinfo = "UTC",
    sla_targets: Mapping[int, float] | None = None,
    delimiter: str = ",",
    encoding: str = "utf-8-sig",
    chunk_rows: int = 65_536,
) -> ImportResult:
    """Import tickets from a CSV file with a header line.

    ``mapping`` maps CSV column names to :class:`Tickets` field names
    (``{"Number": "id", "Opened": "opened"}``); a column already named like a
    field needs no entry, other columns are ignored.  ``id``, ``opened`` and
    ``priority`` are required; a missing optional column takes its "absent"
    value.  Times are ``YYYY-MM-DD[ HH:MM[:SS[.fff]]]`` with ``T`` or a space,
    optionally followed by ``Z`` or an offset (``+01:00``, ``-0600``); times
    without an offset are wall-clock times in ``tz``.  Priorities may be
    ``2``, ``P2``, ``2 - High`` or a name (critical, high, moderate/medium,
    low, planning).  ``first_contact`` accepts true/false, yes/no, 1/0.
    ``sla_targets`` (priority -> hours) fills ``sla_target_hours`` when the
    file has no such column.

    Fields longer than the :mod:`csv` module's ``field_size_limit()`` (128 KiB
    by default) stop the import with an error naming the line.

    Examples:
        >>> import pathlib, tempfile
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
        >>> _ = p.write_text("Number,Opened,priority\\nINC1,2024-01-05 09:00:00,2\\n")
        >>> r = read_csv(p, {"Number": "id", "Opened": "opened"})
        >>> r.tickets.id.tolist(), str(r.tickets.opened[0])
        (['INC1'], '2024-01-05T09:00:00.000000000')
    """
    p = _path(path)
    mode = _on_error(on_error)
    zone = _tz(tz)
    sla = _sla(sla_targets)
    chunk = _positive("chunk_rows", chunk_rows)
    if not isinstance(delimiter, str) or len(delimiter) != 1:
        raise v.fail("delimiter", "a single character", delimiter)
    if mapping is not None and not isinstance(mapping, Mapping):
        raise v.fail("mapping", "a mapping of CSV column to Tickets field", mapping)
    for col, field in (mapping or {}).items():
        if field not in Tickets.FIELDS:
            raise v.fail(f"mapping[{col!r}]", "one of " + ", ".join(Tickets.FIELDS), field)
    with _open(p, encoding) as fh:
        return _read_csv(p, fh, dict(mapping or {}), mode, zone, sla, delimiter, chunk, encoding)


def _read_csv(
    path: str,
    fh: IO[str],
    mapping: dict[str, str],
    mode: OnError,
    zone: dt.tzinfo,
    sla: dict[int, float] | None,
    delimiter: str,
    chunk: int,
    encoding: str,
) -> ImportResult:
    reader = csv.reader(fh, delimiter=delimiter)

    def fatal(reason: str, line: int, field: str | None = None) -> ImportRowError:
        return ImportRowError(path, reason, line=line, field=field)

    try:
        header = next(reader)
    except StopIteration:
        raise fatal("the file is empty; expected a header line", 1) from None
    except csv.Error as e:
        raise fatal(f"unreadable CSV: {e}", 1) from None
    except UnicodeDecodeError:
        raise fatal(f"not {encoding} text", 1) from None
    header = [h.strip() for h in header]
    for col in mapping:
        if col not in header:
            raise fatal(
                f"mapping names column {col!r}, which is not in the header "
                f"(columns: {', '.join(header)})",
                1,
                col,
            )
    index: dict[str, int] = {}
    source: dict[str, str] = {}
    for i, col in enumerate(header):
        field = mapping.get(col, col if col in Tickets.FIELDS and col not in mapping else None)
        if field is None or field in index:
            continue
        if col not in mapping and field in mapping.values():
            continue  # an explicitly mapped column wins over a same-named one
        index[field] = i
        source[field] = col
    missing = [f for f in _REQUIRED if f not in index]
    if missing:
        raise fatal(
            "missing required column(s) for "
            + ", ".join(repr(m) for m in missing)
            + f" (columns: {', '.join(header)}; map them with mapping={{'Column': 'field'}})",
            1,
        )
    fields = list(index)
    width = len(header)
    getter = operator.itemgetter(*[index[f] for f in fields])
    collector = _build.Collector(path, on_error=mode, locate="line", source_names=source)
    while True:
        start = reader.line_num
        try:
            rows = list(itertools.islice(reader, chunk))
        except csv.Error as e:
            raise fatal(f"unreadable CSV: {e}", reader.line_num) from None
        except UnicodeDecodeError:
            raise fatal(f"not {encoding} text", reader.line_num + 1) from None
        if not rows:
            break
        lens = np.fromiter(map(len, rows), dtype=np.int64, count=len(rows))
        if reader.line_num - start == len(rows):
            where = start + 1 + np.arange(len(rows), dtype=np.int64)
        else:  # quoted fields with line breaks in this chunk
            spans = np.array([1 + sum(f.count("\n") for f in r) for r in rows], dtype=np.int64)
            where = start + 1 + np.cumsum(spans) - spans
        blank = lens == 0
        if blank.any():
            rows = [r for r, b in zip(rows, blank.tolist(), strict=True) if not b]
            lens, where = lens[~blank], where[~blank]
            if not rows:
                continue
        wrong = lens != width
        if wrong.any():
            filler = [""] * width
            rows = [filler if w else r for r, w in zip(rows, wrong.tolist(), strict=True)]
        picked = list(map(getter, rows))
        if len(fields) == 1:
            columns: list[Sequence[str]] = [[x for (x,) in zip(picked, strict=True)]]
        else:
            columns = list(zip(*picked, strict=True)) if picked else [[] for _ in fields]
        del rows, picked
        raw = {f: _parse.as_str_array(c) for f, c in zip(fields, columns, strict=True)}
        del columns
        n = where.size
        cols, problems = _build.convert(raw, n, tz=zone)
        if wrong.any():
            raw["_row"] = lens.astype(str)
            problems.insert(0, ("_row", wrong, f"{width} fields like the header"))
        _build.with_sla(cols, sla, "sla_target_hours" in index)
        collector.add(raw, cols, problems, where)
    tickets = collector.finish()
    notes = []
    if sla is not None and "sla_target_hours" not in index:
        notes.append("sla_target_hours: from sla_targets by priority")
    return ImportResult(
        tickets=tickets,
        method="csv",
        path=path,
        rows=collector.rows,
        skipped=collector.skipped,
        problems=tuple(collector.problems),
        notes=tuple(notes),
        parameters=_params(
            mapping=mapping, on_error=mode, tz=zone, sla_targets=sla, delimiter=delimiter
        ),
    )


# --- JSON helpers ---------------------------------------------------------------------


def _pick(x: Any, keys: Sequence[str], numeric: bool) -> str:
    """A JSON value as a raw string: dicts by ``keys``, numbers if ``numeric``."""
    if x is None:
        return ""
    if type(x) is dict:
        for k in keys:
            val = x.get(k)
            if isinstance(val, str):
                return val
        return _build.BAD
    if numeric and type(x) in (int, float):
        return repr(x)
    return _build.BAD


def _as_raw(vals: Sequence[Any], keys: Sequence[str], numeric: bool) -> Strs:
    """JSON values of one field as raw strings (see :func:`_pick`)."""
    if set(map(type, vals)) == {str}:  # the common case, checked without a Python loop
        return _parse.as_str_array(vals)
    return _parse.as_str_array([x if type(x) is str else _pick(x, keys, numeric) for x in vals])


def _columns(
    records: Sequence[dict[str, Any]], wanted: Mapping[str, tuple[str, Sequence[str], bool]]
) -> dict[str, Strs]:
    """Raw string columns for ``{name: (record key, dict keys to try, numeric)}``."""
    keys = [spec[0] for spec in wanted.values()]
    if not records:
        return {name: np.empty(0, dtype="<U1") for name in wanted}
    rows = [tuple(map(r.get, keys)) for r in records]
    columns = list(zip(*rows, strict=True))
    del rows
    return {
        name: _as_raw(col, spec[1], spec[2])
        for (name, spec), col in zip(wanted.items(), columns, strict=True)
    }


def _path_get(record: Any, parts: Sequence[str]) -> Any:
    cur = record
    for part in parts:
        if type(cur) is dict:
            cur = cur.get(part)
        elif type(cur) is list and part.isdigit():
            i = int(part)
            cur = cur[i] if i < len(cur) else None
        else:
            return None
        if cur is None:
            return None
    return cur


def _path_column(
    records: Sequence[dict[str, Any]], dotted: str, keys: Sequence[str], numeric: bool
) -> Strs:
    parts = dotted.split(".")
    return _as_raw([_path_get(r, parts) for r in records], keys, numeric)


def _stream_chunks(
    path: str,
    fh: IO[str],
    keys: Sequence[str],
    chunk: int,
    max_chars: int,
) -> Iterator[tuple[list[Any], int]]:
    """Yield (records, index of the first) from the JSON array under ``keys``."""
    stream = _parse.JsonArrayStream(fh, keys, max_item_chars=max_chars)
    it = iter(stream)
    first = 0
    while True:
        try:
            items = list(itertools.islice(it, chunk))
        except _parse.JsonStreamError as e:
            raise ImportRowError(path, e.reason, line=e.line, record=e.record) from None
        except UnicodeDecodeError:
            raise ImportRowError(path, "not UTF-8 text", record=stream.index) from None
        if not items:
            return
        yield items, first
        first += len(items)


def _objects(items: list[Any]) -> tuple[list[dict[str, Any]], npt.NDArray[np.bool_]]:
    not_obj = np.fromiter((type(x) is not dict for x in items), dtype=bool, count=len(items))
    if not_obj.any():
        items = [{} if b else x for x, b in zip(items, not_obj.tolist(), strict=True)]
    return items, not_obj


_REF = ("display_value", "name", "value")
_CODE = ("value", "display_value")
_NUMERIC = {"priority", "reopen_count", "sla_target_hours", "first_contact"}
_SN_EXTRA = ("impact", "urgency", "calendar_stc", "reassignment_count")


def _finish_result(
    collector: _build.Collector, method: str, path: str, notes: list[str], **params: object
) -> ImportResult:
    tickets = collector.finish()
    return ImportResult(
        tickets=tickets,
        method=method,
        path=path,
        rows=collector.rows,
        skipped=collector.skipped,
        problems=tuple(collector.problems),
        notes=tuple(notes),
        parameters=_params(**params),
    )


# --- ServiceNow ---------------------------------------------------------------------


def read_servicenow(
    path: str | os.PathLike[str],
    *,
    fields: Mapping[str, str | None] | None = None,
    on_error: OnError = "raise",
    tz: str | dt.tzinfo = "UTC",
    sla_targets: Mapping[int, float] | None = None,
    states: Mapping[str, str] | None = None,
    encoding: str = "utf-8-sig",
    chunk_records: int = 65_536,
    max_record_chars: int = 8 << 20,
) -> ImportResult:
    """Import a ServiceNow incident export as the REST Table API returns it.

    The file is ``{"result": [ {...}, ... ]}`` (or a bare array) with string
    values.  Reference fields such as ``assignment_group`` may be a sys_id
    string or ``{"display_value": ..., "link": ...}`` (the display value is
    used); with ``sysparm_display_value=all`` every field is such a pair and
    the raw ``value`` is used for codes and times.  :data:`SERVICENOW_FIELDS`
    gives where each field comes from; ``fields`` overrides entries (e.g.
    ``{"acknowledged": "u_responded_at"}``).

    - times (``opened_at``, ``resolved_at``, ``closed_at``) are
      ``YYYY-MM-DD HH:MM:SS`` in ``tz`` (the API returns UTC);
    - ``state`` codes become names by :data:`SERVICENOW_STATES` (extend or
      override with ``states``); unknown codes are kept as they are;
    - an empty ``priority`` is computed from ``impact`` and ``urgency`` with
      ServiceNow's default lookup;
    - an empty ``resolved_at`` on a record with a ``calendar_stc`` (seconds
      from opened to resolved) becomes ``opened_at + calendar_stc``;
    - without a ``first_contact`` field, a ticket counts as resolved at first
      contact when it is resolved, its ``reassignment_count`` is 0 and it was
      never reopened (the usual proxy; ServiceNow has no such field by default).

    Records are read one by one from a buffer (``max_record_chars`` bounds
    one record); problems point to ``record`` = the index in the array.

    Examples:
        >>> import json, pathlib, tempfile
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "sn.json"
        >>> rec = {"number": "INC0010001", "opened_at": "2024-03-01 08:00:00",
        ...        "resolved_at": "2024-03-01 10:30:00", "state": "6", "priority": "3",
        ...        "assignment_group": {"display_value": "Network", "link": "https://x"}}
        >>> _ = p.write_text(json.dumps({"result": [rec]}))
        >>> t = read_servicenow(p).tickets
        >>> t.state.tolist(), t.assignment_group.tolist(), str(t.resolved[0])
        (['Resolved'], ['Network'], '2024-03-01T10:30:00.000000000')
    """
    p = _path(path)
    mode = _on_error(on_error)
    zone = _tz(tz)
    sla = _sla(sla_targets)
    chunk = _positive("chunk_records", chunk_records)
    max_chars = _positive("max_record_chars", max_record_chars)
    where = _fields("fields", fields, SERVICENOW_FIELDS)
    state_map = dict(SERVICENOW_STATES)
    if states is not None:
        if not isinstance(states, Mapping) or not all(
            isinstance(k, str) and isinstance(x, str) for k, x in states.items()
        ):
            raise v.fail("states", "a mapping of state code to state name", states)
        state_map.update(states)
    used = {f: src for f, src in where.items() if src is not None}
    derive_fc = "first_contact" not in used
    notes: list[str] = []
    notes.append("priority: from impact and urgency (ServiceNow default lookup) when empty")
    notes.append("resolved: opened + calendar_stc when resolved_at is empty")
    if derive_fc:
        notes.append("first_contact: resolved, reassignment_count == 0 and never reopened")
    if sla is not None and "sla_target_hours" not in used:
        notes.append("sla_target_hours: from sla_targets by priority")
    collector = _build.Collector(p, on_error=mode, locate="record", source_names=used)

    def state_name(code: str) -> str:
        s = code.strip()
        return state_map.get(s, s)

    def sn_priority(text: str) -> int:
        return _build.parse_priority(text)

    with _open(p, encoding) as fh:
        for items, first in _stream_chunks(p, fh, ("result", "records"), chunk, max_chars):
            records, not_obj = _objects(items)
            del items
            n = len(records)
            wanted = {
                field: (
                    src,
                    _REF if field in ("service", "assignment_group", "category") else _CODE,
                    field in _NUMERIC,
                )
                for field, src in used.items()
            }
            for name in _SN_EXTRA:
                wanted[f"_{name}"] = (name, _CODE, True)
            raw = _columns(records, wanted)
            extra = {name: raw.pop(f"_{name}") for name in _SN_EXTRA}
            del records
            if "state" in raw:
                raw["state"], _ = _parse.map_unique(raw["state"], state_name, dtype=object, fill="")
                raw["state"] = raw["state"].astype(np.str_)
            if "priority" in raw:
                raw["priority"] = _fill_priority(raw["priority"], extra["impact"], extra["urgency"])
            cols, problems = _build.convert(raw, n, tz=zone, priority=sn_priority)
            _fill_resolved(cols, extra["calendar_stc"], problems)
            if derive_fc:
                cols["first_contact"] = (
                    ~np.isnat(cols["resolved"])
                    & (np.char.strip(extra["reassignment_count"]) == "0")
                    & (cols["reopen_count"] == 0)
                )
            _build.with_sla(cols, sla, "sla_target_hours" in used)
            if not_obj.any():
                problems.insert(0, ("_row", not_obj, "a JSON object for the record"))
                raw["_row"] = np.where(not_obj, "not an object", "")
            idx = first + np.arange(n, dtype=np.int64)
            collector.add(raw, cols, problems, idx)
    return _finish_result(
        collector,
        "servicenow",
        p,
        notes,
        fields=used,
        on_error=mode,
        tz=zone,
        sla_targets=sla,
    )


def _fill_priority(priority: Strs, impact: Strs, urgency: Strs) -> Strs:
    empty = np.char.strip(priority) == ""
    if not empty.any():
        return priority
    pair = np.char.add(np.char.add(np.char.strip(impact), "|"), np.char.strip(urgency))

    def lookup(text: str) -> str:
        i, u = text.split("|")
        return str(_SN_PRIORITY[(i[:1], u[:1])]) if i and u else ""

    derived, _ = _parse.map_unique(pair[empty], lookup, dtype=object, fill="")
    out = priority.astype(object)
    out[empty] = derived
    return out.astype(np.str_)


def _fill_resolved(
    cols: dict[str, npt.NDArray[Any]], stc: Strs, problems: list[_build.Problem]
) -> None:
    need = np.isnat(cols["resolved"]) & (np.char.strip(stc) != "") & (stc != _build.BAD)
    if not need.any():
        return
    secs, bad = _parse.map_unique(stc[need], float, dtype=np.float64, fill=math.nan)
    bad |= ~np.isfinite(secs) | (secs < 0)
    if bad.any():
        mask = np.zeros(need.size, dtype=bool)
        mask[np.flatnonzero(need)[bad]] = True
        problems.append(("resolved", mask, "calendar_stc as a number of seconds >= 0"))
        secs = np.where(bad, 0.0, secs)
    ns = np.round(secs * 1e9).astype(np.int64)
    # A ticket without a resolution has calendar_stc 0 or empty: keep NaT then.
    nonzero = ns > 0
    idx = np.flatnonzero(need)[nonzero]
    resolved = cols["resolved"].copy()
    resolved[idx] = cols["opened"][idx] + ns[nonzero].astype("timedelta64[ns]")
    cols["resolved"] = resolved


# --- Jira -------------------------------------------------------------------------------


def _who(person: Any) -> str | None:
    if type(person) is not dict:
        return None
    for key in ("accountId", "key", "name", "emailAddress", "displayName"):
        val = person.get(key)
        if isinstance(val, str) and val:
            return val
    return None


def read_jira(
    path: str | os.PathLike[str],
    *,
    fields: Mapping[str, str | None] | None = None,
    on_error: OnError = "raise",
    tz: str | dt.tzinfo = "UTC",
    sla_targets: Mapping[int, float] | None = None,
    priorities: Mapping[str, int] | None = None,
    done_statuses: Sequence[str] = ("Done", "Resolved", "Closed"),
    closed_statuses: Sequence[str] = ("Closed", "Done"),
    encoding: str = "utf-8-sig",
    chunk_records: int = 16_384,
    max_record_chars: int = 8 << 20,
) -> ImportResult:
    """Import a Jira issue search export (``{"issues": [...]}``, ideally with
    ``expand=changelog``).

    :data:`JIRA_FIELDS` gives the dotted path of each field in an issue
    (``fields.created``, ``fields.resolutiondate``, ``fields.priority.name``,
    ``fields.status.name`` ...); ``fields`` overrides entries, e.g.
    ``{"assignment_group": "fields.customfield_10010.name"}``.  Priority names
    map to 1..5 by ``priorities`` (default: Highest/Blocker 1, High/Critical
    2, Medium/Major 3, Low/Minor 4, Lowest/Trivial 5; digits and ``P2`` work
    too).  Unless given a path, these are derived from
    ``changelog.histories`` and ``fields.comment.comments``:

    - ``acknowledged``: the earliest of the first history entry and the first
      comment whose author is not the reporter (the first response);
    - ``reopen_count``: status changes from a ``done_statuses`` status to one
      that is not (names compared case-insensitively);
    - ``closed``: the last change into a ``closed_statuses`` status;
    - ``first_contact``: resolved, never reassigned (no ``assignee`` change
      away from a previous assignee) and never reopened.

    Times such as ``2017-02-28T09:24:59.366-0600`` carry their offset; ``tz``
    applies only to times without one.

    Examples:
        >>> import json, pathlib, tempfile
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "jira.json"
        >>> issue = {"key": "SD-1", "fields": {"created": "2017-02-28T09:24:59.366-0600",
        ...          "resolutiondate": None, "priority": {"name": "High"},
        ...          "status": {"name": "Open"}, "project": {"key": "SD"}}}
        >>> _ = p.write_text(json.dumps({"issues": [issue]}))
        >>> t = read_jira(p).tickets
        >>> str(t.opened[0]), int(t.priority[0])
        ('2017-02-28T15:24:59.366000000', 2)
    """
    p = _path(path)
    mode = _on_error(on_error)
    zone = _tz(tz)
    sla = _sla(sla_targets)
    chunk = _positive("chunk_records", chunk_records)
    max_chars = _positive("max_record_chars", max_record_chars)
    where = _fields("fields", fields, JIRA_FIELDS)
    names: dict[str, int] = dict(_build.PRIORITY_NAMES)
    if priorities is not None:
        if not isinstance(priorities, Mapping):
            raise v.fail("priorities", "a mapping of priority name to 1..5", priorities)
        for k, val in priorities.items():
            if not isinstance(k, str) or isinstance(val, bool) or val not in (1, 2, 3, 4, 5):
                raise v.fail(f"priorities[{k!r}]", "a priority from 1 to 5", val)
        names = {**names, **priorities}
    done = _status_set("done_statuses", done_statuses)
    closed_set = _status_set("closed_statuses", closed_statuses)
    used = {f: src for f, src in where.items() if src is not None}
    derived = [
        f for f in ("acknowledged", "closed", "reopen_count", "first_contact") if f not in used
    ]
    notes = [
        {
            "acknowledged": "acknowledged: first history entry or comment by someone "
            "other than the reporter",
            "closed": "closed: last status change into " + "/".join(closed_statuses),
            "reopen_count": "reopen_count: status changes out of " + "/".join(done_statuses),
            "first_contact": "first_contact: resolved, never reassigned and never reopened",
        }[f]
        for f in derived
    ]
    if sla is not None and "sla_target_hours" not in used:
        notes.append("sla_target_hours: from sla_targets by priority")
    collector = _build.Collector(p, on_error=mode, locate="record", source_names=used)

    def priority(text: str) -> int:
        return _build.parse_priority(text, names)

    with _open(p, encoding) as fh:
        for items, first in _stream_chunks(p, fh, ("issues",), chunk, max_chars):
            records, not_obj = _objects(items)
            del items
            n = len(records)
            raw: dict[str, Strs] = {}
            for field, src in used.items():
                raw[field] = _path_column(
                    records, src, ("name", "value", "displayName", "key"), field in _NUMERIC
                )
            hist = _jira_histories(records, done, closed_set) if derived else None
            del records
            cols, problems = _build.convert(raw, n, tz=zone, priority=priority)
            if hist is not None:
                _apply_histories(cols, hist, derived, zone, problems, n)
            _build.with_sla(cols, sla, "sla_target_hours" in used)
            if not_obj.any():
                problems.insert(0, ("_row", not_obj, "a JSON object for the issue"))
                raw["_row"] = np.where(not_obj, "not an object", "")
            idx = first + np.arange(n, dtype=np.int64)
            collector.add(raw, cols, problems, idx)
    return _finish_result(
        collector,
        "jira",
        p,
        notes,
        fields=used,
        on_error=mode,
        tz=zone,
        sla_targets=sla,
        done_statuses=tuple(done_statuses),
        closed_statuses=tuple(closed_statuses),
    )


def _status_set(name: str, value: object) -> frozenset[str]:
    if isinstance(value, str) or not isinstance(value, Sequence | set | frozenset):
        raise v.fail(name, "a sequence of status names", value)
    out = set()
    for i, s in enumerate(value):
        out.add(v.text(f"{name}[{i}]", s, allow_empty=False).casefold())
    return frozenset(out)


class _Histories:
    """Flat, per-chunk facts from Jira changelogs (times still as strings)."""

    def __init__(self, n: int) -> None:
        self.ack_row: list[int] = []
        self.ack_time: list[str] = []
        self.close_row: list[int] = []
        self.close_time: list[str] = []
        self.reopens = np.zeros(n, dtype=np.int64)
        self.reassigned = np.zeros(n, dtype=bool)
        self.bad = np.zeros(n, dtype=bool)


def _jira_histories(
    records: Sequence[dict[str, Any]], done: frozenset[str], closed: frozenset[str]
) -> _Histories:
    h = _Histories(len(records))
    for row, issue in enumerate(records):  # nested JSON: one pass per issue
        try:
            fields = issue.get("fields") or {}
            reporter = _who(fields.get("reporter"))
            histories = (issue.get("changelog") or {}).get("histories") or []
            for entry in histories:
                author = _who(entry.get("author"))
                when = entry.get("created")
                if not isinstance(when, str):
                    raise TypeError(when)
                if author is not None and author != reporter:
                    h.ack_row.append(row)
                    h.ack_time.append(when)
                for item in entry.get("items") or []:
                    name = item.get("field")
                    if name == "status":
                        src = str(item.get("fromString") or "").casefold()
                        dst = str(item.get("toString") or "").casefold()
                        if src in done and dst not in done:
                            h.reopens[row] += 1
                        if dst in closed:
                            h.close_row.append(row)
                            h.close_time.append(when)
                    elif name == "assignee" and item.get("from"):
                        h.reassigned[row] = True
            comments = (fields.get("comment") or {}).get("comments") or []
            for comment in comments:
                author = _who(comment.get("author"))
                when = comment.get("created")
                if not isinstance(when, str):
                    raise TypeError(when)
                if author is not None and author != reporter:
                    h.ack_row.append(row)
                    h.ack_time.append(when)
                    break  # comments come oldest first; the first one is enough
        except (AttributeError, TypeError):
            h.bad[row] = True
    return h


def _reduce_times(
    rows: list[int], times: list[str], n: int, zone: dt.tzinfo, op: Callable[..., Any]
) -> tuple[npt.NDArray[np.datetime64], npt.NDArray[np.bool_]]:
    out = np.full(n, _parse.NAT, dtype=np.int64)
    bad_rows = np.zeros(n, dtype=bool)
    if not rows:
        return out.view("datetime64[ns]"), bad_rows
    idx = np.asarray(rows, dtype=np.int64)
    parsed, bad = _parse.parse_times(_parse.as_str_array(times), tz=zone)
    bad_rows[idx[bad]] = True
    ns = parsed.view(np.int64)
    good = ~bad & (ns != _parse.NAT)
    if op is np.minimum:
        tmp = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(tmp, idx[good], ns[good])
        hit = tmp != np.iinfo(np.int64).max
    else:
        tmp = np.full(n, _parse.NAT, dtype=np.int64)
        np.maximum.at(tmp, idx[good], ns[good])
        hit = tmp != _parse.NAT
    out[hit] = tmp[hit]
    return out.view("datetime64[ns]"), bad_rows


def _apply_histories(
    cols: dict[str, npt.NDArray[Any]],
    h: _Histories,
    derived: list[str],
    zone: dt.tzinfo,
    problems: list[_build.Problem],
    n: int,
) -> None:
    bad = h.bad.copy()
    if "acknowledged" in derived:
        ack, bad_ack = _reduce_times(h.ack_row, h.ack_time, n, zone, np.minimum)
        cols["acknowledged"] = ack
        bad |= bad_ack
    if "closed" in derived:
        closed, bad_close = _reduce_times(h.close_row, h.close_time, n, zone, np.maximum)
        cols["closed"] = closed
        bad |= bad_close
    if "reopen_count" in derived:
        cols["reopen_count"] = h.reopens
    if "first_contact" in derived:
        cols["first_contact"] = (
            ~np.isnat(cols["resolved"]) & ~h.reassigned & (cols["reopen_count"] == 0)
        )
    if bad.any():
        problems.append(
            ("changelog", bad, "changelog entries and comments with valid 'created' times")
        )
