"""Standard ITSM KPIs computed from ticket columns, grouped without loops.

Every function takes columns (numpy arrays, pandas columns or sequences) of
the same length, one element per ticket (or outage, or change), and returns a
:class:`GroupedKPI` with one row per group and period.

Conventions (see ``docs/itsm-kpis.md`` for the sources):

* Times are UTC (``datetime64`` arrays are taken as UTC; pandas columns must be
  timezone-aware).  A missing end time (``NaT``, or ``None`` in a list) means
  the ticket is still open: it is left out of durations and counted in the
  ``open`` column (and in :func:`backlog`).  An end before its start is an
  error naming the first bad row; a missing start time is an error.
* Durations are reported in ``unit`` (``"hours"`` by default; also
  ``"seconds"``, ``"minutes"``, ``"days"``, ``"weeks"``).
* ``by=`` is one key column, a sequence of key columns, or a mapping of names
  to key columns (strings, integers, booleans or times).  ``period=`` is
  ``"day"``, ``"week"`` (ISO weeks, starting Monday) or ``"month"``, taken in
  UTC; the period column holds each period's first day (``datetime64[D]``).
  Rows are in sorted key order, the period last.
* Percentiles use numpy's default linear interpolation (Hyndman & Fan type 7):
  ``median`` and ``p90`` of a group equal ``np.percentile(slice, 50)`` and
  ``np.percentile(slice, 90)`` of that group's durations.
* A statistic with nothing to measure (a group whose tickets are all open, a
  service without breaks for MTBF) is ``NaN`` exactly where ``count`` is 0.
"""

from __future__ import annotations

import types
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import attrs
import numpy as np
import numpy.typing as npt

from itil_ci._internal import arrays
from itil_ci._internal.columns import UnknownColumn, is_foreign, native
from itil_ci._internal.validate import fail, number, text
from itil_ci.domain.series import Series
from itil_ci.measurement import _clock
from itil_ci.measurement import _grouping as grp
from itil_ci.measurement.calendar import BusinessCalendar
from itil_ci.measurement.pauses import Pauses

__all__ = [
    "GroupedKPI",
    "availability",
    "backlog",
    "change_success_rate",
    "first_contact_resolution",
    "mtta",
    "mttr",
    "reopen_rate",
    "sla_attainment",
]

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


# --- the result ----------------------------------------------------------------


def _readonly(a: npt.NDArray[Any]) -> npt.NDArray[Any]:
    a = np.ascontiguousarray(a)
    if a.base is not None:
        a = a.copy()
    a.flags.writeable = False
    return a


def _ro_opt(a: npt.NDArray[Any] | None) -> npt.NDArray[Any] | None:
    return None if a is None else _readonly(a)


def _ro_tuple(t: Sequence[npt.NDArray[Any]]) -> tuple[npt.NDArray[Any], ...]:
    return tuple(_readonly(a) for a in t)


def _ro_map(m: Mapping[str, npt.NDArray[Any]]) -> Mapping[str, npt.NDArray[Any]]:
    return types.MappingProxyType({k: _readonly(v) for k, v in m.items()})


def _frozen_map(m: Mapping[str, object]) -> Mapping[str, object]:
    return types.MappingProxyType(dict(m))


