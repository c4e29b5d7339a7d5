"""strptime-style date formats, parsed vectorised (private).

:func:`compile_format` checks a format such as ``"%d-%m-%Y %H:%M"`` once;
:func:`parse_format` then reads a whole column of strings by walking the
format's directives over a matrix of code points, with one position per row
(a loop over the directives, never over the values).  The rules follow
:func:`datetime.datetime.strptime` (C locale):

- ``%d``, ``%m``, ``%H``, ``%I``, ``%M``, ``%S`` take two digits when they
  make a valid value and one digit otherwise (``1/3/2016`` reads with
  ``%d/%m/%Y``); ``%Y`` four digits, ``%y`` two (69-99 are 1969-1999, 00-68
  are 2000-2068); ``%f`` one to nine digits (strptime allows six);
- ``%p`` is AM or PM (12 AM is 0 h, 12 PM is noon; ``%I`` without ``%p`` is
  AM); ``%b``/``%B`` English month names, ``%a``/``%A`` English weekday names
  (read and ignored); ``%z`` ``Z``, ``±HHMM`` or ``±HH:MM``; ``%%`` a percent
  sign;
- whitespace in the format matches one or more blanks; letters match in any
  case; the whole value must be used up.

A format needs a year, a month and a day; any other directive is refused.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import attrs
import numpy as np
import numpy.typing as npt

from itil_ci.io import _parse
from itil_ci.io._parse import ZERO, Cursor, is_digit

Bools = npt.NDArray[np.bool_]
Ints = npt.NDArray[np.int64]

SUPPORTED = "%Y %y %m %d %H %I %M %S %f %p %b %B %a %A %z %%"

_MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

# Two-digit and one-digit values each directive accepts (CPython's _strptime regexes).
_TWO: dict[str, Callable[[Ints], Bools]] = {
    "d": lambda v: (v >= 1) & (v <= 31),
    "m": lambda v: (v >= 1) & (v <= 12),
    "H": lambda v: v <= 23,
    "I": lambda v: (v >= 1) & (v <= 12),
    "M": lambda v: v <= 59,
    "S": lambda v: v <= 61,
}
_ONE: dict[str, Callable[[Ints], Bools]] = {
    "d": lambda v: v >= 1,
    "m": lambda v: v >= 1,
    "H": lambda v: v >= 0,
    "I": lambda v: v >= 1,
    "M": lambda v: v >= 0,
    "S": lambda v: v >= 0,
}


@attrs.frozen
class DateFormat:
    """A checked format: its text and its tokens (``("%", "d")``, ``("lit", "-")``...)."""

    text: str
    tokens: tuple[tuple[str, str], ...]


def compile_format(fmt: str) -> DateFormat:
    """Check ``fmt``; raise ``ValueError`` with the reason (the caller words the error).

    Examples:
        >>> compile_format("%d-%m-%Y %H:%M").tokens[:3]
        (('%', 'd'), ('lit', '-'), ('%', 'm'))
        >>> compile_format("%j/%Y")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: unsupported directive %j (supported: %Y %y %m %d %H %I %M %S %f %p ...)
    """
    if not isinstance(fmt, str) or not fmt.strip():
        raise ValueError("a non-empty strptime-style format")
    tokens: list[tuple[str, str]] = []
    seen: set[str] = set()
    i = 0
    while i < len(fmt):
        ch = fmt[i]
        if ch == "%":
            if i + 1 >= len(fmt):
                raise ValueError("a format that does not end with a lone '%'")
            d = fmt[i + 1]
            i += 2
            if d == "%":
                tokens.append(("lit", "%"))
                continue
            if d not in "YymdHIMSfpbBaAz":
                raise ValueError(f"unsupported directive %{d} (supported: {SUPPORTED})")
            if d in seen:
                raise ValueError(f"a format with %{d} once")
            seen.add(d)
            tokens.append(("%", d))
        elif ch.isspace():
            while i < len(fmt) and fmt[i].isspace():
                i += 1
            tokens.append(("space", " "))
        else:
            tokens.append(("lit", ch))
            i += 1
    if not seen & {"Y", "y"} or not seen & {"m", "b", "B"} or "d" not in seen:
        raise ValueError("a format with a year (%Y or %y), a month (%m, %b or %B) and a day (%d)")
    if len(seen & {"Y", "y"}) > 1 or len(seen & {"m", "b", "B"}) > 1 or {"H", "I"} <= seen:
        raise ValueError("a format that gives each part of the date once")
    return DateFormat(fmt, tuple(tokens))


def _lower(x: Ints) -> Ints:
    out: Ints = np.where((x >= 65) & (x <= 90), x + 32, x)
    return out


def _names(cur: Cursor, pos: Ints, names: tuple[str, ...], length: int | None) -> tuple[Ints, Ints]:
    """Index (1-based, 0 = none) of the name at ``pos``, and its length."""
    found = np.zeros(cur.n, dtype=np.int64)
    used = np.zeros(cur.n, dtype=np.int64)
    for k, full in enumerate(names):  # twelve months or seven days
        name = full[:length] if length else full
        hit = found == 0
        for j, ch in enumerate(name):
            hit &= _lower(cur.at(pos + j)) == ord(ch)
        found = np.where(hit, k + 1, found)
        used = np.where(hit, len(name), used)
    return found, used


def parse_format(
    values: npt.NDArray[np.str_], fmt: DateFormat, *, tz: dt.tzinfo = dt.UTC
) -> tuple[npt.NDArray[np.datetime64], Bools]:
    """Parse strings with ``fmt``; return (``datetime64[ns]`` UTC, bad mask).

    Surrounding blanks are ignored; an empty string is ``NaT`` and not bad.
    Times without ``%z`` are wall-clock times in ``tz``.

    Examples:
        >>> import numpy as np
        >>> f = compile_format("%d/%m/%Y %I:%M %p")
        >>> t, bad = parse_format(np.array(["29/2/2016 1:16 PM", "", "31/4/2016 1:00 AM"]), f)
        >>> str(t[0]), bad.tolist()
        ('2016-02-29T13:16:00.000000000', [False, False, True])
    """
    vals = np.char.strip(np.asarray(values, dtype=np.str_))
    mat, length = _parse.codes(vals, 1)
    return parse_format_codes(mat, length, fmt, tz=tz)


def parse_format_codes(
    mat: _parse.Codes, length: Ints, fmt: DateFormat, *, tz: dt.tzinfo = dt.UTC
) -> tuple[npt.NDArray[np.datetime64], Bools]:
    """:func:`parse_format` on a code-point matrix (stripped values, zero-padded)."""
    cur = Cursor(mat)
    n = cur.n
    empty = length == 0
    ok = ~empty
    pos = np.zeros(n, dtype=np.int64)
    zeros = np.zeros(n, dtype=np.int64)
    part: dict[str, Ints] = {}
    pm = np.zeros(n, dtype=bool)
    offset_s = zeros.copy()
    aware = np.zeros(n, dtype=bool)
    for kind, tok in fmt.tokens:  # a loop over the format, not the values
        if kind == "lit":
            ok &= _lower(cur.at(pos)) == _lower(np.array([ord(tok)], dtype=np.int64))[0]
            pos = pos + 1
        elif kind == "space":
            blank = np.isin(cur.at(pos), (9, 10, 11, 12, 13, 32))
            ok &= blank
            while blank.any():  # one step per blank in the longest run
                pos = pos + blank
                blank = np.isin(cur.at(pos), (9, 10, 11, 12, 13, 32))
        elif tok in ("Y", "y"):
            width = 4 if tok == "Y" else 2
            value = zeros.copy()
            for k in range(width):
                x = cur.at(pos + k)
                ok &= is_digit(x)
                value = value * 10 + (x - ZERO)
            if tok == "y":
                value = np.where(value >= 69, 1900 + value, 2000 + value)
            part["y"] = value
            pos = pos + width
        elif tok in _TWO:
            d1, d2 = cur.at(pos) - ZERO, cur.at(pos + 1) - ZERO
            dig1 = (d1 >= 0) & (d1 <= 9)
            two = dig1 & (d2 >= 0) & (d2 <= 9)
            two &= _TWO[tok](np.where(two, d1 * 10 + d2, -1))
            one = ~two & dig1 & _ONE[tok](np.where(dig1, d1, -1))
            ok &= two | one
            part[tok] = np.where(two, d1 * 10 + d2, d1)
            pos = pos + np.where(two, 2, 1)
        elif tok == "f":
            run = zeros.copy()
            frac = zeros.copy()
            going = np.ones(n, dtype=bool)
            for k in range(9):
                x = cur.at(pos + k)
                going &= is_digit(x)
                frac += np.where(going, x - ZERO, 0) * 10 ** (8 - k)
                run += going
            ok &= (run >= 1) & ~((run == 9) & is_digit(cur.at(pos + 9)))
            part["f"] = frac
            pos = pos + run
        elif tok == "p":
            a = _lower(cur.at(pos))
            ok &= ((a == ord("a")) | (a == ord("p"))) & (_lower(cur.at(pos + 1)) == ord("m"))
            pm = a == ord("p")
            pos = pos + 2
        elif tok in ("b", "B"):
            month, used = _names(cur, pos, _MONTHS, 3 if tok == "b" else None)
            ok &= month > 0
            part["m"] = month
            pos = pos + used
        elif tok in ("a", "A"):
            day, used = _names(cur, pos, _DAYS, 3 if tok == "a" else None)
            ok &= day > 0
            pos = pos + used
        elif tok == "z":
            ch = cur.at(pos)
            zulu = ch == ord("Z")
            sign = np.where(ch == ord("+"), 1, np.where(ch == ord("-"), -1, 0))
            h1, h2 = cur.at(pos + 1) - ZERO, cur.at(pos + 2) - ZERO
            colon = cur.at(pos + 3) == ord(":")
            mstart = pos + 3 + colon
            m1, m2 = cur.at(mstart) - ZERO, cur.at(mstart + 1) - ZERO
            digits = (h1 >= 0) & (h1 <= 9) & (h2 >= 0) & (h2 <= 9) & (m1 >= 0) & (m1 <= 5)
            digits &= (m2 >= 0) & (m2 <= 9)
            hours = h1 * 10 + h2
            ok &= zulu | ((sign != 0) & digits & (hours <= 23))
            offset_s = np.where(zulu, 0, sign * (hours * 60 + m1 * 10 + m2) * 60)
            aware = np.ones(n, dtype=bool)
            pos = np.where(zulu, pos + 1, mstart + 2)
    ok &= pos == length
    hour = part.get("H", zeros)
    if "I" in part:
        hour = np.where(pm, part["I"] % 12 + 12, part["I"] % 12)
    ns, ok = _parse.assemble(
        ok,
        part["y"],
        part["m"],
        part["d"],
        hour,
        part.get("M", zeros),
        part.get("S", zeros),
        part.get("f", zeros),
        np.where(ok, offset_s, 0),
        ~aware,
        tz,
    )
    return ns.view("datetime64[ns]"), ~ok & ~empty
