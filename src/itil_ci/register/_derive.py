"""KPIs derived from the register's tickets (private; :class:`Register` is the interface).

Each derived KPI is a :class:`~itil_ci.register.Derivation`: a *metric* of
:data:`METRICS` over the tickets matching ``where`` (``{}``: all of them),
measured per day (on the day each ticket was opened) with the measurement
core, and for SLA attainment the SLA definition it is judged against.  A
metric is derived only from columns the tickets have: :func:`missing` says
which column is absent, and nothing is filled in for it.

SLA attainment is judged, in this order:

1. against the named :class:`~itil_ci.measurement.SLADefinition` (its
   targets by priority, on its calendar, paused in its pause states over the
   stored state history); a ticket with its own target in the data
   (``sla_target_hours``) is judged against that target on the same clock;
2. without an SLA definition, by the outcome the tool recorded (``sla_met``);
3. without either, against the data's per-ticket targets (wall clock).

Without any of these it is not computed.  Tickets without a target are not
judged, and the basis says how many.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import attrs
import numpy as np
import numpy.typing as npt

from itil_ci._internal import validate as v
from itil_ci._internal.columns import UnknownColumn
from itil_ci._internal.slug import digest, slug
from itil_ci.domain.kpi import KPI
from itil_ci.io.history import History
from itil_ci.io.tickets import Tickets
from itil_ci.measurement import itsm
from itil_ci.measurement.sla_definition import SLADefinition

__all__ = ["BY_COLUMNS", "METRICS", "Metric", "daily", "group_mask", "missing", "pooled"]

Floats = npt.NDArray[np.float64]
#: The ticket columns tickets may be grouped by (``--by``).
BY_COLUMNS = ("service", "assignment_group", "category", "state", "priority")


@attrs.frozen
class Metric:
    """A KPI family derived from tickets: its key prefix, name, unit, direction, kind."""

    name: str
    label: str
    unit: str
    direction: str
    metric_type: str
    needs: tuple[str, ...]


#: The KPI families the register derives from tickets, by key prefix.
METRICS: dict[str, Metric] = {
    m.name: m
    for m in (
        Metric("mttr", "MTTR", "hours", "lower", "process", ("resolved",)),
        Metric("mtta", "MTTA", "hours", "lower", "process", ("acknowledged",)),
        Metric("sla", "SLA attainment", "share", "higher", "service", ("resolved",)),
        Metric("fcr", "First contact resolution", "share", "higher", "process", ("first_contact",)),
        Metric("reopen", "Reopen rate", "share", "lower", "process", ("reopen_count", "resolved")),
    )
}

SLA_HINT = (
    "itil-ci sla define NAME --priority 1=4h --priority 3=24h "
    '--calendar "mon-fri 08:00-18:00" --timezone Europe/London'
)


def _known(t: Tickets, name: str) -> bool:
    return not isinstance(getattr(t, name), UnknownColumn)


def missing(metric: str, t: Tickets, sla: SLADefinition | None) -> str | None:
    """Why ``metric`` cannot be derived from ``t`` (the missing column), or None."""
    m = METRICS[metric]
    absent = [c for c in m.needs if not _known(t, c)]
    if absent:
        return f"no {' or '.join(absent)} column"
    if metric != "sla":
        return None
    if sla is not None:
        if not _known(t, "priority") and not _known(t, "sla_target_hours"):
            return f"no priority column (SLA {sla.name!r} sets targets by priority)"
        return None
    if _known(t, "sla_met") or _known(t, "sla_target_hours"):
        return None
    return (
        "no SLA definition, and no recorded SLA outcome (sla_met) or per-ticket target in "
        f"the data; define one: {SLA_HINT}"
    )


def group_mask(t: Tickets, where: Mapping[str, str]) -> npt.NDArray[np.bool_]:
    """The tickets whose columns equal ``where`` (every ticket for ``{}``)."""
    mask = np.ones(len(t), dtype=bool)
    for col, value in where.items():  # a loop over the few grouping columns
        arr = t.column(col)
        if arr.dtype.kind in "iu":
            mask &= arr == int(value)
        else:
            mask &= arr == value
    return mask


def _targets(t: Tickets, sla: SLADefinition | None) -> Floats:
    """Each ticket's SLA target in hours (NaN: none): its own, else its priority's."""
    hours = np.full(len(t), np.nan)
    if sla is not None and _known(t, "priority"):
        hours = sla.target_hours(t.column("priority"))
    if _known(t, "sla_target_hours"):
        own = t.column("sla_target_hours")
        hours = np.where(np.isnan(own), hours, own)
    return hours


def sla_basis(t: Tickets, history: History | None, sla: SLADefinition | None) -> str:
    """How SLA attainment is judged for ``t``, in words."""
    if sla is None:
        if _known(t, "sla_met"):
            return "the SLA outcome recorded in the data (sla_met)"
        return "the per-ticket targets in the data (sla_target_hours), wall clock"
    text = f"SLA {sla.name!r}: {sla.describe()}"
    if _known(t, "sla_target_hours"):
        own = int((~np.isnan(t.column("sla_target_hours"))).sum())
        text += f"; {own} tickets with their own target in the data"
    if sla.pause_states and history is None:
        text += "; no state history stored, so the clock is never paused"
    return text


def _measure(
    metric: str,
    t: Tickets,
    history: History | None,
    sla: SLADefinition | None,
    by: dict[str, npt.NDArray[Any]] | None,
    period: Literal["day"] | None,
) -> itsm.GroupedKPI:
    opened = t.opened
    if metric == "mttr":
        return itsm.mttr(opened, t.column("resolved"), by=by, period=period)
    if metric == "mtta":
        return itsm.mtta(opened, t.column("acknowledged"), by=by, period=period)
    if metric == "fcr":
        resolved = ~np.isnat(t.column("resolved"))
        return itsm.first_contact_resolution(
            t.column("first_contact"),
            resolved=resolved,
            by=by,
            period=period,
            times=opened,
        )
    if metric == "reopen":
        resolved = ~np.isnat(t.column("resolved"))
        return itsm.reopen_rate(
            t.column("reopen_count"),
            resolved=resolved,
            by=by,
            period=period,
            times=opened,
        )
    assert metric == "sla"
    end = t.column("resolved")
    if sla is None and _known(t, "sla_met"):
        return itsm.sla_attainment(opened, end, met=t.column("sla_met"), by=by, period=period)
    hours = _targets(t, sla)
    uniq, codes = np.unique(hours, return_inverse=True)  # NaN (no target) sorts last
    table = {i: float(h) for i, h in enumerate(uniq.tolist()) if not np.isnan(h)}
    calendar = None if sla is None or sla.calendar.is_always() else sla.calendar
    pauses = None
    if sla is not None and sla.pause_states and history is not None:
        pauses = history.pauses(sla.pause_states)
    return itsm.sla_attainment(
        opened,
        end,
        codes.reshape(-1),
        table,
        by=by,
        period=period,
        calendar=calendar,
        pauses=pauses,
        ids=t.id if pauses is not None else None,
    )


def judged(metric: str, t: Tickets, sla: SLADefinition | None) -> npt.NDArray[np.bool_]:
    """The tickets a metric can judge (SLA attainment needs a target for each)."""
    if metric != "sla" or (sla is None and _known(t, "sla_met")):
        return np.ones(len(t), dtype=bool)
    return ~np.isnan(_targets(t, sla))


def daily(
    metric: str,
    t: Tickets,
    history: History | None,
    sla: SLADefinition | None,
    by: Sequence[str],
) -> dict[tuple[str, ...], tuple[npt.NDArray[np.int64], Floats, int]]:
    """Per group (its values of ``by``): day starts (ns), daily values, tickets measured.

    One pass of the measurement core over every group at once.
    """
    keep = judged(metric, t, sla)
    if not keep.all():
        t = t.select(keep)
    if len(t) == 0:
        return {}
    cols = {c: _key_column(t, c) for c in by}
    r = _measure(metric, t, history, sla, cols or None, "day")
    n = len(r)
    if n == 0:
        return {}
    keys = r.groups[:-1]
    days = r.groups[-1].astype("datetime64[ns]").view(np.int64)
    values = np.asarray(r.value, dtype=np.float64)
    counts = np.asarray(r.count, dtype=np.int64)
    ok = counts > 0
    code = np.zeros(n, dtype=np.int64)
    uniques = []
    for k in keys:  # a loop over the grouping columns: one code per combination of values
        u, inv = np.unique(k, return_inverse=True)
        code = code * u.size + inv.reshape(-1)
        uniques.append(u)
    order = np.argsort(code, kind="stable")  # each group's days stay in time order
    code, days, values, counts, ok = (
        code[order],
        days[order],
        values[order],
        counts[order],
        ok[order],
    )
    starts = np.flatnonzero(np.concatenate(([True], code[1:] != code[:-1])))
    ends = np.append(starts[1:], n)
    out: dict[tuple[str, ...], tuple[npt.NDArray[np.int64], Floats, int]] = {}
    for a, b in zip(starts.tolist(), ends.tolist(), strict=True):  # over the distinct groups
        group: list[str] = []
        rest = int(code[a])
        for u in reversed(uniques):
            rest, at = divmod(rest, u.size)
            group.insert(0, str(u[at]))
        keep = ok[a:b]
        out[tuple(group)] = (days[a:b][keep], values[a:b][keep], int(counts[a:b].sum()))
    return out


def _key_column(t: Tickets, col: str) -> npt.NDArray[Any]:
    arr = t.column(col)
    return arr.astype(str) if arr.dtype.kind in "iu" else arr


def pooled(
    metric: str,
    t: Tickets,
    history: History | None,
    sla: SLADefinition | None,
    mask: npt.NDArray[np.bool_],
) -> tuple[float | None, int, dict[str, int]]:
    """The metric over every ticket of ``mask`` at once: (value, tickets measured, extra counts)."""
    keep = mask & judged(metric, t, sla)
    if not keep.any():
        return None, 0, {}
    r = _measure(metric, t.select(keep), history, sla, None, None)
    count = int(r.count[0]) if len(r) else 0
    value = float(r.value[0]) if count else None
    extra = {k: int(a[0]) for k, a in r.extra.items() if a.dtype.kind in "iu"}
    return value, count, extra


def group_values(t: Tickets, by: Sequence[str]) -> list[tuple[str, ...]]:
    """The distinct combinations of ``by`` among the tickets, sorted."""
    if not by:
        return [()]
    cols = [_key_column(t, c).tolist() for c in by]
    return sorted(set(zip(*cols, strict=True)))


def kpi_for(metric: str, key: str, values: tuple[str, ...]) -> KPI:
    """The KPI definition of a derived key (name: the metric and the groups' own names)."""
    m = METRICS[metric]
    name = m.label if not values else f"{m.label}, {' / '.join(x or '(none)' for x in values)}"
    return KPI(key, name=name, unit=m.unit, direction=m.direction, metric_type=m.metric_type)


def key_for(metric: str, values: tuple[str, ...], taken: Mapping[str, Any], where: Any) -> str:
    """The KPI key of a metric for one group: ``mttr.service-desk``; distinct from ``taken``.

    ``taken`` maps keys already used to their ``where``; a key used for
    another group gets the group's digest appended.
    """
    if not values:
        return metric
    key = ".".join([metric, *(slug(x) for x in values)])
    if key in taken and taken[key] != where:
        key = f"{key}-{digest(chr(31).join(values), 6)}"
    if len(key) > 200:
        key = f"{key[:180]}-{digest(key, 10)}"
    v.text("key", key)
    return key
