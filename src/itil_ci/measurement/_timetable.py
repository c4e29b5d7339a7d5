"""Cumulative business time as a lookup table (private).

A :class:`Timetable` holds the open ranges of a calendar over a span of UTC
time as sorted arrays: ``starts`` (UTC ns), ``lens`` (ns) and ``cum``, the
business time before each range.  The cumulative business time at an
instant ``t`` is then ``cum[k] + min(t - starts[k], lens[k])`` with ``k`` the
last range starting at or before ``t`` -- one lookup per time, no loop over
days or tickets.  ``k`` comes from a bucket index when the ranges are not too
close together (buckets of a power-of-two width no wider than the smallest
gap between two range starts hold at most one start, so ``k`` is the
bucket's first range or the next one), else from :func:`numpy.searchsorted`.

The table is built from local days: each open range of each weekday that is
not a holiday is placed on its local day and converted to UTC through the
zone's offset transitions, found by sampling the offset every six hours over
the span and bisecting each change to the second.  A local time maps to the
first instant at which the local clock reads that time or later: a time in a
repeated hour (autumn) is its first occurrence, a time in a skipped hour
(spring) is the instant the clock jumps.  Times are int64 nanoseconds since
the epoch throughout.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from itil_ci.measurement._hours import Week

__all__ = ["DAY", "IDENTITY", "Timetable", "build", "transitions"]

Ints = npt.NDArray[np.int64]
DAY = 86_400 * 10**9
_NS_S = 10**9
_HOUR = 3600 * _NS_S
_MIN64 = np.iinfo(np.int64).min
_MAX64 = np.iinfo(np.int64).max
_CHUNK = 1 << 18  # rows per lookup pass: keeps temporaries small and in cache
_MAX_BUCKETS = 1 << 22


@attrs.frozen(eq=False)
class Timetable:
    """Open ranges over UTC days ``[first_day, last_day]`` and their cumulative business time.

    ``identity`` marks a 24 x 7 calendar without holidays: the cumulative
    business time is the time itself.
    """

    first_day: int
    last_day: int
    starts: Ints  # [0] is a sentinel (length 0) before every range
    lens: Ints
    cum: Ints
    nxt: Ints  # starts[k + 1], with the int64 maximum after the last range
    shift: int  # bucket width 2**shift ns; -1 when there is no bucket index
    base: Ints | None  # per bucket, the last range starting at or before its start
    holidays: int  # holidays on the local days of the span
    identity: bool = False

    @property
    def lo(self) -> int:
        return self.first_day * DAY

    @property
    def hi(self) -> int:
        """The end of the span (exclusive)."""
        return (self.last_day + 1) * DAY

    @property
    def total(self) -> int:
        return int(self.cum[-1] + self.lens[-1])

    def covers(self, lo: int, hi: int) -> bool:
        return self.identity or (self.lo <= lo and hi < self.hi)

    def at(self, t: Ints) -> Ints:
        """Cumulative business ns at each instant (every ``t`` inside the span).

        The identity table returns ``t`` itself (not a copy).
        """
        if self.identity:
            return t
        out = np.empty(t.shape, dtype=np.int64)
        flat, res = t.reshape(-1), out.reshape(-1)
        for lo in range(0, flat.size, _CHUNK):
            x = flat[lo : lo + _CHUNK]
            if self.base is not None:
                b = x - self.lo
                b >>= self.shift
                k = self.base[b]
                k += x >= self.nxt[k]
            else:
                k = np.searchsorted(self.starts, x, side="right") - 1
            d = x - self.starts[k]
            np.minimum(d, self.lens[k], out=d)
            d += self.cum[k]
            res[lo : lo + _CHUNK] = d
        return out

    def instant(self, c: Ints) -> Ints:
        """The earliest instant at which the cumulative business time reaches ``c`` (> 0).

        Every ``c`` must be at most :attr:`total`.
        """
        if self.identity:
            return c
        k = np.searchsorted(self.cum, c, side="left") - 1
        return self.starts[k] + (c - self.cum[k])


IDENTITY = Timetable(
    first_day=0,
    last_day=0,
    starts=np.zeros(1, dtype=np.int64),
    lens=np.zeros(1, dtype=np.int64),
    cum=np.zeros(1, dtype=np.int64),
    nxt=np.full(1, _MAX64, dtype=np.int64),
    shift=-1,
    base=None,
    holidays=0,
    identity=True,
)


def _offset(zone: Any, seconds: int) -> int:
    """The zone's UTC offset (s) at a UTC instant given in seconds."""
    off = dt.datetime.fromtimestamp(seconds, zone).utcoffset()
    assert off is not None
    return off.days * 86_400 + off.seconds


