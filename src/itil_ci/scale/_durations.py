"""MTTR and MTTA on Dask: the numpy kernels per partition, exact percentiles (private).

Each partition runs :func:`itil_ci.measurement.itsm.mttr` (or ``mtta``) on
its own tickets and returns one row per cell (keys and period) it holds.
A cell whose closed tickets all sit in one partition is finished there: its
count, mean, median and p90 are the kernel's.  Counts of cells found in
several partitions are added; their percentiles need all their durations in
one place, so (exact, the default) the rows of those cells only are read
again and shuffled on the cell, and the kernel runs once more on each cell
whole.  With ``approximate=True`` each partition also sends a logarithmic
histogram of its durations per cell (:mod:`itil_ci.scale._sketch`) and the
split cells' percentiles come from the merged histograms instead.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from itil_ci._internal.validate import fail
from itil_ci.errors import ItilCiError
from itil_ci.measurement import _grouping as grp
from itil_ci.measurement import _kpi_input as kin
from itil_ci.measurement import itsm
from itil_ci.scale import _sketch
from itil_ci.scale._combine import find, no_rows, stack
from itil_ci.scale._frame import Columns, Kind, columns, reraise, take
from itil_ci.scale._run import Job, Steps, finish, regroup

__all__ = ["Durations", "durations"]

_NAT = np.iinfo(np.int64).min
_T0 = np.zeros(1, dtype="datetime64[ns]")


@attrs.frozen(eq=False)
class Durations:
    """What a partition computes: the kernel, its argument names, columns, keyword arguments."""

    kernel: Callable[..., itsm.GroupedKPI]
    start: str
    end: str
    cols: Columns
    kwargs: Mapping[str, Any]
    alpha: float | None

    def nothing_to_measure(self, part: Any, index: int) -> bool:
        """True when the kernel would keep no row: ``period_on="end"`` and every ticket open.

        (The in-memory kernel cannot group zero rows; such a partition has no cells.)
        """
        if self.kwargs.get("period") is None or self.kwargs.get("period_on") != "end":
            return False
        args, _ = take(part, self.cols)
        try:
            kin._times(self.start, args[self.start])
        except ItilCiError as err:
            raise reraise(err, self.cols, index) from None
        return bool(np.isnat(args[self.end]).all())

    def call(self, part: Any, index: int) -> tuple[itsm.GroupedKPI, dict[str, Any], Any]:
        args, keys = take(part, self.cols)
        kwargs = dict(self.kwargs)
        if "period_on" in args:
            kwargs["period_on"] = args.pop("period_on")
        by = keys or None
        try:
            result = self.kernel(**args, by=by, **kwargs)
        except ItilCiError as err:
            raise reraise(err, self.cols, index) from None
        return result, {**args, **kwargs}, by


def _rows(
    spec: Durations, values: dict[str, Any], by: Any
) -> tuple[grp.Grouping, Any, npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """The kernel's cells of the rows it measures.

    Returns the grouping of the kept rows, the kept rows (``None``: all), and
    the cell and duration (ns) of each closed kept ticket.
    """
    s = kin._times(spec.start, values[spec.start])
    e = kin._times(spec.end, values[spec.end], allow_missing=True)
    n = s.size
    per = values.get("period")
    rows = None
    ptimes = None
    if per is not None:
        ptimes, rows = kin._period_times(values["period_on"], s, e, e != _NAT, n)
        if rows is not None:
            s, e, ptimes = s[rows], e[rows], ptimes[rows]
    g, _ = kin._grouping(n, by, per, ptimes, rows)
    closed = e != _NAT
    return g, rows, g.codes[closed], e[closed] - s[closed]


def _partial(part: Any, index: int, spec: Durations) -> dict[str, Any] | None:
    if len(part) == 0:
        return None
    if spec.nothing_to_measure(part, index):
        return {"skipped": True}
    r, values, by = spec.call(part, index)
    out: dict[str, Any] = {
        "names": r.names,
        "keys": r.groups,
        "count": r.count,
        "mean": r.mean,
        "median": r.median,
        "p90": r.p90,
        "open": r.extra["open"],
    }
    if spec.alpha is not None:
        _, _, cell_of, ends = _rows(spec, values, by)
        cells, binned, counts = _sketch.merge(
            cell_of, _sketch.bins(ends, spec.alpha), np.ones(ends.size, dtype=np.int64)
        )
        out["sketch"] = (cells, binned, counts)
    return out


def _select(part: Any, spec: Durations, split: tuple[npt.NDArray[Any], ...], n_split: int) -> Any:
    """Each row's position among the ``split`` cells, or -1 (rows of other cells are dropped)."""
    cell = np.full(len(part), -1, dtype=np.int64)
    if len(part) == 0 or spec.nothing_to_measure(part, -1):
        return cell
    args, keys = take(part, spec.cols)
    values = {**args, **spec.kwargs}
    if "period_on" in args:
        values["period_on"] = args["period_on"]
    g, rows, _, _ = _rows(spec, values, keys or None)
    where = find(split, g.keys, n_split, g.size)[g.codes]
    if rows is None:
        cell[:] = where
    else:
        cell[np.flatnonzero(rows)] = where
    return cell


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
    approximate: object,
    relative_error: object,
) -> Steps:
    """The Dask form of a duration KPI (``mttr`` or ``mtta``), exact unless ``approximate``."""
    if not isinstance(approximate, bool):
        raise fail("approximate", "True or False", approximate)
    alpha = _alpha(relative_error) if approximate else None
    roles: dict[str, tuple[object, Kind]] = {
        start[0]: (start[1], "time"),
        end[0]: (end[1], "optional-time"),
    }
    on_column = not (isinstance(period_on, str) and period_on in ("start", "end"))
    if on_column:
        roles["period_on"] = (period_on, "time")
        kwargs = {**kwargs, "period_on": None}
    else:
        kwargs = {**kwargs, "period_on": period_on}
    model = _describe(kernel, start[0], end[0], kwargs)
    cols = columns(tickets, roles, by)
    frame = tickets[cols.needed()]
    spec = Durations(kernel, start[0], end[0], cols, kwargs, alpha)
    answer = yield Job(tickets, tuple(cols.needed()), _partial, (spec,))
    seen = [p for p in answer if p is not None]
    parts = [p for p in seen if "skipped" not in p]
    if not seen:
        raise fail(start[0], "at least one ticket", "an empty array")
    if not parts:
        names, keys = no_rows(frame._meta, cols.by, kwargs.get("period"))
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
            parameters=model.parameters,
        )
    names = tuple(parts[0]["names"])
    st = stack([p["keys"] for p in parts], len(names), [p["count"].size for p in parts])
    codes, size = st.codes, st.size

    def cat(name: str) -> npt.NDArray[Any]:
        return np.concatenate([p[name] for p in parts])

    n_closed = cat("count")
    count = np.bincount(codes, weights=n_closed, minlength=size).astype(np.int64)
    open_ = np.bincount(codes, weights=cat("open"), minlength=size).astype(np.int64)
    has = n_closed > 0
    contrib = np.bincount(codes[has], minlength=size)
    mean = np.full(size, np.nan)
    median = np.full(size, np.nan)
    p90 = np.full(size, np.nan)
    alone = has & (contrib[codes] == 1)
    for target, column in ((mean, "mean"), (median, "median"), (p90, "p90")):
        target[codes[alone]] = cat(column)[alone]
    split = contrib >= 2
    params = dict(model.parameters)
    if split.any() and alpha is not None:
        _approximate(parts, st, split, count, mean, median, p90, alpha, model.unit)
    elif split.any():
        yield from _exact(frame, spec, st, split, mean, median, p90)
    if alpha is not None:
        params["approximate"] = f"percentiles within a relative {alpha:g} (logarithmic histogram)"
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


