"""From a ticket table to the register's KPI series (private; used by the CLI and the demo).

Each ITSM KPI is computed per service and day with the measurement core
(:mod:`itil_ci.measurement.itsm`) and kept as one :class:`~itil_ci.Series` per
service under the key ``"<kpi>.<service>"`` (``"mttr.email"``): daily values
are what an individuals (XmR) chart and a before/after comparison want.
"""

from __future__ import annotations

import numpy as np

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


def daily_series(t: Tickets, *, sla_targets: dict[int, float] | None = None) -> dict[str, Series]:
    """Daily MTTR (hours), SLA attainment, FCR and reopen rate per service.

    SLA targets come from each ticket's ``sla_target_hours`` where known, else
    from ``sla_targets`` by priority (P1 4 h ... P5 120 h by default).
    """
    by = t.service
    resolved = ~np.isnat(t.resolved)
    targets = dict(_SLA_DEFAULT if sla_targets is None else sla_targets)
    out: dict[str, Series] = {}
    out.update(itsm.mttr(t.opened, t.resolved, by=by, period="day").series(prefix="mttr"))
    sla = itsm.sla_attainment(t.opened, t.resolved, t.priority, targets, by=by, period="day")
    out.update(sla.series(prefix="sla"))
    fcr = itsm.first_contact_resolution(
        t.first_contact, resolved=resolved, by=by, period="day", times=t.opened
    )
    out.update(fcr.series(prefix="fcr"))
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
