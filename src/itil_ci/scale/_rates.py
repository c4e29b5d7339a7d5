"""SLA attainment and the ticket rates on Dask: counts per cell, added up (private).

Every column of these KPIs is a count per cell (judged, met, breached, open;
hits and tickets in the denominator), so each partition runs the in-memory
kernel on its tickets -- for SLA attainment with the calendar, ``as_of``,
the recorded outcome (``met``) or the pauses of its tickets -- and the
cells' counts are summed, wherever the cells' tickets lie: no ticket moves
and the result is exact for any partitioning (only pauses may have to be
brought to their tickets, see :mod:`itil_ci.scale._slaclock`).  The
headline ``value`` is then the kernel's own division of the summed counts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs
import numpy as np

from itil_ci._internal.validate import fail
from itil_ci.errors import ItilCiError
from itil_ci.measurement import _kpi_input as kin
from itil_ci.measurement import itsm
from itil_ci.measurement.calendar import BusinessCalendar
from itil_ci.measurement.pauses import Pauses
from itil_ci.scale._combine import no_rows, stack
from itil_ci.scale._frame import Columns, Kind, columns, reraise, take
from itil_ci.scale._run import Steps, finish
from itil_ci.scale._slaclock import Clock, Plan, answers, clock, first_round, plan, span

__all__ = [
    "change_success_rate",
    "first_contact_resolution",
    "reopen_rate",
    "sla_attainment",
]

_T0 = np.zeros(1, dtype="datetime64[ns]")


@attrs.frozen(eq=False)
class _Counts:
    kernel: Callable[..., itsm.GroupedKPI]
    cols: Columns
    kwargs: Mapping[str, Any]
    clock: Clock | None = None

    def span(self, kwargs: Mapping[str, Any]) -> tuple[int, int] | None:
        """The instants an SLA clock measures in a partition (recorded only on a calendar)."""
        if self.clock is None or self.clock.calendar is None:
            return None
        s = kin._times("start", kwargs["start"])
        e = kin._times("end", kwargs["end"], allow_missing=True)
        cut = None if kwargs["as_of"] is None else kin._one_time("as_of", kwargs["as_of"])
        return span(s, e, cut)


def _partial(part: Any, index: int, spec: _Counts, companion: Any = None) -> dict[str, Any]:
    out: dict[str, Any] = {"pauses": 0 if spec.clock is None else spec.clock.count(companion)}
    if len(part) == 0:
        return out
    try:
        args, keys = take(part, spec.cols)
        kwargs = {**spec.kwargs, **args}
        if spec.clock is not None:
            kwargs.update(spec.clock.kwargs(companion, index))
        r = spec.kernel(by=keys or None, **kwargs)
        out["span"] = spec.span(kwargs)
    except ItilCiError as err:
        raise reraise(err, spec.cols, index) from None
    out.update({"names": r.names, "keys": r.groups, "count": r.count, "extra": dict(r.extra)})
    return out


def _counts(
    kernel: Callable[..., itsm.GroupedKPI],
    tickets: Any,
    *,
    roles: dict[str, tuple[object, Kind]],
    by: object,
    kwargs: dict[str, Any],
    sample: dict[str, Any],
    numerator: str,
    first: str,
    c: Clock | None = None,
) -> Steps:
    """Run ``kernel`` per partition and add up the counts of each cell."""
    if c is not None:
        if c.ids is not None:
            roles = {**roles, "ids": (c.ids, "text")}
        sample = {**sample, **c.sample()}
    model = kernel(**sample, **kwargs)  # checks the scalar arguments; method and parameters
    cols = columns(tickets, roles, by)
    needed = cols.needed()
    spec = _Counts(kernel, cols, kwargs, None if c is None else c.for_workers())
    p = Plan(tickets) if c is None else plan(tickets, needed, c)
    answer = yield first_round(p, c, tuple(needed), _partial, (spec,))
    results, unpaired = answers(answer)
    seen = [r for r in results if "count" in r]
    if not seen:
        raise fail(first, "at least one ticket", "an empty array")
    params = dict(model.parameters)
    if c is not None:
        counts = [r["pauses"] for r in results] + [unpaired]
        params.update(c.describe([r["span"] for r in seen], counts, p.shared))
    parts = [r for r in seen if r["count"].size]
    if not parts:
        names, keys = no_rows(tickets._meta, cols.by, kwargs.get("period"))
        none = np.zeros(0, dtype=np.int64)
        return itsm.GroupedKPI(
            kpi=model.kpi,
            names=names,
            groups=keys,
            count=none,
            value=np.zeros(0),
            extra=dict.fromkeys(model.extra, none),
            unit=model.unit,
            method=model.method,
            parameters=params,
        )
    names = tuple(parts[0]["names"])
    st = stack([q["keys"] for q in parts], len(names), [q["count"].size for q in parts])

    def total(column: list[Any]) -> Any:
        weights = np.concatenate(column)
        return np.bincount(st.codes, weights=weights, minlength=st.size).astype(np.int64)

    count = total([q["count"] for q in parts])
    extra = {name: total([q["extra"][name] for q in parts]) for name in model.extra}
    return itsm.GroupedKPI(
        kpi=model.kpi,
        names=names,
        groups=st.keys,
        count=count,
        value=kin._divide(extra[numerator], count),
        extra=extra,
        unit=model.unit,
        method=model.method,
        parameters=params,
    )


def sla_attainment(
    tickets: Any,
    targets: Mapping[Any, float] | float | None = None,
    *,
    met: str | None = None,
    start: str = "opened",
    end: str = "resolved",
    priority: str | None = "priority",
    by: str | Sequence[str] | None = None,
    period: kin.Period | None = None,
    period_on: str = "start",
    as_of: Any = None,
    unit: kin.Unit = "hours",
    calendar: BusinessCalendar | None = None,
    pauses: Pauses | Any = None,
    ids: str | None = None,
) -> itsm.GroupedKPI:
    """Share of tickets resolved within their priority's target, over a dask DataFrame.

    The Dask form of :func:`itil_ci.measurement.sla_attainment`: ``start``,
    ``end`` and ``priority`` name columns of ``tickets`` (``priority`` may be
    ``None`` when ``targets`` is one number), ``by`` one key column or
    several, ``period_on`` is ``"start"``, ``"end"`` or a time column; the
    rest is as in memory and the result is the same
    :class:`~itil_ci.measurement.GroupedKPI`.  ``met`` instead names a
    boolean column holding the outcome the service-desk tool recorded
    (``sla_met``); ``targets`` and ``priority`` are then not used.  Every
    column is a count, so the partitions' counts per cell are added up:
    exact for any partitioning, no shuffle of tickets.

    On the SLA clock (``calendar``, ``as_of``; ``pauses`` tied to tickets by
    the column ``ids``, default ``"id"``) durations and targets are business
    time less pauses, as in memory.  ``pauses`` is an in-memory
    :class:`~itil_ci.measurement.Pauses` handed to every partition, or a dask
    DataFrame of pauses (``id``, ``start``, ``end``) such as
    :func:`itil_ci.scale.pauses` gives: paired month by month with tickets
    and history written by ``Tickets.to_parquet(..., partition_by="month")``
    and ``History.to_parquet(..., partition_by="month", tickets=...)``, else
    both shuffled on the ticket id (see :func:`mttr`).

    Examples:
        >>> import dask.dataframe as dd
        >>> import numpy as np
        >>> import pandas as pd
        >>> from itil_ci import BusinessCalendar, Pauses, scale
        >>> df = pd.DataFrame({
        ...     "id": ["INC1", "INC2", "INC3", "INC4"],
        ...     "opened": pd.to_datetime(["2026-03-02T09:00"] * 4, utc=True),
        ...     "resolved": pd.to_datetime(["2026-03-02T12:00", "2026-03-02T14:00",
        ...                                 "2026-03-02T19:00", "2026-03-03T15:00"], utc=True),
        ...     "priority": ["P1", "P1", "P2", "P2"]})
        >>> tickets = dd.from_pandas(df, npartitions=2)
        >>> r = scale.sla_attainment(tickets, {"P1": 4, "P2": 24})
        >>> r.value.tolist(), r.extra["met"].tolist(), r.extra["breached"].tolist()
        ([0.5], [2], [2])
        >>> # on business hours (Monday 2 March 2026, 09:00-17:00 UTC), INC2 on hold 1 h
        >>> cal = BusinessCalendar("mon-fri 09:00-17:00")
        >>> hold = Pauses(id=["INC2"], start=np.array(["2026-03-02T10:00"], dtype="M8[ns]"),
        ...               end=np.array(["2026-03-02T11:00"], dtype="M8[ns]"))
        >>> r = scale.sla_attainment(tickets, {"P1": 4, "P2": 8}, calendar=cal, pauses=hold)
        >>> r.extra["met"].tolist(), r.parameters["pauses"]
        ([3], {'states': [], 'pauses': 1})
    """
    roles: dict[str, tuple[object, Kind]] = {
        "start": (start, "time"),
        "end": (end, "optional-time"),
    }
    kwargs: dict[str, Any] = {"targets": targets, "period": period, "as_of": as_of, "unit": unit}
    sample: dict[str, Any] = {"start": _T0, "end": _T0}
    if met is not None:
        roles["met"] = (met, "any")
        sample["met"] = [True]
    elif priority is not None:  # one ticket of the first priority with a target
        roles["priority"] = (priority, "any")
        first = [next(iter(targets))] if isinstance(targets, Mapping) and targets else None
        sample["priority"] = first
    if met is None and priority is None:
        kwargs["priority"] = None
    if isinstance(period_on, str) and period_on in ("start", "end"):
        kwargs["period_on"] = period_on
    else:  # the name of a time column
        roles["period_on"] = (period_on, "time")
        sample["period_on"] = _T0
    c = clock(calendar, pauses, ids, as_of)
    kwargs.pop("as_of")  # the clock hands it to every partition
    return finish(
        _counts(
            itsm.sla_attainment,
            tickets,
            roles=roles,
            by=by,
            kwargs=kwargs,
            sample=sample,
            numerator="met",
            first="start",
            c=c,
        )
    )


def _proportion(
    kernel: Callable[..., itsm.GroupedKPI],
    tickets: Any,
    hit: tuple[str, object],
    resolved: object,
    by: object,
    period: object,
    times: object,
) -> Steps:
    roles: dict[str, tuple[object, Kind]] = {hit[0]: (hit[1], "any")}
    sample: dict[str, Any] = {hit[0]: [True]}
    if resolved is not None:
        roles["resolved"] = (resolved, "flag-or-time")
        sample["resolved"] = [True]
    if times is not None:
        roles["times"] = (times, "time")
        sample["times"] = _T0
    return _counts(
        kernel,
        tickets,
        roles=roles,
        by=by,
        kwargs={"period": period},
        sample=sample,
        numerator=hit[0],
        first=hit[0],
    )


def first_contact_resolution(
    tickets: Any,
    *,
    first_contact: str = "first_contact",
    resolved: str | None = None,
    by: str | Sequence[str] | None = None,
    period: kin.Period | None = None,
    times: str | None = None,
) -> itsm.GroupedKPI:
    """Share of tickets resolved at the first contact, over a dask DataFrame.

    The Dask form of :func:`itil_ci.measurement.first_contact_resolution`:
    ``first_contact`` names a boolean column; ``resolved`` (optional) a
    boolean column or a time column (a ticket with a time there is
    resolved), restricting the denominator to resolved tickets; ``times`` a
    time column placing tickets in periods (needed with ``period``).
    Counts per cell are added up over the partitions: exact, no shuffle.

    Examples:
        >>> import dask.dataframe as dd
        >>> import pandas as pd
        >>> from itil_ci import scale
        >>> df = pd.DataFrame({
        ...     "first_contact": [True, False, True, False],
        ...     "resolved": pd.to_datetime(["2026-01-05", "2026-01-06", "2026-01-07", None],
        ...                                utc=True)})
        >>> tickets = dd.from_pandas(df, npartitions=2)
        >>> r = scale.first_contact_resolution(tickets, resolved="resolved")
        >>> r.value.round(4).tolist(), r.count.tolist()
        ([0.6667], [3])
    """
    return finish(
        _proportion(
            itsm.first_contact_resolution,
            tickets,
            ("first_contact", first_contact),
            resolved,
            by,
            period,
            times,
        )
    )


def reopen_rate(
    tickets: Any,
    *,
    reopened: str = "reopen_count",
    resolved: str | None = None,
    by: str | Sequence[str] | None = None,
    period: kin.Period | None = None,
    times: str | None = None,
) -> itsm.GroupedKPI:
    """Share of tickets reopened at least once, over a dask DataFrame.

    The Dask form of :func:`itil_ci.measurement.reopen_rate`: ``reopened``
    names a boolean or count column (``> 0`` counts); ``resolved`` and
    ``times`` are as in :func:`first_contact_resolution`.

    Examples:
        >>> import dask.dataframe as dd
        >>> import pandas as pd
        >>> from itil_ci import scale
        >>> df = pd.DataFrame({"reopen_count": [0, 2, 0, 1], "service": ["a", "a", "b", "b"]})
        >>> r = scale.reopen_rate(dd.from_pandas(df, npartitions=2), by="service")
        >>> r.value.tolist(), r.extra["reopened"].tolist()
        ([0.5, 0.5], [1, 1])
    """
    return finish(
        _proportion(itsm.reopen_rate, tickets, ("reopened", reopened), resolved, by, period, times)
    )


def change_success_rate(
    changes: Any,
    *,
    successful: str = "successful",
    by: str | Sequence[str] | None = None,
    period: kin.Period | None = None,
    times: str | None = None,
) -> itsm.GroupedKPI:
    """Share of implemented changes that succeeded, over a dask DataFrame of changes.

    The Dask form of :func:`itil_ci.measurement.change_success_rate`:
    ``successful`` names a boolean column, ``times`` a time column (e.g.
    the implementation time) placing changes in periods.

    Examples:
        >>> import dask.dataframe as dd
        >>> import pandas as pd
        >>> from itil_ci import scale
        >>> df = pd.DataFrame({"successful": [True, True, False, True]})
        >>> r = scale.change_success_rate(dd.from_pandas(df, npartitions=2))
        >>> r.value.tolist(), r.extra["successful"].tolist()
        ([0.75], [3])
    """
    return finish(
        _proportion(
            itsm.change_success_rate, changes, ("successful", successful), None, by, period, times
        )
    )
