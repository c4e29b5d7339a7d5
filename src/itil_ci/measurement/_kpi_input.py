"""Input handling shared by the ITSM KPI functions (private).

Turning columns into int64 nanoseconds, checking lengths and order, building
the grouping of ``by=`` keys and periods (UTC days, ISO weeks, calendar
months), and the small arithmetic helpers every KPI module uses, so the KPIs
validate their input through one path.  The conventions are in
:mod:`itil_ci.measurement.itsm`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from itil_ci._internal import arrays
from itil_ci._internal.columns import UnknownColumn, is_foreign, native
from itil_ci._internal.validate import fail
from itil_ci.measurement import _grouping as grp

Unit = Literal["seconds", "minutes", "hours", "days", "weeks"]
Period = Literal["day", "week", "month"]
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

_UNIT_SECONDS: dict[str, float] = {
    "seconds": 1.0,
    "minutes": 60.0,
    "hours": 3600.0,
    "days": 86400.0,
    "weeks": 604800.0,
}
_PERIODS = ("day", "week", "month")
_MTTR_KINDS = ("resolve", "restore", "repair", "respond")
_QUANTILE_METHODS = ("auto", "partition", "sort", "argsort")
_NAT = np.iinfo(np.int64).min
_NS_PER_DAY = 86_400 * 10**9


def _unit(unit: object) -> float:
    if not isinstance(unit, str) or unit not in _UNIT_SECONDS:
        raise fail("unit", f"one of {', '.join(map(repr, _UNIT_SECONDS))}", unit)
    return _UNIT_SECONDS[unit]


def _period(period: object) -> str | None:
    if period is None:
        return None
    if not isinstance(period, str) or period not in _PERIODS:
        raise fail("period", "None or one of 'day', 'week', 'month'", period)
    return period


def _times(name: str, value: Any, *, allow_missing: bool = False) -> IntArray:
    """Times as int64 nanoseconds since the epoch (UTC); ``NaT`` is ``_NAT``."""
    value = native(name, value)
    if isinstance(value, np.ndarray) and value.dtype == np.dtype("datetime64[ns]"):
        if value.ndim != 1:
            raise fail(name, "a one-dimensional array of times", f"array of shape {value.shape}")
        ints = value.view(np.int64)
        if not allow_missing and value.size and (ints == _NAT).any():
            bad = int(np.flatnonzero(ints == _NAT)[0])
            raise fail(f"{name}[{bad}]", "a time (not NaT)", "NaT")
        return ints
    return arrays.as_times(name, value, allow_missing=allow_missing).view(np.int64)


def _one_time(name: str, value: Any) -> int:
    if isinstance(value, np.ndarray | list | tuple):
        raise fail(name, "one time", value)
    return int(_times(name, [value])[0])


def _same_length(n: int, **columns: int) -> None:
    for name, size in columns.items():
        if size != n:
            raise fail(name, f"{n} values (one per ticket)", f"{size} values")


def _nonempty(name: str, n: int) -> None:
    if n == 0:
        raise fail(name, "at least one ticket", "an empty array")


def _is_column(x: object) -> bool:
    return (
        isinstance(x, np.ndarray | list | tuple | UnknownColumn)
        or is_foreign(x)
        or (type(x).__module__.split(".")[0] == "pandas" and hasattr(x, "__len__"))
    )


def _key_columns(by: Any) -> tuple[list[str], list[Any]]:
    """Names and columns of ``by``: one column, a sequence of columns, or a mapping."""
    if by is None:
        return [], []
    if isinstance(by, Mapping):
        if not by:
            raise fail("by", "a non-empty mapping of names to key columns", by)
        return [str(k) for k in by], [native(f"by[{k!r}]", c) for k, c in by.items()]
    if isinstance(by, str) or not _is_column(by):
        raise fail("by", "an array of group keys, a sequence of arrays or a mapping", by)
    if isinstance(by, list | tuple):
        if not by:
            raise fail("by", "an array of group keys or a non-empty sequence of arrays", by)
        if all(_is_column(c) for c in by):
            cols = list(by)
        elif any(_is_column(c) for c in by):
            raise fail("by", "either one array of keys or a sequence of arrays", by)
        else:
            cols = [by]
    else:
        cols = [by]
    names = []
    for i, col in enumerate(cols):
        label = None
        if not isinstance(col, np.ndarray | UnknownColumn):
            label = getattr(col, "name", None)
        default = "key" if len(cols) == 1 else f"key{i}"
        names.append(label if isinstance(label, str) and label else default)
    if len(set(names)) != len(names) or "period" in names:
        names = ["key"] if len(cols) == 1 else [f"key{i}" for i in range(len(cols))]
    shown = [f"by[{k!r}]" for k in names] if len(cols) > 1 else ["by"]
    return names, [native(label, c) for label, c in zip(shown, cols, strict=True)]


def _period_code(t: IntArray, period: str) -> IntArray:
    """Index of the UTC period containing each time (days, Monday weeks, months)."""
    days = t // _NS_PER_DAY
    if period == "day":
        return days
    if period == "week":
        # 1970-01-01 was a Thursday; weeks start on Monday 1969-12-29 (day -3).
        return (days + 3) // 7
    # Calendar months: convert each distinct day once (numpy's per-element
    # datetime64[ns] -> [M] conversion is several times slower), then look up.
    if days.size == 0:
        return days
    lo = int(days.min())
    span = int(days.max()) - lo + 1
    if span > 2 * days.size + (1 << 20):
        return t.view("datetime64[ns]").astype("datetime64[M]").view(np.int64)
    table = np.arange(lo, lo + span).astype("datetime64[D]").astype("datetime64[M]")
    days -= lo
    return table.view(np.int64)[days]


def _period_start(codes: IntArray, period: str) -> IntArray:
    """First instant (ns) of each period code."""
    if period == "day":
        return codes * _NS_PER_DAY
    if period == "week":
        return (codes * 7 - 3) * _NS_PER_DAY
    return codes.view("datetime64[M]").astype("datetime64[ns]").view(np.int64)


def _period_labels(codes: IntArray, period: str) -> npt.NDArray[np.datetime64]:
    return (_period_start(codes, period) // _NS_PER_DAY).view("datetime64[D]")


def _take(col: Any, rows: npt.NDArray[np.bool_] | None) -> Any:
    if rows is None:
        return col
    if type(col).__module__.split(".")[0] == "pandas":
        return col[rows]
    return np.asarray(col)[rows]


def _grouping(
    n: int,
    by: Any,
    period: str | None,
    ptimes: IntArray | None,
    rows: npt.NDArray[np.bool_] | None = None,
) -> tuple[grp.Grouping, tuple[str, ...]]:
    names, cols = _key_columns(by)
    for name, col in zip(names, cols, strict=True):
        size = len(col) if hasattr(col, "__len__") else -1
        if size != n:
            raise fail(f"by[{name!r}]", f"{n} group keys (one per ticket)", f"{size} keys")
    cols = [_take(c, rows) for c in cols]
    m = n if rows is None else int(rows.sum())
    labels = [f"by[{k!r}]" for k in names]
    if period is not None:
        assert ptimes is not None
        cols.append(_period_code(ptimes, period))
        labels.append("period")
        names.append("period")
    g = grp.group(cols, m, labels)
    if period is not None:
        keys = (*g.keys[:-1], _period_labels(g.keys[-1].astype(np.int64), period))
        g = grp.Grouping(g.codes, g.size, keys)
    return g, tuple(names)


def _divide(num: npt.NDArray[Any], den: npt.NDArray[Any]) -> FloatArray:
    """``num / den`` with NaN where ``den`` is 0 (no warning)."""
    out = np.full(np.shape(den), np.nan)
    np.divide(num, den, out=out, where=den > 0)
    return out


def _flags(name: str, value: Any, *, counts: bool = False) -> npt.NDArray[np.bool_]:
    """Booleans per ticket (``counts=True`` also takes non-negative counts: > 0 is true)."""
    value = native(name, value)
    if type(value).__module__.split(".")[0] == "pandas":
        if value.isna().any():
            bad = int(np.flatnonzero(np.asarray(value.isna()))[0])
            raise fail(f"{name}[{bad}]", "True or False (not missing)", "a missing value")
        value = value.to_numpy()
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError):
        raise fail(name, "an array of booleans", value) from None
    if arr.ndim != 1:
        raise fail(name, "a one-dimensional array of booleans", f"shape {arr.shape}")
    if arr.dtype == bool:
        return arr
    if arr.size == 0:
        return np.zeros(0, dtype=bool)
    if arr.dtype.kind in "iu":
        bad_mask = arr < 0 if counts else (arr != 0) & (arr != 1)
        if bad_mask.any():
            bad = int(np.flatnonzero(bad_mask)[0])
            accepted = "a count >= 0 or a boolean" if counts else "True/False or 0/1"
            raise fail(f"{name}[{bad}]", accepted, arr[bad].item())
        return arr > 0
    if arr.dtype == object:
        ok = np.fromiter((isinstance(x, bool | np.bool_) for x in arr), dtype=bool, count=arr.size)
        if not ok.all():
            bad = int(np.flatnonzero(~ok)[0])
            raise fail(f"{name}[{bad}]", "True or False", arr[bad])
        return arr.astype(bool)
    raise fail(name, "an array of booleans", f"array of dtype {arr.dtype}")


def _check_order(start: IntArray, end: IntArray, closed: npt.NDArray[np.bool_], names: str) -> None:
    s_name, e_name = names.split(",")
    bad_mask = closed & (end < start)
    if bad_mask.any():
        bad = int(np.flatnonzero(bad_mask)[0])
        shown = np.datetime64(int(end[bad]), "ns")
        raise fail(
            f"{e_name}[{bad}]",
            f"a time at or after {s_name}[{bad}] ({np.datetime64(int(start[bad]), 'ns')})",
            str(shown),
        )
    wrapped = closed & (end - start < 0)  # int64 wrapped round: over 292 years apart
    if wrapped.any():
        bad = int(np.flatnonzero(wrapped)[0])
        raise fail(
            f"{e_name}[{bad}]",
            f"a time less than 292 years after {s_name}[{bad}] (durations are int64 ns)",
            str(np.datetime64(int(end[bad]), "ns")),
        )


def _intervals(
    start: Any, end: Any, names: str = "start,end", *, allow_empty: bool = False
) -> tuple[IntArray, IntArray, npt.NDArray[np.bool_]]:
    """The ``(start, end, ended)`` of intervals given as two time columns, checked once.

    ``start`` must be a time per item and ``end`` a time or ``NaT`` (still
    open), of the same length, never before its start and less than 292
    years after it; ``names`` are the two arguments' names for the errors
    (``"opened,closed"``).  Without ``allow_empty`` an empty input is refused.
    """
    s_name, e_name = names.split(",")
    s = _times(s_name, start)
    e = _times(e_name, end, allow_missing=True)
    if not allow_empty:
        _nonempty(s_name, s.size)
    _same_length(s.size, **{e_name: e.size})
    ended = e != _NAT
    _check_order(s, e, ended, names)
    return s, e, ended


def _period_times(
    period_on: Any, s: IntArray, e: IntArray, closed: npt.NDArray[np.bool_], n: int
) -> tuple[IntArray, npt.NDArray[np.bool_] | None]:
    """The time placing each ticket in a period, and the rows kept (None: every row).

    ``"start"`` and an array of times keep every ticket; ``"end"`` uses the end
    time and leaves out the open tickets (their end is ``NaT``).
    """
    if isinstance(period_on, str) and period_on == "start":
        return s, None
    if isinstance(period_on, str) and period_on == "end":
        return e, None if closed.all() else closed
    if isinstance(period_on, str):
        raise fail("period_on", "'start', 'end' or an array of times", period_on)
    ptimes = _times("period_on", period_on)
    _same_length(n, period_on=ptimes.size)
    return ptimes, None
