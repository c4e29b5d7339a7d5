"""How each leaf value of a document is written and strictly read (private).

Structure and unstructure hooks for scalars, enums, dates and times, a
:class:`~itil_ci.Series` and numpy arrays: the parts of the document format
that do not depend on the converter.  :func:`register` puts them on a
converter; :mod:`itil_ci.io.codec` adds the container and object hooks,
builds the one converter and turns a :class:`Problem` into a path.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
import re
import typing
from collections.abc import Callable
from typing import Any

import cattrs
import numpy as np

from itil_ci._internal.validate import FLOAT_MAX, TIME_RANGE, in_time_range, shown
from itil_ci.domain.series import Series
from itil_ci.errors import InvalidInputError

__all__ = ["Problem", "describe", "register"]


class Problem(Exception):
    """A leaf decoding problem with a message that needs only a path prefix."""


def describe(value: object) -> str:
    return shown(value, 60)


# --- strict scalars ---------------------------------------------------------------


def _s_float(value: Any, _: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Problem(f"expected a number, got {describe(value)}")
    if isinstance(value, int) and abs(value) > FLOAT_MAX:
        raise Problem(f"expected a number within the float64 range, got {describe(value)}")
    if not math.isfinite(value):
        raise Problem(f"expected a finite number, got {describe(value)}")
    return float(value)


def _s_int(value: Any, _: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise Problem(f"expected a whole number, got {describe(value)}")
    return value


def _s_str(value: Any, _: Any) -> str:
    if not isinstance(value, str):
        raise Problem(f"expected a string, got {describe(value)}")
    return value


def _s_bool(value: Any, _: Any) -> bool:
    if not isinstance(value, bool):
        raise Problem(f"expected true or false, got {describe(value)}")
    return value


def _s_datetime(value: Any, _: Any) -> dt.datetime:
    if isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            parsed = None
        if parsed is not None and parsed.utcoffset() is not None:
            try:
                return in_time_range("value", parsed)
            except InvalidInputError:
                raise Problem(f"expected {TIME_RANGE}, got {describe(value)}") from None
    raise Problem(f"expected an ISO-8601 date-time with a UTC offset, got {describe(value)}")


def _s_date(value: Any, _: Any) -> dt.date:
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise Problem(f"expected an ISO-8601 date (YYYY-MM-DD), got {describe(value)}")


def _u_datetime(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat()


def _enum_hook(cls: type[enum.Enum]) -> Callable[[Any, Any], enum.Enum]:
    accepted = ", ".join(repr(m.value) for m in cls)

    def structure(value: Any, _: Any) -> enum.Enum:
        try:
            return cls(value)
        except (ValueError, TypeError):
            raise Problem(f"expected one of {accepted}, got {describe(value)}") from None

    return structure


# --- numpy arrays and series --------------------------------------------------------

_ISO_TIME = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|\+00:00)"
_ISO_NS = re.compile(_ISO_TIME)
# A whole column at once: one regex pass over the joined text instead of one per item.
_ISO_COLUMN = re.compile(rf"(?:{_ISO_TIME}\n)*{_ISO_TIME}")


def _times_out(times: np.ndarray[Any, Any]) -> list[str]:
    strings = np.char.add(np.datetime_as_string(times.astype("datetime64[ns]"), unit="ns"), "Z")
    out: list[str] = strings.tolist()
    return out


def _first_bad(value: list[Any], ok: Callable[[Any], bool]) -> int:
    """Index of the first item ``ok`` rejects (only called once a problem is known)."""
    return next(i for i, x in enumerate(value) if not ok(x))


def _times_in(value: Any) -> np.ndarray[Any, Any]:
    if not isinstance(value, list):
        raise Problem(f"expected a list of ISO-8601 UTC times, got {describe(value)}")
    if not value:
        return np.empty(0, dtype="datetime64[ns]")
    if set(map(type, value)) != {str}:
        bad = _first_bad(value, lambda x: isinstance(x, str))
        raise Problem(f"[{bad}]: expected an ISO-8601 UTC time, got {describe(value[bad])}")
    text = np.array(value, dtype=str)
    fast = _canonical_times(text)
    if fast is not None:
        return fast
    joined = "\n".join(value)
    shaped = joined.count("\n") == len(value) - 1 and _ISO_COLUMN.fullmatch(joined)
    if not shaped:
        bad = _first_bad(value, lambda x: _ISO_NS.fullmatch(x) is not None)
        raise Problem(
            f"[{bad}]: expected an ISO-8601 UTC time ending in 'Z' or '+00:00', "
            f"got {describe(value[bad])}"
        )
    # exactly one zone suffix is present (checked above)
    bare = np.where(
        np.char.endswith(text, "Z"), np.char.rstrip(text, "Z"), np.char.replace(text, "+00:00", "")
    )
    try:
        times = bare.astype("datetime64[ns]")
        coarse = bare.astype("datetime64[us]")
    except ValueError:
        bad = _first_bad(bare.tolist(), _parses)
        raise Problem(
            f"[{bad}]: expected a valid ISO-8601 UTC date and time, got {describe(value[bad])}"
        ) from None
    # times outside 1678-2262 do not fit in nanoseconds and would wrap around silently
    wrapped = (times.view(np.int64) // 1000 != coarse.view(np.int64)) | np.isnat(times)
    if wrapped.any():
        bad = int(np.flatnonzero(wrapped)[0])
        raise Problem(
            f"[{bad}]: expected a time between 1678-09-22 and 2262-04-11 (the nanosecond "
            f"range), got {describe(value[bad])}"
        )
    return times


_CANONICAL_WIDTH = 30  # "YYYY-MM-DDTHH:MM:SS.fffffffffZ", as _times_out writes them
_PUNCTUATION = {4: "-", 7: "-", 10: "T", 13: ":", 16: ":", 19: ".", 29: "Z"}
_DIGITS = [i for i in range(_CANONICAL_WIDTH) if i not in _PUNCTUATION]


def _canonical_times(text: np.ndarray[Any, Any]) -> np.ndarray[Any, Any] | None:
    """Parse times in exactly the form this codec writes, checked character by character
    as integers; None when any time has another form (the general path then decides)."""
    if text.dtype != np.dtype(f"<U{_CANONICAL_WIDTH}"):
        return None
    codes = text.view(np.uint32).reshape(-1, _CANONICAL_WIDTH)
    for at, char in _PUNCTUATION.items():
        if (codes[:, at] != ord(char)).any():
            return None
    digits = codes[:, _DIGITS] - ord("0")
    if (digits > 9).any():  # unsigned: anything below "0" wraps above 9 too
        return None
    year = digits[:, 0] * 1000 + digits[:, 1] * 100 + digits[:, 2] * 10 + digits[:, 3]
    if ((year < 1678) | (year > 2261)).any():  # the edges of the nanosecond range
        return None
    try:
        times: np.ndarray[Any, Any] = text.astype(f"<U{_CANONICAL_WIDTH - 1}").astype(
            "datetime64[ns]"
        )
    except ValueError:  # e.g. month 13: the general path names the item
        return None
    return times


def _parses(text: str) -> bool:
    try:
        np.datetime64(text, "ns")
    except ValueError:
        return False
    return True


def _floats_out(values: np.ndarray[Any, Any]) -> list[float | None]:
    x = values.astype(np.float64)
    missing = np.isnan(x)
    if not missing.any():
        plain: list[float | None] = x.tolist()
        return plain
    boxed = x.astype(object)
    boxed[missing] = None
    out: list[float | None] = boxed.tolist()
    return out


_NUMBER_TYPES = frozenset({int, float})


def _floats_in(value: Any, *, allow_missing: bool) -> np.ndarray[Any, Any]:
    if not isinstance(value, list):
        raise Problem(f"expected a list of numbers, got {describe(value)}")
    allowed = _NUMBER_TYPES | {type(None)} if allow_missing else _NUMBER_TYPES
    kinds = set(map(type, value))
    arr = np.array(value, dtype=np.float64) if kinds <= allowed else None
    if arr is None or not np.isfinite(arr[~np.isnan(arr)] if allow_missing else arr).all():

        def number(x: Any) -> bool:
            if x is None:
                return allow_missing
            return type(x) in _NUMBER_TYPES and math.isfinite(x)

        bad = _first_bad(value, number)
        raise Problem(f"[{bad}]: expected a number, got {describe(value[bad])}")
    if not allow_missing and np.isnan(arr).any():  # pragma: no cover - NaN is not JSON
        raise Problem("expected numbers, got NaN")
    return arr


def _u_series(s: Series) -> dict[str, Any]:
    return {
        "kpi_key": s.kpi_key,
        "allow_missing": s.allow_missing,
        "times": _times_out(s.times),
        "values": _floats_out(s.values),
    }


def _s_series(value: Any, _: Any) -> Series:
    if not isinstance(value, dict):
        raise Problem(f"expected an object, got {describe(value)}")
    extra = set(value) - {"kpi_key", "allow_missing", "times", "values"}
    if extra:
        raise Problem(f"unknown field(s) {sorted(extra)}")
    allow = value.get("allow_missing", False)
    if not isinstance(allow, bool):
        raise Problem(f".allow_missing: expected true or false, got {describe(allow)}")
    key = value.get("kpi_key", "")
    if not isinstance(key, str):
        raise Problem(f".kpi_key: expected a string, got {describe(key)}")
    for field in ("times", "values"):
        if field not in value:
            raise Problem(f".{field}: required field is missing")
    try:
        times = _times_in(value["times"])
    except Problem as exc:
        raise Problem(f".times{exc}" if str(exc).startswith("[") else f".times: {exc}") from None
    try:
        values = _floats_in(value["values"], allow_missing=allow)
    except Problem as exc:
        raise Problem(f".values{exc}" if str(exc).startswith("[") else f".values: {exc}") from None
    return Series(times, values, kpi_key=key, allow_missing=allow)


def _is_ndarray(tp: Any) -> bool:
    return tp is np.ndarray or typing.get_origin(tp) is np.ndarray


def _ndarray_dtype(tp: Any) -> np.dtype[Any]:
    args = typing.get_args(tp)
    if len(args) == 2:
        dtype_args = typing.get_args(args[1])
        if dtype_args and isinstance(dtype_args[0], type):
            return np.dtype(dtype_args[0])
    return np.dtype(np.float64)


def _u_ndarray(arr: np.ndarray[Any, Any]) -> list[Any]:
    if arr.dtype.kind == "f":
        return _floats_out(arr)
    if arr.dtype.kind == "M":
        return _times_out(arr)
    out: list[Any] = arr.tolist()
    return out


def _ndarray_structure_factory(tp: Any) -> Callable[[Any, Any], np.ndarray[Any, Any]]:
    dtype = _ndarray_dtype(tp)

    def structure(value: Any, _: Any) -> np.ndarray[Any, Any]:
        if dtype.kind == "f":
            arr = _floats_in(value, allow_missing=True)
        elif dtype.kind == "M":
            arr = _times_in(value)
        else:
            if not isinstance(value, list):
                raise Problem(f"expected a list, got {describe(value)}")
            kinds = {"i": int, "u": int, "b": bool, "U": str}
            want = kinds.get(dtype.kind)
            for i, x in enumerate(value):
                if want is not None and (
                    not isinstance(x, want) or (want is int and isinstance(x, bool))
                ):
                    raise Problem(f"[{i}]: expected {want.__name__}, got {describe(x)}")
            arr = np.array(value, dtype=dtype)
        arr.flags.writeable = False
        return arr

    return structure


def register(conv: cattrs.Converter) -> None:
    """Put the hooks of this module on ``conv`` (before any container or object hook)."""
    conv.register_structure_hook(float, _s_float)
    conv.register_structure_hook(int, _s_int)
    conv.register_structure_hook(str, _s_str)
    conv.register_structure_hook(bool, _s_bool)
    conv.register_structure_hook(dt.datetime, _s_datetime)
    conv.register_unstructure_hook(dt.datetime, _u_datetime)
    conv.register_structure_hook(dt.date, _s_date)
    conv.register_unstructure_hook(dt.date, lambda d: d.isoformat())
    conv.register_structure_hook_factory(
        lambda t: isinstance(t, type) and issubclass(t, enum.Enum), _enum_hook
    )
    conv.register_unstructure_hook(Series, _u_series)
    conv.register_structure_hook(Series, _s_series)
    conv.register_unstructure_hook_func(_is_ndarray, _u_ndarray)
    conv.register_structure_hook_factory(_is_ndarray, _ndarray_structure_factory)
