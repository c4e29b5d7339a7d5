"""Rate KPIs from per-ticket flags: first contact resolution, reopen rate, change success rate.

Conventions: :mod:`itil_ci.measurement.itsm`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from itil_ci._internal.validate import fail
from itil_ci.measurement import _grouping as grp
from itil_ci.measurement._kpi_input import (
    IntArray,
    Period,
    _divide,
    _flags,
    _grouping,
    _nonempty,
    _period,
    _same_length,
    _times,
)
from itil_ci.measurement.grouped import GroupedKPI

__all__ = ["change_success_rate", "first_contact_resolution", "reopen_rate"]


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