@attrs.frozen(eq=False, repr=False)
class GroupedKPI:
    """One KPI per group and period, as columns (all arrays read-only, same length).

    * ``kpi``: the KPI's short name (``"mttr"``, ``"sla_attainment"``, ...).
    * ``names`` and ``groups``: the key columns, ``groups[j][i]`` being the
      value of key ``names[j]`` in row ``i`` (``"period"`` last when a period
      was asked for).  Without ``by`` and ``period`` there is one row and no
      key column.
    * ``count``: how many items the row's figure is computed from (closed
      tickets for durations, judged tickets for rates, open tickets for the
      backlog, breaks for availability).
    * ``value``: the headline figure (the mean for durations, the proportion
      in ``[0, 1]`` for rates, the open count for the backlog, the
      availability in ``[0, 1]``).
    * ``mean``, ``median``, ``p90``: duration statistics in ``unit`` (``None``
      where the KPI has none).
    * ``extra``: KPI-specific columns (``open``, ``met``, ``growth``, ``mtbf``...).
    * ``method`` and ``parameters``: how the figures were computed.

    Examples:
        >>> import numpy as np
        >>> start = np.array(["2026-01-01T00", "2026-01-01T00"], dtype="datetime64[ns]")
        >>> r = mttr(start, start + np.array([2, 4], dtype="timedelta64[h]"))
        >>> r.mean.tolist(), r.count.tolist(), len(r)
        ([3.0], [2], 1)
        >>> sorted(r.columns())
        ['count', 'mean', 'median', 'open', 'p90', 'value']
    """

    kpi: str
    names: tuple[str, ...]
    groups: tuple[npt.NDArray[Any], ...] = attrs.field(converter=_ro_tuple)
    count: IntArray = attrs.field(converter=_readonly)
    value: FloatArray = attrs.field(converter=_readonly)
    mean: FloatArray | None = attrs.field(default=None, converter=_ro_opt)
    median: FloatArray | None = attrs.field(default=None, converter=_ro_opt)
    p90: FloatArray | None = attrs.field(default=None, converter=_ro_opt)
    extra: Mapping[str, npt.NDArray[Any]] = attrs.field(factory=dict, converter=_ro_map)
    unit: str | None = None
    method: str = ""
    parameters: Mapping[str, object] = attrs.field(factory=dict, converter=_frozen_map)

    def __len__(self) -> int:
        return int(self.count.size)

    def columns(self) -> dict[str, npt.NDArray[Any]]:
        """All columns by name, keys first (``pandas.DataFrame(r.columns())`` works).

        Examples:
            >>> import numpy as np
            >>> r = reopen_rate([True, False, False], by=["a", "a", "b"])
            >>> {k: v.tolist() for k, v in r.columns().items()}
            {'key': ['a', 'b'], 'count': [2, 1], 'value': [0.5, 0.0], 'reopened': [1, 0]}
        """
        out: dict[str, npt.NDArray[Any]] = dict(zip(self.names, self.groups, strict=True))
        out["count"] = self.count
        out["value"] = self.value
        for name in ("mean", "median", "p90"):
            col = getattr(self, name)
            if col is not None:
                out[name] = col
        out.update(self.extra)
        return out

    def series(self, column: str = "value", *, prefix: str | None = None) -> dict[str, Series]:
        """One :class:`~itil_ci.domain.Series` per group over the periods (empty rows left out).

        Needs a result computed with ``period=``; each group's key values are
        joined with ``"."`` after ``prefix`` (default: the KPI's name), so
        ``mttr(..., by=service, period="day").series()`` gives
        ``{"mttr.email": Series, ...}`` with one value per day, each placed at
        the start of its period.  ``column`` picks ``"value"``, ``"mean"``,
        ``"median"``, ``"p90"``, ``"count"`` or an ``extra`` column.  A result
        without any measured row gives ``{}``.

        Examples:
            >>> import numpy as np
            >>> t = np.array(["2026-01-01T09", "2026-01-01T10", "2026-01-02T09"],
            ...              dtype="datetime64[ns]")
            >>> r = mttr(t, t + np.array([2, 4, 1], dtype="timedelta64[h]"),
            ...          by=["email", "email", "vpn"], period="day")
            >>> {k: s.values.tolist() for k, s in r.series().items()}
            {'mttr.email': [3.0], 'mttr.vpn': [1.0]}
        """
        if not self.names or self.names[-1] != "period":
            raise fail(
                "result", "a GroupedKPI computed with period= (one row per period)", self.names
            )
        if prefix is not None:
            text("prefix", prefix)
        cols = self.columns()
        if not isinstance(column, str) or column not in cols or column in self.names:
            accepted = [c for c in cols if c not in self.names]
            raise fail("column", f"one of {', '.join(map(repr, accepted))}", column)
        head = self.kpi if prefix is None else prefix
        keep = self.count > 0
        if not keep.any():
            return {}  # nothing measured (e.g. no ticket closed yet with period_on="end")
        times = self.groups[-1][keep].astype("datetime64[ns]")
        values = np.asarray(cols[column], dtype=np.float64)[keep]
        if len(self.names) == 1:
            return {head: Series(times, values, kpi_key=head)}
        # one integer code per group (mixed radix over the key columns), never a joined text
        code = np.zeros(int(keep.sum()), dtype=np.int64)
        for column_keys in self.groups[:-1]:
            levels, inverse = np.unique(column_keys[keep], return_inverse=True)
            code = code * len(levels) + inverse.astype(np.int64)
        order = np.argsort(code, kind="stable")
        code, times, values = code[order], times[order], values[order]
        starts = np.flatnonzero(np.r_[True, code[1:] != code[:-1]])
        bounds = [*starts.tolist(), int(code.size)]
        first_rows = np.flatnonzero(keep)[order][starts]
        out: dict[str, Series] = {}
        for i, row in enumerate(first_rows.tolist()):
            name = ".".join(str(k[row]) for k in self.groups[:-1])
            key = f"{head}.{name}" if head else name
            if key in out:
                raise fail(
                    "result",
                    "groups whose key values joined with '.' are distinct (use keys without '.')",
                    f"two groups named {key!r}",
                )
            part = slice(bounds[i], bounds[i + 1])
            out[key] = Series(times[part], values[part], kpi_key=key)
        return out

    def __repr__(self) -> str:
        keys = ", ".join(self.names) or "no keys"
        unit = f", unit={self.unit!r}" if self.unit else ""
        return f"GroupedKPI({self.kpi!r}, {len(self)} rows by {keys}{unit}, method={self.method!r})"


# --- input handling --------------------------------------------------------------


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


# --- durations: MTTR, MTTA --------------------------------------------------------


def _duration_kpi(
    kpi: str,
    method: str,
    start: Any,
    end: Any,
    *,
    by: Any,
    period: object,
    period_on: Any,
    unit: object,
    quantile_method: grp.QuantileMethod,
    names: str = "start,end",
    extra_params: Mapping[str, object] | None = None,
    calendar: BusinessCalendar | None = None,
    pauses: Pauses | None = None,
    ids: Any = None,
    as_of: Any = None,
) -> GroupedKPI:
    seconds = _unit(unit)
    per = _period(period)
    if not isinstance(quantile_method, str) or quantile_method not in _QUANTILE_METHODS:
        accepted = ", ".join(map(repr, _QUANTILE_METHODS))
        raise fail("quantile_method", f"one of {accepted}", quantile_method)
    s_name, e_name = names.split(",")
    s = _times(s_name, start)
    e = _times(e_name, end, allow_missing=True)
    n = s.size
    _nonempty(s_name, n)
    _same_length(n, **{e_name: e.size})
    closed = e != _NAT
    _check_order(s, e, closed, names)
    cal, pz, idc = _clock.check(calendar, pauses, ids, n)
    cut = None if as_of is None else _one_time("as_of", as_of)
    rows: npt.NDArray[np.bool_] | None = None
    ptimes: IntArray | None = None
    if per is not None:
        ptimes, rows = _period_times(period_on, s, e, closed, n)
    # one clock for every duration KPI: business time less pauses (wall clock by default)
    m = _clock.measure(s, e, calendar=cal, pauses=pz, ids=idc, as_of=cut)
    d, measured = m.elapsed, m.measured
    if rows is not None:
        d, measured, closed = d[rows], measured[rows], closed[rows]
        assert ptimes is not None
        ptimes = ptimes[rows]
    g, key_names = _grouping(n, by, per, ptimes, rows)
    if measured.all():
        codes, dur = g.codes, d
    else:
        codes, dur = g.codes[measured], d[measured]
    del d
    scale = 1.0 / (seconds * 1e9)
    count = np.bincount(codes, minlength=g.size).astype(np.int64, copy=False)
    total = np.bincount(codes, weights=dur * scale, minlength=g.size)
    median, p90 = grp.quantiles(
        codes, g.size, dur, [50.0, 90.0], scale=scale, method=quantile_method
    )
    mean = _divide(total, count)
    open_ = (
        grp.counts(g.codes, g.size) - count if cut is None else grp.counts(g.codes, g.size, ~closed)
    )
    params: dict[str, object] = {"unit": unit, "period": per, "percentile": "linear"}
    if per is not None:
        params["period_on"] = period_on if isinstance(period_on, str) else "array"
    params.update(extra_params or {})
    params["as_of"] = None if cut is None else str(np.datetime64(cut, "ns"))
    params.update(_clock.describe(cal, pz, m))
    if cal is not None or pz is not None:
        method += " (business time less pauses)"
    return GroupedKPI(
        kpi=kpi,
        names=key_names,
        groups=g.keys,
        count=count,
        value=mean,
        mean=mean,
        median=median,
        p90=p90,
        extra={"open": open_},
        unit=str(unit),
        method=method,
        parameters=params,
    )


