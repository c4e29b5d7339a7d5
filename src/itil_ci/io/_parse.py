"""Vectorised parsing helpers shared by the ticket importers (private).

Everything here works on whole chunks of values at once:

- :func:`parse_times` turns an array of ISO-8601-like strings into
  ``datetime64[ns]`` UTC by looking at their code points as a 2-D integer
  matrix; no Python code runs per value.  :mod:`itil_ci.io._formats` does the
  same for strptime-style formats.
- :func:`map_unique` applies a small Python function to the *distinct* values
  of a column only (priorities, states, flags and counts have few), then
  spreads the answers back with the inverse index.
- :func:`blank_markers` empties the values that mean "no value" (``?``,
  ``NULL``...).
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from itil_ci._internal.strings import factorise

NAT = np.iinfo(np.int64).min  # the int64 view of NaT
NS_PER_S = 1_000_000_000
NS_PER_DAY = 86_400 * NS_PER_S
ZERO = ord("0")
#: Years a time may have: datetime64[ns] covers 1677-09-21 .. 2262-04-11.
YEAR_MIN, YEAR_MAX = 1678, 2261

Bools = npt.NDArray[np.bool_]
Ints = npt.NDArray[np.int64]
Codes = npt.NDArray[Any]  # (n, width) unsigned integer code points, zero-padded


# --- time zones ---------------------------------------------------------------


def resolve_tz(tz: str | dt.tzinfo) -> dt.tzinfo:
    """Turn ``"UTC"``, ``"+02:00"``, an IANA name or a tzinfo into a tzinfo.

    Raises ``ValueError`` for anything else (the caller words the error).
    """
    if isinstance(tz, dt.tzinfo):
        return tz
    if not isinstance(tz, str):
        raise ValueError(tz)
    text = tz.strip()
    if text.upper() in ("UTC", "Z", "GMT"):
        return dt.UTC
    m = re.fullmatch(r"([+-])(\d\d):?(\d\d)", text)
    if m:
        sign = -1 if m.group(1) == "-" else 1
        hours, minutes = int(m.group(2)), int(m.group(3))
        if hours > 23 or minutes > 59:
            raise ValueError(tz)
        return dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))
    try:
        return zoneinfo.ZoneInfo(text)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError(tz) from None


def local_to_utc(local_ns: Ints, tz: dt.tzinfo) -> Ints:
    """Shift wall-clock times in ``tz`` to UTC (one offset look-up per distinct hour)."""
    if tz is dt.UTC:
        return local_ns
    hour_ns = 3600 * NS_PER_S
    hours = local_ns // hour_ns
    uniq, inverse = np.unique(hours, return_inverse=True)
    offsets = np.empty(uniq.size, dtype=np.int64)
    epoch = dt.datetime(1970, 1, 1)
    for i, h in enumerate(uniq.tolist()):  # distinct hours only (8,760 a year)
        wall = (epoch + dt.timedelta(hours=h)).replace(tzinfo=tz)
        off = wall.utcoffset() or dt.timedelta(0)
        offsets[i] = int(off.total_seconds()) * NS_PER_S
    out: Ints = local_ns - offsets[inverse.reshape(-1)]
    return out


# --- code-point matrices ---------------------------------------------------------


def codes(values: npt.NDArray[np.str_], width: int) -> tuple[Codes, Ints]:
    """The code points of ``values`` as an (n, >= width) matrix, and each length."""
    arr = np.ascontiguousarray(values, dtype=np.str_)
    w = max(int(arr.dtype.itemsize // 4), width, 1)
    arr = arr.astype(f"<U{w}", copy=False)
    mat = arr.view(np.uint32).reshape(arr.size, w)
    return mat, np.count_nonzero(mat, axis=1).astype(np.int64)


class Cursor:
    """Read a code-point matrix at a per-row position (for variable layouts)."""

    def __init__(self, mat: Codes) -> None:
        self.mat = mat
        self.n, self.w = mat.shape
        self.rows = np.arange(self.n)

    def at(self, pos: Ints) -> Ints:
        """The code point at ``pos`` in each row (0 past the end)."""
        inside = pos < self.w
        out: Ints = self.mat[self.rows, np.minimum(pos, self.w - 1)].astype(np.int64) * inside
        return out

    def col(self, k: int) -> Ints:
        """The code point in column ``k`` of every row (0 past the width)."""
        if k >= self.w:
            return np.zeros(self.n, dtype=np.int64)
        return self.mat[:, k].astype(np.int64)


def is_digit(x: Ints) -> Bools:
    out: Bools = (x >= ZERO) & (x <= ZERO + 9)
    return out


def days_from_civil(y: Ints, m: Ints, d: Ints) -> Ints:
    """Days since 1970-01-01 of proleptic Gregorian dates (vectorised)."""
    y = y - (m <= 2)
    era = np.floor_divide(y, 400)
    yoe = y - era * 400
    mp = (m + 9) % 12
    doy = (153 * mp + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    out: Ints = era * 146_097 + doe - 719_468
    return out


def days_in_month(y: Ints, m: Ints) -> Ints:
    leap = ((y % 4 == 0) & (y % 100 != 0)) | (y % 400 == 0)
    table = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)
    out: Ints = table[np.clip(m, 1, 12) - 1] + ((m == 2) & leap)
    return out


def assemble(
    ok: Bools,
    y: Ints,
    mo: Ints,
    d: Ints,
    hh: Ints,
    mi: Ints,
    ss: Ints,
    frac_ns: Ints,
    offset_s: Ints,
    naive: Bools,
    tz: dt.tzinfo,
) -> tuple[Ints, Bools]:
    """Validate fields and build int64 ns in UTC; returns (ns with NAT where bad, ok)."""
    ok = ok & (mo >= 1) & (mo <= 12) & (d >= 1) & (d <= days_in_month(y, mo))
    ok &= (hh >= 0) & (hh <= 23) & (mi >= 0) & (mi <= 59) & (ss >= 0) & (ss <= 59)
    ok &= (y >= YEAR_MIN) & (y <= YEAR_MAX)
    y, mo, d = np.where(ok, y, 1970), np.where(ok, mo, 1), np.where(ok, d, 1)
    ns = days_from_civil(y, mo, d) * NS_PER_DAY + ((hh * 60 + mi) * 60 + ss) * NS_PER_S
    ns += frac_ns
    if tz is not dt.UTC and (naive & ok).any():
        ns = np.where(naive & ok, local_to_utc(np.where(ok, ns, 0), tz), ns)
    ns -= offset_s * NS_PER_S
    ns = np.where(ok, ns, NAT)
    return ns.astype(np.int64), ok


# --- ISO 8601 date-times -------------------------------------------------------------

ISO_EXPECTED = "a date-time like 2024-01-31 13:45:00 or 2024-01-31T13:45:00+01:00"


def parse_times(
    values: npt.NDArray[np.str_], *, tz: dt.tzinfo = dt.UTC
) -> tuple[npt.NDArray[np.datetime64], Bools]:
    """Parse date-time strings; return (``datetime64[ns]`` UTC, bad mask).

    Accepted, with surrounding blanks ignored: ``YYYY-MM-DD``,
    ``YYYY-MM-DD[T ]HH[:MM[:SS[.fraction]]]`` followed by nothing (the time is
    wall-clock time in ``tz``), ``Z``, or an offset ``±HH``, ``±HHMM`` or
    ``±HH:MM``; years 1678 to 2261.  An empty string is ``NaT`` and not bad.

    Examples:
        >>> import numpy as np
        >>> t, bad = parse_times(np.array(["2017-02-28T09:24:59.366-0600", "", "2024-02-30"]))
        >>> t[0], bad.tolist()
        (np.datetime64('2017-02-28T15:24:59.366000000'), [False, False, True])
    """
    vals = np.char.strip(np.asarray(values, dtype=np.str_))
    mat, length = codes(vals, 20)
    return parse_iso(mat, length, tz=tz)


def parse_iso(
    mat: Codes, length: Ints, *, tz: dt.tzinfo = dt.UTC
) -> tuple[npt.NDArray[np.datetime64], Bools]:
    """:func:`parse_times` on a code-point matrix (stripped values, zero-padded)."""
    cur = Cursor(mat)
    n = cur.n
    empty = length == 0
    col = cur.col

    def num(cols: Sequence[int]) -> tuple[Ints, Bools]:
        out = np.zeros(n, dtype=np.int64)
        good = np.ones(n, dtype=bool)
        for k in cols:
            x = col(k)
            good &= is_digit(x)
            out = out * 10 + (x - ZERO)
        return out, good

    y, ok = num([0, 1, 2, 3])
    mo, ok_m = num([5, 6])
    d, ok_d = num([8, 9])
    ok &= ok_m & ok_d & (col(4) == ord("-")) & (col(7) == ord("-"))
    date_only = length == 10
    sep = col(10)
    has_time = ((sep == ord("T")) | (sep == ord(" "))) & (length >= 13)
    ok &= date_only | has_time
    hh, ok_h = num([11, 12])
    ok &= ~has_time | ok_h
    hh = np.where(has_time, hh, 0)
    has_min = has_time & (col(13) == ord(":"))
    mi, ok_mi = num([14, 15])
    ok &= ~has_min | ok_mi
    mi = np.where(has_min, mi, 0)
    has_sec = has_min & (col(16) == ord(":"))
    ss, ok_s = num([17, 18])
    ok &= ~has_sec | ok_s
    ss = np.where(has_sec, ss, 0)
    pos = np.where(date_only, 10, np.where(has_sec, 19, np.where(has_min, 16, 13)))

    # Fraction of a second after HH:MM:SS: "." or "," then 1..9 digits.
    at = col(19)
    has_frac = has_sec & ((at == ord(".")) | (at == ord(",")))
    frac_len = np.zeros(n, dtype=np.int64)
    frac_ns = np.zeros(n, dtype=np.int64)
    w = cur.w
    if has_frac.any() and w > 20:
        tail = mat[:, 20:]
        tail_digit = (tail >= ZERO) & (tail <= ZERO + 9)
        stop = np.concatenate([tail_digit, np.zeros((n, 1), dtype=bool)], axis=1)
        run = np.argmin(stop, axis=1)
        frac_len = np.where(has_frac, run, 0)
        for k in range(min(9, w - 20)):
            use = has_frac & (k < frac_len)
            frac_ns += np.where(use, tail[:, k].astype(np.int64) - ZERO, 0) * 10 ** (8 - k)
    ok &= ~has_frac | ((frac_len >= 1) & (frac_len <= 9))
    pos = np.where(has_frac, 20 + frac_len, pos)

    # Offset: nothing, "Z", or sign + HH[[:]MM] (never after a bare date).
    ch = cur.at(pos)
    zulu = (ch == ord("Z")) & ~date_only
    sign = np.where(ch == ord("+"), 1, np.where(ch == ord("-"), -1, 0))
    has_off = (sign != 0) & ~date_only
    sign = np.where(has_off, sign, 0)
    oh = np.zeros(n, dtype=np.int64)
    om = np.zeros(n, dtype=np.int64)
    end = np.where(zulu, pos + 1, pos)
    if has_off.any():
        p1 = pos + 1
        d1, d2 = cur.at(p1) - ZERO, cur.at(p1 + 1) - ZERO
        two = (d1 >= 0) & (d1 <= 9) & (d2 >= 0) & (d2 <= 9)
        ok &= ~has_off | two
        oh = np.where(has_off, d1 * 10 + d2, 0)
        colon = cur.at(p1 + 2) == ord(":")
        mstart = np.where(colon, p1 + 3, p1 + 2)
        m1, m2 = cur.at(mstart) - ZERO, cur.at(mstart + 1) - ZERO
        has_om = (m1 >= 0) & (m1 <= 9) & (m2 >= 0) & (m2 <= 9)
        ok &= ~(has_off & colon) | has_om
        om = np.where(has_off & has_om, m1 * 10 + m2, 0)
        end = np.where(has_off, np.where(has_om, mstart + 2, p1 + 2), end)
        ok &= ~has_off | ((oh <= 23) & (om <= 59))
    ok &= end == length
    offset_s = sign * (oh * 60 + om) * 60
    ns, ok = assemble(ok, y, mo, d, hh, mi, ss, frac_ns, offset_s, ~(zulu | has_off), tz)
    return ns.view("datetime64[ns]"), ~ok & ~empty


# --- low-cardinality columns ------------------------------------------------------


def map_unique(
    values: npt.NDArray[np.str_],
    convert: Callable[[str], Any],
    *,
    dtype: Any,
    fill: Any,
) -> tuple[npt.NDArray[Any], Bools]:
    """Apply ``convert`` to each distinct value; return (converted, bad mask).

    ``convert`` returns the converted value or raises ``ValueError``; a bad
    value (or one that does not fit ``dtype``) gets ``fill``.

    Examples:
        >>> import numpy as np
        >>> out, bad = map_unique(np.array(["1", "x", "1", "9" * 40]), int, dtype=np.int64, fill=0)
        >>> out.tolist(), bad.tolist()
        ([1, 0, 1, 0], [False, True, False, True])
    """
    arr = np.asarray(values, dtype=np.str_)
    if arr.size == 0:
        return np.empty(0, dtype=dtype), np.zeros(0, dtype=bool)
    inverse, uniq = factorise(arr)
    out_u = np.empty(uniq.size, dtype=dtype)
    bad_u = np.zeros(uniq.size, dtype=bool)
    for i, u in enumerate(uniq.tolist()):  # distinct values only
        try:
            out_u[i] = convert(u)
        except (ValueError, TypeError, KeyError, OverflowError):
            out_u[i] = fill
            bad_u[i] = True
    inv = inverse.reshape(-1)
    return out_u[inv], bad_u[inv]


def as_str_array(values: Sequence[str]) -> npt.NDArray[np.str_]:
    """A list of strings as a compact fixed-width numpy string array.

    The width is found first (numpy's own discovery is about three times
    slower).
    """
    if len(values) == 0:
        return np.empty(0, dtype="<U1")
    width = max(1, max(map(len, values)))
    return np.array(values, dtype=f"<U{width}")


def blank_markers(values: npt.NDArray[np.str_], markers: Sequence[str]) -> npt.NDArray[np.str_]:
    """``values`` with every value equal to a marker (after stripping blanks) emptied.

    Examples:
        >>> import numpy as np
        >>> blank_markers(np.array(["Group 5", " ? ", "NULL"]), ["?", "NULL"]).tolist()
        ['Group 5', '', '']
    """
    if not markers or values.size == 0:
        return values
    stripped = np.char.strip(values)
    hit = np.zeros(values.size, dtype=bool)
    for m in markers:  # a handful of markers
        hit |= stripped == m
    return np.where(hit, "", values) if hit.any() else values
