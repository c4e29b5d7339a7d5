"""Vectorised parsing helpers shared by the ticket importers (private).

Everything here works on whole chunks of values at once:

- :func:`parse_times` turns an array of ISO-8601-like strings into
  ``datetime64[ns]`` UTC by looking at their code points as a 2-D ``uint32``
  matrix; no Python code runs per value.
- :func:`map_unique` applies a small Python function to the *distinct* values
  of a column only (priorities, states, flags and counts have few), then
  spreads the answers back with the inverse index.
- :class:`JsonArrayStream` yields the items of one top-level JSON array
  (``{"result": [...]}``) one by one from a buffered text stream, so a large
  export is never held in memory as a whole.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import zoneinfo
from collections.abc import Callable, Iterator, Sequence
from typing import IO, Any

import numpy as np
import numpy.typing as npt

NAT = np.iinfo(np.int64).min  # the int64 view of NaT
_NS_PER_S = 1_000_000_000
_NS_PER_DAY = 86_400 * _NS_PER_S

Bools = npt.NDArray[np.bool_]
Ints = npt.NDArray[np.int64]


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


def _local_to_utc(local_ns: Ints, tz: dt.tzinfo) -> Ints:
    """Shift wall-clock times in ``tz`` to UTC (one offset look-up per distinct hour)."""
    if tz is dt.UTC:
        return local_ns
    hour_ns = 3600 * _NS_PER_S
    hours = local_ns // hour_ns
    uniq, inverse = np.unique(hours, return_inverse=True)
    offsets = np.empty(uniq.size, dtype=np.int64)
    epoch = dt.datetime(1970, 1, 1)
    for i, h in enumerate(uniq.tolist()):  # distinct hours only (8,760 a year)
        wall = (epoch + dt.timedelta(hours=h)).replace(tzinfo=tz)
        off = wall.utcoffset() or dt.timedelta(0)
        offsets[i] = int(off.total_seconds()) * _NS_PER_S
    return local_ns - offsets[inverse.reshape(-1)]


# --- date-times -----------------------------------------------------------------

_ZERO = ord("0")


def _codes(values: npt.NDArray[np.str_], width: int) -> npt.NDArray[np.uint32]:
    """The code points of ``values`` as an (n, width) matrix, zero-padded."""
    arr = np.ascontiguousarray(values, dtype=f"<U{max(width, 1)}")
    return arr.view(np.uint32).reshape(arr.size, max(width, 1))


def _days_from_civil(y: Ints, m: Ints, d: Ints) -> Ints:
    """Days since 1970-01-01 of proleptic Gregorian dates (vectorised)."""
    y = y - (m <= 2)
    era = np.floor_divide(y, 400)
    yoe = y - era * 400
    mp = (m + 9) % 12
    doy = (153 * mp + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    out: Ints = era * 146_097 + doe - 719_468
    return out


def _days_in_month(y: Ints, m: Ints) -> Ints:
    leap = ((y % 4 == 0) & (y % 100 != 0)) | (y % 400 == 0)
    table = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)
    out: Ints = table[np.clip(m, 1, 12) - 1] + ((m == 2) & leap)
    return out


def parse_times(
    values: npt.NDArray[np.str_], *, tz: dt.tzinfo = dt.UTC
) -> tuple[npt.NDArray[np.datetime64], Bools]:
    """Parse date-time strings; return (``datetime64[ns]`` UTC, bad mask).

    Accepted, with surrounding blanks ignored: ``YYYY-MM-DD``,
    ``YYYY-MM-DD[T ]HH:MM[:SS[.fraction]]`` followed by nothing (the time is
    wall-clock time in ``tz``), ``Z``, or an offset ``±HH``, ``±HHMM`` or
    ``±HH:MM``.  An empty string is ``NaT`` and not bad.

    Examples:
        >>> import numpy as np
        >>> t, bad = parse_times(np.array(["2017-02-28T09:24:59.366-0600", "", "2024-02-30"]))
        >>> t[0], bad.tolist()
        (np.datetime64('2017-02-28T15:24:59.366000000'), [False, False, True])
    """
    vals = np.char.strip(np.asarray(values, dtype=np.str_))
    n = vals.size
    width = max(int(vals.dtype.itemsize // 4), 1)
    # Only 20 fixed columns are read directly; later positions go through at_col().
    c = _codes(vals, max(width, 20))
    w = c.shape[1]
    length = np.count_nonzero(c, axis=1)
    empty = length == 0
    rows = np.arange(n)

    def col(k: int) -> Ints:
        return c[:, k].astype(np.int64)

    def at_col(p: Ints) -> Ints:
        out: Ints = c[rows, np.minimum(p, w - 1)].astype(np.int64) * (p < w)
        return out

    def is_digit(x: Ints) -> Bools:
        return (x >= _ZERO) & (x <= _ZERO + 9)

    def num(cols: Sequence[int]) -> tuple[Ints, Bools]:
        out = np.zeros(n, dtype=np.int64)
        good = np.ones(n, dtype=bool)
        for k in cols:
            x = col(k)
            good &= is_digit(x)
            out = out * 10 + (x - _ZERO)
        return out, good

    y, ok = num([0, 1, 2, 3])
    mo, ok_m = num([5, 6])
    d, ok_d = num([8, 9])
    ok &= ok_m & ok_d & (col(4) == ord("-")) & (col(7) == ord("-"))
    date_only = length == 10
    sep = col(10)
    has_time = ((sep == ord("T")) | (sep == ord(" "))) & (length >= 16)
    ok &= date_only | has_time
    hh, ok_h = num([11, 12])
    mi, ok_mi = num([14, 15])
    ok &= ~has_time | (ok_h & ok_mi & (col(13) == ord(":")))
    hh = np.where(has_time, hh, 0)
    mi = np.where(has_time, mi, 0)
    has_sec = has_time & (col(16) == ord(":"))
    ss, ok_s = num([17, 18])
    ok &= ~has_sec | ok_s
    ss = np.where(has_sec, ss, 0)
    pos = np.where(date_only, 10, np.where(has_sec, 19, 16))

    # Fraction of a second after HH:MM:SS: "." or "," then 1..9 digits.
    at = col(19)
    has_frac = has_sec & ((at == ord(".")) | (at == ord(",")))
    frac_len = np.zeros(n, dtype=np.int64)
    frac_ns = np.zeros(n, dtype=np.int64)
    if has_frac.any() and w > 20:
        tail = c[:, 20:]
        tail_digit = (tail >= _ZERO) & (tail <= _ZERO + 9)
        stop = np.concatenate([tail_digit, np.zeros((n, 1), dtype=bool)], axis=1)
        run = np.argmin(stop, axis=1)
        frac_len = np.where(has_frac, run, 0)
        for k in range(min(9, w - 20)):
            use = has_frac & (k < frac_len)
            frac_ns += np.where(use, tail[:, k].astype(np.int64) - _ZERO, 0) * 10 ** (8 - k)
    ok &= ~has_frac | ((frac_len >= 1) & (frac_len <= 9))
    pos = np.where(has_frac, 20 + frac_len, pos)

    # Offset: nothing, "Z", or sign + HH[[:]MM].
    ch = at_col(pos)
    zulu = ch == ord("Z")
    sign = np.where(ch == ord("+"), 1, np.where(ch == ord("-"), -1, 0))
    has_off = (sign != 0) & ~date_only
    oh = np.zeros(n, dtype=np.int64)
    om = np.zeros(n, dtype=np.int64)
    end = np.where(zulu, pos + 1, pos)
    if has_off.any():
        p1 = pos + 1
        d1, d2 = at_col(p1) - _ZERO, at_col(p1 + 1) - _ZERO
        two = (d1 >= 0) & (d1 <= 9) & (d2 >= 0) & (d2 <= 9)
        ok &= ~has_off | two
        oh = np.where(has_off, d1 * 10 + d2, 0)
        colon = at_col(p1 + 2) == ord(":")
        mstart = np.where(colon, p1 + 3, p1 + 2)
        m1, m2 = at_col(mstart) - _ZERO, at_col(mstart + 1) - _ZERO
        has_min = (m1 >= 0) & (m1 <= 9) & (m2 >= 0) & (m2 <= 9)
        ok &= ~(has_off & colon) | has_min
        om = np.where(has_off & has_min, m1 * 10 + m2, 0)
        end = np.where(has_off, np.where(has_min, mstart + 2, p1 + 2), end)
        ok &= ~has_off | ((oh <= 23) & (om <= 59))
    ok &= end == length

    ok &= (mo >= 1) & (mo <= 12) & (d >= 1) & (d <= _days_in_month(y, mo))
    ok &= (hh <= 23) & (mi <= 59) & (ss <= 59) & (y >= 1678) & (y <= 2261)

    ns = _days_from_civil(y, mo, d) * _NS_PER_DAY + ((hh * 60 + mi) * 60 + ss) * _NS_PER_S
    ns += frac_ns
    naive = ~(zulu | has_off)
    if tz is not dt.UTC and naive.any():
        ns = np.where(naive, _local_to_utc(ns, tz), ns)
    ns -= sign * (oh * 60 + om) * 60 * _NS_PER_S

    bad = ~ok & ~empty
    ns = np.where(ok, ns, NAT)
    return ns.astype(np.int64).view("datetime64[ns]"), bad


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
    value gets ``fill``.

    Examples:
        >>> import numpy as np
        >>> out, bad = map_unique(np.array(["1", "x", "1"]), int, dtype=np.int64, fill=0)
        >>> out.tolist(), bad.tolist()
        ([1, 0, 1], [False, True, False])
    """
    arr = np.asarray(values, dtype=np.str_)
    if arr.size == 0:
        return np.empty(0, dtype=dtype), np.zeros(0, dtype=bool)
    uniq, inverse = np.unique(arr, return_inverse=True)
    out_u = np.empty(uniq.size, dtype=dtype)
    bad_u = np.zeros(uniq.size, dtype=bool)
    for i, u in enumerate(uniq.tolist()):  # distinct values only
        try:
            out_u[i] = convert(u)
        except (ValueError, TypeError, KeyError):
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


