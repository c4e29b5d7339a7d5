"""Seeded synthetic service-desk incidents for demos, tests and benchmarks.

:func:`generate_tickets` draws a period (a year by default) of incidents for
several services, fully vectorised, from one ``numpy.random.Generator``:

- arrivals: more on weekdays than at weekends and in office hours than at
  night (fixed weekday and hour-of-day profiles);
- priority: P1 1 %, P2 5 %, P3 30 %, P4 50 %, P5 14 %;
- acknowledgement delay: lognormal, median 5 min (P1), 10 min (P2), 30 min
  (P3), 1 h (P4), 2 h (P5), sigma 0.8;
- resolution: acknowledgement plus lognormal work time, median 2 h (P1),
  4 h (P2), 10 h (P3), 20 h (P4), 36 h (P5) times the service's
  ``work_scale``, sigma 1.0; tickets resolved at first contact (the service
  desk fixes them without a hand-over) take a fifth of that;
- first contact resolution: 5 % (P1/P2), 35 % (P3), 55 % (P4/P5);
- categories: per service, with Zipf weights ``1/k**1.3`` so a few categories
  carry most tickets (a Pareto-like skew);
- reopen: 6 % of resolved tickets are reopened once, a fifth of those twice;
  the fix is quicker to find the second time, so no extra time is added;
- closure: 72 h after resolution (auto-close), ``NaT`` if that is after the
  end of the period; a ticket still unresolved at the end stays open (state
  ``In Progress``, or ``New`` when not yet acknowledged); 0.5 % are
  ``Canceled`` (closed without a resolution);
- SLA targets per priority from :data:`DEFAULT_SLA_TARGETS`; ``sla_met`` is
  the outcome a tool would record: breached when resolved after the target,
  or still open past it at the end of the period (ServiceNow's ``made_sla``
  stays true until a breach); canceled tickets never breach;
- derived without further draws: ``reassignment_count`` 0 for tickets the
  service desk kept, 1 for those handed to a resolver group;
  ``update_count`` the number of updates after logging (acknowledgement,
  resolution, closure, two per reopening); ``updated`` the last of the
  ticket's times.

An :class:`Improvement` makes one service better from a date on: its work
times are multiplied by ``mttr_factor`` and its reopen probability by
``reopen_factor`` for tickets opened from ``at``.  The default takes effect
in the ``email`` service half-way through the period (2 July for a year from
1 January), cutting its MTTR by about 35 %.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from itil_ci._internal import validate as v
from itil_ci.io.tickets import Tickets

__all__ = [
    "DEFAULT_IMPROVEMENT",
    "DEFAULT_SERVICES",
    "DEFAULT_SLA_TARGETS",
    "Improvement",
    "ServiceProfile",
    "generate_tickets",
]

#: Resolution targets in hours by priority (P1 4 h ... P5 120 h).
DEFAULT_SLA_TARGETS: dict[int, float] = {1: 4.0, 2: 8.0, 3: 24.0, 4: 72.0, 5: 120.0}

_PRIORITY_P = np.array([0.01, 0.05, 0.30, 0.50, 0.14])
_ACK_MEDIAN_H = np.array([5 / 60, 10 / 60, 0.5, 1.0, 2.0])
_WORK_MEDIAN_H = np.array([2.0, 4.0, 10.0, 20.0, 36.0])
_FCR_P = np.array([0.05, 0.05, 0.35, 0.55, 0.55])
_WEEKDAY_W = np.array([1.0, 1.05, 1.0, 0.95, 0.85, 0.25, 0.2])  # Monday first
_HOUR_W = np.array(
    [0.2, 0.15, 0.1, 0.1, 0.15, 0.3, 0.6, 1.2, 2.2, 2.6, 2.5, 2.3,
     1.8, 2.2, 2.4, 2.2, 1.8, 1.2, 0.8, 0.6, 0.5, 0.4, 0.3, 0.25]
)  # fmt: skip
_REOPEN_P = 0.06
_CANCEL_P = 0.005
_AUTO_CLOSE_H = 72.0
_SERVICE_DESK = "Service Desk"


def _v_names(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    v.v_str_list()(inst, attribute, value)
    if not value:
        raise v.fail(f"ServiceProfile.{attribute.name}", "at least one name", value)


def _to_tuple(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


@attrs.frozen
class ServiceProfile:
    """One service of the synthetic service desk.

    ``share`` is its relative ticket volume, ``groups`` its resolver groups
    (tickets not fixed at first contact go to one of them at random),
    ``categories`` its categories, most frequent first, and ``work_scale``
    multiplies its work times.

    Examples:
        >>> ServiceProfile("vpn", 0.1, ("Network Ops",), ("cannot connect",)).name
        'vpn'
    """

    name: str = attrs.field(validator=v.v_text(allow_empty=False))
    share: float = attrs.field(validator=v.v_number(minimum=0, strict_min=True))
    groups: tuple[str, ...] = attrs.field(converter=_to_tuple, validator=_v_names)
    categories: tuple[str, ...] = attrs.field(converter=_to_tuple, validator=_v_names)
    work_scale: float = attrs.field(default=1.0, validator=v.v_number(minimum=0, strict_min=True))


#: Five services: email, network, ERP, workplace (laptops, printers) and access.
DEFAULT_SERVICES: tuple[ServiceProfile, ...] = (
    ServiceProfile(
        "email",
        0.22,
        ("Messaging",),
        (
            "mailbox full",
            "cannot send",
            "phishing report",
            "calendar sync",
            "shared mailbox access",
            "distribution list",
            "mobile mail",
            "client crash",
        ),
        work_scale=1.1,
    ),
    ServiceProfile(
        "network",
        0.18,
        ("Network Operations", "Field Services"),
        ("vpn", "wifi", "slow connection", "dns", "firewall rule", "lan port"),
        work_scale=1.3,
    ),
    ServiceProfile(
        "erp",
        0.14,
        ("ERP Support", "ERP Development"),
        ("report error", "posting blocked", "performance", "batch job", "interface", "master data"),
        work_scale=1.6,
    ),
    ServiceProfile(
        "workplace",
        0.28,
        ("Field Services", "Desktop Engineering"),
        ("laptop hardware", "printer", "software install", "peripherals", "os update", "other"),
        work_scale=0.9,
    ),
    ServiceProfile(
        "access",
        0.18,
        ("Identity Management",),
        ("password reset", "account locked", "new access", "mfa", "role change"),
        work_scale=0.6,
    ),
)


@attrs.frozen
class Improvement:
    """An improvement that takes effect in one service from a date on.

    Tickets of ``service`` opened at or after ``at`` get their work time
    multiplied by ``mttr_factor`` (the default 0.62 cuts MTTR by about 35 %, as
    the acknowledgement delay stays as it was) and their
    reopen probability by ``reopen_factor``.  ``at`` may be a date (midnight
    UTC) or an aware datetime; None means half-way through the period (day
    ``days // 2``, 2 July for a year from 1 January).

    Examples:
        >>> Improvement("email", mttr_factor=0.5).mttr_factor
        0.5
    """

    service: str = attrs.field(validator=v.v_text(allow_empty=False))
    at: dt.date | dt.datetime | None = attrs.field(
        default=None, validator=attrs.validators.optional(attrs.validators.instance_of(dt.date))
    )
    mttr_factor: float = attrs.field(default=0.62, validator=v.v_number(minimum=0, strict_min=True))
    reopen_factor: float = attrs.field(default=0.6, validator=v.v_number(minimum=0))


#: Email gets better half-way through the period: MTTR x 0.62, reopen rate x 0.6.
DEFAULT_IMPROVEMENT = Improvement("email")


def _as_utc_ns(name: str, value: dt.date | dt.datetime) -> np.int64:
    if isinstance(value, dt.datetime):
        aware = v.aware(name, value)
        naive = aware.replace(tzinfo=None)
    elif isinstance(value, dt.date):
        naive = dt.datetime(value.year, value.month, value.day)
    else:
        raise v.fail(name, "a date or a timezone-aware datetime", value)
    return np.datetime64(naive, "ns").astype(np.int64)


def _ids(prefix: str, n: int) -> npt.NDArray[np.str_]:
    """``prefix`` + a zero-padded running number, built from code points."""
    digits = max(7, len(str(n)))
    width = len(prefix) + digits
    codes = np.empty((n, width), dtype=np.uint32)
    codes[:, : len(prefix)] = np.frombuffer(prefix.encode("utf-32-le"), dtype=np.uint32)
    k = np.arange(1, n + 1, dtype=np.int64)
    for j in range(digits):
        codes[:, width - 1 - j] = ord("0") + (k // 10**j) % 10
    return codes.view(f"<U{width}").reshape(n)


def generate_tickets(
    n: int = 100_000,
    *,
    seed: int | np.random.Generator | None = 0,
    start: dt.date | dt.datetime = dt.date(2025, 1, 1),
    days: int = 365,
    services: Sequence[ServiceProfile] = DEFAULT_SERVICES,
    improvement: Improvement | None = DEFAULT_IMPROVEMENT,
    sla_targets: dict[int, float] | None = None,
) -> Tickets:
    """``n`` synthetic incidents over ``days`` days from ``start`` (see the module doc).

    Tickets are in order of ``opened`` and numbered ``INC0000001`` on.  The
    same ``seed`` and arguments give the same table.  ``sla_targets``
    defaults to :data:`DEFAULT_SLA_TARGETS`.

    Examples:
        >>> t = generate_tickets(1_000, seed=1)
        >>> len(t), str(t.id[0]), sorted(set(t.service.tolist()))[:2]
        (1000, 'INC0000001', ['access', 'email'])
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise v.fail("n", "an integer >= 0", n)
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise v.fail("days", "an integer >= 1", days)
    rng = v.rng("seed", seed)
    profiles = list(services)
    if not profiles or not all(isinstance(s, ServiceProfile) for s in profiles):
        raise v.fail("services", "a non-empty sequence of ServiceProfile", services)
    v.unique("services", [s.name for s in profiles])
    if improvement is not None and not isinstance(improvement, Improvement):
        raise v.fail("improvement", "an Improvement or None", improvement)
    if improvement is not None and improvement.service not in {s.name for s in profiles}:
        known = ", ".join(repr(s.name) for s in profiles)
        raise v.fail("improvement.service", f"one of {known}", improvement.service)
    sla = dict(DEFAULT_SLA_TARGETS if sla_targets is None else sla_targets)
    if sorted(sla) != [1, 2, 3, 4, 5]:
        raise v.fail("sla_targets", "hours for each priority 1..5", sla_targets)
    for p, hours in sla.items():
        v.number(f"sla_targets[{p}]", hours, minimum=0, strict_min=True)

    hour_ns = 3_600_000_000_000
    t0 = int(_as_utc_ns("start", start))
    t_end = t0 + days * 24 * hour_ns

    # Arrivals: day by weekday profile, hour by daily profile, uniform within the hour.
    day_idx = np.arange(days)
    weekday0 = (t0 // (24 * hour_ns) + 3) % 7  # 1970-01-01 was a Thursday
    w_day = _WEEKDAY_W[(weekday0 + day_idx) % 7]
    day = rng.choice(days, size=n, p=w_day / w_day.sum())
    hour = rng.choice(24, size=n, p=_HOUR_W / _HOUR_W.sum())
    within = rng.integers(0, hour_ns, size=n)
    opened = np.sort(t0 + (day * 24 + hour) * hour_ns + within)

    shares = np.array([s.share for s in profiles])
    svc = rng.choice(len(profiles), size=n, p=shares / shares.sum())
    prio = rng.choice(5, size=n, p=_PRIORITY_P) + 1
    fcr = rng.random(n) < _FCR_P[prio - 1]

    # Categories (Zipf weights within each service) and resolver groups.
    n_cat = max(len(s.categories) for s in profiles)
    cum = np.ones((len(profiles), n_cat))
    for i, s in enumerate(profiles):  # per service, not per ticket
        w = 1.0 / np.arange(1, len(s.categories) + 1) ** 1.3
        cum[i, : len(s.categories)] = np.cumsum(w) / w.sum()
    cum[:, -1] = 1.0
    cat_rank = (rng.random(n)[:, None] > cum[svc]).sum(axis=1)
    cat_rank = np.minimum(cat_rank, np.array([len(s.categories) for s in profiles])[svc] - 1)
    cat_table = np.array(
        [list(s.categories) + [""] * (n_cat - len(s.categories)) for s in profiles]
    )
    category = cat_table[svc, cat_rank]
    n_grp = max(len(s.groups) for s in profiles)
    grp_table = np.array(
        [list(s.groups) + [s.groups[0]] * (n_grp - len(s.groups)) for s in profiles]
    )
    grp_count = np.array([len(s.groups) for s in profiles])[svc]
    grp_pick = (rng.random(n) * grp_count).astype(np.int64)
    group = np.where(fcr, _SERVICE_DESK, grp_table[svc, grp_pick])

    # Durations in hours.
    ack_h = _ACK_MEDIAN_H[prio - 1] * np.exp(0.8 * rng.standard_normal(n))
    work_h = _WORK_MEDIAN_H[prio - 1] * np.exp(1.0 * rng.standard_normal(n))
    work_h *= np.array([s.work_scale for s in profiles])[svc]
    work_h = np.where(fcr, work_h / 5.0, work_h)
    reopen_p = np.full(n, _REOPEN_P)
    if improvement is not None:
        at = improvement.at
        half = t0 + (days // 2) * 24 * hour_ns
        change = half if at is None else int(_as_utc_ns("improvement.at", at))
        target = [s.name for s in profiles].index(improvement.service)
        improved = (svc == target) & (opened >= change)
        work_h = np.where(improved, work_h * improvement.mttr_factor, work_h)
        reopen_p = np.where(improved, reopen_p * improvement.reopen_factor, reopen_p)

    acknowledged = opened + (ack_h * hour_ns).astype(np.int64)
    resolved = acknowledged + (work_h * hour_ns).astype(np.int64)
    closed = resolved + int(_AUTO_CLOSE_H * hour_ns)
    canceled = rng.random(n) < _CANCEL_P
    reopen = (rng.random(n) < reopen_p).astype(np.int64)
    reopen += reopen * (rng.random(n) < 0.2)

    # Cut everything at the end of the period; canceled tickets close at triage.
    nat = np.iinfo(np.int64).min
    open_ = ~canceled & (resolved > t_end)
    not_acked = acknowledged > t_end
    state = np.where(closed <= t_end, "Closed", "Resolved").astype("<U11")
    state[open_] = "In Progress"
    state[open_ & not_acked] = "New"
    state[canceled] = "Canceled"
    closed = np.where(open_ | (closed > t_end), nat, closed)
    closed = np.where(canceled, np.minimum(acknowledged, t_end), closed)
    resolved = np.where(open_ | canceled, nat, resolved)
    acknowledged = np.where(not_acked, nat, acknowledged)
    reopen = np.where(open_ | canceled, 0, reopen)
    fcr_flag = fcr & ~open_ & ~canceled & (reopen == 0)
    sla_table = np.array([np.nan] + [float(sla[p]) for p in range(1, 6)])
    target_ns = (sla_table[prio] * hour_ns).astype(np.int64)
    done = resolved != nat
    sla_met = ~((done & (resolved - opened > target_ns)) | (open_ & (t_end - opened > target_ns)))
    stamps = np.stack([opened, acknowledged, resolved, closed])
    updated = np.max(np.where(stamps == nat, opened, stamps), axis=0)
    update_count = (stamps[1:] != nat).sum(axis=0) + 2 * reopen

    names = np.array([s.name for s in profiles])
    return Tickets._trusted(
        {
            "id": _ids("INC", n),
            "opened": opened.view("datetime64[ns]"),
            "acknowledged": acknowledged.view("datetime64[ns]"),
            "resolved": resolved.view("datetime64[ns]"),
            "closed": closed.view("datetime64[ns]"),
            "priority": prio.astype(np.int64),
            "service": names[svc],
            "assignment_group": group,
            "category": category,
            "state": state,
            "updated": updated.view("datetime64[ns]"),
            "reopen_count": reopen,
            "reassignment_count": (group != _SERVICE_DESK).astype(np.int64),
            "update_count": update_count.astype(np.int64),
            "first_contact": fcr_flag,
            "sla_met": sla_met,
            "sla_target_hours": sla_table[prio],
        }
    )
