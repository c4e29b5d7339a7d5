"""Opening hours of a business calendar: parsing, checking and writing them (private).

Hours are given per weekday, in local time, as a mapping or as one line of
text:

* ``{"mon-fri": ("08:00", "18:00"), "sat": [("09:00", "12:00")]}``;
* ``"mon-fri 08:00-18:00; sat 09:00-12:00"`` (``;`` between day groups, ``,``
  between the ranges of a day: ``"mon-fri 08:00-12:00,13:00-17:00"``).

Day keys are ``mon`` .. ``sun`` (or full names, any case), a range of them
(``mon-fri``; ``sun-thu`` wraps round the week) or a comma list
(``mon,wed``).  A time is ``HH:MM`` or ``HH:MM:SS`` from ``00:00`` to
``24:00`` (or a :class:`datetime.time`).  Each weekday may be named once;
every range must close after it opens; ranges of one day must not overlap
(touching ranges are joined).  The result is one tuple of ``(open, close)``
offsets in nanoseconds from local midnight per weekday, Monday first.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from itil_ci._internal.validate import fail

__all__ = ["WEEKDAYS", "Week", "format_hours", "hours_dict", "parse_hours"]

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_FULL = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_NS_S = 10**9
_DAY_S = 86_400

#: Per weekday (Monday first), the open ranges as (open, close) ns from local midnight.
Week = tuple[tuple[tuple[int, int], ...], ...]

_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")
_RANGE = re.compile(r"^\s*(\S+)\s*-\s*(\S+)\s*$")


def _day(name: str, token: str) -> int:
    t = token.strip().lower()
    if t in WEEKDAYS:
        return WEEKDAYS.index(t)
    if t in _FULL:
        return _FULL.index(t)
    raise fail(name, "weekday names mon, tue, wed, thu, fri, sat, sun (e.g. 'mon-fri')", token)


def _days(name: str, key: object) -> list[int]:
    """Weekday numbers (0 = Monday) named by a key such as ``mon-fri`` or ``sat,sun``."""
    if not isinstance(key, str) or not key.strip():
        raise fail(name, "weekday names such as 'mon', 'mon-fri' or 'sat,sun'", key)
    out: list[int] = []
    for part in key.split(","):
        if "-" in part:
            first, _, last = part.partition("-")
            a, b = _day(name, first), _day(name, last)
            span = (b - a) % 7
            out.extend((a + i) % 7 for i in range(span + 1))
        else:
            out.append(_day(name, part))
    return out


def _clock(name: str, value: object) -> int:
    """A local time of day in seconds (``24:00`` is 86400)."""
    if isinstance(value, dt.time):
        if value.tzinfo is not None:
            raise fail(name, "a local time of day without a time zone", value)
        if value.microsecond:
            raise fail(name, "a time of day in whole seconds", value)
        return value.hour * 3600 + value.minute * 60 + value.second
    if not isinstance(value, str):
        raise fail(name, "a time of day 'HH:MM' (or 'HH:MM:SS')", value)
    m = _TIME.match(value.strip())
    if m is None:
        raise fail(name, "a time of day 'HH:MM' (or 'HH:MM:SS')", value)
    h, mi, s = int(m[1]), int(m[2]), int(m[3] or 0)
    if mi > 59 or s > 59 or h > 24 or (h == 24 and (mi or s)):
        raise fail(name, "a time of day from 00:00 to 24:00", value)
    return h * 3600 + mi * 60 + s


def _is_pair(value: object) -> bool:
    return (
        isinstance(value, tuple | list)
        and len(value) == 2
        and all(isinstance(x, str | dt.time) for x in value)
    )


def _ranges(name: str, value: object) -> list[tuple[int, int]]:
    """The (open, close) seconds of one entry: a pair or a list of pairs."""
    if _is_pair(value):
        pairs: list[Any] = [value]
    elif isinstance(value, tuple | list):
        pairs = list(value)
    else:
        raise fail(name, "an (open, close) pair of times or a list of such pairs", value)
    out = []
    for i, pair in enumerate(pairs):
        label = f"{name}[{i}]" if not _is_pair(value) else name
        if not _is_pair(pair):
            raise fail(label, "an (open, close) pair of times such as ('08:00', '18:00')", pair)
        a, b = _clock(label, pair[0]), _clock(label, pair[1])
        if b <= a:
            raise fail(label, "a range that closes after it opens", pair)
        out.append((a, b))
    return out


def _text_entries(spec: str) -> list[tuple[str, object]]:
    """``"mon-fri 08:00-18:00; sat 09:00-12:00"`` as (key, list of pairs) entries."""
    entries: list[tuple[str, object]] = []
    for part in spec.split(";"):
        if not part.strip():
            continue
        words = part.split(None, 1)
        if len(words) != 2:
            raise fail("hours", "entries like 'mon-fri 08:00-18:00' separated by ';'", part)
        key, ranges = words
        pairs: list[tuple[str, str]] = []
        for r in ranges.split(","):
            m = _RANGE.match(r)
            if m is None:
                raise fail(f"hours[{key!r}]", "ranges like '08:00-18:00' separated by ','", r)
            pairs.append((m[1], m[2]))
        entries.append((key, pairs))
    if not entries:
        raise fail("hours", "at least one entry like 'mon-fri 08:00-18:00'", spec)
    return entries


def parse_hours(hours: object) -> Week:
    """Check ``hours`` (a mapping or a line of text) and return its :data:`Week`.

    Examples:
        >>> week = parse_hours({"mon-fri": ("08:00", "18:00")})
        >>> [len(day) for day in week], week[0][0][1] // 10**9
        ([1, 1, 1, 1, 1, 0, 0], 64800)
        >>> parse_hours("mon-fri 08:00-18:00") == week
        True
    """
    if isinstance(hours, str):
        entries = _text_entries(hours)
    elif isinstance(hours, Mapping):
        entries = list(hours.items())
    else:
        accepted = "a mapping of weekdays to opening hours, or 'mon-fri 08:00-18:00'"
        raise fail("hours", accepted, hours)
    if not entries:
        raise fail("hours", "at least one weekday with opening hours", hours)
    week: list[list[tuple[int, int]] | None] = [None] * 7
    named: list[object] = [None] * 7
    for key, value in entries:
        label = f"hours[{key!r}]"
        days = _days(label, key)
        ranges = _ranges(label, value)
        for d in days:
            if week[d] is not None:
                raise fail(
                    "hours",
                    "each weekday named once",
                    f"{WEEKDAYS[d]} in both {named[d]!r} and {key!r}",
                )
            week[d] = list(ranges)
            named[d] = key
    out: list[tuple[tuple[int, int], ...]] = []
    for d in range(7):
        ranges = sorted(week[d] or [])
        merged: list[tuple[int, int]] = []
        for a, b in ranges:
            if merged and a < merged[-1][1]:
                raise fail(
                    f"hours[{named[d]!r}]",
                    "ranges of one day that do not overlap",
                    f"{_text(merged[-1][0])}-{_text(merged[-1][1])} and {_text(a)}-{_text(b)}",
                )
            if merged and a == merged[-1][1]:
                merged[-1] = (merged[-1][0], b)  # touching ranges are one
            else:
                merged.append((a, b))
        out.append(tuple((a * _NS_S, b * _NS_S) for a, b in merged))
    if not any(out):
        raise fail("hours", "at least one weekday with opening hours", hours)
    return tuple(out)


def _text(seconds: int) -> str:
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h:02d}:{m:02d}" + (f":{s:02d}" if s else "")


def _groups(week: Week) -> list[tuple[str, tuple[tuple[int, int], ...]]]:
    """Runs of consecutive weekdays (Monday first) with the same non-empty hours."""
    out: list[tuple[str, tuple[tuple[int, int], ...]]] = []
    d = 0
    while d < 7:
        if not week[d]:
            d += 1
            continue
        last = d
        while last + 1 < 7 and week[last + 1] == week[d]:
            last += 1
        key = WEEKDAYS[d] if last == d else f"{WEEKDAYS[d]}-{WEEKDAYS[last]}"
        out.append((key, week[d]))
        d = last + 1
    return out


def format_hours(week: Week) -> str:
    """The hours as one line of text that :func:`parse_hours` reads back.

    Examples:
        >>> format_hours(parse_hours({"mon-thu": [("08:00", "12:00"), ("13:00", "17:00")],
        ...                           "fri": ("08:00", "16:00:30")}))
        'mon-thu 08:00-12:00,13:00-17:00; fri 08:00-16:00:30'
    """
    return "; ".join(
        f"{key} " + ",".join(f"{_text(a // _NS_S)}-{_text(b // _NS_S)}" for a, b in ranges)
        for key, ranges in _groups(week)
    )


def hours_dict(week: Week) -> dict[str, list[list[str]]]:
    """The hours as plain JSON data (``{"mon-fri": [["08:00", "18:00"]]}``).

    Examples:
        >>> hours_dict(parse_hours("mon-fri 08:00-18:00"))
        {'mon-fri': [['08:00', '18:00']]}
    """
    return {
        key: [[_text(a // _NS_S), _text(b // _NS_S)] for a, b in ranges]
        for key, ranges in _groups(week)
    }


def is_always(week: Week) -> bool:
    """Whether every day is open from 00:00 to 24:00."""
    return all(day == ((0, _DAY_S * _NS_S),) for day in week)