def mttr(
    start: Any,
    end: Any,
    *,
    by: Any = None,
    period: Period | None = None,
    period_on: Any = "start",
    kind: str = "resolve",
    unit: Unit = "hours",
    quantile_method: grp.QuantileMethod = "auto",
    calendar: BusinessCalendar | None = None,
    pauses: Pauses | None = None,
    ids: Any = None,
    as_of: Any = None,
) -> GroupedKPI:
    """Mean time to resolve (or restore, repair, respond), with median and p90.

    ``start`` and ``end`` are the two time columns that bound the measured
    interval, e.g. *logged* and *resolved* for ``kind="resolve"``, *outage
    start* and *service restored* for ``"restore"``, *fault reported* and
    *repaired* for ``"repair"``, *logged* and *first response* for
    ``"respond"``; ``kind`` only labels the result.  Open tickets (``end`` is
    ``NaT``) are excluded from the statistics and counted in
    ``extra["open"]``.  ``period_on`` says which time places a ticket in a
    period: ``"start"`` (the cohort of tickets logged in the period, the
    default), ``"end"`` (tickets resolved in the period; open tickets are then
    left out altogether, and with no ticket resolved the result has no rows)
    or an array of times.  ``unit`` is one of
    ``"seconds"``, ``"minutes"``, ``"hours"`` (default), ``"days"``,
    ``"weeks"`` (plural, unlike the singular ``per=`` of rates and trends).
    ``quantile_method`` chooses the segmented percentile algorithm
    (``"auto"``, ``"partition"``, ``"sort"``, ``"argsort"``); the answer is
    the same.

    Durations run on the SLA clock when asked: ``calendar`` (a
    :class:`~itil_ci.measurement.calendar.BusinessCalendar`) counts business
    time only, and ``pauses`` (tied to tickets by ``ids``, one id per ticket)
    take off the business time each ticket spent paused (see
    :func:`~itil_ci.measurement.sla.business_duration`).  With ``as_of``,
    open tickets are measured up to it and included in the statistics (their
    time so far: a lower bound), and ``extra["open"]`` still counts them.
    The result's ``parameters`` record the calendar and the pause states.

    Examples:
        >>> import numpy as np
        >>> t0 = np.datetime64("2026-03-02T09:00", "ns")
        >>> start = np.full(4, t0)
        >>> end = start + np.array([1, 2, 6, "NaT"], dtype="timedelta64[h]")
        >>> r = mttr(start, end, by=np.array(["db", "db", "web", "web"]))
        >>> r.groups[0].tolist(), r.mean.tolist(), r.extra["open"].tolist()
        (['db', 'web'], [1.5, 6.0], [0, 1])
    """
    if not isinstance(kind, str) or kind not in _MTTR_KINDS:
        raise fail("kind", f"one of {', '.join(map(repr, _MTTR_KINDS))}", kind)
    return _duration_kpi(
        "mttr",
        f"mean time to {kind}: mean, median and p90 of end - start over closed tickets",
        start,
        end,
        by=by,
        period=period,
        period_on=period_on,
        unit=unit,
        quantile_method=quantile_method,
        extra_params={"kind": kind},
        calendar=calendar,
        pauses=pauses,
        ids=ids,
        as_of=as_of,
    )


