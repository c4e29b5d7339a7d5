"""Time in state on Dask: the in-memory kernel per partition of whole tickets (private).

Each partition holds every event of its tickets (:func:`._history.by_ticket`),
so :func:`itil_ci.measurement.time_in_state` measures its stints exactly, on
the calendar, to ``as_of``.  Rows keyed by ticket (the default keys) are
then finished in their partition; the partitions' rows are put in the
in-memory order: tickets in the order of their first event, states and
groups sorted.  Rows keyed by state or group only gather stints of many
partitions: the counts, totals, tickets and open stints are added up, the
mean is the kernel's division of the totals, and the median and p90 need
all the stints of the row.  For those, each partition reads the length of
every stint from the kernel itself -- run once more by ticket and by the
rank of each event in its ticket, so each stint is a row -- and the (row,
stint) pairs of the rows spread over partitions are shuffled on the row
(exact, the default) or merged as logarithmic histograms
(``approximate=True``).  The
stints come from the kernel in ``unit`` as floats, so those medians and
p90s may differ from the in-memory ones in the last bits (well within a
relative 1e-12).
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from itil_ci._internal.strings import run_starts
from itil_ci._internal.validate import fail, flag
from itil_ci.errors import ItilCiError
from itil_ci.io.history import History
from itil_ci.measurement import _clock
from itil_ci.measurement import _grouping as grp
from itil_ci.measurement import _kpi_input as kin
from itil_ci.measurement.calendar import BusinessCalendar
from itil_ci.measurement.grouped import GroupedKPI
from itil_ci.measurement.state_time import Unit
from itil_ci.measurement.state_time import time_in_state as kernel
from itil_ci.scale import _sketch
from itil_ci.scale._combine import find, stack
from itil_ci.scale._history import by_ticket, check, ordered
from itil_ci.scale._run import CELL, Job, Steps, finish, whole_cells
from itil_ci.scale._slaclock import Clock

__all__ = ["time_in_state"]

Keys = tuple[npt.NDArray[Any], ...]


@attrs.frozen(eq=False)
class _Spec:
    keys: tuple[str, ...]
    calendar: BusinessCalendar | None
    as_of: Any
    cut: int | None
    unit: str
    alpha: float | None

    def run(self, h: History, index: int, by: Any = None) -> GroupedKPI:
        try:
            return kernel(
                h,
                calendar=self.calendar,
                as_of=self.as_of,
                by=self.keys if by is None else by,
                unit=self.unit,  # type: ignore[arg-type]
            )
        except ItilCiError as err:
            raise fail(f"history, partition {index}", "events to measure", str(err)) from None

    def span(self, h: History) -> tuple[int, int] | None:
        """The instants the kernel measures over a partition's events (recorded on a calendar).

        From the first event kept (events after ``as_of`` are left out) to
        ``as_of``, or to the last event kept without it.
        """
        if self.calendar is None:
            return None
        t = h.time.view(np.int64)
        if self.cut is not None:
            t = t[t <= self.cut]
        if t.size == 0:
            return None
        return int(t.min()), int(t.max()) if self.cut is None else self.cut


def _first_keys(h: History, key: npt.NDArray[np.int64]) -> tuple[Any, Any]:
    """Each ticket's id and the order key of its first event (tickets in history order)."""
    starts = run_starts(h.id)
    return h.id[starts], key[starts]


def _as_order(labels: npt.NDArray[Any], ids: Any, firsts: Any) -> npt.NDArray[np.int64]:
    """The first-event order key of each ticket id in ``labels``."""
    sort = np.argsort(ids, kind="stable")
    pos = np.searchsorted(ids[sort], labels)
    return np.asarray(firsts[sort[pos]], dtype=np.int64)


def _stack_keys(r: GroupedKPI, spec: _Spec, ids: Any, firsts: Any) -> Keys:
    """A result's key columns, ids replaced by their first-event order (a global order)."""
    return tuple(
        _as_order(col, ids, firsts) if name == "id" else col
        for name, col in zip(r.names, r.groups, strict=True)
    )


def _stints(
    h: History, key: npt.NDArray[np.int64], spec: _Spec, index: int
) -> tuple[Keys, npt.NDArray[np.float64]]:
    """The key of every measured stint (in stacking form) and its length in ``unit``.

    The kernel measures them: each event's state is replaced by its rank
    within its ticket (zero-padded, so that text order is rank order), and
    the rows by ticket and rank are then the stints, one event each.
    """
    n = len(h)
    starts = run_starts(h.id)
    sizes = np.diff(np.append(starts, n))
    rank = np.arange(n, dtype=np.int64) - np.repeat(starts, sizes)
    top = int(rank.max()) if n else 0
    width = len(str(top))
    words = np.array([str(k).zfill(width) for k in range(top + 1)])  # distinct ranks only
    ranked = History._trusted(h.id, h.time, words[rank], None)
    r = spec.run(ranked, index, by=("id", "state"))
    kept = r.count > 0
    ids, firsts = _first_keys(h, key)
    order = np.argsort(ids, kind="stable")
    ticket = order[np.searchsorted(ids[order], r.groups[0][kept])]
    event = starts[ticket] + r.groups[1][kept].astype(np.int64)
    value = r.value[kept]
    cols: list[npt.NDArray[Any]] = []
    for name in spec.keys:  # a loop over the (at most three) key columns
        if name == "id":
            cols.append(np.asarray(firsts[ticket], dtype=np.int64))
        elif name == "state":
            cols.append(h.state[event])
        else:
            assert h.assignment_group is not None
            cols.append(h.assignment_group[event])
    return tuple(cols), value


