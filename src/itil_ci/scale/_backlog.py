"""The backlog on Dask: a stock over time from per-partition counts and cumulative sums (private).

A ticket opened in January and resolved in March is open at the end of
January and of February, whichever partition holds it.  So no partition can
finish a cell; instead each partition counts, per group and period, the
tickets it opened and closed there, with the exact integer sums of their
opening times (whole seconds and the nanoseconds left over, in int64).  On
the client those add up over the partitions, and cumulative sums along the
periods give, at each period's end ``T``, the open count ``n`` and the sum
``S`` of the open tickets' opening times, hence their total age
``n * T - S``, exactly, and the mean age.  Nothing but these counts leaves
a partition, whatever the partitioning.

The in-memory :func:`itil_ci.measurement.backlog` accumulates the ages in
float64 seconds (its documented error is well under a second); here the sum
is exact and rounded once, so the two agree to that float error.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from itil_ci._internal.validate import fail
from itil_ci.errors import ItilCiError
from itil_ci.measurement import _grouping as grp
from itil_ci.measurement import _kpi_input as kin
from itil_ci.measurement import itsm
from itil_ci.measurement._grouping import int_sums
from itil_ci.scale._combine import stack
from itil_ci.scale._frame import Columns, columns, reraise, take
from itil_ci.scale._run import Job, Steps, finish

__all__ = ["backlog"]

IntArray = npt.NDArray[np.int64]
_NAT = np.iinfo(np.int64).min
_NS = 10**9


@attrs.frozen(eq=False)
class _Spec:
    cols: Columns
    period: str | None
    cut: int | None  # as_of in ns; None: the latest time in the data


def _events(g: IntArray, p: IntArray, opened: IntArray) -> dict[str, IntArray]:
    """Tickets per (group, period): how many, and the exact sums of their opening times."""
    if g.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        return {"group": empty, "period": empty, "n": empty, "sec": empty, "sub": empty}
    low = int(p.min())
    width = int(p.max()) - low + 1
    uniq, inverse = np.unique(g * width + (p - low), return_inverse=True)
    inverse = inverse.ravel().astype(np.int64)
    sec, sub = np.divmod(opened, _NS)
    return {
        "group": uniq // width,
        "period": uniq % width + low,
        "n": np.bincount(inverse, minlength=uniq.size).astype(np.int64),
        "sec": int_sums(inverse, uniq.size, sec),
        "sub": int_sums(inverse, uniq.size, sub),
    }


def _partial(part: Any, index: int, spec: _Spec) -> dict[str, Any] | None:
    if len(part) == 0:
        return None
    args, keys = take(part, spec.cols)
    try:
        o, c, has_close = kin._intervals(args["opened"], args["closed"], "opened,closed")
        g, names = kin._grouping(o.size, keys or None, None, None)
    except ItilCiError as err:
        raise reraise(err, spec.cols, index) from None
    latest = int(max(o.max(), c[has_close].max() if has_close.any() else o.max()))
    if spec.cut is None:
        live = np.ones(o.size, dtype=bool)
        done = has_close
    else:
        live = o <= spec.cut
        done = has_close & (c <= spec.cut)
    out: dict[str, Any] = {"names": names, "keys": g.keys, "groups": g.size, "latest": latest}
    if spec.period is None:
        now = live & ~done
        sec, sub = np.divmod(o[now], _NS)
        out["opened"] = grp.counts(g.codes, g.size, live)
        out["closed"] = grp.counts(g.codes, g.size, done)
        out["open"] = grp.counts(g.codes, g.size, now)
        out["sec"] = int_sums(g.codes[now], g.size, sec)
        out["sub"] = int_sums(g.codes[now], g.size, sub)
        return out
    po = kin._period_code(o[live], spec.period)
    out["first"] = int(po.min()) if po.size else None
    out["in"] = _events(g.codes[live], po, o[live])
    out["out"] = _events(g.codes[done], kin._period_code(c[done], spec.period), o[done])
    return out


def _age(n: IntArray, at: IntArray, sec: IntArray, sub: IntArray) -> npt.NDArray[np.float64]:
    """Total age (s) of ``n`` tickets at ``at`` (ns) whose opening times sum to ``sec``/``sub``."""
    at_sec, at_sub = np.divmod(at, _NS)
    whole = n * at_sec - sec
    part = n * at_sub - sub
    return whole.astype(np.float64) + part.astype(np.float64) / 1e9


def backlog(
    tickets: Any,
    *,
    opened: str = "opened",
    closed: str = "resolved",
    by: str | Sequence[str] | None = None,
    period: kin.Period | None = None,
    as_of: Any = None,
    unit: kin.Unit = "hours",
) -> itsm.GroupedKPI:
    """Open tickets, growth and mean age over a dask DataFrame.

    The Dask form of :func:`itil_ci.measurement.backlog`: ``opened`` and
    ``closed`` name time columns (a ticket counts as open until ``closed``;
    ``"resolved"`` by default, pass ``closed="closed"`` for the closure
    time), ``by`` one key column or several; the rest is as in memory and
    the result is the same :class:`~itil_ci.measurement.GroupedKPI`.  Each
    partition sends counts per group and period; cumulative sums on the
    client carry the stock across partitions, so no tickets move.  Counts
    are exact; the mean age is exact to one rounding (the in-memory
    function's float sums are accurate to well under a second).

    Examples:
        >>> import dask.dataframe as dd
        >>> import pandas as pd
        >>> from itil_ci import scale
        >>> df = pd.DataFrame({
        ...     "opened": pd.to_datetime(["2026-01-05", "2026-01-20", "2026-02-03"], utc=True),
        ...     "resolved": pd.to_datetime(["2026-02-10", None, None], utc=True)})
        >>> r = scale.backlog(dd.from_pandas(df, npartitions=3), period="month",
        ...                   as_of="2026-02-28T00:00Z")
        >>> r.count.tolist(), r.extra["growth"].tolist(), r.mean.round(1).tolist()
        ([2, 2], [2, 0], [468.0, 768.0])
    """
    return finish(_steps(tickets, opened, closed, by, period, as_of, unit))


def _steps(
    tickets: Any,
    opened: str,
    closed: str,
    by: str | Sequence[str] | None,
    period: kin.Period | None,
    as_of: Any,
    unit: kin.Unit,
) -> Steps:
    seconds = kin._unit(unit)
    per = kin._period(period)
    cut = None if as_of is None else kin._one_time("as_of", as_of)
    cols = columns(tickets, {"opened": (opened, "time"), "closed": (closed, "optional-time")}, by)
    spec = _Spec(cols, per, cut)
    answer = yield Job(tickets, tuple(cols.needed()), _partial, (spec,))
    parts = [p for p in answer if p is not None]
    if not parts:
        raise fail("opened", "at least one ticket", "an empty array")
    if cut is None:
        cut = max(int(p["latest"]) for p in parts)
    names: tuple[str, ...] = parts[0]["names"]
    st = stack([p["keys"] for p in parts], len(names), [p["groups"] for p in parts])
    model = itsm.backlog(
        np.array([cut], dtype="datetime64[ns]"),
        np.array(["NaT"], dtype="datetime64[ns]"),
        period=period,
        as_of=np.datetime64(cut, "ns"),
        unit=unit,
    )
    to_unit = 1.0 / seconds
    if per is None:

        def total(name: str) -> IntArray:
            return int_sums(st.codes, st.size, np.concatenate([p[name] for p in parts]))

        n_open = total("open")
        age = _age(n_open, np.full(st.size, cut), total("sec"), total("sub"))
        return itsm.GroupedKPI(
            kpi="backlog",
            names=names,
            groups=st.keys,
            count=n_open,
            value=n_open.astype(np.float64),
            mean=kin._divide(age * to_unit, n_open),
            extra={"opened": total("opened"), "closed": total("closed")},
            unit=model.unit,
            method=model.method,
            parameters=dict(model.parameters),
        )
    last = int(kin._period_code(np.array([cut], dtype=np.int64), per)[0])
    firsts = [int(p["first"]) for p in parts if p["first"] is not None]
    first = min(firsts) if firsts else last
    n_p = last - first + 1
    cells = st.size * n_p

    def grid(side: str) -> dict[str, IntArray]:
        idx = np.concatenate(
            [
                st.rows(i)[p[side]["group"]] * n_p + (p[side]["period"] - first)
                for i, p in enumerate(parts)
            ]
        )
        return {
            name: int_sums(idx, cells, np.concatenate([p[side][name] for p in parts])).reshape(
                st.size, n_p
            )
            for name in ("n", "sec", "sub")
        }

    came, went = grid("in"), grid("out")
    n_open = np.cumsum(came["n"] - went["n"], axis=1)
    sec = np.cumsum(came["sec"] - went["sec"], axis=1)
    sub = np.cumsum(came["sub"] - went["sub"], axis=1)
    ends = kin._period_start(np.arange(first + 1, last + 2, dtype=np.int64), per)
    ends[-1] = cut
    age = _age(n_open, np.broadcast_to(ends, n_open.shape), sec, sub)
    labels = kin._period_labels(np.arange(first, last + 1, dtype=np.int64), per)
    keys = (*(np.repeat(k, n_p) for k in st.keys), np.tile(labels, st.size))
    count = n_open.ravel().astype(np.int64)
    return itsm.GroupedKPI(
        kpi="backlog",
        names=(*names, "period"),
        groups=keys,
        count=count,
        value=count.astype(np.float64),
        mean=kin._divide(age.ravel() * to_unit, count),
        extra={
            "opened": came["n"].ravel(),
            "closed": went["n"].ravel(),
            "growth": (came["n"] - went["n"]).ravel(),
        },
        unit=model.unit,
        method=model.method,
        parameters=dict(model.parameters),
    )
