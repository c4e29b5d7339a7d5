"""From a ticket table to the register's KPI series (private; used by the CLI and the demo).

Each ITSM KPI is computed per service and day with the measurement core
(:mod:`itil_ci.measurement.itsm`) and kept as one :class:`~itil_ci.Series` per
service under the key ``"<kpi>.<service>"`` (``"mttr.email"``): daily values
are what an individuals (XmR) chart and a before/after comparison want.
"""

from __future__ import annotations

import re

import numpy as np
import numpy.typing as npt

from itil_ci.domain import KPI, Series
from itil_ci.io.tickets import Tickets
from itil_ci.measurement import itsm

__all__ = ["KPI_KINDS", "daily_series", "kpi_definitions"]

#: The KPI families derived from tickets: key prefix -> (name, unit, direction, metric type).
KPI_KINDS: dict[str, tuple[str, str, str, str]] = {
    "mttr": ("MTTR", "hours", "lower", "process"),
    "sla": ("SLA attainment", "share", "higher", "service"),
    "fcr": ("First contact resolution", "share", "higher", "process"),
    "reopen": ("Reopen rate", "share", "lower", "process"),
}

_SLA_DEFAULT = {1: 4.0, 2: 8.0, 3: 24.0, 4: 72.0, 5: 120.0}
_UNSAFE = re.compile(r"[^A-Za-z0-9_:-]+")


def _key_parts(values: npt.NDArray[np.str_]) -> npt.NDArray[np.str_]:
    """Group names as KPI key parts: other characters become '-', names stay distinct."""
    uniq, inverse = np.unique(values, return_inverse=True)
    seen: dict[str, int] = {}
    parts = []
    for name in uniq.tolist():  # distinct groups only
        part = _UNSAFE.sub("-", name).strip("-") or "none"
        seen[part] = seen.get(part, 0) + 1
        parts.append(part if seen[part] == 1 else f"{part}-{seen[part]}")
    return np.asarray(parts, dtype=str)[inverse.reshape(-1)]


def daily_series(t: Tickets, *, sla_targets: dict[int, float] | None = None) -> dict[str, Series]:
    """Daily MTTR (hours), SLA attainment, FCR and reopen rate per service.

    Tickets are grouped by service, else by assignment group, else all in one
    group; a group's name becomes the key part after the dot, with characters
    a KPI key may not hold replaced by '-'.  SLA attainment is the outcome the
    tool recorded (``sla_met``) where the tickets have it, else computed from
    ``sla_targets`` by priority (P1 4 h ... P5 120 h by default).  A KPI whose
    columns the tickets do not have is left out (an unknown column is not 0).
    """
    known = set(t.known)
    if "service" in known:
        names = t.column("service")
    elif "assignment_group" in known:
        names = t.column("assignment_group")
    else:
        names = np.full(len(t), "all")
    by = _key_parts(names)
    out: dict[str, Series] = {}
    if "resolved" not in known:
        return out
    closed = t.column("resolved")
    resolved = ~np.isnat(closed)
    targets = dict(_SLA_DEFAULT if sla_targets is None else sla_targets)
    out.update(itsm.mttr(t.opened, closed, by=by, period="day").series(prefix="mttr"))
    if "sla_met" in known:
        sla = itsm.sla_attainment(t.opened, closed, met=t.sla_met, by=by, period="day")
        out.update(sla.series(prefix="sla"))
    elif "priority" in known:
        sla = itsm.sla_attainment(t.opened, closed, t.priority, targets, by=by, period="day")
        out.update(sla.series(prefix="sla"))
    if "first_contact" in known:
        fcr = itsm.first_contact_resolution(
            t.first_contact, resolved=resolved, by=by, period="day", times=t.opened
        )
        out.update(fcr.series(prefix="fcr"))
    if "reopen_count" in known:
        reopen = itsm.reopen_rate(
            t.reopen_count, resolved=resolved, by=by, period="day", times=t.opened
        )
        out.update(reopen.series(prefix="reopen"))
    return out


def kpi_definitions(keys: list[str]) -> list[KPI]:
    """The KPI for each ``"<kind>.<service>"`` key."""
    out = []
    for key in keys:
        kind, _, service = key.partition(".")
        name, unit, direction, metric_type = KPI_KINDS[kind]
        out.append(
            KPI(
                key,
                name=f"{name}, {service}",
                unit=unit,
                direction=direction,
                metric_type=metric_type,
            )
        )
    return out
