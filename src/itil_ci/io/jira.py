"""Import a Jira issue search export (``{"issues": [...]}``), ideally with the changelog."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from itil_ci._internal import validate as v
from itil_ci.errors import ImportRowError
from itil_ci.io import _build, _json, _parse
from itil_ci.io import _result as r
from itil_ci.io._result import ImportResult, OnError
from itil_ci.io.history import History
from itil_ci.io.tickets import Tickets

__all__ = ["JIRA_FIELDS", "read_jira"]

Strs = npt.NDArray[np.str_]
Ints = npt.NDArray[np.int64]
Cols = dict[str, npt.NDArray[Any]]

#: Where :func:`read_jira` finds each field by default, as dotted paths into an
#: issue of a Jira search result (a number indexes a list).  ``acknowledged``,
#: ``closed``, ``reopen_count``, ``reassignment_count`` and ``first_contact``
#: are derived from the changelog and comments unless a path is given for
#: them; ``sla_met`` needs the path of an SLA field (see :func:`read_jira`).
JIRA_FIELDS: Mapping[str, str | None] = {
    "id": "key",
    "opened": "fields.created",
    "resolved": "fields.resolutiondate",
    "updated": "fields.updated",
    "priority": "fields.priority.name",
    "service": "fields.project.key",
    "assignment_group": "fields.components.0.name",
    "category": "fields.issuetype.name",
    "state": "fields.status.name",
}
_DERIVED = ("acknowledged", "closed", "reopen_count", "reassignment_count", "first_contact")
_SCALARS = {"reopen_count", "reassignment_count", "update_count", "sla_target_hours",
            "first_contact", "sla_met"}  # fmt: skip


def _who(person: Any) -> str | None:
    if type(person) is not dict:
        return None
    for key in ("accountId", "key", "name", "emailAddress", "displayName"):
        val = person.get(key)
        if isinstance(val, str) and val:
            return val
    return None


def _sla_outcome(value: Any) -> Any:
    """A Jira Service Management SLA field as "true"/"false" (met: no cycle breached)."""
    if type(value) is not dict or not ({"completedCycles", "ongoingCycle"} & set(value)):
        return value
    cycles = list(value.get("completedCycles") or [])
    ongoing = value.get("ongoingCycle")
    if type(ongoing) is dict:
        cycles.append(ongoing)
    if not cycles:
        return None
    flags = [c.get("breached") if type(c) is dict else None for c in cycles]
    if not all(type(f) is bool for f in flags):
        return _build.BAD
    return "false" if any(flags) else "true"


def read_jira(
    path: str | os.PathLike[str],
    *,
    fields: Mapping[str, str | None] | None = None,
    on_error: OnError = "raise",
    tz: str | dt.tzinfo = "UTC",
    date_format: str | None = None,
    na_values: Sequence[str] | None = None,
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
    ``{"assignment_group": "fields.customfield_10010.name"}``.  A field whose
    path no issue of the first ``chunk_records`` has is unknown.  Priority
    names map to 1..5 by ``priorities`` (default: Highest/Blocker 1,
    High/Critical 2, Medium/Major 3, Low/Minor 4, Lowest/Trivial 5; digits and
    ``P2`` work too).

    ``sla_met`` is read from the path given for it: a Jira Service Management
    SLA field (``{"completedCycles": [...], "ongoingCycle": {...}}``, met when
    no cycle is breached), a boolean, or true/false text.  E.g.
    ``fields={"sla_met": "fields.customfield_10030"}`` for "Time to
    resolution".

    Unless given a path, these are derived from ``changelog.histories`` and
    ``fields.comment.comments`` when the export has the changelog (they are
    unknown otherwise):

    - ``acknowledged``: the earliest of the first history entry and the first
      comment whose author is not the reporter (the first response);
    - ``reopen_count``: status changes from a ``done_statuses`` status to one
      that is not (names compared case-insensitively);
    - ``reassignment_count``: assignee changes away from a previous assignee;
    - ``closed``: the last change into a ``closed_statuses`` status;
    - ``first_contact``: resolved, never reassigned and never reopened.

    ``result.history`` holds each issue's statuses: the first at ``created``
    (the ``fromString`` of its first status change, or its status when it
    never changed), then every status change, in time order.

    Times such as ``2017-02-28T09:24:59.366-0600`` carry their offset; ``tz``
    applies only to times without one, and ``date_format`` to the issue's
    time fields (the changelog's times are always ISO 8601).

    Examples:
        >>> import json, pathlib, tempfile
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "jira.json"
        >>> issue = {"key": "SD-1", "fields": {"created": "2017-02-28T09:24:59.366-0600",
        ...          "resolutiondate": None, "priority": {"name": "High"},
        ...          "status": {"name": "Open"}, "project": {"key": "SD"}}}
        >>> _ = p.write_text(json.dumps({"issues": [issue]}))
        >>> t = read_jira(p).tickets
        >>> str(t.opened[0]), int(t.priority[0]), "reopen_count" in t.unknown
        ('2017-02-28T15:24:59.366000000', 2, True)
    """
    p = r.path_arg(path)
    mode = r.on_error_arg(on_error)
    times = r.times_arg(tz, date_format)
    na = r.na_arg(na_values)
    sla = r.sla_arg(sla_targets)
    chunk = r.positive_arg("chunk_records", chunk_records)
    max_chars = r.positive_arg("max_record_chars", max_record_chars)
    where = r.fields_arg("fields", fields, JIRA_FIELDS)
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
    shape = r.sniff(p, encoding)
    if shape.kind in ("csv", "html", "binary"):
        raise ImportRowError(
            p,
            f"the file looks like {shape.kind.upper()} ({shape.looks}), not a Jira JSON "
            "export; read a CSV with read_csv (Jira's CSV export needs a mapping={...})",
            line=1,
        )
    wanted = {f: src for f, src in where.items() if src is not None}

    def priority(text: str) -> int:
        return _build.parse_priority(text, names)

    coll = _build.Collector(p, on_error=mode, locate="record", source_names=wanted)
    used: dict[str, str] = {}
    derived: list[str] = []
    events: list[tuple[Ints, Strs, npt.NDArray[np.datetime64], Strs]] = []
    kept_rows = 0
    started = False
    with r.open_text(p, encoding) as fh:
        for items, first in _json.stream_chunks(p, fh, ("issues",), chunk, max_chars, encoding):
            records, not_obj = _json.objects(items)
            del items
            if not started:
                used = {
                    f: src
                    for f, src in wanted.items()
                    if f in Tickets.REQUIRED
                    or any(_json.path_exists(rec, src.split(".")) for rec in records)
                }
                has_log = any(
                    type(rec.get("changelog")) is dict and "histories" in rec["changelog"]
                    for rec in records
                )
                derived = [f for f in _DERIVED if f not in used] if has_log else []
                coll.names = dict(used)
                started = True
            n = len(records)
            raw: dict[str, Any] = {}
            for field, src in used.items():
                if field == "sla_met":
                    vals = [_sla_outcome(_json.path_get(rec, src.split("."))) for rec in records]
                    raw[field] = _json.as_raw(vals, ("value", "name"), True)
                else:
                    raw[field] = _json.path_column(
                        records, src, ("name", "value", "displayName", "key"), field in _SCALARS
                    )
            hist = _histories(records, done, closed_set) if derived or "state" in used else None
            del records
            cols, problems = _build.convert(raw, n, times=times, priority=priority, na_values=na)
            if hist is not None and derived:
                _apply_histories(cols, hist, derived, problems, n)
            _build.with_sla(cols, sla, "sla_target_hours" in used)
            if not_obj.any():
                problems.insert(0, ("_row", not_obj, "a JSON object for the issue"))
                raw["_row"] = np.where(not_obj, "not an object", "")
            keep = coll.add(raw, cols, problems, first + np.arange(n, dtype=np.int64))
            if hist is not None and "state" in cols:
                events.append(_status_events(hist, cols, keep, kept_rows))
            kept_rows += n if keep is None else int(keep.sum())
    known = [f for f in Tickets.FIELDS if f in used or f in derived]
    if sla is not None and "sla_target_hours" not in used and "priority" in used:
        known.append("sla_target_hours")
    built = coll.finish(known)
    if events and built.history is not None:
        built = _with_history(built, events)
    notes = [_NOTES[f].format(done="/".join(done_statuses), closed="/".join(closed_statuses))
             for f in derived]  # fmt: skip
    if sla is not None and "sla_target_hours" not in used:
        notes.append("sla_target_hours: from sla_targets by priority")
    return r.result(
        built,
        coll,
        "jira",
        notes,
        fields=used,
        on_error=mode,
        tz=times.tz,
        date_format=date_format,
        na_values=list(na),
        sla_targets=sla,
        done_statuses=tuple(done_statuses),
        closed_statuses=tuple(closed_statuses),
    )