def mtta(
    logged: Any,
    acknowledged: Any,
    *,
    by: Any = None,
    period: Period | None = None,
    period_on: Any = "start",
    unit: Unit = "hours",
    quantile_method: grp.QuantileMethod = "auto",
    calendar: BusinessCalendar | None = None,
    pauses: Pauses | None = None,
    ids: Any = None,
    as_of: Any = None,
) -> GroupedKPI:
    """Mean time to acknowledge: ``acknowledged - logged``, with median and p90.

    Tickets not yet acknowledged (``NaT``) are excluded and counted in
    ``extra["open"]``; otherwise as :func:`mttr`: ``period_on`` is
    ``"start"``, ``"end"`` or an array of times, ``unit`` one of
    ``"seconds"``, ``"minutes"``, ``"hours"`` (default), ``"days"``,
    ``"weeks"``, and ``quantile_method`` one of ``"auto"``, ``"partition"``,
    ``"sort"``, ``"argsort"`` (same answer, different algorithm).
    ``calendar``, ``pauses``, ``ids`` and ``as_of`` put it on the SLA clock,
    as in :func:`mttr`.

    Examples:
        >>> import numpy as np
        >>> logged = np.array(["2026-03-02T09:00"] * 3, dtype="datetime64[ns]")
        >>> ack = logged + np.array([10, 20, 90], dtype="timedelta64[m]")
        >>> r = mtta(logged, ack, unit="minutes")
        >>> r.mean.tolist(), r.median.tolist(), r.p90.tolist()
        ([40.0], [20.0], [76.0])
    """
    return _duration_kpi(
        "mtta",
        "mean time to acknowledge: mean, median and p90 of acknowledged - logged",
        logged,
        acknowledged,
        by=by,
        period=period,
        period_on=period_on,
        unit=unit,
        quantile_method=quantile_method,
        names="logged,acknowledged",
        calendar=calendar,
        pauses=pauses,
        ids=ids,
        as_of=as_of,
    )


# --- SLA attainment ---------------------------------------------------------------


def _target_ns(
    priority: Any, targets: Any, n: int, seconds: float
) -> tuple[IntArray | int, dict[str, float] | float]:
    """Target per ticket in ns (or one target for all) and the targets as recorded."""
    per_second = seconds * 1e9
    if not isinstance(targets, Mapping):
        t = _positive("targets", targets)
        return _ns(t * per_second), t
    if not targets:
        raise fail("targets", "a number or a non-empty mapping of priority to target", targets)
    recorded: dict[str, float] = {}
    table: dict[Any, int] = {}
    for key, val in targets.items():
        t = _positive(f"targets[{key!r}]", val)
        recorded[str(key)] = t
        table[key] = _ns(t * per_second)
    if priority is None:
        raise fail("priority", "a priority per ticket when targets is a mapping", None)
    codes, uniques = grp.factorise("priority", priority, n)
    lookup = np.empty(uniques.size, dtype=np.int64)
    for i, u in enumerate(uniques.tolist()):  # loop over distinct priorities only
        if u not in table:
            bad = int(np.flatnonzero(codes == i)[0])
            accepted = ", ".join(repr(k) for k in targets)
            raise fail(f"priority[{bad}]", f"a priority with a target ({accepted})", u)
        lookup[i] = table[u]
    return lookup[codes], recorded


def _ns(target: float) -> int:
    """A target in ns; beyond int64 it is the largest (no ticket can take longer)."""
    return round(target) if target < 2.0**63 else int(np.iinfo(np.int64).max)


def _positive(name: str, value: object) -> float:
    out = number(name, value, minimum=0, strict_min=True)
    assert out is not None
    return out


