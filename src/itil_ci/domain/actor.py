"""People and the roles they play in continual improvement."""

from __future__ import annotations

import enum
from collections.abc import Iterable

import attrs

from itil_ci._internal import display
from itil_ci._internal import validate as v

__all__ = ["Actor", "Role"]


class Role(enum.Enum):
    """Roles in continual improvement (ITIL v3 CSI roles, still used with ITIL 4).

    Examples:
        >>> Role("service-owner")
        <Role.SERVICE_OWNER: 'service-owner'>
    """

    CONTINUAL_IMPROVEMENT_MANAGER = "continual-improvement-manager"
    SERVICE_OWNER = "service-owner"
    PROCESS_OWNER = "process-owner"
    IMPROVEMENT_TEAM = "improvement-team"
    STAKEHOLDER = "stakeholder"


def _c_roles(value: object) -> object:
    if isinstance(value, Role | str):
        value = [value]
    if isinstance(value, Iterable):
        items = list(value)
        out = []
        for i, item in enumerate(items):
            try:
                out.append(v.member(f"Actor.roles[{i}]", Role, item))
            except Exception:
                return value
        return frozenset(out)
    return value


def _v_roles(inst: Actor, attribute: attrs.Attribute[frozenset[Role]], value: object) -> None:
    if not isinstance(value, frozenset):
        if isinstance(value, Iterable) and not isinstance(value, str | bytes):
            for i, item in enumerate(value):
                v.member(f"Actor.roles[{i}]", Role, item)
        raise v.fail("Actor.roles", "a set of Role", value)


@attrs.frozen
class Actor:
    """Someone who acts on an initiative, with the roles they hold.

    Examples:
        >>> ana = Actor("ana", roles=[Role.SERVICE_OWNER, "improvement-team"])
        >>> ana.has(Role.IMPROVEMENT_TEAM)
        True
    """

    name: str = attrs.field(validator=v.v_text(allow_empty=False))
    roles: frozenset[Role] = attrs.field(factory=frozenset, converter=_c_roles, validator=_v_roles)

    def has(self, role: Role | str) -> bool:
        """Whether the actor holds ``role``.

        Examples:
            >>> sam = Actor("sam", roles=["stakeholder"])
            >>> sam.has("stakeholder"), sam.has(Role.SERVICE_OWNER)
            (True, False)
        """
        return v.member("role", Role, role) in self.roles

    def _repr_html_(self) -> str:
        return display.html(self)