_NOTES = {
    "acknowledged": "acknowledged: first history entry or comment by someone other than the "
    "reporter",
    "closed": "closed: last status change into {closed}",
    "reopen_count": "reopen_count: status changes out of {done}",
    "reassignment_count": "reassignment_count: assignee changes away from a previous assignee",
    "first_contact": "first_contact: resolved, never reassigned and never reopened",
}


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
        self.status_row: list[int] = []
        self.status_time: list[str] = []
        self.status_to: list[str] = []
        self.initial: list[str | None] = [None] * n
        self.reopens = np.zeros(n, dtype=np.int64)
        self.reassigned = np.zeros(n, dtype=np.int64)
        self.bad = np.zeros(n, dtype=bool)


def _histories(
    records: Sequence[dict[str, Any]], done: frozenset[str], closed: frozenset[str]
) -> _Histories:
    h = _Histories(len(records))
    for row, issue in enumerate(records):  # nested JSON: one pass per issue
        try:
            fields = issue.get("fields") or {}
            reporter = _who(fields.get("reporter"))
            histories = (issue.get("changelog") or {}).get("histories") or []
            changes: list[tuple[str, str, str]] = []
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
                        src = str(item.get("fromString") or "")
                        dst = str(item.get("toString") or "")
                        changes.append((when, src, dst))
                        if src.casefold() in done and dst.casefold() not in done:
                            h.reopens[row] += 1
                        if dst.casefold() in closed:
                            h.close_row.append(row)
                            h.close_time.append(when)
                    elif name == "assignee" and item.get("from"):
                        h.reassigned[row] += 1
            if changes:
                h.initial[row] = changes[0][1]
                for when, _, dst in changes:
                    h.status_row.append(row)
                    h.status_time.append(when)
                    h.status_to.append(dst)
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
    rows: list[int], times: list[str], n: int, smallest: bool
) -> tuple[npt.NDArray[np.datetime64], npt.NDArray[np.bool_]]:
    out = np.full(n, _parse.NAT, dtype=np.int64)
    bad_rows = np.zeros(n, dtype=bool)
    if not rows:
        return out.view("datetime64[ns]"), bad_rows
    idx = np.asarray(rows, dtype=np.int64)
    parsed, bad = _parse.parse_times(_parse.as_str_array(times))
    bad_rows[idx[bad]] = True
    ns = parsed.view(np.int64)
    good = ~bad & (ns != _parse.NAT)
    if smallest:
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
    cols: Cols, h: _Histories, derived: list[str], problems: list[_build.Problem], n: int
) -> None:
    bad = h.bad.copy()
    if "acknowledged" in derived:
        ack, bad_ack = _reduce_times(h.ack_row, h.ack_time, n, smallest=True)
        cols["acknowledged"] = ack
        bad |= bad_ack
    if "closed" in derived:
        closed, bad_close = _reduce_times(h.close_row, h.close_time, n, smallest=False)
        cols["closed"] = closed
        bad |= bad_close
    if "reopen_count" in derived:
        cols["reopen_count"] = h.reopens
    if "reassignment_count" in derived:
        cols["reassignment_count"] = h.reassigned
    if "first_contact" in derived:
        resolved = cols.get("resolved")
        if resolved is None:  # resolution unknown: so is first contact
            derived.remove("first_contact")
        else:
            cols["first_contact"] = (
                ~np.isnat(resolved) & (h.reassigned == 0) & (cols["reopen_count"] == 0)
            )
    if bad.any():
        problems.append(
            ("changelog", bad, "changelog entries and comments with valid 'created' times")
        )


