"""MTTR and MTTA on Dask: the numpy kernels per partition, exact percentiles (private).

Each partition runs :func:`itil_ci.measurement.mttr` (or ``mtta``) on its
own tickets -- with the calendar, ``as_of``, the ticket ids and the pauses
of its tickets (:mod:`itil_ci.scale._slaclock`) -- and returns one row per
cell (keys and period) it holds.  A cell whose measured tickets all sit in
one partition is finished there: its count, mean, median and p90 are the
kernel's.  Counts of cells found in several partitions are added; their
percentiles need all their durations in one place, so (exact, the default)
the partitions are read again, the SLA clock of the shared kernel
(:func:`itil_ci.measurement._clock.measure`) gives the durations of those
cells' tickets only, in integer nanoseconds, and these (cell, duration)
pairs are shuffled on the cell; the kernel then runs once more on each cell
whole, on those durations.  With ``approximate=True`` each partition also
sends a logarithmic histogram of its durations per cell
(:mod:`itil_ci.scale._sketch`) and the split cells' percentiles come from
the merged histograms instead.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from itil_ci._internal.validate import fail, flag
from itil_ci.errors import ItilCiError
from itil_ci.measurement import _clock, itsm
from itil_ci.measurement import _grouping as grp
from itil_ci.measurement import _kpi_input as kin
from itil_ci.measurement.calendar import BusinessCalendar
from itil_ci.measurement.pauses import Pauses
from itil_ci.scale import _sketch
from itil_ci.scale._combine import find, no_rows, stack
from itil_ci.scale._frame import Columns, Kind, columns, reraise, take
from itil_ci.scale._run import CELL, Job, Steps, finish, whole_cells
from itil_ci.scale._slaclock import Clock, Plan, answers, clock, first_round, plan, span

__all__ = ["Durations", "durations"]

_NAT = np.iinfo(np.int64).min
_T0 = np.zeros(1, dtype="datetime64[ns]")
_CELL_ARGS = ("unit", "quantile_method", "kind")  # what the kernel needs to finish a cell


@attrs.frozen(eq=False)
class Durations:
    """What a partition computes: the kernel, its argument names, columns, arguments, clock."""

    kernel: Callable[..., itsm.GroupedKPI]
    start: str
    end: str
    cols: Columns
    kwargs: Mapping[str, Any]
    alpha: float | None
    clock: Clock

    def inputs(self, part: Any, index: int, companion: Any) -> tuple[dict[str, Any], Any]:
        """The kernel's arguments in one partition (columns, scalars, clock) and its keys."""
        try:
            args, keys = take(part, self.cols)
            kwargs = dict(self.kwargs)
            if "period_on" in args:
                kwargs["period_on"] = args.pop("period_on")
            kwargs.update(self.clock.kwargs(companion, index))
        except ItilCiError as err:
            raise reraise(err, self.cols, index) from None
        return {**args, **kwargs}, keys or None

    def call(self, values: dict[str, Any], by: Any, index: int) -> itsm.GroupedKPI:
        try:
            return self.kernel(**values, by=by)
        except ItilCiError as err:
            raise reraise(err, self.cols, index) from None

    def times(self, values: Mapping[str, Any]) -> tuple[npt.NDArray[np.int64], ...]:
        """Start and end (int64 ns, ``_NAT`` for open) of the tickets of a partition."""
        s = kin._times(self.start, values[self.start])
        return s, kin._times(self.end, values[self.end], allow_missing=True)

    def span(self, values: Mapping[str, Any]) -> tuple[int, int] | None:
        """The instants measured in a partition (recorded only on a calendar)."""
        if self.clock.calendar is None:
            return None
        s, e = self.times(values)
        cut = None if values["as_of"] is None else kin._one_time("as_of", values["as_of"])
        return span(s, e, cut)


