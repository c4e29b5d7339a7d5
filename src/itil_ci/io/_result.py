"""What an import returns, and the argument checks every importer shares (private)."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping, Sequence
from typing import IO, Literal

import attrs

from itil_ci._internal import validate as v
from itil_ci.errors import ImportRowError
from itil_ci.io import _build, _formats, _parse
from itil_ci.io.history import History
from itil_ci.io.tickets import Tickets

__all__ = ["ImportResult"]

OnError = Literal["raise", "skip"]


@attrs.frozen(eq=False)
class ImportResult:
    """What an import produced: the tickets, their history, and how they were read.

    ``tickets`` has one row per ticket.  ``history`` is every event of the
    export as an :class:`~itil_ci.io.History` (ticket id, update time, state),
    each ticket's events in update order: one per row of an event log, one per
    ticket otherwise (its state at its update time, or at ``opened`` when the
    export has no update time); ``None`` when the export has no state.
    ``rows`` counts the data rows or records read, ``skipped`` those left out
    (``on_error="skip"``), ``problems`` the first few reasons, and ``notes``
    how derived fields were computed.  ``method`` names the importer and
    ``parameters`` the options it ran with.

    Examples:
        >>> r = ImportResult(tickets=Tickets.empty(), method="csv", path="x.csv")
        >>> r.skipped, len(r.tickets), r.history is None
        (0, 0, True)
    """

    tickets: Tickets
    method: str
    path: str
    rows: int = 0
    skipped: int = 0
    problems: tuple[ImportRowError, ...] = ()
    notes: tuple[str, ...] = ()
    parameters: tuple[tuple[str, str], ...] = ()
    history: History | None = None


def result(
    built: _build.Built,
    coll: _build.Collector,
    method: str,
    notes: Sequence[str],
    **params: object,
) -> ImportResult:
    """The :class:`ImportResult` of a finished import."""
    out = list(notes)
    if built.collapsed:
        out.insert(
            0,
            f"event log: {built.events} events of {len(built.tickets)} tickets; each ticket "
            "has the values of its latest event (update count, then update time, then row order)",
        )
    unknown = list(built.tickets.unknown)
    if unknown:
        out.append("unknown (not in the source): " + ", ".join(unknown))
    return ImportResult(
        tickets=built.tickets,
        method=method,
        path=coll.path,
        rows=coll.rows,
        skipped=coll.skipped,
        problems=tuple(coll.problems),
        notes=tuple(out),
        parameters=tuple((k, str(val)) for k, val in params.items()),
        history=built.history,
    )


# --- argument checks ------------------------------------------------------------------


def path_arg(path: object) -> str:
    if not isinstance(path, str | os.PathLike):
        raise v.fail("path", "a file path", path)
    p = os.fspath(path)
    if not isinstance(p, str):
        raise v.fail("path", "a text file path", path)
    if "\x00" in p:
        raise v.fail("path", "a file path without NUL characters", p)
    if not os.path.isfile(p):
        raise v.fail("path", "an existing file", p)
    return p


def on_error_arg(value: object) -> OnError:
    if value not in ("raise", "skip"):
        raise v.fail("on_error", "'raise' or 'skip'", value)
    return "skip" if value == "skip" else "raise"


def tz_arg(value: object) -> dt.tzinfo:
    try:
        return _parse.resolve_tz(value)  # type: ignore[arg-type]
    except ValueError:
        raise v.fail(
            "tz", "'UTC', an offset like '+02:00', an IANA zone name or a tzinfo", value
        ) from None


def times_arg(tz: object, date_format: object) -> _build.TimeParser:
    """The time parser for ``tz`` and ``date_format`` (None: ISO 8601)."""
    zone = tz_arg(tz)
    if date_format is None:
        return _build.TimeParser(zone)
    if not isinstance(date_format, str):
        raise v.fail("date_format", "a strptime-style format such as '%d-%m-%Y %H:%M'", date_format)
    try:
        fmt = _formats.compile_format(date_format)
    except ValueError as e:
        raise v.fail("date_format", str(e), date_format) from None
    return _build.TimeParser(zone, fmt)


def na_arg(value: object) -> tuple[str, ...]:
    """``na_values``: strings that mean "no value" (compared after stripping blanks)."""
    if value is None:
        return ()
    if isinstance(value, str) or not isinstance(value, Sequence | set | frozenset):
        raise v.fail("na_values", "a sequence of strings such as ['?', 'NULL']", value)
    out: list[str] = []
    for i, m in enumerate(value):
        if not isinstance(m, str) or not m.strip():
            raise v.fail(f"na_values[{i}]", "a non-blank string", m)
        out.append(m.strip())
    return tuple(dict.fromkeys(out))


def sla_arg(value: object) -> dict[int, float] | None:
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


def positive_arg(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise v.fail(name, "an integer >= 1", value)
    return value


def fields_arg(
    name: str, value: object, defaults: Mapping[str, str | None]
) -> dict[str, str | None]:
    """Tickets field -> source field, the defaults overridden by ``value``."""
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
    for k in Tickets.REQUIRED:
        if out.get(k) is None:
            raise v.fail(f"{name}[{k!r}]", "a source field (it is required)", None)
    return out


def mapping_arg(value: object, source: str) -> dict[str, str]:
    """``mapping``: ``source`` (e.g. "CSV column") -> Tickets field, each field once."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise v.fail("mapping", f"a mapping of {source} to Tickets field", value)
    seen: dict[str, str] = {}
    for col, field in value.items():
        if not isinstance(col, str) or not col.strip():
            raise v.fail("mapping key", f"a {source} name", col)
        if field not in Tickets.FIELDS:
            raise v.fail(f"mapping[{col!r}]", "one of " + ", ".join(Tickets.FIELDS), field)
        if field in seen:
            raise v.fail(
                f"mapping[{col!r}]",
                f"a field no other column maps to ({seen[field]!r} does)",
                field,
            )
        seen[field] = col
    return dict(value)


def open_text(path: str, encoding: str) -> IO[str]:
    if not isinstance(encoding, str):
        raise v.fail("encoding", "a known text encoding", encoding)
    try:
        return open(path, encoding=encoding, newline="")  # closed by the caller
    except LookupError:
        raise v.fail("encoding", "a known text encoding", encoding) from None
    except OSError as e:
        raise v.fail("path", "a readable file", f"{path} ({e.strerror})") from None


@attrs.frozen
class Shape:
    """What a file looks like: ``kind`` (csv, json, html, empty or binary) and a hint."""

    kind: str
    looks: str


def sniff(path: str, encoding: str) -> Shape:
    """Tell JSON from CSV by the first characters of the file."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError as e:
        raise v.fail("path", "a readable file", f"{path} ({e.strerror})") from None
    if b"\x00" in head and not encoding.lower().startswith("utf-16"):
        return Shape("binary", "binary data")
    try:
        text = head.decode(encoding if isinstance(encoding, str) else "utf-8", errors="replace")
    except LookupError:
        raise v.fail("encoding", "a known text encoding", encoding) from None
    text = text.lstrip("\ufeff \t\r\n")
    if not text:
        return Shape("empty", "an empty file")
    if text[0] in "{[":
        return Shape("json", f"it starts with {text[0]!r}")
    if text[0] == "<":
        return Shape("html", f"it starts with {text[:30]!r}: an error page or a login page?")
    first = text.splitlines()[0] if text.splitlines() else text
    return Shape("csv", f"its first line is {first[:60]!r}")