def _status_events(
    h: _Histories, cols: Cols, keep: npt.NDArray[np.bool_] | None, offset: int
) -> tuple[Ints, Strs, npt.NDArray[np.datetime64], Strs]:
    """Status events of the kept rows: (kept row index, id, time, state), per issue in order.

    ``cols`` are the chunk's columns before the collector dropped bad rows;
    ``keep`` says which rows it kept (None: all).
    """
    n = cols["id"].size
    keep_mask = np.ones(n, dtype=bool) if keep is None else keep
    kept_index = np.cumsum(keep_mask) - 1 + offset  # the row's index among all kept rows
    ids_all, opened_all, state_all = cols["id"], cols["opened"], cols["state"]
    initial = np.array([s if s is not None else "" for s in h.initial], dtype=object)
    first_state = np.where(initial == "", state_all.astype(object), initial).astype(np.str_)
    rows = np.concatenate([np.arange(n, dtype=np.int64), np.asarray(h.status_row, np.int64)])
    times, bad = _parse.parse_times(_parse.as_str_array(h.status_time))
    when = np.concatenate([opened_all, np.where(bad, np.datetime64("NaT"), times)])
    to = _parse.as_str_array(h.status_to) if h.status_to else np.empty(0, dtype="<U1")
    states = np.concatenate([first_state, to.astype(np.str_)])
    kind = np.concatenate([np.zeros(n, dtype=np.int64), np.ones(len(h.status_row), np.int64)])
    ok = keep_mask[rows] & ~np.isnat(when)
    rows, when, states, kind = rows[ok], when[ok], states[ok], kind[ok]
    order = np.lexsort((when.view(np.int64), kind, rows))
    rows, when, states = rows[order], when[order], states[order]
    return kept_index[rows], ids_all[rows], when, states


def _with_history(
    built: _build.Built, parts: list[tuple[Ints, Strs, npt.NDArray[np.datetime64], Strs]]
) -> _build.Built:
    """Replace the one-event-per-issue history by the changelog's status events."""
    rows = np.concatenate([p[0] for p in parts])
    ids = np.concatenate([p[1] for p in parts]) if rows.size else np.empty(0, "<U1")
    when = np.concatenate([p[2] for p in parts])
    states = np.concatenate([p[3] for p in parts]) if rows.size else np.empty(0, "<U1")
    if built.rows is not None:
        chosen = np.isin(rows, built.rows)
        rows, ids, when, states = rows[chosen], ids[chosen], when[chosen], states[chosen]
        rank = np.full(int(rows.max()) + 1 if rows.size else 0, -1, dtype=np.int64)
        rank[built.rows] = np.arange(built.rows.size)
        order = np.argsort(rank[rows], kind="stable")
        ids, when, states = ids[order], when[order], states[order]
    history = History._trusted(ids.astype(np.str_), when, states.astype(np.str_))
    return _build.Built(built.tickets, history, built.events, built.collapsed, built.rows)
