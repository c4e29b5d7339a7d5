"""Gated, reversible, audited engines for the three improvement models.

``start(initiative, model="itil4")`` binds an engine to an initiative and
moves it into the model's first step; ``resume(initiative)`` binds an engine
to a stored initiative at the step it is at, without replaying its history.
The verbs are the same on all three engines: ``advance``, ``return_to``,
``close``, ``step``, ``next_steps()``, ``missing()``, ``history`` and
``diagram()``.

Examples:
    >>> from itil_ci.domain import Actor, Initiative
    >>> ana = Actor("ana", roles=["continual-improvement-manager"])
    >>> engine = start(Initiative(title="Faster restores"), actor=ana)
    >>> engine.step, type(engine).__name__
    ('vision', 'ContinualImprovementModel')
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from itil_ci._internal import validate as v
from itil_ci.domain.initiative import ImprovementModel, Initiative
from itil_ci.engines._base import CLOSED, Engine, StepListener
from itil_ci.engines.audit import HistoryCheck, verify_history
from itil_ci.engines.gates import ArtefactSpec, Gate, Requirement
from itil_ci.engines.itil4 import ContinualImprovementModel
from itil_ci.engines.pdca import PDCACycle
from itil_ci.engines.roles import DEFAULT_ROLES, RoleRule, RoleTable
from itil_ci.engines.seven_step import SevenStepProcess

__all__ = [
    "CLOSED",
    "DEFAULT_ROLES",
    "ENGINES",
    "ArtefactSpec",
    "ContinualImprovementModel",
    "Engine",
    "Gate",
    "HistoryCheck",
    "PDCACycle",
    "Requirement",
    "RoleRule",
    "RoleTable",
    "SevenStepProcess",
    "engine_class",
    "resume",
    "start",
    "verify_history",
]

#: The engine class of each model.
ENGINES: dict[ImprovementModel, type[Engine]] = {
    ImprovementModel.ITIL4: ContinualImprovementModel,
    ImprovementModel.SEVEN_STEP: SevenStepProcess,
    ImprovementModel.PDCA: PDCACycle,
}


def engine_class(model: ImprovementModel | str) -> type[Engine]:
    """The engine class for ``model`` (``"itil4"``, ``"seven-step"``, ``"pdca"``).

    Examples:
        >>> engine_class("pdca").__name__
        'PDCACycle'
    """
    return ENGINES[v.member("model", ImprovementModel, model)]


def resume(
    initiative: Initiative,
    *,
    roles: RoleTable = DEFAULT_ROLES,
    listeners: Iterable[StepListener] = (),
    clock: Callable[[], dt.datetime] | None = None,
    audit_key: bytes | None = None,
) -> Engine:
    """The engine of a (stored) initiative, at its current step; nothing is replayed.

    ``audit_key`` as for :func:`start`: pass the same key on every resume of a
    keyed trail (an engine without it refuses to move the initiative).

    Examples:
        >>> ini = Initiative(title="x", model="pdca", step="check")
        >>> resume(ini).next_steps()
        ('act', 'closed')
    """
    if not isinstance(initiative, Initiative):
        raise v.fail("initiative", "an Initiative", initiative)
    cls = ENGINES[initiative.model]
    return cls(initiative, roles=roles, listeners=listeners, clock=clock, audit_key=audit_key)


def start(
    initiative: Initiative,
    model: ImprovementModel | str | None = None,
    *,
    actor: object = None,
    note: str = "",
    roles: RoleTable = DEFAULT_ROLES,
    listeners: Iterable[StepListener] = (),
    clock: Callable[[], dt.datetime] | None = None,
    audit_key: bytes | None = None,
) -> Engine:
    """Bind the engine of ``model`` (default: the initiative's) and enter its first step.

    The start is the first audit record; with ``actor`` it is checked against
    ``roles`` and attributed, without it the record names no actor.  An
    initiative that has already started is resumed where it is (``model``, if
    given, must be its model).

    With ``audit_key`` (a secret of at least 16 bytes, kept by the caller and
    never stored) every record this engine writes is sealed with HMAC-SHA256,
    so only a holder of the key can write records that
    :func:`verify_history` accepts with ``key=``; see :mod:`itil_ci.engines.audit`.

    Examples:
        >>> ini = Initiative(title="Shorter queues")
        >>> start(ini, "pdca").step, ini.model.value, len(ini.history)
        ('plan', 'pdca', 1)
        >>> keyed = Initiative(title="Shorter queues")
        >>> start(keyed, "pdca", audit_key=b"0123456789abcdef").history[0].seal
        'hmac-sha256'
    """
    if not isinstance(initiative, Initiative):
        raise v.fail("initiative", "an Initiative", initiative)
    chosen = initiative.model if model is None else v.member("model", ImprovementModel, model)
    if initiative.step is not None:
        if chosen is not initiative.model:
            raise v.fail(
                "model", f"{initiative.model.value!r} (the model it runs under)", chosen.value
            )
        return resume(
            initiative, roles=roles, listeners=listeners, clock=clock, audit_key=audit_key
        )
    if chosen is not initiative.model:
        initiative.model = chosen
    engine = ENGINES[chosen](
        initiative, roles=roles, listeners=listeners, clock=clock, audit_key=audit_key
    )
    engine.begin(actor=actor, note=note)
    return engine
