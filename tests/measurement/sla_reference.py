"""A slow, plain reference SLA clock for the tests (no numpy, no tables).

Business time is summed day by day with ``datetime`` and ``zoneinfo``: for
each local day in the span that is not a holiday, each open range's local
times are turned into UTC instants one by one, and the overlap with
``[start, end)`` is added, in whole seconds (the tests' times are whole
seconds).  A local time maps to the first instant at which the local clock
reads that time or later: its first occurrence when it occurs (``fold=0``
checked against ``fold=1`` by a round trip), else -- inside a skipped hour --
the first second after the jump, found by bisection.  Pauses are clipped to
the measured interval and merged in plain time before their business time is
taken off.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Sequence
from zoneinfo import ZoneInfo

UTC = dt.UTC
Hours = dict[int, list[tuple[dt.time | None, dt.time | None]]]  # None close = 24:00


def _local_to_utc(day: dt.date, at: dt.time | None, zone: ZoneInfo) -> dt.datetime:
    """First UTC instant at which the clock of ``zone`` reads ``day at`` or later."""
    if at is None:  # 24:00 is the next day's 00:00
        day, at = day + dt.timedelta(days=1), dt.time(0)
    naive = dt.datetime.combine(day, at)
    valid = []
    for fold in (0, 1):
        utc = naive.replace(tzinfo=zone, fold=fold).astimezone(UTC)
        if utc.astimezone(zone).replace(tzinfo=None) == naive:
            valid.append(utc)
    if valid:
        return min(valid)
    # Skipped: bisect the seconds between the two readings for the first one >= naive.
    lo = naive.replace(tzinfo=zone, fold=1).astimezone(UTC)
    hi = naive.replace(tzinfo=zone, fold=0).astimezone(UTC)
    lo, hi = min(lo, hi), max(lo, hi)
    while (hi - lo) > dt.timedelta(seconds=1):
        mid = lo + (hi - lo) // 2
        if mid.astimezone(zone).replace(tzinfo=None) >= naive:
            hi = mid
        else:
            lo = mid
    return hi


def open_ranges(
    hours: Hours, zone: ZoneInfo, holidays: Iterable[dt.date], first: dt.date, last: dt.date
) -> list[tuple[dt.datetime, dt.datetime]]:
    """The UTC open ranges of local days ``first .. last``, in order."""
    skip = set(holidays)
    out = []
    day = first
    while day <= last:
        if day not in skip:
            key = tuple((d, tuple(r)) for d, r in sorted(hours.items()))
            out.extend(_day_ranges(key, zone, day))
        day += dt.timedelta(days=1)
    return out


@functools.lru_cache(maxsize=1 << 16)
def _day_ranges(
    hours: tuple[tuple[int, tuple[tuple[dt.time | None, dt.time | None], ...]], ...],
    zone: ZoneInfo,
    day: dt.date,
) -> tuple[tuple[dt.datetime, dt.datetime], ...]:
    out = []
    for a, b in dict(hours).get(day.weekday(), []):
        lo, hi = _local_to_utc(day, a, zone), _local_to_utc(day, b, zone)
        if hi > lo:
            out.append((lo, hi))
    return tuple(out)


def business_seconds(
    start: dt.datetime,
    end: dt.datetime,
    hours: Hours,
    zone: ZoneInfo,
    holidays: Iterable[dt.date] = (),
) -> int:
    """Business seconds in ``[start, end)`` (aware datetimes)."""
    if end <= start:
        return 0
    first = start.astimezone(zone).date() - dt.timedelta(days=2)
    last = end.astimezone(zone).date() + dt.timedelta(days=2)
    total = dt.timedelta()
    for lo, hi in open_ranges(hours, zone, holidays, first, last):
        a, b = max(lo, start), min(hi, end)
        if b > a:
            total += b - a
    return int(total.total_seconds())


def less_pauses(
    start: dt.datetime,
    end: dt.datetime,
    pauses: Sequence[tuple[dt.datetime, dt.datetime | None]],
    hours: Hours,
    zone: ZoneInfo,
    holidays: Iterable[dt.date] = (),
) -> tuple[int, int]:
    """(business seconds less pauses, paused business seconds) of ``[start, end)``."""
    clipped = []
    for a, b in pauses:
        b = end if b is None else b
        a, b = min(max(a, start), end), min(max(b, start), end)
        if b > a:
            clipped.append((a, b))
    clipped.sort()
    merged: list[list[dt.datetime]] = []
    for a, b in clipped:
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    paused = sum(business_seconds(a, b, hours, zone, holidays) for a, b in merged)
    return business_seconds(start, end, hours, zone, holidays) - paused, paused


def due(
    start: dt.datetime,
    target_seconds: int,
    pauses: Sequence[tuple[dt.datetime, dt.datetime | None]],
    until: dt.datetime,
    hours: Hours,
    zone: ZoneInfo,
    holidays: Iterable[dt.date] = (),
) -> dt.datetime:
    """The first second at which business time less pauses (known up to ``until``) reaches
    the target, by bisection over whole seconds (pauses after ``until`` are unknown)."""

    def clock(t: dt.datetime) -> int:
        known = [(a, min(b, until) if b is not None else until) for a, b in pauses]
        return less_pauses(start, t, known, hours, zone, holidays)[0]

    lo, hi = 0, 30 * 86400  # whole seconds after start
    while clock(start + dt.timedelta(seconds=hi)) < target_seconds:
        hi += 30 * 86400
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if clock(start + dt.timedelta(seconds=mid)) >= target_seconds:
            hi = mid
        else:
            lo = mid
    return start + dt.timedelta(seconds=hi)
