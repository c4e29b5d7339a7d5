"""Availability on Dask: downtime and breaks per cell, added up; overlaps checked across partitions.

Each partition cuts its outages at the period boundaries (as the in-memory
:func:`itil_ci.measurement.availability` does) and sends, per group and
period, the downtime in integer nanoseconds and the breaks that started
there; the client adds them up and divides.  Without a ``window`` the
window's end is only known once every partition has been seen, so outages
still going on are sent as they are and cut on the client.

Outages of one service must not overlap.  Each partition checks its own;
across partitions each sends, per group, its first start, its last start and
when that last outage ends.  When the partitions' spans of one group do not
interleave (partitions by time, as a month layout gives) comparing
neighbours is the whole check; when they do, the outages of those groups
only are shuffled on the group and checked together.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from itil_ci._internal.validate import fail
from itil_ci.errors import ItilCiError
from itil_ci.measurement import _kpi_input as kin
from itil_ci.measurement import attainment, itsm, stocks
from itil_ci.measurement._grouping import int_sums
from itil_ci.scale._combine import find, stack
from itil_ci.scale._frame import Columns, columns, reraise, take
from itil_ci.scale._run import Job, Steps, regroup
from itil_ci.scale._run import finish as run_now

__all__ = ["availability"]

IntArray = npt.NDArray[np.int64]
_NAT = np.iinfo(np.int64).min
_END = np.iinfo(np.int64).max  # "still going on" before the window's end is known


@attrs.frozen(eq=False)
class _Spec:
    cols: Columns
    period: str | None
    window: tuple[int, int] | None


def _pieces(g: IntArray, a: IntArray, b: IntArray, per: str) -> tuple[IntArray, IntArray, IntArray]:
    """Intervals ``[a, b)`` (``b > a``) cut at period boundaries: group, period, length (ns)."""
    pa = kin._period_code(a, per)
    pb = kin._period_code(b - 1, per)
    pieces = pb - pa + 1
    owner = np.repeat(np.arange(a.size), pieces)
    offs = np.cumsum(pieces) - pieces
    pp = pa[owner] + (np.arange(owner.size) - offs[owner])
    lo = np.maximum(a[owner], kin._period_start(pp, per))
    hi = np.minimum(b[owner], kin._period_start(pp + 1, per))
    return g[owner], pp, hi - lo


def _bounds(g: IntArray, size: int, s: IntArray, e: IntArray) -> dict[str, IntArray]:
    """Per group: first start, last start, and the latest end among the outages starting last."""
    order = np.lexsort((e, s, g))
    gs = g[order]
    first = np.flatnonzero(np.r_[True, gs[1:] != gs[:-1]])
    last = np.r_[first[1:] - 1, gs.size - 1]
    out = {"lo": np.zeros(size, np.int64), "hi": np.zeros(size, np.int64)}
    out["lo"][gs[first]] = s[order][first]
    out["hi"][gs[last]] = s[order][last]
    out["end"] = np.zeros(size, np.int64)
    out["end"][gs[last]] = e[order][last]
    return out


def _partial(part: Any, index: int, spec: _Spec) -> dict[str, Any] | None:
    if len(part) == 0:
        return None
    args, keys = take(part, spec.cols)
    finish = _END if spec.window is None else spec.window[1]
    try:
        s, e, ended = kin._intervals(args["start"], args["end"])
        g, names = kin._grouping(s.size, keys or None, None, None)
        e_eff = np.where(ended, e, finish)
        stocks._check_overlaps(g.codes, s, e_eff)
    except ItilCiError as err:
        raise reraise(err, spec.cols, index, frame="outages") from None
    latest = int(max(s.max(), e[ended].max() if ended.any() else s.max()))
    out: dict[str, Any] = {
        "names": names,
        "keys": g.keys,
        "groups": g.size,
        "earliest": int(s.min()),
        "latest": latest,
        "bounds": _bounds(g.codes, g.size, s, e_eff),
    }
    if spec.window is None:  # with a period only: the window is every whole period seen
        still = ~ended
        out["still"] = (g.codes[still], s[still])
        a, b, starts_in = s[ended], e[ended], np.ones(s.size, dtype=bool)
        gi = g.codes[ended]
    else:
        begin = spec.window[0]
        a, b = np.maximum(s, begin), np.minimum(e_eff, finish)
        starts_in = (s >= begin) & (s < finish)
        gi = g.codes
    inside = b > a
    a, b, gi = a[inside], b[inside], gi[inside]
    if spec.period is None:
        out["down"] = int_sums(gi, g.size, b - a)
        out["breaks"] = np.bincount(g.codes[starts_in], minlength=g.size).astype(np.int64)
        return out
    out["pieces"] = _pieces(gi, a, b, spec.period)
    out["starts"] = (g.codes[starts_in], kin._period_code(s[starts_in], spec.period))
    return out


def _clash(g: IntArray, s: IntArray, e: IntArray) -> tuple[int, int] | None:
    """The first overlap ``(start of the later outage, start of the earlier)``, or None."""
    order = np.lexsort((s, g))
    same = g[order][1:] == g[order][:-1]
    clash = same & (s[order][1:] < e[order][:-1])
    if not clash.any():
        return None
    k = int(np.flatnonzero(clash)[0])
    return int(s[order][k + 1]), int(s[order][k])


def _overlaps(part: Any, index: int, spec: _Spec, finish: int) -> tuple[int, int] | None:
    if len(part) == 0:
        return None
    args, keys = take(part, spec.cols)
    s = kin._times("start", args["start"])
    e = kin._times("end", args["end"], allow_missing=True)
    g, _ = kin._grouping(s.size, keys or None, None, None)
    return _clash(g.codes, s, np.where(e != _NAT, e, finish))


def _in_groups(part: Any, spec: _Spec, table: tuple[Any, ...], n_table: int) -> Any:
    if len(part) == 0:
        return np.zeros(0, dtype=np.int64)
    _, keys = take(part, spec.cols)
    g, _ = kin._grouping(len(part), keys or None, None, None)
    return find(table, g.keys, n_table, g.size)[g.codes]


def _overlap_error(later: int, earlier: int) -> Exception:
    return fail(
        "start",
        "outages of one service that do not overlap (an outage of the same service that "
        f"started at {np.datetime64(earlier, 'ns')} is still going on)",
        str(np.datetime64(later, "ns")),
    )


def _check_across(
    frame: Any, spec: _Spec, parts: list[dict[str, Any]], st: Any, finish: int
) -> Generator[Job, list[Any], None]:
    """No outage of a group overlaps one of the same group in another partition."""
    g = np.concatenate([st.rows(i) for i in range(len(parts))])
    lo, hi, end = (np.concatenate([p["bounds"][k] for p in parts]) for k in ("lo", "hi", "end"))
    end = np.minimum(end, finish)
    order = np.lexsort((hi, lo, g))
    g, lo, hi, end = g[order], lo[order], hi[order], end[order]
    same = g[1:] == g[:-1]
    mixed = same & (lo[1:] < hi[:-1])  # spans interleave: neighbours are not enough
    clash = same & ~mixed & (lo[1:] < end[:-1])
    if clash.any():
        k = int(np.flatnonzero(clash)[0])
        raise _overlap_error(int(lo[k + 1]), int(hi[k]))
    if not mixed.any():
        return
    which = np.unique(g[1:][mixed])
    table = tuple(k[which] for k in st.keys)
    moved = regroup(frame, _in_groups, spec, table, int(which.size), cells=int(which.size))
    answer = yield Job(moved, None, _overlaps, (spec, finish))
    found = [c for c in answer if c is not None]
    if found:
        raise _overlap_error(*min(found))


def availability(
    outages: Any,
    *,
    start: str = "start",
    end: str = "end",
    by: str | Sequence[str] | None = None,
    period: kin.Period | None = None,
    window: Any = None,
    agreed: float | None = None,
    unit: kin.Unit = "hours",
) -> itsm.GroupedKPI:
    """Availability, MTBF, MTRS and MTBSI from a dask DataFrame of outages.

    The Dask form of :func:`itil_ci.measurement.availability`: ``start`` and
    ``end`` name time columns (``end`` missing while an outage goes on),
    ``by`` one key column or several (the service); the rest is as in
    memory and the result is the same
    :class:`~itil_ci.measurement.GroupedKPI`.  Downtime (summed in integer
    nanoseconds) and breaks add up over partitions; overlapping outages of
    one service are an error, also across partitions.

    Examples:
        >>> import dask.dataframe as dd
        >>> import pandas as pd
        >>> from itil_ci import scale
        >>> df = pd.DataFrame({
        ...     "start": pd.to_datetime(["2026-03-02T10:00", "2026-03-20T00:00"], utc=True),
        ...     "end": pd.to_datetime(["2026-03-02T12:00", "2026-03-20T04:00"], utc=True)})
        >>> r = scale.availability(dd.from_pandas(df, npartitions=2),
        ...                        window=("2026-03-01T00:00Z", "2026-04-01T00:00Z"))
        >>> r.extra["agreed"].tolist(), r.extra["downtime"].tolist(), r.count.tolist()
        ([744.0], [6.0], [2])
    """
    return run_now(_steps(outages, start, end, by, period, window, agreed, unit))


def _steps(
    outages: Any,
    start: str,
    end: str,
    by: str | Sequence[str] | None,
    period: kin.Period | None,
    window: Any,
    agreed: float | None,
    unit: kin.Unit,
) -> Steps:
    kin._unit(unit)
    per = kin._period(period)
    if agreed is not None:
        agreed = attainment._positive("agreed", agreed)
    fixed = None if window is None else stocks._window(window)
    if fixed is None and per is None:
        raise fail("window", "a (begin, end) pair of times when period is None", None)
    cols = columns(
        outages, {"start": (start, "time"), "end": (end, "optional-time")}, by, frame="outages"
    )
    frame = outages[cols.needed()]
    spec = _Spec(cols, per, fixed)
    answer = yield Job(outages, tuple(cols.needed()), _partial, (spec,))
    parts = [p for p in answer if p is not None]
    if not parts:
        raise fail("start", "at least one ticket", "an empty array")
    if fixed is not None:
        begin, finish = fixed
    else:
        assert per is not None
        ends = np.array(
            [min(p["earliest"] for p in parts), max(p["latest"] for p in parts)], dtype=np.int64
        )
        p0, p1 = kin._period_code(ends, per)
        begin, finish = (int(x) for x in kin._period_start(np.array([p0, p1 + 1]), per))
    names: tuple[str, ...] = parts[0]["names"]
    st = stack([p["keys"] for p in parts], len(names), [p["groups"] for p in parts])
    yield from _check_across(frame, spec, parts, st, finish)
    model = itsm.availability(
        np.array([begin], dtype="datetime64[ns]"),
        np.array([begin], dtype="datetime64[ns]"),
        period=period,
        window=(np.datetime64(begin, "ns"), np.datetime64(finish, "ns")),
        agreed=agreed,
        unit=unit,
    )
    if per is None:
        down = int_sums(st.codes, st.size, np.concatenate([p["down"] for p in parts]))
        breaks = int_sums(st.codes, st.size, np.concatenate([p["breaks"] for p in parts]))
        keys = st.keys
        span = np.full(st.size, finish - begin, dtype=np.int64)
    else:
        first = int(kin._period_code(np.array([begin], dtype=np.int64), per)[0])
        last = int(kin._period_code(np.array([finish - 1], dtype=np.int64), per)[0])
        n_p = last - first + 1
        cells = st.size * n_p
        idx, length, b_idx = [], [], []
        for i, p in enumerate(parts):  # one step per partition, not per outage
            rows = st.rows(i)
            pg, pp, pl = p["pieces"]
            if "still" in p:
                sg, ss = p["still"]
                more = _pieces(
                    sg[ss < finish], ss[ss < finish], np.full(int((ss < finish).sum()), finish), per
                )
                pg, pp, pl = (
                    np.concatenate([x, y]) for x, y in zip((pg, pp, pl), more, strict=True)
                )
            idx.append(rows[pg] * n_p + (pp - first))
            length.append(pl)
            bg, bp = p["starts"]
            b_idx.append(rows[bg] * n_p + (bp - first))
        down = int_sums(np.concatenate(idx), cells, np.concatenate(length))
        breaks = np.bincount(np.concatenate(b_idx), minlength=cells).astype(np.int64)
        bounds = kin._period_start(np.arange(first, last + 2, dtype=np.int64), per)
        bounds[0], bounds[-1] = begin, finish
        labels = kin._period_labels(np.arange(first, last + 1, dtype=np.int64), per)
        keys = (*(np.repeat(k, n_p) for k in st.keys), np.tile(labels, st.size))
        names = (*names, "period")
        span = np.tile(np.diff(bounds), st.size)
    return stocks._availability_result(
        names,
        keys,
        down,
        breaks,
        span,
        agreed=agreed,
        unit=str(model.unit),
        parameters=dict(model.parameters),
    )