def _partial(part: Any, index: int, spec: _Spec) -> dict[str, Any]:
    if len(part) == 0:
        return {}
    h, key = ordered(part, index)
    r = spec.run(h, index)
    ids, firsts = _first_keys(h, key)
    keys = _stack_keys(r, spec, ids, firsts)
    out: dict[str, Any] = {
        "span": spec.span(h),
        "labels": r.groups,
        "keys": keys,
        "count": r.count,
        "value": r.value,
        "median": r.median,
        "p90": r.p90,
        "tickets": r.extra["tickets"],
        "open": r.extra["open"],
    }
    if spec.alpha is not None and r.count.size:
        cols, value = _stints(h, key, spec, index)
        local = find(keys, cols, r.count.size, value.size)
        out["sketch"] = _sketch.merge(
            local, _sketch.bins(value, spec.alpha), np.ones(value.size, dtype=np.int64)
        )
    return out


def _split_stints(part: Any, index: int, spec: _Spec, split: Keys, n_split: int) -> Any:
    """The (row, stint length) pairs of a partition's stints in the ``split`` rows."""
    import pandas as pd

    if len(part) == 0:
        return _no_stints()
    h, key = ordered(part, index)
    cols, value = _stints(h, key, spec, index)
    cell = find(split, cols, n_split, value.size)
    keep = cell >= 0
    return pd.DataFrame({CELL: cell[keep], "v": value[keep]})


def _no_stints() -> Any:
    import pandas as pd

    return pd.DataFrame({CELL: np.zeros(0, dtype=np.int64), "v": np.zeros(0)})


def _whole(part: Any, index: int) -> dict[str, Any] | None:
    """Median and p90 of the stints of whole rows (the kernel's percentile function)."""
    if len(part) == 0:
        return None
    cells, codes = np.unique(part[CELL].to_numpy(dtype=np.int64), return_inverse=True)
    values = part["v"].to_numpy(dtype=np.float64)
    median, p90 = grp.quantiles(codes.ravel(), cells.size, values, [50.0, 90.0])
    return {"cells": cells, "median": median, "p90": p90}


def _sample(has_group: bool) -> History:
    t = np.zeros(1, dtype="datetime64[ns]")
    return History(id=["x"], time=t, state=["s"], assignment_group=["g"] if has_group else None)


def _steps(
    history: Any,
    calendar: object,
    as_of: object,
    by: object,
    unit: object,
    approximate: object,
    relative_error: object,
) -> Steps:
    has_group = check(history)
    flag("approximate", approximate)
    alpha = _sketch.relative_error(relative_error) if approximate else None
    cal, _, _ = _clock.check(calendar, None, None, 0)
    c = Clock(cal, as_of, None, None, (), None)
    model = kernel(_sample(has_group), by=by, unit=unit, **c.sample())  # type: ignore[arg-type]
    keys = tuple(model.names)
    cut = None if as_of is None else kin._one_time("as_of", as_of)
    spec = _Spec(keys, c.calendar, as_of, cut, str(unit), alpha)
    frame, _ = by_ticket(history)
    answer = yield Job(frame, None, _partial, (spec,))
    parts = [p for p in answer if p]
    params = dict(model.parameters)
    params.update(c.describe([p["span"] for p in parts], [], False))
    if alpha is not None:
        params["approximate"] = f"percentiles within a relative {alpha:g} (logarithmic histogram)"
    rows = [p for p in parts if p["count"].size]
    if not rows:
        empty = History._trusted(*(np.empty(0, dtype=d) for d in ("<U1", "M8[ns]", "<U1")))
        if has_group:
            empty = History._trusted(empty.id, empty.time, empty.state, empty.state.copy())
        r = kernel(empty, by=keys, unit=unit, calendar=c.calendar)  # type: ignore[arg-type]
        return attrs.evolve(r, parameters=params)
    st = stack([p["keys"] for p in rows], len(keys), [p["count"].size for p in rows])
    size = st.size

    def total(name: str, dtype: Any = np.int64) -> Any:
        weights = np.concatenate([p[name] for p in rows])
        return np.bincount(st.codes, weights=weights, minlength=size).astype(dtype)

    count = total("count")
    value = total("value", np.float64)
    n_measured = np.concatenate([p["count"] for p in rows])
    has = n_measured > 0
    contrib = np.bincount(st.codes[has], minlength=size)
    median = np.full(size, np.nan)
    p90 = np.full(size, np.nan)
    alone = has & (contrib[st.codes] == 1)
    for target, column in ((median, "median"), (p90, "p90")):
        target[st.codes[alone]] = np.concatenate([p[column] for p in rows])[alone]
    if "id" in keys:  # back from the first-event order to the ids
        labels = np.concatenate([p["labels"][keys.index("id")] for p in rows])
        _, first = np.unique(st.codes, return_index=True)
        groups = tuple(
            labels[first] if n == "id" else k for n, k in zip(keys, st.keys, strict=True)
        )
    else:
        groups = st.keys
    split = contrib >= 2
    if split.any() and alpha is not None:
        _approximate(rows, st, split, median, p90, alpha)
    elif split.any():
        yield from _exact(frame, spec, st, split, median, p90)
    return GroupedKPI(
        kpi=model.kpi,
        names=keys,
        groups=groups,
        count=count,
        value=value,
        mean=kin._divide(value, count),
        median=median,
        p90=p90,
        extra={"tickets": total("tickets"), "open": total("open")},
        unit=model.unit,
        method=model.method,
        parameters=params,
    )


