"""An SLA definition: resolution targets by priority, on a business calendar, with pauses.

:class:`SLADefinition` bundles what the SLA clock of the measurement core
needs to judge tickets -- the target per priority, the
:class:`~itil_ci.measurement.calendar.BusinessCalendar` the clock runs on and
the states in which it is paused -- under a name, so that the register can
keep it and every KPI that uses it can say which one it is.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from itil_ci._internal import validate as v
from itil_ci.measurement.calendar import BusinessCalendar

__all__ = ["SLADefinition"]

_SCHEMA = 1
#: The longest SLA name, in characters.
MAX_NAME = 200


def _c_hours(value: object) -> object:
    if isinstance(value, dict):
        return {v.real(k): v.real(h) if not v.is_whole(h) else float(h) for k, h in value.items()}
    return value


def _c_targets(value: object) -> object:
    value = _c_hours(value)
    if isinstance(value, Mapping):
        try:
            return dict(sorted(value.items()))
        except TypeError:  # keys that do not sort together: left for the validator
            return dict(value)
    return value


def _v_name(inst: SLADefinition, attribute: attrs.Attribute[str], value: object) -> None:
    v.text("SLADefinition.name", value, allow_empty=False)
    assert isinstance(value, str)
    if len(value) > MAX_NAME or "\x00" in value or value != value.strip():
        raise v.fail(
            "SLADefinition.name",
            f"a name of at most {MAX_NAME} characters, without NUL or surrounding spaces",
            value,
        )


def _v_targets(
    inst: SLADefinition, attribute: attrs.Attribute[dict[int, float]], value: object
) -> None:
    if not isinstance(value, dict) or not value:
        raise v.fail("SLADefinition.targets", "a non-empty dict {priority: hours}", value)
    for key, hours in value.items():
        if not v.is_whole(key) or not 0 <= key <= 1000:
            raise v.fail("SLADefinition.targets key", "a priority (a whole number 0-1000)", key)
        v.number(f"SLADefinition.targets[{key}]", hours, minimum=0, strict_min=True)


def _c_states(value: object) -> object:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else list(value)
        return tuple(dict.fromkeys(items))
    return value


def _v_states(
    inst: SLADefinition, attribute: attrs.Attribute[tuple[str, ...]], value: object
) -> None:
    if not isinstance(value, tuple):
        raise v.fail("SLADefinition.pause_states", "a list of state names", value)
    for i, state in enumerate(value):
        v.text(f"SLADefinition.pause_states[{i}]", state, allow_empty=False)


def _hours_text(hours: float) -> str:
    if hours >= 100 and float(hours / 24).is_integer():
        return f"{hours / 24:g} d"
    if hours < 1 and float(hours * 60).is_integer():
        return f"{hours * 60:g} min"
    return f"{hours:g} h"


@attrs.frozen
class SLADefinition:
    """Resolution targets by priority, on a business calendar, paused in some states.

    ``targets`` maps a priority (1 critical .. 5 planning, as
    :class:`~itil_ci.io.Tickets` holds them) to its resolution target in
    hours; a priority without a target is not judged against this SLA.
    ``calendar`` is when the clock runs (default: around the clock, UTC) and
    ``pause_states`` the ticket states that stop it (e.g. ``"On Hold"``,
    ``"Awaiting User Info"``), matched exactly against a state history.

    Examples:
        >>> sla = SLADefinition(
        ...     "standard",
        ...     {1: 4, 3: 24},
        ...     calendar=BusinessCalendar("mon-fri 08:00-18:00", timezone="Europe/London"),
        ...     pause_states=["On Hold", "Awaiting User Info"],
        ... )
        >>> sla.describe()
        'P1 4 h, P3 24 h; mon-fri 08:00-18:00 Europe/London; paused in On Hold, Awaiting User Info'
        >>> sla.target_hours([1, 2, 3]).tolist()
        [4.0, nan, 24.0]
    """

    name: str = attrs.field(validator=_v_name)
    targets: dict[int, float] = attrs.field(converter=_c_targets, validator=_v_targets, hash=False)
    calendar: BusinessCalendar = attrs.field(
        factory=BusinessCalendar.always,
        validator=v.v_instance(BusinessCalendar),
        kw_only=True,
    )
    pause_states: tuple[str, ...] = attrs.field(
        default=(), converter=_c_states, validator=_v_states, kw_only=True
    )
    description: str = attrs.field(default="", validator=v.v_text(), kw_only=True)

    def target_hours(self, priority: Any) -> npt.NDArray[np.float64]:
        """The target of each ticket by its priority, in hours (NaN: no target).

        Examples:
            >>> SLADefinition("p1", {1: 4}).target_hours([1, 5]).tolist()
            [4.0, nan]
        """
        p = np.asarray(priority)
        if p.ndim != 1 or (p.size and p.dtype.kind not in "iu"):
            raise v.fail("priority", "a one-dimensional array of whole-number priorities", p)
        out = np.full(p.size, np.nan)
        for key, hours in self.targets.items():  # a loop over the few priorities
            out[p == key] = hours
        return out

    def describe(self) -> str:
        """One line: the targets, the calendar and the pause states.

        Examples:
            >>> SLADefinition("x", {2: 0.5, 4: 72}).describe()
            'P2 30 min, P4 72 h; around the clock (UTC)'
        """
        parts = [", ".join(f"P{p} {_hours_text(h)}" for p, h in self.targets.items())]
        cal = self.calendar
        if cal.is_always():
            parts.append(f"around the clock ({cal.timezone})")
        else:
            where = f"{cal.hours} {cal.timezone}"
            if cal.country:
                where += f", {cal.country}{'-' + cal.subdiv if cal.subdiv else ''} holidays"
            if cal.holidays:
                n = len(cal.holidays)
                where += f", {n} {'more ' if cal.country else ''}holiday{'s' if n != 1 else ''}"
            parts.append(where)
        if self.pause_states:
            parts.append("paused in " + ", ".join(self.pause_states))
        return "; ".join(parts)

    def attainment(
        self,
        start: Any,
        end: Any,
        priority: Any,
        *,
        history: Any = None,
        ids: Any = None,
        by: Any = None,
        period: Any = None,
        as_of: Any = None,
    ) -> Any:
        """SLA attainment of tickets against this definition (see :func:`sla_attainment`).

        ``history`` (an :class:`~itil_ci.io.History`, with ``ids`` the ticket
        ids) supplies the pauses in :attr:`pause_states`; every ticket must
        have a priority with a target.

        Examples:
            >>> import numpy as np
            >>> t0 = np.array(["2026-03-02T09:00"] * 2, dtype="datetime64[ns]")  # a Monday
            >>> t1 = t0 + np.array([3, 30], dtype="timedelta64[h]")
            >>> SLADefinition("p3", {3: 24}).attainment(t0, t1, [3, 3]).value.tolist()
            [0.5]
        """
        from itil_ci.measurement.itsm import sla_attainment

        pauses = None
        if history is not None and self.pause_states:
            pauses = history.pauses(self.pause_states)
        return sla_attainment(
            start,
            end,
            priority,
            self.targets,
            by=by,
            period=period,
            as_of=as_of,
            calendar=None if self.calendar.is_always() else self.calendar,
            pauses=pauses,
            ids=ids if pauses is not None else None,
        )

    def to_dict(self) -> dict[str, Any]:
        """The definition as plain JSON data (priorities as text keys); :meth:`from_dict` reads it.

        Examples:
            >>> d = SLADefinition("p1", {1: 4}).to_dict()
            >>> d["targets"], d["pause_states"]
            ({'1': 4.0}, [])
            >>> SLADefinition.from_dict(d) == SLADefinition("p1", {1: 4})
            True
        """
        return {
            "schema_version": _SCHEMA,
            "name": self.name,
            "targets": {str(k): h for k, h in self.targets.items()},
            "calendar": self.calendar.to_dict(),
            "pause_states": list(self.pause_states),
            "description": self.description,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SLADefinition:
        """The definition :meth:`to_dict` wrote, checked like the constructor's arguments.

        Examples:
            >>> SLADefinition.from_dict({"name": "p1", "targets": {"1": 4}}).targets
            {1: 4.0}
        """
        if not isinstance(data, Mapping):
            raise v.fail("data", "a mapping as written by SLADefinition.to_dict()", data)
        known = {"schema_version", "name", "targets", "calendar", "pause_states", "description"}
        unknown = sorted(set(data) - known, key=str)
        if unknown:
            raise v.fail("data", f"only the keys {sorted(known)}", unknown[0])
        if data.get("schema_version", _SCHEMA) != _SCHEMA:
            raise v.fail("data['schema_version']", f"{_SCHEMA}", data.get("schema_version"))
        raw = data.get("targets")
        if not isinstance(raw, Mapping):
            raise v.fail("data['targets']", "a mapping {priority: hours}", raw)
        targets: dict[int, object] = {}
        for key, hours in raw.items():
            digits = isinstance(key, str) and key.isascii() and key.isdigit() and len(key) <= 4
            if digits or v.is_whole(key):
                targets[int(key)] = hours
            else:
                raise v.fail("data['targets'] key", "a priority such as '1'", key)
        for key, hours in targets.items():
            if not v.is_real(hours) or not math.isfinite(float(hours)):
                raise v.fail(f"data['targets'][{key!r}]", "a number of hours", hours)
        calendar = data.get("calendar")
        name: Any = data.get("name")
        given: Any = targets
        return cls(
            name,
            given,
            calendar=BusinessCalendar.always()
            if calendar is None
            else BusinessCalendar.from_dict(calendar),
            pause_states=data.get("pause_states", ()),
            description=data.get("description", ""),
        )