def _alpha(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise fail("relative_error", "a number between 0 and 0.5", value)
    alpha = float(value)
    if not 1e-6 <= alpha <= 0.5:
        raise fail("relative_error", "a number from 1e-06 to 0.5", value)
    return alpha


def _exact(
    frame: Any,
    spec: Durations,
    st: Any,
    split: npt.NDArray[np.bool_],
    mean: npt.NDArray[np.float64],
    median: npt.NDArray[np.float64],
    p90: npt.NDArray[np.float64],
) -> Generator[Job, list[Any], None]:
    """Shuffle the rows of the split cells on their cell and run the kernel on each cell whole."""
    which = np.flatnonzero(split)
    table = tuple(k[which] for k in st.keys)
    moved = regroup(frame, _select, spec, table, int(which.size), cells=int(which.size))
    answer = yield Job(moved, None, _partial, (spec,))
    again = [p for p in answer if p and "skipped" not in p]
    for p in again:
        at = which[find(table, tuple(p["keys"]), int(which.size), p["count"].size)]
        mean[at], median[at], p90[at] = p["mean"], p["median"], p["p90"]


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
    weights = np.concatenate([np.nan_to_num(p["mean"]) * p["count"] for p in parts])
    total = np.bincount(codes, weights=weights, minlength=st.size)
    mean[split] = total[split] / count[split]
    cells, binned, counts = [], [], []
    for i, p in enumerate(parts):
        local, b, c = p["sketch"]
        cells.append(st.rows(i)[local])
        binned.append(b)
        counts.append(c)
    merged = _sketch.merge(np.concatenate(cells), np.concatenate(binned), np.concatenate(counts))
    scale = 1.0 / (kin._UNIT_SECONDS[str(unit)] * 1e9)
    q50, q90 = _sketch.quantiles(*merged, st.size, [50.0, 90.0], alpha, scale=scale)
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
    approximate: bool = False,
    relative_error: float = 0.01,
) -> itsm.GroupedKPI:
    """Mean time to acknowledge over a dask DataFrame, exact by default.

    The Dask form of :func:`itil_ci.measurement.mtta`; ``logged`` and
    ``acknowledged`` name time columns, and everything else is as in
    :func:`mttr` (tickets not yet acknowledged are counted in
    ``extra["open"]``).

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
            approximate=approximate,
            relative_error=relative_error,
        )
    )
