"""Array coercion shared by the domain and the cores (private).

Fast paths are vectorised: numpy ``datetime64`` arrays and pandas objects are
converted without touching elements one by one.  Python lists of ``datetime``
or strings are parsed element by element (there is no vectorised parser for
objects carrying their own time zones); pass ``datetime64`` for speed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

import numpy as np
import numpy.typing as npt

from itil_ci._internal.columns import native
from itil_ci._internal.validate import fail

NS = "datetime64[ns]"


def _is_pandas(obj: object) -> bool:
    return type(obj).__module__.split(".")[0] == "pandas"


def as_times(name: str, value: Any, *, allow_missing: bool = False) -> npt.NDArray[np.datetime64]:
    """Coerce ``value`` to a 1-D ``datetime64[ns]`` array in UTC.

    Accepted: numpy ``datetime64`` arrays (taken as UTC, numpy has no zones),
    timezone-aware pandas Series/DatetimeIndex, and sequences of aware
    ``datetime`` objects, ``datetime64`` scalars or ISO-8601 strings with an
    offset.  Naive Python or pandas times, ``NaT`` and anything else raise
    :class:`~itil_ci.errors.InvalidInputError`.  With ``allow_missing=True``,
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
        arr = np.asarray(
            conv.tz_localize(None) if not hasattr(value, "dt") else conv.dt.tz_localize(None)
        ).astype(NS)
    elif isinstance(value, np.ndarray) and value.dtype.kind == "M":
        arr = value.astype(NS)
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
        if np.isnat(item):
            raise fail(name, "a time (not NaT)", "NaT")
        return cast("np.datetime64", item.astype(NS))
    if isinstance(item, str):
        try:
            item = dt.datetime.fromisoformat(item)
        except ValueError:
            raise fail(name, "an ISO-8601 date-time with a UTC offset", item) from None
    if isinstance(item, dt.datetime):
        if item.tzinfo is None or item.utcoffset() is None:
            raise fail(name, "a timezone-aware datetime (naive times are ambiguous)", item)
        naive = item.astimezone(dt.UTC).replace(tzinfo=None)
        return np.datetime64(naive, "ns")
    raise fail(name, "a timezone-aware datetime", item)


def as_values(
    name: str, value: Any, *, allow_missing: bool = False, allow_empty: bool = True
) -> npt.NDArray[np.float64]:
    """Coerce ``value`` to a 1-D ``float64`` array.

    Infinities are always rejected; NaN (missing) only unless ``allow_missing``.
    Booleans become 0.0/1.0.  polars and Arrow columns are accepted (nulls
    are missing values); an unknown ticket column is refused.
    """
    value = native(name, value)
    if _is_pandas(value):
        value = value.to_numpy(dtype="float64", na_value=np.nan)
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError):
        raise fail(name, "an array of numbers", value) from None
    if arr.dtype == object:
        # None means missing; anything else non-numeric is an error.
        try:
            arr = np.array(
                [np.nan if x is None else x for x in arr.ravel()], dtype=np.float64
            ).reshape(arr.shape)
        except (TypeError, ValueError):
            raise fail(name, "an array of numbers", value) from None
    if arr.dtype.kind not in "biuf":
        raise fail(name, "an array of numbers", f"array of dtype {arr.dtype}")
    arr = arr.astype(np.float64, copy=False)
    if arr.ndim != 1:
        raise fail(name, "a one-dimensional array of numbers", f"array of shape {arr.shape}")
    if not allow_empty and arr.size == 0:
        raise fail(name, "at least one value", "an empty array")
    finite = np.isfinite(arr)
    if not finite.all():
        nan = np.isnan(arr)
        if (~finite & ~nan).any():
            bad = int(np.flatnonzero(~finite & ~nan)[0])
            raise fail(f"{name}[{bad}]", "a finite number", float(arr[bad]))
        if not allow_missing:
            bad = int(np.flatnonzero(nan)[0])
            raise fail(
                f"{name}[{bad}]", "a number (missing values are not allowed here)", float("nan")
            )
    return arr


def readonly(arr: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """Mark ``arr`` read-only and return it.

    Only for arrays the caller owns (fresh results, not views of user input).
    """
    arr.flags.writeable = False
    return arr