def sla_attainment(
    start: Any,
    end: Any,
    priority: Any = None,
    targets: Mapping[Any, float] | float | None = None,
    *,
    met: Any = None,
    by: Any = None,
    period: Period | None = None,
    period_on: Any = "start",
    as_of: Any = None,
    unit: Unit = "hours",
    calendar: BusinessCalendar | None = None,
    pauses: Pauses | None = None,
    ids: Any = None,
) -> GroupedKPI:
    """Share of tickets resolved within their target: computed, or as the tool recorded it.

    Two ways to judge a ticket, exactly one of which is given:

    * ``targets`` maps each priority to its target in ``unit`` (or is one
      number for every ticket; ``priority`` may then be ``None``).  A ticket
      meets its target when ``end - start <= target`` (on time counts as met).
    * ``met`` is the outcome the service-desk tool recorded per ticket
      (ServiceNow's ``made_sla``, :attr:`Tickets.sla_met <itil_ci.io.Tickets>`):
      true or false; ``priority`` and ``targets`` are then not needed.

    Open tickets (``end`` is ``NaT``) are not judged, unless ``as_of`` is
    given with ``targets``: an open ticket already older than its target at
    ``as_of`` has breached and is counted as such (with ``met``, an open
    ticket's recorded outcome is not final, so ``as_of`` is refused).
    ``count`` is the number of judged tickets, ``value`` the share met; extra
    columns ``met``, ``breached`` and ``open`` (open and not yet judged).  A
    priority without a target is an error naming the first such row.

    ``period_on`` places a ticket in a period: ``"start"`` (default), an
    array of times, or ``"end"``, the time its outcome was decided: its
    resolution for a closed ticket and, with ``as_of``, the instant an open
    ticket breached (``start + target``).  Other open tickets have no such
    time and are left out with ``period_on="end"`` (as in :func:`mttr`), so
    ``open`` is then 0.  ``unit`` (of ``targets``) is one of ``"seconds"``,
    ``"minutes"``, ``"hours"`` (default), ``"days"``, ``"weeks"``; a target
    too long to express in int64 nanoseconds (over 292 years) is never
    breached.

    On the SLA clock (``calendar``; ``pauses`` tied to tickets by ``ids``)
    durations and targets are business time less pauses (see
    :func:`~itil_ci.measurement.sla.sla_status` for the per-ticket view), and
    an open ticket's breach instant for ``period_on="end"`` is its due time.

    Examples:
        >>> import numpy as np
        >>> start = np.array(["2026-03-02T09:00"] * 4, dtype="datetime64[ns]")
        >>> end = start + np.array([3, 5, 10, 30], dtype="timedelta64[h]")
        >>> r = sla_attainment(start, end, ["P1", "P1", "P2", "P2"], {"P1": 4, "P2": 24})
        >>> r.value.tolist(), r.extra["met"].tolist()
        ([0.5], [2])
        >>> # the outcome the tool recorded; the fourth ticket is still open
        >>> end[3] = np.datetime64("NaT")
        >>> r = sla_attainment(start, end, met=[True, False, True, False], by=["a", "a", "b", "b"])
        >>> r.value.tolist(), r.count.tolist(), r.extra["open"].tolist()
        ([0.5, 1.0], [2, 1], [0, 1])
    """
    seconds = _unit(unit)
    per = _period(period)
    s = _times("start", start)
    e = _times("end", end, allow_missing=True)
    n = s.size
    _nonempty("start", n)
    _same_length(n, end=e.size)
    closed = e != _NAT
    _check_order(s, e, closed, "start,end")
    recorded: dict[str, float] | float | str
    target: IntArray | int = 0
    cut = None if as_of is None else _one_time("as_of", as_of)
    if met is not None:
        if targets is not None:
            raise fail("targets", "None when met= is given (give one way to judge)", targets)
        if as_of is not None:
            raise fail(
                "as_of",
                "None when met= is given (a recorded outcome is final only once resolved)",
                as_of,
            )
        for name, given in (("calendar", calendar), ("pauses", pauses)):
            if given is not None:
                raise fail(
                    name, "None when met= is given (the recorded outcome is already judged)", given
                )
        outcome = _flags("met", met)
        _same_length(n, met=outcome.size)
        ok = closed & outcome
        breached = closed & ~outcome
        recorded = "recorded outcome (met=)"
        cal, pz, m, clocked = None, None, None, False
    else:
        if targets is None:
            raise fail("targets", "a target (a number or a priority mapping), or met=", None)
        if priority is not None:
            priority = native("priority", priority)
            if hasattr(priority, "__len__"):
                _same_length(n, priority=len(priority))
        target, recorded = _target_ns(priority, targets, n, seconds)
        cal, pz, idc = _clock.check(calendar, pauses, ids, n)
        clocked = cal is not None or pz is not None
        m = _clock.measure(
            s,
            e,
            calendar=cal,
            pauses=pz,
            ids=idc,
            as_of=cut,
            keep_for_due=clocked and per is not None,
        )
        d = m.elapsed  # business time less pauses; to as_of for open tickets when given
        ok = closed & (d <= target)
        breached = closed & ~ok
        if cut is not None:
            breached |= ~closed & (d > target)
        del d
    judged = ok | breached
    rows: npt.NDArray[np.bool_] | None = None
    ptimes: IntArray | None = None
    if per is not None:
        ptimes, rows = _period_times(period_on, s, e, closed, n)
        late = breached & ~closed  # open and past its target at as_of: judged at the breach
        if rows is not None and late.any():
            if clocked:  # the instant the clock less pauses reached the target
                assert m is not None
                per_ticket = np.broadcast_to(np.asarray(target, dtype=np.int64), (n,))
                ptimes = np.where(late, _clock.due(m, per_ticket, late), ptimes)
            else:
                ptimes = np.where(late, s + target, ptimes)
            rows = rows | late
    if rows is not None:
        assert ptimes is not None
        ptimes, ok, breached, judged = ptimes[rows], ok[rows], breached[rows], judged[rows]
    g, key_names = _grouping(n, by, per, ptimes, rows)
    count = grp.counts(g.codes, g.size, judged)
    n_met = grp.counts(g.codes, g.size, ok)
    total = grp.counts(g.codes, g.size)
    params: dict[str, object] = {
        "unit": unit,
        "period": per,
        "targets": recorded,
        "as_of": None if cut is None else str(np.datetime64(cut, "ns")),
        "on_time": "met (duration <= target)" if met is None else "met as recorded",
    }
    params.update(_clock.describe(cal, pz, m))
    if per is not None:
        params["period_on"] = period_on if isinstance(period_on, str) else "array"
    method = (
        "share of judged tickets resolved within their priority's target"
        if met is None
        else "share of resolved tickets whose recorded SLA outcome is met"
    )
    return GroupedKPI(
        kpi="sla_attainment",
        names=key_names,
        groups=g.keys,
        count=count,
        value=_divide(n_met, count),
        extra={"met": n_met, "breached": count - n_met, "open": total - count},
        unit=str(unit),
        method=method,
        parameters=params,
    )


# --- proportions ------------------------------------------------------------------


def _proportion(
    kpi: str,
    method: str,
    hit_name: str,
    hits: npt.NDArray[np.bool_],
    *,
    resolved: Any,
    by: Any,
    period: object,
    times: Any,
) -> GroupedKPI:
    per = _period(period)
    n = hits.size
    _nonempty(hit_name, n)
    judged = np.ones(n, dtype=bool)
    if resolved is not None:
        judged = _flags("resolved", resolved)
        _same_length(n, resolved=judged.size)
    ptimes: IntArray | None = None
    if per is not None:
        if times is None:
            raise fail("times", "a time per ticket when period is given", None)
        ptimes = _times("times", times)
        _same_length(n, times=ptimes.size)
    elif times is not None:
        _same_length(n, times=_times("times", times).size)
    g, key_names = _grouping(n, by, per, ptimes)
    count = grp.counts(g.codes, g.size, judged)
    n_hit = grp.counts(g.codes, g.size, hits & judged)
    return GroupedKPI(
        kpi=kpi,
        names=key_names,
        groups=g.keys,
        count=count,
        value=_divide(n_hit, count),
        extra={hit_name: n_hit},
        method=method,
        parameters={"period": per, "denominator": "resolved" if resolved is not None else "all"},
    )