def _exact(
    frame: Any,
    spec: _Spec,
    st: Any,
    split: npt.NDArray[np.bool_],
    median: npt.NDArray[np.float64],
    p90: npt.NDArray[np.float64],
) -> Generator[Job, list[Any], None]:
    """Shuffle the stints of the split rows on the row; percentiles of each row whole."""
    which = np.flatnonzero(split)
    n = int(which.size)
    table = tuple(k[which] for k in st.keys)
    source = Job(frame, None, _split_stints, (spec, table, n))
    for q in (yield from whole_cells(source, _no_stints(), n, _whole)):
        at = which[q["cells"]]
        median[at], p90[at] = q["median"], q["p90"]


def _approximate(
    rows: list[dict[str, Any]],
    st: Any,
    split: npt.NDArray[np.bool_],
    median: npt.NDArray[np.float64],
    p90: npt.NDArray[np.float64],
    alpha: float,
) -> None:
    q50, q90 = _sketch.split_quantiles(rows, st, alpha)
    median[split], p90[split] = q50[split], q90[split]


def time_in_state(
    history: Any,
    *,
    calendar: BusinessCalendar | None = None,
    as_of: Any = None,
    by: str | Sequence[str] | None = None,
    unit: Unit = "hours",
    approximate: bool = False,
    relative_error: float = 0.01,
) -> GroupedKPI:
    """Business time spent in each state, from a dask DataFrame of events; exact by default.

    The Dask form of :func:`itil_ci.measurement.time_in_state`: ``history``
    holds the events (``id``, ``time``, ``state`` and optionally
    ``assignment_group``) as :func:`read_history` gives them; ``calendar``,
    ``as_of``, ``by`` (any of ``"id"``, ``"state"``, ``"assignment_group"``)
    and ``unit`` are as in memory, and the result is the same
    :class:`~itil_ci.measurement.GroupedKPI`: ids in the order of their
    first event (the files' ``_row`` order when they have one, else
    partition by partition), states and groups sorted.

    Each partition must hold every event of its tickets: a history written
    by ``History.to_parquet(path, partition_by="month", ...)`` does, and is
    used as it is; any other is shuffled on the ticket id first.  Rows keyed
    by ticket are finished inside partitions; rows by state or group only
    gather stints from many partitions, whose lengths are shuffled on the
    row for an exact median and p90 (equal to the in-memory ones up to the
    last bits of a float), or with ``approximate=True`` merged as
    logarithmic histograms, within ``relative_error`` (see :func:`mttr`).

    Examples:
        >>> import tempfile
        >>> import numpy as np
        >>> from itil_ci import scale
        >>> from itil_ci.io import History
        >>> h = History(id=["INC1", "INC1", "INC2", "INC2"],
        ...             time=np.array(["2026-01-12T08:00", "2026-01-12T09:00",
        ...                            "2026-01-12T08:00", "2026-01-12T12:00"], dtype="M8[ns]"),
        ...             state=["New", "Resolved", "New", "Resolved"])
        >>> path = f"{tempfile.mkdtemp()}/history.parquet"
        >>> h.to_parquet(path)
        >>> r = scale.time_in_state(scale.read_history(path), by="state")
        >>> r.groups[0].tolist(), r.value.tolist(), r.median.tolist(), r.extra["open"].tolist()
        (['New', 'Resolved'], [5.0, 0.0], [2.5, nan], [0, 2])
    """
    return finish(_steps(history, calendar, as_of, by, unit, approximate, relative_error))
