"""Who may make which move: a replaceable table of role rules (RACI).

A :class:`RoleTable` is an ordered list of :class:`RoleRule`; the first rule
that matches a move (model, event, step being left) decides who may make it.
An actor may make the move when they hold one of the rule's roles, or when
the rule admits the initiative's owner and the actor is that owner.  An
embedding application passes its own table to an engine (``roles=``).

Events are ``"start"``, ``"advance"``, ``"return"``, ``"close"`` and
``"withdraw"``; a PDCA cycle run inside another model's step uses the same
events with model ``"pdca"``.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from itil_ci._internal import validate as v
from itil_ci.domain.actor import Actor, Role
from itil_ci.domain.initiative import Initiative
from itil_ci.errors import PermissionDenied

__all__ = ["ANY", "DEFAULT_ROLES", "RoleRule", "RoleTable"]

#: Wildcard for :class:`RoleRule` fields.
ANY = "*"

_EVENTS = frozenset({"start", "advance", "return", "close", "withdraw", ANY})


def _c_roles(value: object) -> object:
    if isinstance(value, Role | str):
        value = [value]
    if isinstance(value, Iterable):
        try:
            return frozenset(v.member("RoleRule.roles", Role, r) for r in value)
        except Exception:
            return value
    return value


def _v_roles(inst: RoleRule, attribute: attrs.Attribute[frozenset[Role]], value: object) -> None:
    if isinstance(value, Iterable) and not isinstance(value, str | bytes):
        for i, item in enumerate(value):
            v.member(f"RoleRule.roles[{i}]", Role, item)  # names the accepted roles
    if not isinstance(value, frozenset) or not all(isinstance(r, Role) for r in value):
        raise v.fail("RoleRule.roles", "a set of Role", value)


def _v_event(inst: RoleRule, attribute: attrs.Attribute[str], value: object) -> None:
    if value not in _EVENTS:
        raise v.fail("RoleRule.event", f"one of {sorted(_EVENTS)}", value)


@attrs.frozen
class RoleRule:
    """Who may make a move: ``roles`` (any one of them), or the owner when ``owner``.

    ``model`` (``"itil4"``, ``"seven-step"``, ``"pdca"``), ``event`` and
    ``step`` (the step being left) select the moves the rule covers; ``"*"``
    matches anything.

    Examples:
        >>> RoleRule(event="close", roles=["continual-improvement-manager"], owner=True).owner
        True
    """

    model: str = attrs.field(default=ANY, validator=v.v_text(allow_empty=False))
    event: str = attrs.field(default=ANY, validator=_v_event)
    step: str = attrs.field(default=ANY, validator=v.v_text(allow_empty=False))
    roles: frozenset[Role] = attrs.field(factory=frozenset, converter=_c_roles, validator=_v_roles)
    owner: bool = attrs.field(default=False, validator=v.v_instance(bool))

    def matches(self, model: str, event: str, step: str) -> bool:
        """Whether the rule covers ``event`` from ``step`` in ``model``.

        Examples:
            >>> RoleRule(event="close").matches("itil4", "close", "momentum")
            True
        """
        return (
            (self.model == ANY or self.model == model)
            and (self.event == ANY or self.event == event)
            and (self.step == ANY or self.step == step)
        )

    def admits(self, actor: Actor, initiative: Initiative) -> bool:
        """Whether ``actor`` may make a move this rule covers.

        Examples:
            >>> RoleRule(roles=["improvement-team"]).admits(Actor("li", roles=["improvement-team"]),
            ...                                            Initiative(title="x"))
            True
        """
        if self.owner and initiative.owner and actor.name == initiative.owner:
            return True
        return not self.roles.isdisjoint(actor.roles)

    def describe(self) -> str:
        """Who the rule admits, in words.

        Examples:
            >>> RoleRule(roles=["service-owner"], owner=True).describe()
            "the initiative's owner or a role in: service-owner"
        """
        names = ", ".join(sorted(r.value for r in self.roles))
        if self.owner:
            return "the initiative's owner" + (f" or a role in: {names}" if names else "")
        return f"a role in: {names}" if names else "nobody"


def _v_rules(
    inst: RoleTable, attribute: attrs.Attribute[tuple[RoleRule, ...]], value: object
) -> None:
    if not isinstance(value, tuple) or not all(isinstance(r, RoleRule) for r in value):
        raise v.fail("RoleTable.rules", "a list of RoleRule", value)


def _c_rules(value: object) -> object:
    return tuple(value) if isinstance(value, list) else value


@attrs.frozen
class RoleTable:
    """An ordered list of rules; the first that matches a move decides.

    A move no rule matches is refused.

    Examples:
        >>> table = RoleTable([RoleRule(roles=["improvement-team"])])
        >>> table.rule_for("pdca", "advance", "plan").describe()
        'a role in: improvement-team'
    """

    rules: tuple[RoleRule, ...] = attrs.field(converter=_c_rules, validator=_v_rules)

    def rule_for(self, model: str, event: str, step: str) -> RoleRule | None:
        """The first rule matching the move, or None.

        Examples:
            >>> DEFAULT_ROLES.rule_for("pdca", "advance", "plan").describe()
            "the initiative's owner or a role in: continual-improvement-manager"
            >>> RoleTable([]).rule_for("pdca", "advance", "plan") is None
            True
        """
        for rule in self.rules:
            if rule.matches(model, event, step):
                return rule
        return None

    def allows(
        self, actor: Actor, initiative: Initiative, model: str, event: str, step: str
    ) -> bool:
        """Whether ``actor`` may make the move.

        Examples:
            >>> ana = Actor("ana", roles=["stakeholder"])
            >>> DEFAULT_ROLES.allows(ana, Initiative(title="x"), "itil4", "advance", "vision")
            False
        """
        rule = self.rule_for(model, event, step)
        return rule is not None and rule.admits(actor, initiative)

    def check(
        self, actor: object, initiative: Initiative, model: str, event: str, step: str
    ) -> None:
        """Raise :class:`~itil_ci.errors.PermissionDenied` unless ``actor`` may make the move.

        Examples:
            >>> ini = Initiative(title="x")
            >>> DEFAULT_ROLES.check(Actor("li"), ini, "itil4", "close", "momentum")
            Traceback (most recent call last):
            ...
            itil_ci.errors.PermissionDenied: actor 'li' may not close from step 'momentum' ...
        """
        if not isinstance(actor, Actor):
            raise v.fail("actor", "an Actor (a name and the roles held)", actor)
        rule = self.rule_for(model, event, step)
        if rule is None or not rule.admits(actor, initiative):
            who = "nobody (no rule covers it)" if rule is None else rule.describe()
            held = ", ".join(sorted(r.value for r in actor.roles)) or "none"
            raise PermissionDenied(
                f"actor {actor.name!r} may not {event} from step {step!r} of initiative "
                f"{initiative.id!r} ({model}); allowed: {who}; roles held: {held}"
            )


_APPROVERS = frozenset({Role.CONTINUAL_IMPROVEMENT_MANAGER})
_TEAM = frozenset(
    {
        Role.CONTINUAL_IMPROVEMENT_MANAGER,
        Role.IMPROVEMENT_TEAM,
        Role.SERVICE_OWNER,
        Role.PROCESS_OWNER,
    }
)

#: The default rules: the continual improvement manager or the initiative's
#: owner approves leaving a planning step (ITIL 4 "plan", the seven-step
#: "present", PDCA "plan") and closing or withdrawing; anyone on the
#: improvement team (or a service or process owner) records data, advances
#: other steps and returns to earlier ones.  Stakeholders are informed, not
#: responsible: they make no move.
DEFAULT_ROLES = RoleTable(
    (
        RoleRule(event="close", roles=_APPROVERS, owner=True),
        RoleRule(event="withdraw", roles=_APPROVERS, owner=True),
        RoleRule(model="itil4", event="advance", step="plan", roles=_APPROVERS, owner=True),
        RoleRule(model="seven-step", event="advance", step="present", roles=_APPROVERS, owner=True),
        RoleRule(model="pdca", event="advance", step="plan", roles=_APPROVERS, owner=True),
        RoleRule(roles=_TEAM, owner=True),
    )
)
