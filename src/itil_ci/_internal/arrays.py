"""Array coercion shared by the domain and the cores (private).

Fast paths are vectorised: numpy ``datetime64`` arrays and pandas objects are
converted without touching elements one by one.  Python lists of ``datetime``
or strings are parsed element by element (there is no vectorised parser for
objects carrying their own time zones); pass ``datetime64`` for speed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast, overload

import numpy as np
import numpy.typing as npt

from itil_ci._internal import validate as v
from itil_ci._internal.columns import native
from itil_ci._internal.validate import fail
from itil_ci.errors import InvalidInputError

NS = "datetime64[ns]"


def _is_pandas(obj: object) -> bool:
    return type(obj).__module__.split(".")[0] == "pandas"


def to_ns(name: str, arr: npt.NDArray[Any]) -> npt.NDArray[np.datetime64]:
    """A ``datetime64`` array of any unit as ``datetime64[ns]``; never wraps round.

    numpy converts a coarser unit to nanoseconds by an int64 multiplication
    that overflows silently (3000-01-01 in seconds becomes 1830-11-23), so
    every value is first compared, as an integer in its own unit, with the
    int64-nanosecond range; one outside it is refused with
    :class:`~itil_ci.errors.InvalidInputError` naming ``name[i]`` and the
    accepted range.  ``NaT`` stays ``NaT`` (the callers decide whether it is
    allowed).  Finer units (ps, fs, as) cannot overflow and are truncated to
    nanoseconds as numpy does.
    """
    if arr.dtype == np.dtype(NS):
        return arr
    unit, count = np.datetime_data(arr.dtype)
    if unit not in _FINER_THAN_NS and unit != "generic":
        if unit in _CALENDAR_BOUNDS:
            lo, hi = _CALENDAR_BOUNDS[unit]
        else:
            f = _NS_PER_TICK[unit]
            lo, hi = -(-_NS_MIN // f), _NS_MAX // f
        lo, hi = -(-lo // count), hi // count  # bounds on the array's own ticks
        ticks = arr.view(np.int64)
        bad = ((ticks < lo) | (ticks > hi)) & ~np.isnat(arr)
        if bad.any():
            i = int(np.flatnonzero(bad.ravel())[0])
            raise fail(_at(name, i, arr), v.TIME_RANGE, str(arr.ravel()[i]))
    return arr.astype(NS)


_NS_MIN = -(2**63) + 1  # int64's minimum is NaT
_NS_MAX = 2**63 - 1
_FINER_THAN_NS = ("ps", "fs", "as")
_NS_PER_TICK = {
    "W": 604_800 * 10**9,
    "D": 86_400 * 10**9,
    "h": 3_600 * 10**9,
    "m": 60 * 10**9,
    "s": 10**9,
    "ms": 10**6,
    "us": 10**3,
}
# Years and months since 1970 whose first instant is inside the range: 1678..2262, 1677-10..2262-04.
_CALENDAR_BOUNDS = {"Y": (1678 - 1970, 2262 - 1970), "M": (-3507, 3507)}


def _at(name: str, i: int, arr: npt.NDArray[Any]) -> str:
    """``name`` with the position of flat index ``i`` of ``arr`` (``name[3]``, ``name[1, 2]``)."""
    if arr.ndim == 0:
        return name
    if arr.ndim == 1:
        return f"{name}[{i}]"
    return f"{name}[{', '.join(str(int(k)) for k in np.unravel_index(i, arr.shape))}]"


def time_ns(name: str, value: object) -> np.datetime64:
    """One time as a ``datetime64[ns]`` UTC scalar; never ``NaT``, never wrapped round.

    Accepted: an aware ``datetime``, an ISO-8601 string with an offset, or a
    ``datetime64`` scalar (taken as UTC).  Anything outside the
    int64-nanosecond range raises :class:`~itil_ci.errors.InvalidInputError`.
    """
    if isinstance(value, np.datetime64):
        if np.isnat(value):
            raise fail(name, "a time (not NaT)", "NaT")
        return cast("np.datetime64", to_ns(name, np.asarray(value))[()])
    utc = v.aware(name, value)
    return np.datetime64(utc.replace(tzinfo=None), "ns")


_SPAN = "two times less than 292 years apart (durations are int64 nanoseconds)"


def span_ns(name: str, start: Any, end: Any, *, where: Any = None) -> npt.NDArray[np.int64]:
    """``end - start`` of int64 nanosecond times, refusing a difference beyond int64.

    Two times of the nanosecond range can lie up to 584 years apart, but an
    int64 duration in nanoseconds holds only 292 years; numpy's subtraction
    would wrap round silently.  A wrapped difference is an
    :class:`~itil_ci.errors.InvalidInputError` naming ``name[i]`` (``name``
    describes the pair, e.g. ``"end - start"``).  ``start`` and ``end`` are
    int64 arrays or Python ints (broadcast against each other).  Only rows
    where the boolean mask ``where`` is true are checked (their differences
    are exact); use it to leave out rows with ``NaT`` or rows not needed.
    """
    try:
        s, e = np.broadcast_arrays(np.asarray(start, np.int64), np.asarray(end, np.int64))
    except OverflowError:  # a Python int beyond int64
        raise fail(name, _SPAN, (start, end)) from None
    s1, e1 = np.atleast_1d(s), np.atleast_1d(e)
    d = e1 - s1
    wrapped = ((e1 ^ s1) & (e1 ^ d)) < 0  # the operands differ in sign and so does d
    if where is not None:
        wrapped &= np.atleast_1d(np.asarray(where, dtype=bool))
    if wrapped.any():
        i = int(np.flatnonzero(wrapped)[0])
        raise fail(
            f"{name}[{i}]" if s.ndim else name,
            _SPAN,
            f"{np.datetime64(int(s1[i]), 'ns')} and {np.datetime64(int(e1[i]), 'ns')}",
        )
    out: npt.NDArray[np.int64] = d.reshape(s.shape)
    return out


def parse_times(name: str, text: Any) -> npt.NDArray[np.datetime64]:
    """ISO-8601 strings without a zone (read as UTC) as ``datetime64[ns]``; never wrapped.

    numpy parses a string straight to nanoseconds by an int64 multiplication
    that wraps silently (``"3000-01-01"`` becomes 1830-11-23), so each string
    is parsed twice, at nanosecond and at microsecond resolution (which holds
    every 4-digit year), and a time whose two readings disagree lies outside
    the nanosecond range.  A string that is not a date-time, or a time
    outside the range, raises :class:`~itil_ci.errors.InvalidInputError`
    naming ``name[i]``; empty strings and ``"NaT"`` are ``NaT``.
    """
    arr = np.asarray(text)
    if arr.dtype.kind not in "US":
        raise fail(name, "ISO-8601 date-time strings", f"values of dtype {arr.dtype}")
    fine, bad, expected = parse_times_at(arr)
    if bad is not None:
        raise fail(_at(name, bad, arr), expected, str(arr.ravel()[bad]))
    return fine


def parse_times_at(
    arr: npt.NDArray[Any],
) -> tuple[npt.NDArray[np.datetime64], int | None, str]:
    """:func:`parse_times` for callers that word their own error (e.g. with a line number).

    Returns ``(times, index of the first bad string or None, what is expected there)``.
    """
    try:
        fine = arr.astype(NS)
        coarse = arr.astype("datetime64[us]")
    except ValueError:
        for i, item in enumerate(arr.ravel().tolist()):  # only to find the bad one
            try:
                np.datetime64(item, "us")
            except ValueError:
                return np.empty(0, dtype=NS), i, "an ISO-8601 date-time"
        raise  # pragma: no cover - every item parsed one by one
    nat = np.isnat(coarse)
    wrapped = ~nat & (np.floor_divide(fine.view(np.int64), 1000) != coarse.view(np.int64))
    wrapped |= ~nat & np.isnat(fine)
    if wrapped.any():
        return fine, int(np.flatnonzero(wrapped.ravel())[0]), v.TIME_RANGE
    return fine, None, ""


_UNIT_SECONDS = {
    "W": 604800,
    "D": 86400,
    "h": 3600,
    "m": 60,
    "s": 1,
}
_SUBSECOND = {"ms": 10**3, "us": 10**6, "ns": 10**9, "ps": 10**12, "fs": 10**15, "as": 10**18}


def timedelta_seconds(name: str, value: np.timedelta64) -> float:
    """A ``numpy.timedelta64`` in seconds, computed exactly (never wrapped round).

    numpy's own unit conversions multiply in int64 and wrap silently (10**15
    days "in seconds" is negative); this converts with Python integers.
    ``NaT`` and the calendar units (months, years), which have no fixed
    length, raise :class:`~itil_ci.errors.InvalidInputError`.
    """
    if np.isnat(value):
        raise fail(name, "a duration (not NaT)", "NaT")
    unit, count = np.datetime_data(value.dtype)
    ticks = int(value.astype(np.int64)) * count
    if unit in _UNIT_SECONDS:
        return float(ticks * _UNIT_SECONDS[unit])
    if unit in _SUBSECOND:
        return ticks / _SUBSECOND[unit]
    raise fail(name, "a duration in weeks or finer units (months and years vary in length)", value)


def as_times(name: str, value: Any, *, allow_missing: bool = False) -> npt.NDArray[np.datetime64]:
    """Coerce ``value`` to a 1-D ``datetime64[ns]`` array in UTC.

    Accepted: numpy ``datetime64`` arrays (taken as UTC, numpy has no zones),
    timezone-aware pandas Series/DatetimeIndex, and sequences of aware
    ``datetime`` objects, ``datetime64`` scalars or ISO-8601 strings with an
    offset.  Naive Python or pandas times, ``NaT`` and anything else raise
    :class:`~itil_ci.errors.InvalidInputError`, and so does a time outside the
    int64-nanosecond range (1677-09-21 to 2262-04-11), which numpy would
    otherwise wrap round to another time.  With ``allow_missing=True``,
    ``NaT`` (and ``None`` in a sequence) is kept as ``NaT`` instead.  polars
    and Arrow columns are accepted like pandas ones; an unknown ticket column
    (:class:`~itil_ci._internal.columns.UnknownColumn`) is refused.
    """
    value = native(name, value)
    if _is_pandas(value):
        tz = getattr(getattr(value, "dt", value), "tz", None)
        if tz is None:
            raise fail(name, "timezone-aware pandas times (use .dt.tz_localize('UTC'))", value)
        conv = value.dt.tz_convert("UTC") if hasattr(value, "dt") else value.tz_convert("UTC")
        arr = to_ns(
            name,
            np.asarray(
                conv.tz_localize(None) if not hasattr(value, "dt") else conv.dt.tz_localize(None)
            ),
        )
    elif isinstance(value, np.ndarray) and value.dtype.kind == "M":
        arr = to_ns(name, value)
    else:
        if isinstance(value, str | bytes) or not hasattr(value, "__len__"):
            raise fail(name, "a sequence of timezone-aware times", value)
        items = list(value)
        arr = np.empty(len(items), dtype=NS)
        for i, item in enumerate(items):
            if allow_missing and _is_missing_time(item):
                arr[i] = np.datetime64("NaT")
            else:
                arr[i] = _one_time(f"{name}[{i}]", item)
    if arr.ndim != 1:
        raise fail(name, "a one-dimensional array of times", f"array of shape {arr.shape}")
    if not allow_missing and arr.size and np.isnat(arr).any():
        bad = int(np.flatnonzero(np.isnat(arr))[0])
        raise fail(f"{name}[{bad}]", "a time (not NaT)", "NaT")
    return arr


def _is_missing_time(item: Any) -> bool:
    if item is None:
        return True
    if isinstance(item, np.datetime64):
        return bool(np.isnat(item))
    return type(item).__name__ == "NaTType"


def _one_time(name: str, item: Any) -> np.datetime64:
    if isinstance(item, np.datetime64):
        return time_ns(name, item)
    if isinstance(item, str):
        try:
            item = dt.datetime.fromisoformat(item)
        except ValueError:
            raise fail(name, "an ISO-8601 date-time with a UTC offset", item) from None
    if isinstance(item, dt.datetime):
        if item.tzinfo is None or item.utcoffset() is None:
            raise fail(name, "a timezone-aware datetime (naive times are ambiguous)", item)
        naive = v.in_time_range(name, item).replace(tzinfo=None)
        return np.datetime64(naive, "ns")
    raise fail(name, "a timezone-aware datetime", item)


#: The Python and numpy scalar types accepted as real numbers (bool is not one).
_REAL_TYPES = (int, float, np.integer, np.floating)
_FLOAT_MAX = float(np.finfo(np.float64).max)


def _kind_error(name: str, kind: str, dtype: object, allow_bool: bool) -> Exception:
    what = {
        "b": "booleans",
        "c": "complex numbers",
        "M": "times",
        "m": "durations",
        "U": "strings",
        "S": "bytes",
        "O": "objects",
    }.get(kind, f"values of dtype {dtype}")
    accepted = "an array of numbers (int or float)" + (" or booleans" if allow_bool else "")
    return fail(name, accepted, f"{what} (dtype {dtype})")


def _has_bool(seq: Any) -> bool:
    """Whether a (nested) list/tuple holds a Python or numpy bool, or a boolean array."""
    kinds = set(map(type, seq))
    if bool in kinds or np.bool_ in kinds:
        return True
    for item in seq:
        if isinstance(item, list | tuple) and _has_bool(item):
            return True
        if isinstance(item, np.ndarray) and item.dtype.kind == "b":
            return True
        if not isinstance(item, list | tuple | np.ndarray):
            break  # a flat level: the set of types said it all
    return False


def _from_objects(name: str, arr: npt.NDArray[Any], allow_bool: bool) -> npt.NDArray[np.float64]:
    """An object array of real numbers (None meaning missing) as float64; nothing else passes."""
    flat = arr.ravel()
    ok_types = _REAL_TYPES + ((bool, np.bool_) if allow_bool else ())
    for i, item in enumerate(flat):  # only object arrays come here: the slow path
        if item is None:
            continue
        if not isinstance(item, ok_types) or (not allow_bool and isinstance(item, bool)):
            accepted = "a real number (int or float" + (" or a boolean)" if allow_bool else ")")
            raise fail(_at(name, i, arr), accepted, item)
        if isinstance(item, int) and not isinstance(item, bool) and abs(item) > _FLOAT_MAX:
            raise fail(_at(name, i, arr), "a number within the float64 range (±1.8e308)", item)
    out = np.array([np.nan if x is None else x for x in flat], dtype=np.float64)
    return out.reshape(arr.shape)


def as_numbers(
    name: str, value: Any, *, allow_missing: bool = False, allow_bool: bool = False
) -> npt.NDArray[np.float64]:
    """Coerce ``value`` to a ``float64`` array of real numbers, of any shape: the one number check.

    Accepted: numpy arrays of integers or floats, pandas numeric columns and
    frames, and (nested) lists or tuples of Python or numpy real numbers;
    ``None`` (in a list or an object array) and NaN mean a missing value,
    allowed only with ``allow_missing``.  Refused with
    :class:`~itil_ci.errors.InvalidInputError` naming ``name``: strings (even
    ``"1.5"``), bytes, times, durations, complex numbers (never silently made
    real), booleans (unless ``allow_bool``: then they count as 0 and 1),
    objects that are not real numbers, integers beyond the float64 range, and
    infinities.  polars and Arrow columns are accepted (nulls are
    missing values); an unknown ticket column is refused.
    """
    value = native(name, value)
    if _is_pandas(value):
        dtype = getattr(value, "dtype", None)
        dtypes = list(value.dtypes) if dtype is None and hasattr(value, "dtypes") else [dtype]
        for d in dtypes:
            kind = getattr(d, "kind", "O")
            if kind not in "iufO" and not (allow_bool and kind == "b"):
                raise _kind_error(name, kind, d, allow_bool)
        if all(getattr(d, "kind", "O") in "iufb" for d in dtypes):
            value = value.to_numpy(dtype="float64", na_value=np.nan)
        else:
            value = value.to_numpy(dtype=object, na_value=None)
    is_array = isinstance(value, np.ndarray)
    try:
        arr = value if is_array else np.asarray(value)
    except (TypeError, ValueError, OverflowError):
        raise fail(name, "an array of numbers", value) from None
    kind = arr.dtype.kind
    if kind == "O":
        arr = _from_objects(name, arr, allow_bool)
    elif kind == "b":
        if not allow_bool:
            raise _kind_error(name, kind, arr.dtype, allow_bool)
    elif kind not in "iuf":
        raise _kind_error(name, kind, arr.dtype, allow_bool)
    elif not allow_bool and isinstance(value, list | tuple) and _has_bool(value):
        raise fail(name, "an array of numbers (int or float), not booleans", value)
    if kind == "f" and arr.dtype.itemsize > 8:
        with np.errstate(over="ignore", invalid="ignore"):
            big = np.abs(arr) > _FLOAT_MAX
        if big.any():
            i = int(np.flatnonzero(big.ravel())[0])
            raise fail(_at(name, i, arr), "a number within the float64 range", arr.ravel()[i])
    out: npt.NDArray[np.float64] = arr.astype(np.float64, copy=False)
    finite = np.isfinite(out)
    if not finite.all():
        nan = np.isnan(out)
        if (~finite & ~nan).any():
            bad = int(np.flatnonzero((~finite & ~nan).ravel())[0])
            raise fail(_at(name, bad, out), "a finite number", float(out.ravel()[bad]))
        if not allow_missing:
            bad = int(np.flatnonzero(nan.ravel())[0])
            raise fail(
                _at(name, bad, out),
                "a number (missing values are not allowed here)",
                float("nan"),
            )
    return out


def as_values(
    name: str,
    value: Any,
    *,
    allow_missing: bool = False,
    allow_empty: bool = True,
    allow_bool: bool = False,
) -> npt.NDArray[np.float64]:
    """Coerce ``value`` to a 1-D ``float64`` array (see :func:`as_numbers`).

    Infinities are always rejected; NaN (missing) only unless
    ``allow_missing``; booleans unless ``allow_bool``.
    """
    arr = as_numbers(name, value, allow_missing=allow_missing, allow_bool=allow_bool)
    if arr.ndim != 1:
        raise fail(name, "a one-dimensional array of numbers", f"array of shape {arr.shape}")
    if not allow_empty and arr.size == 0:
        raise fail(name, "at least one value", "an empty array")
    return arr


def as_observations(
    times_name: str, times: Any, values_name: str, values: Any, *, allow_missing: bool = False
) -> tuple[npt.NDArray[np.datetime64], npt.NDArray[np.float64]]:
    """Times (:func:`as_times`) and one value per time (:func:`as_values`).

    Examples:
        >>> t, x = as_observations("times", ["2026-01-01T00:00:00Z"], "values", [1.5])
        >>> str(t[0]), x.tolist()
        ('2026-01-01T00:00:00.000000000', [1.5])
        >>> as_observations("times", ["2026-01-01T00:00:00Z"], "values", [1.5, 2.0])
        Traceback (most recent call last):
        ...
        itil_ci.errors.InvalidInputError: values: expected 1 values (one per time), got 2
    """
    t = as_times(times_name, times)
    x = as_values(values_name, values, allow_missing=allow_missing)
    if t.shape != x.shape:
        raise InvalidInputError(
            f"{values_name}: expected {t.size} values (one per time), got {x.size}"
        )
    return t, x


@overload
def frozen_array(arr: npt.NDArray[Any]) -> npt.NDArray[Any]: ...
@overload
def frozen_array(arr: None) -> None: ...
def frozen_array(arr: npt.NDArray[Any] | None) -> npt.NDArray[Any] | None:
    """A read-only contiguous array that owns its data (a view is copied); None stays None.

    For the array fields of result objects: what a caller holds afterwards
    cannot change them.

    Examples:
        >>> import numpy as np
        >>> base = np.arange(4.0)
        >>> f = frozen_array(base[1:])
        >>> f.flags.writeable, f.base is None, frozen_array(None)
        (False, True, None)
    """
    if arr is None:
        return None
    out = np.ascontiguousarray(arr)
    if out.base is not None:
        out = out.copy()
    out.flags.writeable = False
    return out


def readonly(arr: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """Mark ``arr`` read-only and return it.

    Only for arrays the caller owns (fresh results, not views of user input).
    """
    arr.flags.writeable = False
    return arr
