"""Improvement opportunities: the entries of the continual improvement register."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

import attrs

from itil_ci._internal import display
from itil_ci._internal import validate as v
from itil_ci.errors import InvalidTransition

__all__ = ["Opportunity", "OpportunitySource", "OpportunityStatus", "Size"]


class OpportunitySource(enum.Enum):
    """Where an improvement opportunity came from.

    Examples:
        >>> Opportunity(title="Recurring disk alerts", source="problem").source
        <OpportunitySource.PROBLEM: 'problem'>
    """

    INCIDENT_TREND = "incident-trend"
    PROBLEM = "problem"
    CUSTOMER_FEEDBACK = "customer-feedback"
    AUDIT = "audit"
    SURVEY = "survey"
    ASSESSMENT = "assessment"
    MONITORING = "monitoring"
    IDEA = "idea"
    OTHER = "other"


def _c_opportunity_source(value: Any) -> Any:
    return v.to_member(OpportunitySource, value)


class Size(enum.Enum):
    """A rough size, as ITIL's continual improvement register records it.

    Examples:
        >>> Opportunity(title="Self-service reset", size="small").size
        <Size.SMALL: 'small'>
    """

    SMALL = "small"
    MEDIUM = "medium"
    LARGE = "large"


def _c_size(value: Any) -> Any:
    return v.to_member(Size, value)


class OpportunityStatus(enum.Enum):
    """Lifecycle of a register entry.

    logged → assessed → approved or rejected; approved → in progress → closed;
    any open status (logged, assessed, approved, in progress) → withdrawn.

    Examples:
        >>> OpportunityStatus("in-progress")
        <OpportunityStatus.IN_PROGRESS: 'in-progress'>
    """

    LOGGED = "logged"
    ASSESSED = "assessed"
    APPROVED = "approved"
    REJECTED = "rejected"
    IN_PROGRESS = "in-progress"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"

    @property
    def is_open(self) -> bool:
        """Whether the entry still awaits a decision or completion.

        Examples:
            >>> OpportunityStatus.APPROVED.is_open, OpportunityStatus.REJECTED.is_open
            (True, False)
        """
        return self in _OPEN


def _c_opportunity_status(value: Any) -> Any:
    return v.to_member(OpportunityStatus, value)


_OPEN = frozenset(
    {
        OpportunityStatus.LOGGED,
        OpportunityStatus.ASSESSED,
        OpportunityStatus.APPROVED,
        OpportunityStatus.IN_PROGRESS,
    }
)

#: The allowed status moves (the lifecycle as a table).
TRANSITIONS: dict[OpportunityStatus, frozenset[OpportunityStatus]] = {
    OpportunityStatus.LOGGED: frozenset({OpportunityStatus.ASSESSED, OpportunityStatus.WITHDRAWN}),
    OpportunityStatus.ASSESSED: frozenset(
        {OpportunityStatus.APPROVED, OpportunityStatus.REJECTED, OpportunityStatus.WITHDRAWN}
    ),
    OpportunityStatus.APPROVED: frozenset(
        {OpportunityStatus.IN_PROGRESS, OpportunityStatus.WITHDRAWN}
    ),
    OpportunityStatus.IN_PROGRESS: frozenset(
        {OpportunityStatus.CLOSED, OpportunityStatus.WITHDRAWN}
    ),
    OpportunityStatus.REJECTED: frozenset(),
    OpportunityStatus.CLOSED: frozenset(),
    OpportunityStatus.WITHDRAWN: frozenset(),
}


def _path(start: OpportunityStatus, goal: OpportunityStatus) -> list[OpportunityStatus]:
    """The shortest walk of the lifecycle from ``start`` to ``goal`` ([] if none or no move)."""
    order = list(OpportunityStatus)
    came: dict[OpportunityStatus, OpportunityStatus] = {}
    frontier = [start]
    while frontier and goal not in came and goal is not start:
        nxt = []
        for s in frontier:
            for t in sorted(TRANSITIONS[s], key=order.index):
                if t not in came and t is not start:
                    came[t] = s
                    nxt.append(t)
        frontier = nxt
    if goal is start or goal not in came:
        return []
    walk = [goal]
    while came[walk[-1]] is not start:
        walk.append(came[walk[-1]])
    return walk[::-1]


def _check_status_move(
    inst: Opportunity, attribute: attrs.Attribute[OpportunityStatus], new: object
) -> object:
    new_status = v.member("Opportunity.status", OpportunityStatus, new)
    old = inst.status
    if new_status is not old and new_status not in TRANSITIONS[old]:
        allowed = sorted(s.value for s in TRANSITIONS[old])
        raise InvalidTransition(
            f"Opportunity.status: cannot move from {old.value!r} to {new_status.value!r}; "
            f"allowed from {old.value!r}: {', '.join(allowed) or 'nothing (final status)'}",
            allowed=allowed,
        )
    return new_status


def _v_effort(inst: Opportunity, attribute: attrs.Attribute[float | None], value: object) -> None:
    v.number(f"Opportunity.{attribute.name}", value, minimum=0, allow_none=True)


def _touch(inst: Opportunity, attribute: attrs.Attribute[object], value: object) -> object:
    if attribute.name not in ("updated_at", "version"):
        object.__setattr__(inst, "updated_at", v.utc_now())
    return value


@attrs.define(on_setattr=[attrs.setters.convert, attrs.setters.validate, _touch])
class Opportunity:
    """An entry of the continual improvement register.

    Everything but the title has a default; the facts left out are what the
    engines' gates ask for later.  ``status`` follows a lifecycle (see
    :class:`OpportunityStatus`): assigning a status that cannot follow the
    current one raises :class:`~itil_ci.errors.InvalidTransition`.

    Examples:
        >>> opp = Opportunity(title="Automate password resets", effort=3, expected_benefit=8)
        >>> opp.status.value
        'logged'
        >>> opp.move_to("assessed").status.value
        'assessed'
        >>> opp.move_to("closed")
        Traceback (most recent call last):
        ...
        itil_ci.errors.InvalidTransition: Opportunity.status: cannot move from 'assessed' ...
    """

    title: str = attrs.field(validator=v.v_text(allow_empty=False))
    id: str = attrs.field(factory=v.new_id, validator=v.v_text(allow_empty=False), kw_only=True)
    description: str = attrs.field(default="", validator=v.v_text(), kw_only=True)
    source: OpportunitySource = attrs.field(
        default=OpportunitySource.IDEA,
        converter=_c_opportunity_source,
        validator=v.v_enum(OpportunitySource),
        kw_only=True,
    )
    source_ref: str = attrs.field(default="", validator=v.v_text(), kw_only=True)
    raised_by: str = attrs.field(default="", validator=v.v_text(), kw_only=True)
    raised_at: dt.datetime = attrs.field(
        factory=v.utc_now, converter=v.c_aware, validator=v.v_aware(), kw_only=True
    )
    service: str = attrs.field(default="", validator=v.v_text(), kw_only=True)
    kpis: list[str] = attrs.field(
        factory=list, converter=v.c_list, validator=v.v_str_list(), kw_only=True
    )
    size: Size | None = attrs.field(
        default=None,
        converter=_c_size,
        validator=attrs.validators.optional(v.v_enum(Size)),
        kw_only=True,
    )
    effort: float | None = attrs.field(
        default=None, converter=v.c_real, validator=_v_effort, kw_only=True
    )
    expected_benefit: float | None = attrs.field(
        default=None, converter=v.c_real, validator=_v_effort, kw_only=True
    )
    scores: dict[str, float] = attrs.field(
        factory=dict, converter=v.c_real_dict, validator=v.v_str_dict(values=float), kw_only=True
    )
    status: OpportunityStatus = attrs.field(
        default=OpportunityStatus.LOGGED,
        converter=_c_opportunity_status,
        validator=v.v_enum(OpportunityStatus),
        kw_only=True,
        on_setattr=[attrs.setters.convert, _check_status_move, _touch],
    )
    version: int = attrs.field(default=0, converter=v.c_real, kw_only=True)
    created_at: dt.datetime = attrs.field(
        factory=v.utc_now, converter=v.c_aware, validator=v.v_aware(), kw_only=True
    )
    updated_at: dt.datetime = attrs.field(
        factory=v.utc_now, converter=v.c_aware, validator=v.v_aware(), kw_only=True
    )

    @version.validator
    def _check_version(self, attribute: attrs.Attribute[int], value: object) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise v.fail("Opportunity.version", "a whole number >= 0", value)

    def move_to(self, status: OpportunityStatus | str) -> Opportunity:
        """Move to ``status`` if the lifecycle allows it; return ``self``.

        Examples:
            >>> opp = Opportunity(title="Automate password resets")
            >>> opp.move_to("assessed").move_to("approved").status.value
            'approved'
        """
        self.status = status  # type: ignore[assignment]
        return self

    def follow(self, status: OpportunityStatus | str) -> Opportunity:
        """Move towards ``status`` through the lifecycle, as far as it allows; return ``self``.

        This is how an opportunity follows the initiative that acts on it
        (see :attr:`Initiative.opportunity_status
        <itil_ci.domain.Initiative.opportunity_status>`): an initiative under
        way means the opportunity was approved and is in progress, so a logged
        one passes through assessed and approved on its way.  A status the
        lifecycle cannot reach from here (a rejected, closed or withdrawn
        entry is final) leaves the opportunity as it is.

        Examples:
            >>> opp = Opportunity(title="Automate password resets")
            >>> opp.follow("in-progress").status.value
            'in-progress'
            >>> opp.follow("closed").status.value
            'closed'
            >>> opp.follow("withdrawn").status.value  # closed is final
            'closed'
        """
        target = v.member("status", OpportunityStatus, status)
        path = _path(self.status, target)
        for step in path:
            self.status = step
        return self

    def allowed_statuses(self) -> list[OpportunityStatus]:
        """The statuses this entry may move to next.

        Examples:
            >>> [s.value for s in Opportunity(title="x").allowed_statuses()]
            ['assessed', 'withdrawn']
        """
        return sorted(TRANSITIONS[self.status], key=lambda s: list(OpportunityStatus).index(s))

    def _repr_html_(self) -> str:
        return display.html(self)