def first_contact_resolution(
    first_contact: Any,
    *,
    resolved: Any = None,
    by: Any = None,
    period: Period | None = None,
    times: Any = None,
) -> GroupedKPI:
    """Share of tickets resolved at the first contact (no escalation, no call-back).

    ``first_contact`` is true where the ticket was resolved during the first
    contact.  The denominator is every ticket, or only those where
    ``resolved`` is true when that column is given (the usual service desk
    convention).  ``times`` (e.g. the logged time) places tickets in periods.

    Examples:
        >>> r = first_contact_resolution([True, False, True, False], resolved=[1, 1, 1, 0])
        >>> r.value.round(4).tolist(), r.count.tolist()
        ([0.6667], [3])
    """
    hits = _flags("first_contact", first_contact)
    return _proportion(
        "first_contact_resolution",
        "tickets resolved at first contact / tickets in the denominator",
        "first_contact",
        hits,
        resolved=resolved,
        by=by,
        period=period,
        times=times,
    )


def reopen_rate(
    reopened: Any,
    *,
    resolved: Any = None,
    by: Any = None,
    period: Period | None = None,
    times: Any = None,
) -> GroupedKPI:
    """Share of resolved tickets that were reopened at least once.

    ``reopened`` is a boolean per ticket or a reopen count (``> 0`` counts).
    The denominator is every ticket, or those where ``resolved`` is true.

    Examples:
        >>> r = reopen_rate([0, 2, 0, 1], by=["a", "a", "b", "b"])
        >>> r.value.tolist(), r.extra["reopened"].tolist()
        ([0.5, 0.5], [1, 1])
    """
    hits = _flags("reopened", reopened, counts=True)
    return _proportion(
        "reopen_rate",
        "tickets reopened at least once / tickets in the denominator",
        "reopened",
        hits,
        resolved=resolved,
        by=by,
        period=period,
        times=times,
    )


def change_success_rate(
    successful: Any,
    *,
    by: Any = None,
    period: Period | None = None,
    times: Any = None,
) -> GroupedKPI:
    """Share of implemented changes that succeeded.

    ``successful`` is true for a change that met its objectives without
    being backed out and without causing an incident; leave out changes that
    were cancelled or never implemented.  ``times`` (e.g. the implementation
    time) places changes in periods.

    Examples:
        >>> r = change_success_rate([True, True, False, True])
        >>> r.value.tolist(), r.extra["successful"].tolist()
        ([0.75], [3])
    """
    hits = _flags("successful", successful)
    return _proportion(
        "change_success_rate",
        "successful changes / implemented changes",
        "successful",
        hits,
        resolved=None,
        by=by,
        period=period,
        times=times,
    )


# --- stocks over time: backlog and availability ----------------------------------------


def _grid(
    n: int, by: Any, per: str, first: int, last: int
) -> tuple[grp.Grouping, tuple[str, ...], int, tuple[npt.NDArray[Any], ...]]:
    """Group by ``by`` only; rows are then every group x every period first..last."""
    g, names = _grouping(n, by, None, None)
    n_periods = last - first + 1
    codes = np.arange(first, last + 1, dtype=np.int64)
    keys = tuple(np.repeat(k, n_periods) for k in g.keys)
    keys = (*keys, np.tile(_period_labels(codes, per), g.size))
    return g, (*names, "period"), n_periods, keys


