"""Records of the KPIs the register derives from its tickets, and of a ticket import.

A :class:`Derivation` says how a KPI's series is computed from the stored
tickets (which metric, over which tickets, against which SLA definition) and,
once computed, its :class:`Provenance`: how many tickets, a checksum of their
content, a checksum of the definition used, the basis in words and when.  The
register keeps derivations as documents and recomputes them when the tickets
or a definition change.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs

from itil_ci._internal import display
from itil_ci._internal import validate as v

__all__ = ["Derivation", "Provenance", "TicketImport", "TicketMeasure"]

#: The metrics a derivation may name (see ``docs/register.md``).
METRIC_NAMES = ("mttr", "mtta", "sla", "fcr", "reopen")
#: The ticket columns a derivation may select tickets by.
GROUP_COLUMNS = ("service", "assignment_group", "category", "state", "priority")


def _v_key(inst: Any, attribute: attrs.Attribute[str], value: object) -> None:
    from itil_ci.domain.kpi import KPI

    KPI(value)  # type: ignore[arg-type]  # raises the KPI key error


def _v_metric(inst: Any, attribute: attrs.Attribute[str], value: object) -> None:
    v.choice("Derivation.metric", value, METRIC_NAMES)


def _v_where(inst: Any, attribute: attrs.Attribute[dict[str, str]], value: object) -> None:
    if not isinstance(value, dict):
        raise v.fail("Derivation.where", "a dict {ticket column: value}", value)
    for col, x in value.items():
        v.choice("Derivation.where key", col, GROUP_COLUMNS)
        v.text(f"Derivation.where[{col!r}]", x)


def _v_sla(inst: Any, attribute: attrs.Attribute[str | None], value: object) -> None:
    if value is not None:
        v.text("Derivation.sla", value, allow_empty=False)


@attrs.frozen
class Provenance:
    """Where a derived series comes from.

    ``tickets`` is how many tickets the KPI's values are computed from (of
    ``stored`` tickets in the register), ``checksum`` the SHA-256 of the
    stored tickets and their history (the same content, the same checksum),
    ``definition`` the SHA-256 of the definition used (the derivation and its
    SLA definition), ``basis`` how the values were computed, in words,
    ``derived_at`` when and ``days`` how many daily values the series has.

    Examples:
        >>> import datetime as dt
        >>> p = Provenance(57, 312, "9f" * 32, "ab" * 32, "resolution times",
        ...                dt.datetime(2026, 1, 5, tzinfo=dt.UTC), 24)
        >>> p.short_checksum
        '9f9f9f9f9f9f'
    """

    tickets: int = attrs.field(validator=v.v_whole(minimum=0))
    stored: int = attrs.field(validator=v.v_whole(minimum=0))
    checksum: str = attrs.field(validator=v.v_text())
    definition: str = attrs.field(validator=v.v_text())
    basis: str = attrs.field(validator=v.v_text())
    derived_at: dt.datetime = attrs.field(converter=v.c_aware, validator=v.v_aware())
    days: int = attrs.field(default=0, validator=v.v_whole(minimum=0))

    @property
    def short_checksum(self) -> str:
        """The first 12 hex digits of :attr:`checksum` (what a terminal shows)."""
        return self.checksum[:12]

    def _repr_html_(self) -> str:
        return display.html(self)


@attrs.frozen
class Derivation:
    """How a KPI's series is derived from the register's tickets.

    ``metric`` is one of ``"mttr"``, ``"mtta"``, ``"sla"`` (attainment),
    ``"fcr"`` (first contact resolution) and ``"reopen"`` (reopen rate);
    ``where`` selects the tickets by their columns (``{"assignment_group":
    "Service Desk"}``; ``{}`` for all of them; a column among
    ``service``, ``assignment_group``, ``category``, ``state``, ``priority``);
    ``sla`` names the SLA definition attainment is judged against (None: the
    outcome or the targets recorded in the data).  ``provenance`` is set by
    the register when it computes the series.

    Examples:
        >>> d = Derivation("mttr.service-desk", "mttr", {"assignment_group": "Service Desk"})
        >>> d.metric, d.where, d.provenance
        ('mttr', {'assignment_group': 'Service Desk'}, None)
    """

    key: str = attrs.field(validator=_v_key)
    metric: str = attrs.field(validator=_v_metric)
    where: dict[str, str] = attrs.field(factory=dict, validator=_v_where, hash=False)
    sla: str | None = attrs.field(default=None, validator=_v_sla)
    provenance: Provenance | None = attrs.field(
        default=None, validator=v.v_instance(Provenance, allow_none=True)
    )

    def _repr_html_(self) -> str:
        return display.html(self)


@attrs.frozen
class TicketImport:
    """What :meth:`Register.import_tickets <itil_ci.register.Register.import_tickets>` did.

    ``added``, ``updated`` and ``unchanged`` count the imported tickets by
    what they did to the register (a ticket already stored in the same or a
    later version is unchanged); ``stored`` is how many tickets the register
    holds now and ``checksum`` their SHA-256.  ``derived`` lists the KPI keys
    computed from them, ``not_derived`` the metrics that could not be, with
    the reason (the missing column), and ``sla_basis`` how SLA attainment was
    judged.

    Examples:
        >>> TicketImport(3, 0, 0, 3, "ab" * 32).added
        3
    """

    added: int
    updated: int
    unchanged: int
    stored: int
    checksum: str
    derived: tuple[str, ...] = ()
    not_derived: dict[str, str] = attrs.field(factory=dict, hash=False)
    sla_basis: str = ""


@attrs.frozen
class TicketMeasure:
    """A derived KPI measured over a window: pooled over the tickets, and as a daily series.

    ``value`` is the KPI over every ticket of the KPI's group opened in
    ``[start, end)`` at once (the mean resolution time over all of them, not
    a mean of daily means; None when no ticket can be measured) and
    ``tickets`` how many were measured.  ``days`` is the number of daily
    values in the window and ``daily_mean``, ``daily_min``, ``daily_max`` and
    ``latest`` (with ``latest_day``) summarise them.  ``extra`` holds the
    metric's counts (``open``, ``met``, ...).

    Examples:
        >>> TicketMeasure("mttr", None, None, 2.5, 4).value
        2.5
    """

    key: str
    start: dt.datetime | None
    end: dt.datetime | None
    value: float | None
    tickets: int
    days: int = 0
    daily_mean: float | None = None
    daily_min: float | None = None
    daily_max: float | None = None
    latest: float | None = None
    latest_day: dt.date | None = None
    extra: dict[str, int] = attrs.field(factory=dict, hash=False)
    derivation: Derivation | None = None