def _cells(
    spec: Durations, values: Mapping[str, Any], by: Any
) -> tuple[
    grp.Grouping, npt.NDArray[np.bool_] | None, npt.NDArray[np.int64], npt.NDArray[np.int64]
]:
    """The kernel's cells: the grouping of the rows it keeps, the rows kept (None: all), s, e."""
    s, e = spec.times(values)
    n = s.size
    per = kin._period(values.get("period"))
    rows = ptimes = None
    if per is not None:
        ptimes, rows = kin._period_times(values["period_on"], s, e, e != _NAT, n)
        if rows is not None:
            ptimes = ptimes[rows]
    g, _ = kin._grouping(n, by, per, ptimes, rows)
    return g, rows, s, e


def _clocked(
    values: Mapping[str, Any],
    s: npt.NDArray[np.int64],
    e: npt.NDArray[np.int64],
    which: npt.NDArray[np.bool_] | None,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """Each ticket's duration on the shared SLA clock (ns) and whether it is measured.

    ``which`` limits it to some tickets (each ticket's duration is its own).
    """
    cal, pz, ids = _clock.check(values["calendar"], values.get("pauses"), values.get("ids"), s.size)
    if which is not None:
        s, e = s[which], e[which]
        ids = None if ids is None else ids[which]
    cut = None if values["as_of"] is None else kin._one_time("as_of", values["as_of"])
    m = _clock.measure(s, e, calendar=cal, pauses=pz, ids=ids, as_of=cut)
    return m.elapsed, m.measured


def _partial(part: Any, index: int, spec: Durations, companion: Any = None) -> dict[str, Any]:
    out: dict[str, Any] = {"pauses": spec.clock.count(companion)}
    if len(part) == 0:
        return out
    values, by = spec.inputs(part, index, companion)
    r = spec.call(values, by, index)
    out.update(
        {
            "rows": True,
            "span": spec.span(values),
            "names": r.names,
            "keys": r.groups,
            "count": r.count,
            "mean": r.mean,
            "median": r.median,
            "p90": r.p90,
            "open": r.extra["open"],
        }
    )
    if spec.alpha is not None:
        g, rows, s, e = _cells(spec, values, by)
        d, measured = _clocked(values, s, e, None)
        if rows is not None:
            d, measured = d[rows], measured[rows]
        cell_of, ends = g.codes[measured], d[measured]
        cells, binned, counts = _sketch.merge(
            cell_of, _sketch.bins(ends, spec.alpha), np.ones(ends.size, dtype=np.int64)
        )
        out["sketch"] = (cells, binned, counts)
    return out


def _split_durations(
    part: Any,
    index: int,
    spec: Durations,
    split: tuple[npt.NDArray[Any], ...],
    n_split: int,
    companion: Any = None,
) -> Any:
    """The (cell, duration in ns) of each measured ticket of the ``split`` cells in a partition."""
    import pandas as pd

    if len(part) == 0:
        return _no_durations()
    values, by = spec.inputs(part, index, companion)
    g, rows, s, e = _cells(spec, values, by)
    cell = np.full(s.size, -1, dtype=np.int64)
    where = find(split, g.keys, n_split, g.size)[g.codes]
    if rows is None:
        cell[:] = where
    else:
        cell[np.flatnonzero(rows)] = where
    pick = cell >= 0
    if not pick.any():
        return _no_durations()
    d, measured = _clocked(values, s, e, pick)
    return pd.DataFrame({CELL: cell[pick][measured], "d": d[measured]})


def _no_durations() -> Any:
    import pandas as pd

    none = np.zeros(0, dtype=np.int64)
    return pd.DataFrame({CELL: none, "d": none.copy()})


def _whole_cells(part: Any, index: int, spec: Durations) -> dict[str, Any] | None:
    """The kernel on the durations of whole cells: each ticket from time 0 to its duration."""
    if len(part) == 0:
        return None
    d = part["d"].to_numpy(dtype=np.int64)
    zero = np.zeros(d.size, dtype="datetime64[ns]")
    scalars = {k: v for k, v in spec.kwargs.items() if k in _CELL_ARGS}
    by = part[CELL].to_numpy(dtype=np.int64)
    r = spec.kernel(**{spec.start: zero, spec.end: d.view("datetime64[ns]")}, by=by, **scalars)
    return {"cells": r.groups[0], "mean": r.mean, "median": r.median, "p90": r.p90}


def _describe(
    kernel: Callable[..., itsm.GroupedKPI], start: str, end: str, kwargs: Mapping[str, Any]
) -> itsm.GroupedKPI:
    """The kernel on one made-up ticket: checks scalar arguments, gives method and parameters."""
    sample = dict(kwargs)
    if sample.get("period_on") is None:
        sample["period_on"] = _T0
    return kernel(**{start: _T0, end: _T0}, **sample)


def durations(
    kernel: Callable[..., itsm.GroupedKPI],
    tickets: Any,
    *,
    start: tuple[str, object],
    end: tuple[str, object],
    by: object,
    period_on: object,
    kwargs: dict[str, Any],
    sla_clock: tuple[object, object, object, object],
    approximate: object,
    relative_error: object,
) -> Steps:
    """The Dask form of a duration KPI (``mttr`` or ``mtta``), exact unless ``approximate``."""
    flag("approximate", approximate)
    alpha = _sketch.relative_error(relative_error) if approximate else None
    c = clock(*sla_clock)
    roles: dict[str, tuple[object, Kind]] = {
        start[0]: (start[1], "time"),
        end[0]: (end[1], "optional-time"),
    }
    if c.ids is not None:
        roles["ids"] = (c.ids, "text")
    on_column = not (isinstance(period_on, str) and period_on in ("start", "end"))
    if on_column:
        roles["period_on"] = (period_on, "time")
        kwargs = {**kwargs, "period_on": None}
    else:
        kwargs = {**kwargs, "period_on": period_on}
    model = _describe(kernel, start[0], end[0], {**kwargs, **c.sample()})
    cols = columns(tickets, roles, by)
    needed = cols.needed()
    p = plan(tickets, needed, c)
    spec = Durations(kernel, start[0], end[0], cols, kwargs, alpha, c.for_workers())
    answer = yield first_round(p, c, tuple(needed), _partial, (spec,))
    results, unpaired = answers(answer)
    seen = [r for r in results if "rows" in r]
    if not seen:
        raise fail(start[0], "at least one ticket", "an empty array")
    params = dict(model.parameters)
    counts = [r["pauses"] for r in results] + [unpaired]
    params.update(c.describe([r["span"] for r in seen], counts, p.shared))
    if alpha is not None:
        params["approximate"] = f"percentiles within a relative {alpha:g} (logarithmic histogram)"
    parts = [r for r in seen if r["count"].size]
    if not parts:
        names, keys = no_rows(tickets._meta, cols.by, kwargs.get("period"))
        empty = np.zeros(0)
        return itsm.GroupedKPI(
            kpi=model.kpi,
            names=names,
            groups=keys,
            count=empty.astype(np.int64),
            value=empty,
            mean=empty,
            median=empty,
            p90=empty,
            extra={"open": empty.astype(np.int64)},
            unit=model.unit,
            method=model.method,
            parameters=params,
        )
    names = tuple(parts[0]["names"])
    st = stack([q["keys"] for q in parts], len(names), [q["count"].size for q in parts])
    codes, size = st.codes, st.size

    def cat(name: str) -> npt.NDArray[Any]:
        return np.concatenate([q[name] for q in parts])

    n_measured = cat("count")
    count = np.bincount(codes, weights=n_measured, minlength=size).astype(np.int64)
    open_ = np.bincount(codes, weights=cat("open"), minlength=size).astype(np.int64)
    has = n_measured > 0
    contrib = np.bincount(codes[has], minlength=size)
    mean = np.full(size, np.nan)
    median = np.full(size, np.nan)
    p90 = np.full(size, np.nan)
    alone = has & (contrib[codes] == 1)
    for target, column in ((mean, "mean"), (median, "median"), (p90, "p90")):
        target[codes[alone]] = cat(column)[alone]
    split = contrib >= 2
    if split.any() and alpha is not None:
        _approximate(parts, st, split, count, mean, median, p90, alpha, model.unit)
    elif split.any():
        yield from _exact(p, spec, st, split, mean, median, p90)
    return itsm.GroupedKPI(
        kpi=model.kpi,
        names=names,
        groups=st.keys,
        count=count,
        value=mean,
        mean=mean,
        median=median,
        p90=p90,
        extra={"open": open_},
        unit=model.unit,
        method=model.method,
        parameters=params,
    )


def _exact(
    p: Plan,
    spec: Durations,
    st: Any,
    split: npt.NDArray[np.bool_],
    mean: npt.NDArray[np.float64],
    median: npt.NDArray[np.float64],
    p90: npt.NDArray[np.float64],
) -> Generator[Job, list[Any], None]:
    """Shuffle the split cells' durations on their cell and run the kernel on each cell whole."""
    which = np.flatnonzero(split)
    n = int(which.size)
    table = tuple(k[which] for k in st.keys)
    source = p.job(tuple(spec.cols.needed()), _split_durations, (spec, table, n))
    for q in (yield from whole_cells(source, _no_durations(), n, _whole_cells, spec)):
        at = which[q["cells"]]
        mean[at], median[at], p90[at] = q["mean"], q["median"], q["p90"]


def _approximate(
    parts: list[dict[str, Any]],
    st: Any,
    split: npt.NDArray[np.bool_],
    count: npt.NDArray[np.int64],
    mean: npt.NDArray[np.float64],
    median: npt.NDArray[np.float64],
    p90: npt.NDArray[np.float64],
    alpha: float,
    unit: str | None,
) -> None:
    """Split cells: the mean from the partitions' sums, percentiles from their merged histograms."""
    codes = st.codes
    weights = np.concatenate([np.nan_to_num(q["mean"]) * q["count"] for q in parts])
    total = np.bincount(codes, weights=weights, minlength=st.size)
    mean[split] = total[split] / count[split]
    scale = 1.0 / (kin._UNIT_SECONDS[str(unit)] * 1e9)
    q50, q90 = _sketch.split_quantiles(parts, st, alpha, scale=scale)
    median[split], p90[split] = q50[split], q90[split]


def mttr(
    tickets: Any,
    *,
    start: str = "opened",
    end: str = "resolved",
    by: str | Sequence[str] | None = None,
    period: kin.Period | None = None,
    period_on: str = "start",
    kind: str = "resolve",
    unit: kin.Unit = "hours",
    quantile_method: grp.QuantileMethod = "auto",
    calendar: BusinessCalendar | None = None,
    pauses: Pauses | Any = None,
    ids: str | None = None,
    as_of: Any = None,
    approximate: bool = False,
    relative_error: float = 0.01,
) -> itsm.GroupedKPI:
    """Mean time to resolve (restore, repair, respond) over a dask DataFrame, exact by default.

    The Dask form of :func:`itil_ci.measurement.mttr`: ``start`` and ``end``
    name time columns of ``tickets`` (timezone-aware, as
    :func:`read_tickets` gives them), ``by`` one key column or several,
    ``period_on`` is ``"start"``, ``"end"`` or the name of a time column; the
    other arguments mean what they mean in memory, and the result is the same
    :class:`~itil_ci.measurement.GroupedKPI` (same rows, columns, method and
    parameters) with the same numbers: counts equal, means to the last bits
    of a float sum, median and p90 exact.

    Each partition runs the in-memory kernel on its tickets.  A cell (key
    values and period) whose closed tickets lie in one partition, as with
    month-partitioned data and ``period_on="start"``, is finished there.
    The tickets of cells spread over several partitions are shuffled on the
    cell and measured whole; ``approximate=True`` instead merges a
    logarithmic histogram per partition, and those cells' median and p90 are
    then within ``relative_error`` (relative) of the exact value (the mean
    and counts stay exact); ``parameters["approximate"]`` says so.

    On the SLA clock, as in memory: ``calendar`` (a
    :class:`~itil_ci.measurement.BusinessCalendar`) counts business time
    only; ``as_of`` measures open tickets up to it; ``pauses`` take off the
    business time each ticket spent paused, tied to tickets by the column
    ``ids`` (default ``"id"`` when pauses are given).  ``pauses`` is an
    in-memory :class:`~itil_ci.measurement.Pauses` (handed to every
    partition: for pauses that fit in memory) or a dask DataFrame of pauses
    with columns ``id``, ``start``, ``end`` such as
    :func:`itil_ci.scale.pauses` gives.  Month directories of tickets and of
    history written by ``Tickets.to_parquet(path, partition_by="month")`` and
    ``History.to_parquet(path, partition_by="month", tickets=...)`` are
    paired month by month; any other layout is shuffled on the ticket id
    first.  Either way each ticket meets all its pauses, and the result is
    the in-memory one.

    Examples:
        >>> import dask.dataframe as dd
        >>> import pandas as pd
        >>> from itil_ci import scale
        >>> df = pd.DataFrame({
        ...     "opened": pd.to_datetime(["2026-01-05T09:00", "2026-01-20T09:00",
        ...                               "2026-01-21T09:00", "2026-02-02T09:00"], utc=True),
        ...     "resolved": pd.to_datetime(["2026-01-05T11:00", "2026-01-20T13:00",
        ...                                 "2026-01-21T15:00", None], utc=True),
        ...     "assignment_group": ["db", "db", "db", "web"]})
        >>> tickets = dd.from_pandas(df, npartitions=2)  # January's tickets span both
        >>> r = scale.mttr(tickets, by="assignment_group", period="month")
        >>> r.names, r.groups[0].tolist(), r.count.tolist(), r.extra["open"].tolist()
        (('assignment_group', 'period'), ['db', 'web'], [3, 0], [0, 1])
        >>> r.mean.tolist()[0], r.median.tolist()[0], r.p90.tolist()[0]
        (4.0, 4.0, 5.6)
    """
    if not isinstance(kind, str) or kind not in kin._MTTR_KINDS:
        raise fail("kind", f"one of {', '.join(map(repr, kin._MTTR_KINDS))}", kind)
    return finish(
        durations(
            itsm.mttr,
            tickets,
            start=("start", start),
            end=("end", end),
            by=by,
            period_on=period_on,
            kwargs={
                "period": period,
                "kind": kind,
                "unit": unit,
                "quantile_method": quantile_method,
            },
            sla_clock=(calendar, pauses, ids, as_of),
            approximate=approximate,
            relative_error=relative_error,
        )
    )


def mtta(
    tickets: Any,
    *,
    logged: str = "opened",
    acknowledged: str = "acknowledged",
    by: str | Sequence[str] | None = None,
    period: kin.Period | None = None,
    period_on: str = "start",
    unit: kin.Unit = "hours",
    quantile_method: grp.QuantileMethod = "auto",
    calendar: BusinessCalendar | None = None,
    pauses: Pauses | Any = None,
    ids: str | None = None,
    as_of: Any = None,
    approximate: bool = False,
    relative_error: float = 0.01,
) -> itsm.GroupedKPI:
    """Mean time to acknowledge over a dask DataFrame, exact by default.

    The Dask form of :func:`itil_ci.measurement.mtta`; ``logged`` and
    ``acknowledged`` name time columns, and everything else is as in
    :func:`mttr` (tickets not yet acknowledged are counted in
    ``extra["open"]``), the SLA clock (``calendar``, ``pauses``, ``ids``,
    ``as_of``) included.

    Examples:
        >>> import dask.dataframe as dd
        >>> import pandas as pd
        >>> from itil_ci import scale
        >>> df = pd.DataFrame({
        ...     "opened": pd.to_datetime(["2026-03-02T09:00"] * 3, utc=True),
        ...     "acknowledged": pd.to_datetime(
        ...         ["2026-03-02T09:10", "2026-03-02T09:20", "2026-03-02T10:30"], utc=True)})
        >>> r = scale.mtta(dd.from_pandas(df, npartitions=3), unit="minutes")
        >>> r.mean.tolist(), r.median.tolist(), r.p90.tolist()
        ([40.0], [20.0], [76.0])
    """
    return finish(
        durations(
            itsm.mtta,
            tickets,
            start=("logged", logged),
            end=("acknowledged", acknowledged),
            by=by,
            period_on=period_on,
            kwargs={"period": period, "unit": unit, "quantile_method": quantile_method},
            sla_clock=(calendar, pauses, ids, as_of),
            approximate=approximate,
            relative_error=relative_error,
        )
    )