def backlog(
    opened: Any,
    closed: Any,
    *,
    by: Any = None,
    period: Period | None = None,
    as_of: Any = None,
    unit: Unit = "hours",
) -> GroupedKPI:
    """Open tickets: how many, how the count grows, and how old they are.

    A ticket is open at instant ``t`` when ``opened <= t`` and it is not
    closed by then (``closed`` is ``NaT`` or later).  ``as_of`` (default: the
    latest time in the data) is the end of the observation: tickets opened
    later are ignored and tickets closed later count as open.

    Without ``period`` there is one row per group, a snapshot at ``as_of``.
    With ``period`` there is one row per group and per period, for every
    period from the first ticket to ``as_of`` (a backlog is a stock, so quiet
    periods are rows too), each measured at the end of the period (at
    ``as_of`` for the last one).  A ticket opened or closed exactly at a
    period's end belongs to the next period; the last period includes
    ``as_of`` itself.  Columns: ``count`` and ``value`` (open
    tickets), ``mean`` (average age of the open tickets, in ``unit``; ``NaN``
    when none is open), and in ``extra``: ``opened`` and ``closed`` in the
    period (or up to ``as_of``), and ``growth`` (opened - closed in the
    period, the change in the open count) when ``period`` is given.  Ages are
    accumulated in float64 seconds (error well under a second).  ``unit`` is
    one of ``"seconds"``, ``"minutes"``, ``"hours"`` (default), ``"days"``,
    ``"weeks"``.

    Examples:
        >>> import numpy as np
        >>> opened = np.array(["2026-01-05", "2026-01-20", "2026-02-03"], dtype="datetime64[ns]")
        >>> closed = np.array(["2026-02-10", "NaT", "NaT"], dtype="datetime64[ns]")
        >>> r = backlog(opened, closed, period="month", as_of=np.datetime64("2026-02-28", "ns"))
        >>> r.groups[0].astype(str).tolist(), r.count.tolist(), r.extra["growth"].tolist()
        (['2026-01-01', '2026-02-01'], [2, 2], [2, 0])
        >>> # hours: Jan (27 + 12 days) / 2 at Feb 1; Feb (39 + 25 days) / 2
        >>> r.mean.round(1).tolist()
        [468.0, 768.0]
    """
    seconds = _unit(unit)
    per = _period(period)
    o = _times("opened", opened)
    c = _times("closed", closed, allow_missing=True)
    n = o.size
    _nonempty("opened", n)
    _same_length(n, closed=c.size)
    has_close = c != _NAT
    _check_order(o, c, has_close, "opened,closed")
    if as_of is None:
        cut = int(max(o.max(), c[has_close].max() if has_close.any() else o.max()))
    else:
        cut = _one_time("as_of", as_of)
    live = o <= cut
    done = has_close & (c <= cut)
    to_unit = 1.0 / seconds
    params: dict[str, object] = {
        "unit": unit,
        "period": per,
        "as_of": str(np.datetime64(cut, "ns")),
        "open": "opened <= t and not closed by t",
    }
    if per is None:
        g, names = _grouping(n, by, None, None)
        open_now = live & ~done
        count = grp.counts(g.codes, g.size, open_now)
        age = arrays.span_ns("as_of - opened", o[open_now], cut).astype(np.float64)
        age *= to_unit / 1e9
        mean = _divide(np.bincount(g.codes[open_now], weights=age, minlength=g.size), count)
        return GroupedKPI(
            kpi="backlog",
            names=names,
            groups=g.keys,
            count=count,
            value=count.astype(np.float64),
            mean=mean,
            extra={
                "opened": grp.counts(g.codes, g.size, live),
                "closed": grp.counts(g.codes, g.size, done),
            },
            unit=str(unit),
            method="open tickets at as_of and their mean age",
            parameters=params,
        )
    po = _period_code(o, per)
    first = int(po[live].min()) if live.any() else int(_period_code(np.array([cut]), per)[0])
    last = int(_period_code(np.array([cut], dtype=np.int64), per)[0])
    g, names, n_p, keys = _grid(n, by, per, first, last)
    cells = g.size * n_p
    ref = int(_period_start(np.array([first], dtype=np.int64), per)[0])
    arrays.span_ns("as_of - opened", ref, cut)  # every age below is at most this
    idx_o = g.codes[live] * n_p + (po[live] - first)
    idx_c = g.codes[done] * n_p + (_period_code(c[done], per) - first)
    opened_in = np.bincount(idx_o, minlength=cells).reshape(g.size, n_p)
    closed_in = np.bincount(idx_c, minlength=cells).reshape(g.size, n_p)
    o_rel = (o - ref).astype(np.float64) / 1e9
    net = np.bincount(idx_o, weights=o_rel[live], minlength=cells)
    net -= np.bincount(idx_c, weights=o_rel[done], minlength=cells)
    open_n = np.cumsum(opened_in - closed_in, axis=1)
    age_sum_o = np.cumsum(net.reshape(g.size, n_p), axis=1)
    ends = _period_start(np.arange(first + 1, last + 2, dtype=np.int64), per)
    ends[-1] = cut
    at = (ends - ref).astype(np.float64) / 1e9
    age_total = open_n * at[None, :] - age_sum_o
    mean = _divide(age_total.ravel() * to_unit, open_n.ravel())
    count = open_n.ravel().astype(np.int64)
    return GroupedKPI(
        kpi="backlog",
        names=names,
        groups=keys,
        count=count,
        value=count.astype(np.float64),
        mean=mean,
        extra={
            "opened": opened_in.ravel().astype(np.int64),
            "closed": closed_in.ravel().astype(np.int64),
            "growth": (opened_in - closed_in).ravel().astype(np.int64),
        },
        unit=str(unit),
        method="open tickets at the end of each period, their mean age, and growth",
        parameters=params,
    )


def _window(window: Any) -> tuple[int, int]:
    if not isinstance(window, tuple | list) or len(window) != 2:
        raise fail("window", "a (begin, end) pair of times", window)
    begin = _one_time("window[0]", window[0])
    finish = _one_time("window[1]", window[1])
    if finish <= begin:
        raise fail("window", "a (begin, end) pair with end after begin", window)
    return begin, finish


