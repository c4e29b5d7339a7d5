"""Import ServiceNow incident exports: the CSV of a list view, or the REST JSON.

Both shapes use ServiceNow's field names (:data:`SERVICENOW_FIELDS`).  A CSV
export of a list view with one row per update of an incident (the same
``number`` on several rows, with ``sys_mod_count`` or ``sys_updated_on``) is an
event log: each incident takes the values of its latest row, and the import's
``history`` holds every row.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import os
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from itil_ci._internal import validate as v
from itil_ci.errors import ImportRowError
from itil_ci.io import _build, _csvread, _fastcsv, _json, _parse
from itil_ci.io import _result as r
from itil_ci.io._result import ImportResult, OnError
from itil_ci.io.csv import Engine
from itil_ci.io.tickets import Tickets

__all__ = ["SERVICENOW_FIELDS", "SERVICENOW_STATES", "read_servicenow"]

Strs = npt.NDArray[np.str_]
Cols = dict[str, npt.NDArray[Any]]

#: Where :func:`read_servicenow` finds each :class:`~itil_ci.io.Tickets` field
#: by default (incident table field names; None means "not in a default
#: export").  When the first name is not in the export, ``state`` is read from
#: ``incident_state``, ``service`` from ``cmdb_ci`` and ``updated`` from
#: ``sys_updated_at``.
SERVICENOW_FIELDS: Mapping[str, str | None] = {
    "id": "number",
    "opened": "opened_at",
    "acknowledged": None,
    "resolved": "resolved_at",
    "closed": "closed_at",
    "updated": "sys_updated_on",
    "priority": "priority",
    "service": "business_service",
    "assignment_group": "assignment_group",
    "category": "category",
    "state": "state",
    "reopen_count": "reopen_count",
    "reassignment_count": "reassignment_count",
    "update_count": "sys_mod_count",
    "first_contact": None,
    "sla_met": "made_sla",
    "sla_target_hours": None,
}
_ALTERNATES: dict[str, tuple[str, ...]] = {
    "state": ("incident_state",),
    "service": ("cmdb_ci",),
    "updated": ("sys_updated_at",),
}

#: ServiceNow incident ``state`` (and ``incident_state``) codes of the default
#: state model.  Source: ServiceNow docs "Incident life cycle" (state names)
#: and the code table in ansible-collections/servicenow.itsm
#: plugins/module_utils/incident.py (1 new, 2 in_progress, 3 on_hold,
#: 6 resolved, 7 closed, 8 canceled).  Names (``"Awaiting User Info"``,
#: ServiceNow's On Hold reasons, ``"Active"``) are kept as they are.
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
_EXTRA = ("impact", "urgency", "calendar_stc")
_REF = ("display_value", "name", "value")
_CODE = ("value", "display_value")
_SCALARS = {
    "priority",
    "reopen_count",
    "reassignment_count",
    "update_count",
    "sla_target_hours",
    "first_contact",
    "sla_met",
    "impact",
    "urgency",
    "calendar_stc",
}
_MAX_NS = int(np.iinfo(np.int64).max)


def read_servicenow(
    path: str | os.PathLike[str],
    *,
    format: Literal["auto", "csv", "json"] = "auto",
    fields: Mapping[str, str | None] | None = None,
    on_error: OnError = "raise",
    tz: str | dt.tzinfo = "UTC",
    date_format: str | None = None,
    na_values: Sequence[str] | None = None,
    sla_targets: Mapping[int, float] | None = None,
    states: Mapping[str, str] | None = None,
    delimiter: str = ",",
    encoding: str = "utf-8-sig",
    chunk_records: int = 65_536,
    max_record_chars: int = 8 << 20,
    engine: Engine = "auto",
) -> ImportResult:
    """Import a ServiceNow incident export: the CSV of a list view or the REST JSON.

    ``format="auto"`` tells them apart by content (a JSON document starts
    with ``{`` or ``[``); ``"csv"`` and ``"json"`` insist, and a file of the
    other shape is an error saying so.  :data:`SERVICENOW_FIELDS` gives
    where each field comes from; ``fields`` overrides entries (e.g.
    ``{"acknowledged": "u_responded_at"}``; ``None`` leaves a field out).
    CSV column names match in any case.  An optional field the export does
    not have is unknown (``result.tickets.unknown``), never empty or false.

    - **Event logs**: rows repeating a ``number`` are updates of one incident
      when the export has ``sys_mod_count`` or ``sys_updated_on`` /
      ``sys_updated_at``.  They are ordered by ``sys_mod_count``, then the
      update time, then their order in the file (so duplicated mod counts and
      update times that go backwards have one answer); the incident takes the
      values of its last row and ``result.history`` holds every row in that
      order (id, update time, state).  Without such a column a repeated
      number is an error.
    - **Times** (``opened_at``, ``resolved_at``, ``closed_at``,
      ``sys_updated_on``) are ``YYYY-MM-DD HH:MM:SS`` or, with ``date_format``,
      in that strptime-style format (``"%d-%m-%Y %H:%M"`` for a day-first
      export); wall-clock times in ``tz`` (the REST API returns UTC).
    - ``na_values`` (e.g. ``["?"]``) are empty in every column.
    - ``state`` (or ``incident_state``) codes become names by
      :data:`SERVICENOW_STATES` (extend or override with ``states``); names
      and unknown codes are kept as they are.
    - ``priority`` as ``3`` or ``3 - Moderate``; an empty one is computed from
      ``impact`` and ``urgency`` with ServiceNow's default lookup.
    - an empty ``resolved_at`` on a row with a ``calendar_stc`` (seconds from
      opened to resolved) becomes ``opened_at + calendar_stc``.
    - ``made_sla`` is ``sla_met``, the SLA outcome ServiceNow recorded;
      ``reassignment_count`` and ``reopen_count`` are counts.
    - without a ``first_contact`` field, a ticket counts as resolved at first
      contact when it is resolved, its ``reassignment_count`` is 0 and it was
      never reopened (the usual proxy; ServiceNow has no such field by
      default); it is unknown when the export lacks one of those columns.

    In JSON (``{"result": [...]}`` or a bare array, string values) reference
    fields may be a sys_id or ``{"display_value": ..., "link": ...}``; with
    ``sysparm_display_value=all`` the raw ``value`` is used for codes and
    times.  Which fields an export has is decided from its first
    ``chunk_records`` records; a record longer than ``max_record_chars`` is
    refused.  Problems point to the CSV ``line`` or the JSON ``record``.

    Examples:
        >>> import pathlib, tempfile
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "incident.csv"
        >>> _ = p.write_text(
        ...     "number,incident_state,opened_at,resolved_at,made_sla,"
        ...     "sys_mod_count,sys_updated_at\\n"
        ...     "INC1,New,29-02-2016 01:16,?,true,0,29-02-2016 01:16\\n"
        ...     "INC1,Resolved,29-02-2016 01:16,29-02-2016 09:30,false,2,29-02-2016 09:30\\n")
        >>> r = read_servicenow(p, date_format="%d-%m-%Y %H:%M", na_values=["?"])
        >>> t = r.tickets
        >>> t.id.tolist(), t.state.tolist(), str(t.resolved[0]), t.sla_met.tolist()
        (['INC1'], ['Resolved'], '2016-02-29T09:30:00.000000000', [False])
        >>> r.history.state.tolist()
        ['New', 'Resolved']
    """
    p = r.path_arg(path)
    mode = r.on_error_arg(on_error)
    times = r.times_arg(tz, date_format)
    na = r.na_arg(na_values)
    sla = r.sla_arg(sla_targets)
    chunk = r.positive_arg("chunk_records", chunk_records)
    max_chars = r.positive_arg("max_record_chars", max_record_chars)
    if format not in ("auto", "csv", "json"):
        raise v.fail("format", "'auto', 'csv' or 'json'", format)
    if engine not in ("auto", "pyarrow", "python"):
        raise v.fail("engine", "'auto', 'pyarrow' or 'python'", engine)
    if not isinstance(delimiter, str) or len(delimiter) != 1 or delimiter in '"\r\n':
        raise v.fail("delimiter", "a single character (not a quote or line break)", delimiter)
    where = r.fields_arg("fields", fields, SERVICENOW_FIELDS)
    explicit = {} if fields is None else dict(fields)
    state_map = dict(SERVICENOW_STATES)
    if states is not None:
        if not isinstance(states, Mapping) or not all(
            isinstance(k, str) and isinstance(x, str) for k, x in states.items()
        ):
            raise v.fail("states", "a mapping of state code to state name", states)
        state_map.update(states)
    shape = r.sniff(p, encoding)
    if shape.kind in ("html", "binary"):
        raise ImportRowError(
            p,
            f"the file looks like {shape.kind.upper()} ({shape.looks}), not a ServiceNow "
            "CSV or JSON export",
            line=1,
        )
    kind = shape.kind if format == "auto" else format
    if kind == "empty":
        kind = "csv"
    if kind != shape.kind and shape.kind in ("csv", "json"):
        raise ImportRowError(
            p,
            f"the file looks like {shape.kind.upper()} ({shape.looks}), not {format.upper()}; "
            f"read it with read_servicenow(..., format={shape.kind!r}) "
            f"(or format='auto')",
            line=1,
        )
    job = _Job(p, mode, times, na, sla, state_map, where, explicit)
    params = {
        "format": kind,
        "fields": {f: s for f, s in where.items() if s is not None},
        "on_error": mode,
        "tz": times.tz,
        "date_format": date_format,
        "na_values": list(na),
        "sla_targets": sla,
    }
    if kind == "csv":
        return job.csv(delimiter, encoding, chunk, engine, params)
    return job.json(encoding, chunk, max_chars, params)


class _Job:
    """One ServiceNow import: the options, and the steps shared by CSV and JSON."""

    def __init__(
        self,
        path: str,
        mode: OnError,
        times: _build.TimeParser,
        na: tuple[str, ...],
        sla: dict[int, float] | None,
        state_map: dict[str, str],
        where: dict[str, str | None],
        explicit: dict[str, str | None],
    ) -> None:
        self.path = path
        self.mode = mode
        self.times = times
        self.na = na
        self.sla = sla
        self.state_map = state_map
        self.where = where
        self.explicit = explicit

    def choose(self, has: Any) -> tuple[dict[str, str], dict[str, str]]:
        """Field -> source name and extra -> source name, for the names ``has`` finds."""
        used: dict[str, str] = {}
        for field, src in self.where.items():
            if src is None:
                continue
            if field in self.explicit or field in Tickets.REQUIRED:
                found = has(src)
                if found is None and field not in Tickets.REQUIRED:
                    raise ImportRowError(
                        self.path,
                        f"fields[{field!r}] names {src!r}, which the export does not have",
                        line=1,
                        field=src,
                    )
                used[field] = found or src
                continue
            for name in (src, *_ALTERNATES.get(field, ())):
                found = has(name)
                if found is not None:
                    used[field] = found
                    break
        extra = {name: found for name in _EXTRA if (found := has(name)) is not None}
        return used, extra

    def known(self, used: Mapping[str, str], extra: Mapping[str, str]) -> list[str]:
        known = list(used)
        if "resolved" not in known and "calendar_stc" in extra:
            known.append("resolved")
        if "priority" not in known and {"impact", "urgency"} <= set(extra):
            known.append("priority")
        if self.derive_fc(used, extra):
            known.append("first_contact")
        if self.sla is not None and "sla_target_hours" not in used and "priority" in known:
            known.append("sla_target_hours")
        return [f for f in Tickets.FIELDS if f in known]

    @staticmethod
    def derive_fc(used: Mapping[str, str], extra: Mapping[str, str]) -> bool:
        """Whether first_contact is derived: no such field, and every input known."""
        inputs = {"reassignment_count", "reopen_count"} <= set(used)
        resolution = "resolved" in used or "calendar_stc" in extra
        return "first_contact" not in used and inputs and resolution

    def notes(self, used: Mapping[str, str], extra: Mapping[str, str]) -> list[str]:
        out = []
        if {"impact", "urgency"} <= set(extra):
            out.append("priority: from impact and urgency (ServiceNow default lookup) when empty")
        if "calendar_stc" in extra:
            out.append("resolved: opened + calendar_stc when resolved_at is empty")
        if self.derive_fc(used, extra):
            out.append("first_contact: resolved, reassignment_count == 0 and never reopened")
        if self.sla is not None and "sla_target_hours" not in used:
            out.append("sla_target_hours: from sla_targets by priority")
        return out

    def prepare(self, raw: dict[str, Any], extra: dict[str, Any]) -> None:
        """ServiceNow's own rules on the raw values: state names, priority from impact."""
        if "state" in raw:
            raw["state"] = _map_text(raw["state"], self.state_map)
        if {"impact", "urgency"} <= set(extra):
            n = _size(extra["impact"])
            prio = raw.get("priority")
            raw["priority"] = _fill_priority(
                prio if prio is not None else np.full(n, "", dtype="<U1"),
                extra["impact"],
                extra["urgency"],
                self.na,
            )

    def finish_chunk(
        self,
        raw: dict[str, Any],
        extra: dict[str, Any],
        used: Mapping[str, str],
        n: int,
        typed: Mapping[str, npt.NDArray[Any]] | None = None,
    ) -> tuple[Cols, list[_build.Problem]]:
        cols, problems = _build.convert(
            raw, n, times=self.times, na_values=self.na, lazy=typed is not None
        )
        cols.update(typed or {})
        if "calendar_stc" in extra:
            if "resolved" not in cols:
                cols["resolved"] = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
            stc = _fill_resolved(cols, extra["calendar_stc"], self.na, problems)
            if stc is not None:
                raw["calendar_stc"] = stc  # shown in the error
        if self.derive_fc(used, extra):
            cols["first_contact"] = (
                ~np.isnat(cols["resolved"])
                & (cols["reassignment_count"] == 0)
                & (cols["reopen_count"] == 0)
            )
        _build.with_sla(cols, self.sla, "sla_target_hours" in used)
        return cols, problems

    # -- CSV --------------------------------------------------------------------------

    def csv(
        self,
        delimiter: str,
        encoding: str,
        chunk: int,
        engine: Engine,
        params: dict[str, object],
    ) -> ImportResult:
        p = self.path
        with r.open_text(p, encoding) as fh:
            reader = _csvread.Reader(p, fh, delimiter, encoding)

            def has(name: str) -> str | None:
                i = reader.find([name])
                return None if i is None else reader.header[i]

            used, extra = self.choose(has)
            for req in Tickets.REQUIRED:
                if reader.find([used[req]]) is None:
                    close = difflib.get_close_matches(used[req], reader.header, n=1, cutoff=0.3)
                    guess = close[0] if close else "Column"
                    raise ImportRowError(
                        p,
                        f"missing required column {used[req]!r} (for {req!r}; columns: "
                        f"{', '.join(reader.header)}); name the column with "
                        f"fields={{{req!r}: {guess!r}}}",
                        line=1,
                    )
            known = self.known(used, extra)
            notes = self.notes(used, extra)
            coll = _build.Collector(
                p, on_error=self.mode, locate="line", source_names={**used, **extra}
            )
            index = {f: reader.find([src]) for f, src in used.items()}
            index.update({f"_{k}": reader.find([src]) for k, src in extra.items()})
            idx = {k: i for k, i in index.items() if i is not None}
            if engine != "python":
                fast = _fastcsv.read(
                    p,
                    header=reader.header,
                    columns={k: reader.header[i] for k, i in idx.items()},
                    times=self.times,
                    na_values=self.na,
                    delimiter=delimiter,
                    encoding=encoding,
                    required=engine == "pyarrow",
                )
                if fast is not None:
                    raw = dict(fast.raw)
                    ext = {k[1:]: raw.pop(k) for k in list(raw) if k.startswith("_")}
                    self.prepare(raw, ext)
                    cols, problems = self.finish_chunk(raw, ext, used, fast.rows, fast.typed)
                    # None: the streaming parser says where the problem is
                    built = _build.finish_if_clean(cols, problems, fast.where, coll)
                    if built is not None:
                        coll.rows = fast.rows
                        return r.result(
                            built, coll, "servicenow", notes, engine="pyarrow", **params
                        )
            width = len(reader.header)
            for raw_all, where, lens in reader.chunks(idx, chunk):
                raw = {k: a for k, a in raw_all.items() if not k.startswith("_")}
                ext = {k[1:]: a for k, a in raw_all.items() if k.startswith("_")}
                self.prepare(raw, ext)
                cols, problems = self.finish_chunk(raw, ext, used, where.size)
                wrong = lens != width
                if wrong.any():
                    raw["_row"] = lens.astype(str)
                    problems.insert(0, ("_row", wrong, f"{width} fields like the header"))
                coll.add(raw, cols, problems, where)
            built = coll.finish(known)
        return r.result(built, coll, "servicenow", notes, engine="python", **params)

    # -- JSON -------------------------------------------------------------------------

    def json(
        self, encoding: str, chunk: int, max_chars: int, params: dict[str, object]
    ) -> ImportResult:
        p = self.path
        coll = _build.Collector(p, on_error=self.mode, locate="record", source_names={})
        used: dict[str, str] = {}
        extra: dict[str, str] = {}
        notes: list[str] = []
        started = False
        with r.open_text(p, encoding) as fh:
            for items, first in _json.stream_chunks(
                p, fh, ("result", "records"), chunk, max_chars, encoding
            ):
                records, not_obj = _json.objects(items)
                del items
                if not started:
                    present: set[str] = set()
                    for rec in records:  # the keys of the first chunk's records
                        present.update(rec)
                    used, extra = self.choose(_finder(present))
                    notes = self.notes(used, extra)
                    coll.names = {**used, **extra}
                    started = True
                n = len(records)
                wanted = {
                    field: (
                        src,
                        _REF if field in ("service", "assignment_group", "category") else _CODE,
                        field in _SCALARS,
                    )
                    for field, src in used.items()
                }
                for name, src in extra.items():
                    wanted[f"_{name}"] = (src, _CODE, True)
                raw_all = _json.columns(records, wanted)
                del records
                raw = {k: a for k, a in raw_all.items() if not k.startswith("_")}
                ext = {k[1:]: a for k, a in raw_all.items() if k.startswith("_")}
                self.prepare(raw, ext)
                cols, problems = self.finish_chunk(raw, ext, used, n)
                if not_obj.any():
                    problems.insert(0, ("_row", not_obj, "a JSON object for the record"))
                    raw["_row"] = np.where(not_obj, "not an object", "")
                coll.add(raw, cols, problems, first + np.arange(n, dtype=np.int64))
        known = self.known(used, extra) if started else list(Tickets.REQUIRED)
        built = coll.finish(known)
        return r.result(built, coll, "servicenow", notes, **params)


# --- ServiceNow rules -------------------------------------------------------------------


def _finder(present: set[str]) -> Any:
    """A look-up of field names among a JSON export's keys."""

    def has(name: str) -> str | None:
        return name if name in present else None

    return has


def _size(values: Any) -> int:
    return int(values.size)


def _values(values: Any) -> Strs:
    """Every row's value of a raw column (plain or coded)."""
    out: Strs = values.values() if isinstance(values, _build.Coded) else values
    return out


def _map_text(values: Any, table: Mapping[str, str]) -> Any:
    """State codes to names (over distinct values; names kept)."""

    def name(code: str) -> str:
        s = code.strip()
        return table.get(s, s)

    if isinstance(values, _build.Coded):
        uniq, _ = _parse.map_unique(values.uniques, name, dtype=object, fill="")
        return _build.Coded(uniq.astype(np.str_), values.codes)
    out, _ = _parse.map_unique(values, name, dtype=object, fill="")
    return out.astype(np.str_) if out.size else values


def _fill_priority(priority: Any, impact: Any, urgency: Any, na: Sequence[str]) -> Any:
    if isinstance(priority, _build.Coded):
        blank = np.char.strip(_parse.blank_markers(priority.uniques, na)) == ""
        if not blank.any():
            return priority
    prio = _parse.blank_markers(_values(priority), na)
    empty = np.char.strip(prio) == ""
    if not empty.any():
        return priority
    imp = _parse.blank_markers(_values(impact)[empty], na)
    urg = _parse.blank_markers(_values(urgency)[empty], na)
    pair = np.char.add(np.char.add(np.char.strip(imp), "|"), np.char.strip(urg))

    def lookup(text: str) -> str:
        i, u = text.split("|")
        return str(_SN_PRIORITY[(i[:1], u[:1])]) if i and u else ""

    derived, _ = _parse.map_unique(pair, lookup, dtype=object, fill="")
    out = prio.astype(object)
    out[empty] = derived
    return out.astype(np.str_)


def _fill_resolved(
    cols: Cols, stc_raw: Any, na: Sequence[str], problems: list[_build.Problem]
) -> Strs | None:
    """``resolved`` = opened + calendar_stc where resolved_at is empty; the raw values on error."""
    stc = _parse.blank_markers(_values(stc_raw), na)
    need = np.isnat(cols["resolved"]) & (np.char.strip(stc) != "") & (stc != _build.BAD)
    if not need.any():
        return None
    idx = np.flatnonzero(need)
    secs, bad = _parse.map_unique(stc[idx], float, dtype=np.float64, fill=math.nan)
    opened = cols["opened"].view(np.int64)[idx]
    room = (_MAX_NS - opened.astype(np.float64)) / 1e9  # seconds left before 2262-04-11
    with np.errstate(invalid="ignore"):
        bad |= ~np.isfinite(secs) | (secs < 0) | (secs >= room) | np.isnat(cols["opened"][idx])
    if bad.any():
        mask = np.zeros(need.size, dtype=bool)
        mask[idx[bad]] = True
        problems.append(
            (
                "calendar_stc",
                mask,
                "a number of seconds >= 0 that puts the resolution (opened + calendar_stc) "
                "before 2262-04-11",
            )
        )
        secs = np.where(bad, 0.0, secs)
    ns = np.round(secs * 1e9).astype(np.int64)
    # A ticket without a resolution has calendar_stc 0 or empty: keep NaT then.
    nonzero = ns > 0
    resolved = cols["resolved"].copy()
    resolved[idx[nonzero]] = (opened[nonzero] + ns[nonzero]).view("datetime64[ns]")
    cols["resolved"] = resolved
    return stc if bad.any() else None