# --- streaming JSON ------------------------------------------------------------------

_WS = re.compile(r"[ \t\n\r]*")


class JsonStreamError(Exception):
    """Structural problem in a JSON stream (the importer words the error)."""

    def __init__(self, reason: str, *, line: int | None, record: int | None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line
        self.record = record


class JsonArrayStream:
    """Yield the items of one array in a JSON document without loading it all.

    The document is either an array or an object; for an object, the value
    under the first of ``keys`` present must be the array (other members are
    parsed and ignored).  Items are decoded one at a time with
    :meth:`json.JSONDecoder.raw_decode` from a buffer that holds about
    ``chunk_chars`` characters plus the item being decoded; an item longer
    than ``max_item_chars`` is refused.

    Examples:
        >>> import io
        >>> doc = io.StringIO('{"n": 2, "result": [{"a": 1}, {"a": 2}]}')
        >>> s = JsonArrayStream(doc, ("result",))
        >>> [item["a"] for item in s]
        [1, 2]
    """

    def __init__(
        self,
        fh: IO[str],
        keys: Sequence[str],
        *,
        chunk_chars: int = 1 << 20,
        max_item_chars: int = 8 << 20,
    ) -> None:
        self._fh = fh
        self._keys = tuple(keys)
        self._chunk = chunk_chars
        self._max = max_item_chars
        self._dec = json.JSONDecoder()
        self._buf = ""
        self._pos = 0
        self._eof = False
        self._lines_before = 0  # newlines in text already dropped from the buffer
        self.index = -1  # index of the item being read
        self.key: str | None = None

    # buffer management
    def _fill(self) -> bool:
        if self._eof:
            return False
        if self._pos:
            self._lines_before += self._buf.count("\n", 0, self._pos)
            self._buf = self._buf[self._pos :]
            self._pos = 0
        more = self._fh.read(self._chunk)
        if not more:
            self._eof = True
            return False
        self._buf += more
        return True

    def _line(self, pos: int) -> int:
        return self._lines_before + self._buf.count("\n", 0, pos) + 1

    def _error(self, reason: str, pos: int | None = None) -> JsonStreamError:
        p = self._pos if pos is None else pos
        record = self.index if self.index >= 0 else None
        return JsonStreamError(reason, line=self._line(p), record=record)

    def _peek(self) -> str:
        """Skip whitespace; return the next character ('' at the end)."""
        while True:
            m = _WS.match(self._buf, self._pos)
            assert m is not None
            self._pos = m.end()
            if self._pos < len(self._buf):
                return self._buf[self._pos]
            if not self._fill():
                return ""

    def _expect(self, chars: str, what: str) -> str:
        ch = self._peek()
        if ch == "" or ch not in chars:
            got = "the end of the file" if ch == "" else repr(ch)
            raise self._error(f"invalid JSON: expected {what}, got {got}")
        self._pos += 1
        return ch

    def _value(self) -> Any:
        """Decode the value at the current position, reading more as needed."""
        self._peek()
        while True:
            try:
                obj, end = self._dec.raw_decode(self._buf, self._pos)
            except json.JSONDecodeError as e:
                near_end = e.pos >= len(self._buf) - 32 or e.msg.startswith("Unterminated")
                if near_end and not self._eof:
                    if len(self._buf) - self._pos > self._max:
                        raise self._error(
                            f"a JSON item longer than {self._max} characters "
                            "(raise max_record_chars to accept it)"
                        ) from None
                    self._fill()
                    continue
                at_end = e.pos >= len(self._buf.rstrip()) or e.msg.startswith("Unterminated")
                if self._eof and at_end:
                    raise self._error(
                        "the file ends inside a JSON value (truncated?)", e.pos
                    ) from None
                raise self._error(f"invalid JSON: {e.msg}", e.pos) from None
            if end > len(self._buf) - 32 and not self._eof:
                self._fill()  # a number near the end may continue in the next chunk
                continue
            if end - self._pos > self._max:
                raise self._error(
                    f"a JSON item longer than {self._max} characters "
                    "(raise max_record_chars to accept it)"
                )
            self._pos = end
            return obj

    def __iter__(self) -> Iterator[Any]:
        first = self._expect("{[", "an object or an array")
        if first == "{":
            found = False
            while True:
                ch = self._peek()
                if ch == "}":
                    self._pos += 1
                    break
                key = self._value()
                if not isinstance(key, str):
                    raise self._error("invalid JSON: expected a member name")
                self._expect(":", "':'")
                if key in self._keys and not found:
                    found = True
                    self.key = key
                    yield from self._array()
                else:
                    self._value()
                if self._expect(",}", "',' or '}'") == "}":
                    break
            if not found:
                names = " or ".join(repr(k) for k in self._keys)
                raise self._error(f"the document has no {names} member")
        else:
            yield from self._array(opened=True)
        if self._peek() != "":
            raise self._error("unexpected text after the JSON document")

    def _array(self, *, opened: bool = False) -> Iterator[Any]:
        if not opened:
            self._expect("[", "an array")
        if self._peek() == "]":
            self._pos += 1
            return
        while True:
            self.index += 1
            yield self._value()
            if self._expect(",]", "',' or ']'") == "]":
                return