def availability(
    start: Any,
    end: Any,
    *,
    by: Any = None,
    period: Period | None = None,
    window: Any = None,
    agreed: float | None = None,
    unit: Unit = "hours",
) -> GroupedKPI:
    """Availability, MTBF, MTRS and MTBSI from outage records.

    Each row of ``start``/``end`` is one unplanned outage (break) of the
    service named by ``by``; an outage still going on has ``end`` = ``NaT``
    and lasts until the end of the window.  Outages of one service must not
    overlap (merge them first; an overlap is an error naming both rows).

    The agreed service time (AST) of a row is its calendar time within
    ``window`` (24 x 7 service) or, when ``agreed`` is given, that many
    ``unit`` per row (each period, or the whole window).  Downtime is the
    outage time inside the row's span (outages crossing a period boundary are
    split); a break is counted in the period where it starts.  Then, as in
    ITIL availability management:

    * ``value`` = availability = (AST - downtime) / AST, in ``[0, 1]``;
    * ``extra["mtrs"]`` = downtime / breaks (mean time to restore service);
    * ``extra["mtbf"]`` = (AST - downtime) / breaks (mean uptime between failures);
    * ``extra["mtbsi"]`` = AST / breaks (mean time between service incidents);
    * ``count`` = breaks; ``extra["downtime"]`` and ``extra["agreed"]``.

    MTRS, MTBF and MTBSI are ``NaN`` where there was no break.  ``window`` is
    required without ``period``; with ``period`` it defaults to the whole
    periods from the first outage's start to the last outage's end, and every
    period in it is a row (a period without outages is 100 % available).
    Services without any outage do not appear: they have no rows to group.
    ``unit`` (of the durations and of ``agreed``) is one of ``"seconds"``,
    ``"minutes"``, ``"hours"`` (default), ``"days"``, ``"weeks"``.

    Examples:
        >>> import numpy as np
        >>> start = np.array(["2026-03-02T10:00", "2026-03-20T00:00"], dtype="datetime64[ns]")
        >>> end = start + np.array([2, 4], dtype="timedelta64[h]")
        >>> r = availability(start, end, window=("2026-03-01T00:00Z", "2026-04-01T00:00Z"))
        >>> r.extra["agreed"].tolist(), r.extra["downtime"].tolist(), r.count.tolist()
        ([744.0], [6.0], [2])
        >>> round(float(r.value[0]), 6), r.extra["mtrs"].tolist(), r.extra["mtbf"].tolist()
        (0.991935, [3.0], [369.0])
    """
    _unit(unit)
    per = _period(period)
    s = _times("start", start)
    e = _times("end", end, allow_missing=True)
    n = s.size
    _nonempty("start", n)
    _same_length(n, end=e.size)
    ended = e != _NAT
    _check_order(s, e, ended, "start,end")
    if agreed is not None:
        agreed = _positive("agreed", agreed)
    if window is not None:
        begin, finish = _window(window)
    elif per is None:
        raise fail("window", "a (begin, end) pair of times when period is None", None)
    else:
        latest = int(max(s.max(), e[ended].max() if ended.any() else s.max()))
        p0 = int(_period_code(np.array([s.min()], dtype=np.int64), per)[0])
        p1 = int(_period_code(np.array([latest], dtype=np.int64), per)[0])
        begin = int(_period_start(np.array([p0], dtype=np.int64), per)[0])
        finish = int(_period_start(np.array([p1 + 1], dtype=np.int64), per)[0])
    arrays.span_ns("window", begin, finish)  # every outage piece below is at most this long
    e_eff = np.where(ended, e, finish)
    g0, key_names = _grouping(n, by, None, None)
    _check_overlaps(g0.codes, s, e_eff)
    a = np.maximum(s, begin)
    b = np.minimum(e_eff, finish)
    inside = b > a
    starts_in = (s >= begin) & (s < finish)
    if per is None:
        g, n_p, keys = g0, 1, g0.keys
        down_ns = grp.int_sums(g.codes[inside], g.size, (b - a)[inside])
        breaks = grp.counts(g.codes, g.size, starts_in)
        span_ns = np.full(g.size, finish - begin, dtype=np.int64)
    else:
        first = int(_period_code(np.array([begin], dtype=np.int64), per)[0])
        last = int(_period_code(np.array([finish - 1], dtype=np.int64), per)[0])
        g, key_names, n_p, keys = _grid(n, by, per, first, last)
        bounds = _period_start(np.arange(first, last + 2, dtype=np.int64), per)
        bounds[0], bounds[-1] = begin, finish
        cells = g.size * n_p
        ai, bi, gi = a[inside], b[inside], g.codes[inside]
        pa = _period_code(ai, per) - first
        pb = _period_code(bi - 1, per) - first
        pieces = pb - pa + 1
        owner = np.repeat(np.arange(ai.size), pieces)
        offs = np.cumsum(pieces) - pieces
        pp = pa[owner] + (np.arange(owner.size) - offs[owner])
        lo = np.maximum(ai[owner], bounds[pp])
        hi = np.minimum(bi[owner], bounds[pp + 1])
        down_ns = grp.int_sums(gi[owner] * n_p + pp, cells, hi - lo)
        ps = _period_code(s[starts_in], per) - first
        breaks = np.bincount(g.codes[starts_in] * n_p + ps, minlength=cells).astype(np.int64)
        span_ns = np.tile(np.diff(bounds), g.size)
    return _availability_result(
        key_names,
        keys,
        down_ns,
        breaks,
        span_ns,
        agreed=agreed,
        unit=str(unit),
        parameters={
            "unit": unit,
            "period": per,
            "window": (str(np.datetime64(begin, "ns")), str(np.datetime64(finish, "ns"))),
            "agreed": "calendar time (24x7)" if agreed is None else agreed,
        },
    )


def _availability_result(
    names: tuple[str, ...],
    keys: tuple[npt.NDArray[Any], ...],
    down_ns: IntArray,
    breaks: IntArray,
    span_ns: IntArray,
    *,
    agreed: float | None,
    unit: str,
    parameters: Mapping[str, object],
) -> GroupedKPI:
    """The availability KPI from exact downtime and period lengths (ns) per row.

    Downtime is summed in integer nanoseconds, so it never exceeds its period's
    time by rounding and a period that was down throughout is exactly 0 %
    available.  Shared by :func:`availability` and its Dask form.
    """
    ns_to_unit = 1.0 / (_unit(unit) * 1e9)
    down = down_ns * ns_to_unit
    if agreed is None:
        ast = span_ns * ns_to_unit
        up = (span_ns - down_ns) * ns_to_unit
        value = (span_ns - down_ns) / span_ns
    else:
        ast = np.full(span_ns.size, agreed)
        if (down > ast).any():
            bad = int(np.flatnonzero(down > ast)[0])
            raise fail(
                "agreed", f"at least the downtime of row {bad} ({down[bad]:g} {unit})", agreed
            )
        up = ast - down
        value = up / ast
    return GroupedKPI(
        kpi="availability",
        names=names,
        groups=keys,
        count=breaks,
        value=value,
        extra={
            "downtime": down,
            "agreed": ast,
            "mtrs": _divide(down, breaks),
            "mtbf": _divide(up, breaks),
            "mtbsi": _divide(ast, breaks),
        },
        unit=unit,
        method="availability = (AST - downtime) / AST; MTRS, MTBF, MTBSI per break",
        parameters=parameters,
    )


def _check_overlaps(codes: IntArray, s: IntArray, e: IntArray) -> None:
    """Reject overlapping outages of one group (adjacent pairs after sorting suffice)."""
    if s.size < 2:
        return
    order = np.lexsort((s, codes))
    same = codes[order][1:] == codes[order][:-1]
    clash = same & (s[order][1:] < e[order][:-1])
    if clash.any():
        k = int(np.flatnonzero(clash)[0])
        i, j = sorted((int(order[k]), int(order[k + 1])))
        raise fail(
            f"start[{j}]",
            f"outages of one service that do not overlap (row {i} is still going on)",
            str(np.datetime64(int(s[j]), "ns")),
        )