def transitions(zone: Any, lo_s: int, hi_s: int) -> tuple[Ints, Ints]:
    """Offset pieces over ``[lo_s, hi_s]`` (UTC seconds): piece starts (ns) and offsets (ns).

    ``starts[0]`` is the int64 minimum (the first offset holds before any
    change); ``starts[i]`` is the first UTC instant of offset ``offsets[i]``.
    """
    step = 6 * 3600
    samples = list(range(lo_s, hi_s + step, step))  # a loop over the span's quarter-days
    offs = [_offset(zone, s) for s in samples]
    starts = [_MIN64]
    values = [offs[0]]
    for i in range(1, len(samples)):
        if offs[i] == offs[i - 1]:
            continue
        a, b = samples[i - 1], samples[i]  # offset changes in (a, b]: bisect to the second
        while b - a > 1:
            mid = (a + b) // 2
            if _offset(zone, mid) == offs[i - 1]:
                a = mid
            else:
                b = mid
        starts.append(b * _NS_S)
        values.append(offs[i])
    return np.array(starts, dtype=np.int64), np.array(values, dtype=np.int64) * _NS_S


def _to_utc(local: Ints, starts: Ints, offsets: Ints) -> Ints:
    """First UTC instant at which the local clock reads each local time or later."""
    local_ends = np.empty(starts.size, dtype=np.int64)
    local_ends[:-1] = starts[1:] + offsets[:-1]  # local time at which each piece ends
    local_ends[-1] = _MAX64
    i = np.searchsorted(local_ends, local, side="right")
    out: Ints = np.maximum(starts[i], local - offsets[i])
    return out


def build(
    week: Week,
    zone: Any,
    holiday_days: Callable[[int, int], Ints],
    first_day: int,
    last_day: int,
) -> Timetable:
    """The timetable of UTC days ``[first_day, last_day]``.

    ``holiday_days(d0, d1)`` gives the holidays (local day numbers since the
    epoch) among local days ``d0 .. d1``.  Local days two either side of the
    span are placed too, so every instant of the span is exact whatever the
    zone's offset.
    """
    d0, d1 = first_day - 2, last_day + 2
    piece_starts, offsets = transitions(zone, (d0 - 1) * 86_400, (d1 + 2) * 86_400)
    days = np.arange(d0, d1 + 1, dtype=np.int64)
    hol = holiday_days(d0, d1)
    working = ~np.isin(days, hol)
    weekday = (days + 3) % 7  # 1970-01-01 was a Thursday; Monday is 0
    opens: list[Ints] = []
    closes: list[Ints] = []
    for w in range(7):  # a loop over weekdays and their few ranges, not over days
        on = days[(weekday == w) & working] * DAY
        for a, b in week[w]:
            opens.append(on + a)
            closes.append(on + b)
    lo_local = np.concatenate(opens) if opens else np.empty(0, dtype=np.int64)
    hi_local = np.concatenate(closes) if closes else np.empty(0, dtype=np.int64)
    order = np.argsort(lo_local, kind="stable")
    u_open = _to_utc(lo_local[order], piece_starts, offsets)
    u_close = _to_utc(hi_local[order], piece_starts, offsets)
    keep = u_close > u_open  # a range wholly inside a skipped hour has no time
    u_open, u_close = u_open[keep], u_close[keep]
    span_lo = first_day * DAY
    sentinel = min(span_lo, int(u_open[0]) if u_open.size else span_lo) - 1
    starts = np.concatenate(([sentinel], u_open))
    lens = np.concatenate(([0], u_close - u_open))
    cum = np.concatenate(([0], np.cumsum(lens[:-1])))
    nxt = np.concatenate((starts[1:], [_MAX64]))
    shift, base = _buckets(starts, span_lo, (last_day + 1) * DAY)
    return Timetable(
        first_day=first_day,
        last_day=last_day,
        starts=starts,
        lens=lens,
        cum=cum,
        nxt=nxt,
        shift=shift,
        base=base,
        holidays=int(np.count_nonzero(~working)),
    )


def _buckets(starts: Ints, lo: int, hi: int) -> tuple[int, Ints | None]:
    """A bucket index over ``[lo, hi)``: no bucket is wider than the closest two starts."""
    real = starts[1:]
    gap = int(np.diff(real).min()) if real.size > 1 else hi - lo
    if gap <= 0:
        return -1, None
    shift = gap.bit_length() - 1  # 2**shift <= gap
    n = ((hi - lo) >> shift) + 1
    if n > max(_MAX_BUCKETS, 8 * starts.size):
        return -1, None
    edges = lo + (np.arange(n, dtype=np.int64) << shift)
    base = np.searchsorted(starts, edges, side="right") - 1
    return shift, base.astype(np.int64)
