"""What the three engines share: the move table, the machine, the verbs (private).

An engine wraps one :class:`~itil_ci.domain.Initiative`.  The step lives on
the initiative (``state_field``), never on the engine: the engine object is a
thin handle, and a ``python-statemachine`` machine bound to the initiative
(``model=initiative``) is built only when an event is fired.  The machine
class, the move table and the gates are built once per engine class.

An engine given ``audit_key`` holds it in memory only and seals each record
with it (:mod:`itil_ci.engines.audit`).  Once a move is known to be allowed
from the step, and before the actor's roles are checked, an engine refuses to
append to a keyed trail without the key, or with a key under which its newest
keyed record does not verify (:class:`~itil_ci.errors.InvalidInputError`).

Order of checks for every move: is the event allowed from this step at all
(:class:`~itil_ci.errors.InvalidTransition`, listing what is allowed), may the
actor make it (:class:`~itil_ci.errors.PermissionDenied`), are the artefacts
well formed (:class:`~itil_ci.errors.InvalidInputError`), does the step hold
everything its gate requires (:class:`~itil_ci.errors.StepBlocked`, naming
every missing artefact).  The last three run inside the machine's validator,
before anything is written; a refused move leaves the initiative unchanged.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, ClassVar

from statemachine import State, StateMachine
from statemachine.exceptions import StateMachineError

from itil_ci._internal import validate as v
from itil_ci.domain.actor import Actor
from itil_ci.domain.initiative import (
    STEPS,
    AuditRecord,
    ClosureCode,
    ImprovementModel,
    Initiative,
    Outcome,
)
from itil_ci.engines.audit import _check_append, _check_key, seal
from itil_ci.engines.gates import Gate, View
from itil_ci.engines.roles import DEFAULT_ROLES, RoleTable
from itil_ci.errors import InvalidTransition, ItilCiError, StepBlocked

__all__ = ["CLOSED", "Engine", "StepListener"]

#: The final step of every engine.
CLOSED = "closed"

_log = logging.getLogger("itil_ci.engines")

StepListener = Any  # an object with on_step_changed(initiative, record), or a callable


def _check_clock(clock: object) -> Callable[[], dt.datetime]:
    """``clock`` (None: the system clock in UTC), checked to be callable and, on each call, to
    return a timezone-aware datetime."""
    if clock is None:
        return v.utc_now
    if getattr(clock, "_itil_ci_checked", False):
        return clock  # type: ignore[return-value]  # already wrapped (a nested engine)
    if not callable(clock):
        raise v.fail("clock", "None or a function returning a timezone-aware datetime", clock)

    def now() -> dt.datetime:
        value = clock()
        if not isinstance(value, dt.datetime) or value.tzinfo is None or value.utcoffset() is None:
            raise v.fail("clock()", "a timezone-aware datetime", value)
        return value

    now._itil_ci_checked = True  # type: ignore[attr-defined]
    return now


def _check_listener(name: str, listener: object) -> StepListener:
    if hasattr(listener, "on_step_changed") or callable(listener):
        return listener
    raise v.fail(
        name, "a callable (initiative, record) or an object with on_step_changed", listener
    )


def _check_listeners(listeners: object) -> list[StepListener]:
    if isinstance(listeners, str | bytes) or not isinstance(listeners, Iterable):
        raise v.fail(
            "listeners", "a list of listeners (callables or on_step_changed objects)", listeners
        )
    return [_check_listener(f"listeners[{i}]", item) for i, item in enumerate(listeners)]


def _summary(value: Any) -> str:
    """A short, deterministic description of an artefact for the audit trail."""
    if isinstance(value, str):
        text = value
    elif isinstance(value, Mapping):
        text = f"{len(value)} for: " + ", ".join(sorted(str(k) for k in value))
    elif isinstance(value, list | tuple | set | frozenset):
        text = f"{len(value)} item" + ("" if len(value) == 1 else "s")
    elif hasattr(value, "isoformat"):
        text = value.isoformat()
    else:
        text = type(value).__name__
    return text if len(text) <= 120 else text[:117] + "..."


class _Move:
    """One move being made: checked in the machine's validator, written in its action."""

    __slots__ = (
        "actor",
        "artefacts",
        "engine",
        "event",
        "extra",
        "note",
        "reason",
        "record",
        "snapshot",
        "source",
        "target",
        "view",
    )

    def __init__(
        self,
        engine: Engine,
        event: str,
        source: str,
        target: str,
        actor: Actor | None,
        note: str,
        reason: str,
        artefacts: Mapping[str, Any],
        extra: Callable[[View], None] | None,
    ) -> None:
        _check_append(engine.initiative, engine._audit_key)
        self.engine = engine
        self.event = event
        self.source = source
        self.target = target
        self.actor = actor
        self.note = note
        self.reason = reason
        self.artefacts = artefacts
        self.extra = extra
        self.view = View(engine.initiative, engine.clock())
        self.record: AuditRecord | None = None
        self.snapshot: dict[str, Any] | None = None

    def guard(self) -> None:
        """Roles, then artefacts, then the gate; raises and writes nothing on refusal."""
        eng = self.engine
        assert self.actor is not None
        eng.roles.check(self.actor, eng.initiative, eng._role_model, self.event, self.source)
        if self.event in ("advance", "close"):
            gate = eng.gates[self.source]
            gate.stage(self.view, self.artefacts)
            missing = gate.missing(self.view, self.event)
            if missing:
                raise StepBlocked(eng._prefix + self.source, missing)
            if self.extra is not None:
                self.extra(self.view)
        elif self.extra is not None:
            self.extra(self.view)

    def apply(self) -> None:
        """Write the staged updates and the sealed audit record (restored on any failure)."""
        eng = self.engine
        ini = eng.initiative
        updates = {k: val for k, val in self.view.updates.items() if not k.startswith("_")}
        names = (*updates, "history", eng.state_field, "updated_at")
        self.snapshot = {name: getattr(ini, name) for name in names}
        for name, value in updates.items():
            setattr(ini, name, value)
        history = ini.history
        rec = AuditRecord(
            seq=len(history),
            event=eng._prefix.replace(":", ".") + self.event,
            from_step=(eng._prefix + self.source) if self.source else None,
            to_step=eng._prefix + self.target,
            at=self.view.now,
            actor=self.actor.name if self.actor is not None else "",
            note=self.note,
            reason=self.reason,
            artefacts={k: _summary(val) for k, val in self.artefacts.items()},
        )
        prev = history[-1].hash if history else ""
        rec = seal(rec, prev, key=eng._audit_key, initiative_id=ini.id)
        ini.history = [*history, rec]
        self.record = rec

    def rollback(self) -> None:
        """Put back every field :meth:`apply` touched."""
        if self.snapshot is not None:
            for name, value in self.snapshot.items():
                object.__setattr__(self.engine.initiative, name, value)


def _guard(self: Any, move: _Move) -> None:
    move.guard()


def _apply(self: Any, move: _Move) -> None:
    move.apply()


def _build_machine(
    name: str, steps: Sequence[str], table: Mapping[str, Mapping[str, str]]
) -> type[StateMachine]:
    ns: dict[str, Any] = {}
    states = {
        s: State(name=s.replace("_", " "), value=s, initial=i == 0, final=s == CLOSED)
        for i, s in enumerate(steps)
    }
    ns.update(states)
    events: dict[str, Any] = {}
    for source, moves in table.items():
        for event, target in moves.items():
            t = states[source].to(states[target], validators="_guard", on="_apply")
            events[event] = t if event not in events else events[event] | t
    ns.update(events)
    ns["_guard"] = _guard
    ns["_apply"] = _apply
    return type(name, (StateMachine,), ns)


class Engine:
    """Base of the three engines (see the module docstring); not used directly.

    Examples:
        >>> from itil_ci.domain import Actor, Initiative
        >>> from itil_ci.engines import PDCACycle
        >>> engine = PDCACycle(Initiative(title="Shorter queues", model="pdca"))
        >>> isinstance(engine, Engine), engine.step
        (True, None)
        >>> _ = engine.begin(actor=Actor("li", roles=["continual-improvement-manager"]))
        >>> engine.step, engine.next_steps()
        ('plan', ('do', 'closed'))
    """

    model: ClassVar[ImprovementModel]
    first: ClassVar[str]
    gates: ClassVar[Mapping[str, Gate]]
    forward: ClassVar[Mapping[str, str]]
    returns: ClassVar[Mapping[str, tuple[str, ...]]]
    closable: ClassVar[tuple[str, ...]]

    steps: ClassVar[tuple[str, ...]]
    _table: ClassVar[dict[str, dict[str, str]]]
    _machine_cls: ClassVar[type[StateMachine]]

    state_field: str = "step"
    _prefix: str = ""
    _role_model: str

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        steps = STEPS[cls.model]
        assert steps[0] == cls.first
        assert set(cls.gates) == set(steps[:-1])
        table: dict[str, dict[str, str]] = {s: {} for s in steps}
        for s in steps[:-1]:
            if s in cls.forward:
                table[s]["advance"] = cls.forward[s]
            if s in cls.closable:
                table[s]["close"] = CLOSED
            for back in cls.returns.get(s, ()):
                table[s][f"back_to_{back}"] = back
            table[s]["withdraw"] = CLOSED
        cls.steps = steps
        cls._table = table
        cls._machine_cls = _build_machine(cls.__name__ + "Machine", steps, table)

    def __init__(
        self,
        initiative: Initiative,
        *,
        roles: RoleTable = DEFAULT_ROLES,
        listeners: Iterable[StepListener] = (),
        clock: Callable[[], dt.datetime] | None = None,
        audit_key: bytes | None = None,
    ) -> None:
        if not isinstance(initiative, Initiative):
            raise v.fail("initiative", "an Initiative", initiative)
        if not isinstance(roles, RoleTable):
            raise v.fail("roles", "a RoleTable", roles)
        self._audit_key = _check_key("audit_key", audit_key)  # held in memory only
        self.initiative = initiative
        self.roles = roles
        self.listeners: list[StepListener] = _check_listeners(listeners)
        self.clock: Callable[[], dt.datetime] = _check_clock(clock)
        self._role_model = self.model.value
        self._check_binding()

    def _check_binding(self) -> None:
        ini = self.initiative
        if ini.model is not self.model:
            raise v.fail(
                "initiative.model",
                f"{self.model.value!r} for {type(self).__name__}",
                ini.model.value,
            )
        step = getattr(ini, self.state_field)
        if step is not None and step not in self.steps:
            raise v.fail(f"initiative.{self.state_field}", f"one of {self.steps}", step)

    # -- reading ---------------------------------------------------------------

    @property
    def step(self) -> str | None:
        """The current step (None before the engine starts).

        Examples:
            >>> from itil_ci.domain import Initiative
            >>> from itil_ci.engines import PDCACycle
            >>> engine = PDCACycle(Initiative(title="x", model="pdca"))
            >>> engine.step is None
            True
            >>> _ = engine.begin()
            >>> engine.step
            'plan'
        """
        step: str | None = getattr(self.initiative, self.state_field)
        return step

    @property
    def history(self) -> tuple[AuditRecord, ...]:
        """The audit trail (read-only view; the engine appends to it).

        Examples:
            >>> from itil_ci.domain import Initiative
            >>> from itil_ci.engines import start
            >>> engine = start(Initiative(title="x"), "pdca")
            >>> [(r.event, r.to_step) for r in engine.history]
            [('start', 'plan')]
        """
        return tuple(self.initiative.history)

    @property
    def closed(self) -> bool:
        """Whether the engine has reached its final step.

        Examples:
            >>> from itil_ci.domain import Actor, Initiative
            >>> from itil_ci.engines import start
            >>> engine = start(Initiative(title="x"), "pdca")
            >>> engine.closed
            False
            >>> _ = engine.close(actor=Actor("li", roles=["continual-improvement-manager"]),
            ...                  outcome="withdrawn")
            >>> engine.closed
            True
        """
        return self.step == CLOSED

    @classmethod
    def moves_from(cls, step: str) -> dict[str, str]:
        """The moves allowed from ``step`` as ``{event: target}`` (from the class table).

        Answers "what can happen next" for any number of stored initiatives
        without building a machine.

        Examples:
            >>> from itil_ci.engines import PDCACycle
            >>> PDCACycle.moves_from("act")
            {'advance': 'plan', 'close': 'closed', 'withdraw': 'closed'}
        """
        if not isinstance(step, str) or step not in cls._table:
            raise v.fail("step", f"one of {cls.steps}", step)
        return dict(cls._table[step])

    def next_steps(self) -> tuple[str, ...]:
        """The steps the initiative may move to from its current step (no duplicates).

        Examples:
            >>> from itil_ci.domain import Initiative
            >>> from itil_ci.engines import resume
            >>> resume(Initiative(title="x", model="pdca", step="do")).next_steps()
            ('check', 'closed')
        """
        if self.step is None:
            return (self.first,)
        out: list[str] = []
        for target in self._table[self.step].values():
            if target not in out:
                out.append(target)
        return tuple(out)

    def missing(self, event: str = "advance") -> list[str]:
        """What the current step still needs before ``event`` (``"advance"``/``"close"``).

        Examples:
            >>> from itil_ci.domain import Initiative
            >>> from itil_ci.engines import start
            >>> start(Initiative(title="x"), "pdca").missing()
            ['objective of the cycle', 'prediction: what will change, and by how much']
        """
        if not isinstance(event, str) or event not in ("advance", "close"):
            raise v.fail("event", "'advance' or 'close'", event)
        if self.step is None or self.step == CLOSED:
            return []
        view = View(self.initiative, self.clock())
        return self.gates[self.step].missing(view, event, derive=False)

    def accepts(self) -> tuple[str, ...]:
        """The artefact names the current step accepts in ``advance()``/``close()``.

        Examples:
            >>> from itil_ci.domain import Initiative
            >>> from itil_ci.engines import start
            >>> start(Initiative(title="x"), "pdca").accepts()
            ('objective', 'prediction')
        """
        if self.step is None or self.step == CLOSED:
            return ()
        return tuple(s.name for s in self.gates[self.step].accepts)

    @classmethod
    def mermaid(cls, current: str | None = None) -> str:
        """The model as a Mermaid ``stateDiagram-v2`` (withdrawal edges left out).

        Examples:
            >>> from itil_ci.engines import PDCACycle
            >>> print(PDCACycle.mermaid().splitlines()[1])
                [*] --> plan
            >>> "act --> closed : close" in PDCACycle.mermaid()
            True
        """
        if current is not None and (not isinstance(current, str) or current not in cls.steps):
            raise v.fail("current", f"None or one of {cls.steps}", current)
        lines = ["stateDiagram-v2", f"    [*] --> {cls.first}"]
        for s in cls.steps[:-1]:
            lines.append(f"    {s} : {cls.gates[s].question}")
        for source, moves in cls._table.items():
            for event, target in moves.items():
                if event == "withdraw":
                    continue
                label = "return" if event.startswith("back_to_") else event
                lines.append(f"    {source} --> {target} : {label}")
        lines.append(f"    {CLOSED} --> [*]")
        if current is not None:
            lines.append("    classDef current fill:#ffd54f,stroke:#333")
            lines.append(f"    class {current} current")
        return "\n".join(lines)

    def diagram(self) -> str:
        """Mermaid text of the model with the current step highlighted.

        Examples:
            >>> from itil_ci.domain import Initiative
            >>> from itil_ci.engines import start
            >>> start(Initiative(title="x"), "pdca").diagram().splitlines()[-1]
            '    class plan current'
        """
        return self.mermaid(self.step)

    def allowed(self) -> tuple[str, ...]:
        """The verbs allowed from the current step, in words.

        Examples:
            >>> from itil_ci.domain import Initiative
            >>> from itil_ci.engines import resume
            >>> resume(Initiative(title="x", model="pdca", step="act")).allowed()
            ("advance() to 'plan'", 'close()', "close(outcome='withdrawn')")
        """
        if self.step is None:
            return ("start",)
        out = []
        for event, target in self._table[self.step].items():
            if event.startswith("back_to_"):
                out.append(f"return_to({target!r})")
            elif event == "advance":
                out.append(f"advance() to {target!r}")
            elif event == "close":
                out.append("close()")
        if self._table[self.step]:
            out.append("close(outcome='withdrawn')")
        return tuple(out)

    # -- listeners -------------------------------------------------------------

    def add_listener(self, listener: StepListener) -> None:
        """Call ``listener.on_step_changed(initiative, record)`` (or ``listener(...)``) after
        every successful move.

        Listeners run after the move is applied and audited.  An exception from
        a listener does not undo the move and is not raised from the verb: it is
        logged on the ``itil_ci.engines`` logger (level ERROR, with traceback)
        and the remaining listeners still run.

        Examples:
            >>> from itil_ci.domain import Actor, Initiative
            >>> from itil_ci.engines import start
            >>> engine = start(Initiative(title="x"), "pdca")
            >>> moves = []
            >>> engine.add_listener(lambda initiative, record: moves.append(record.to_step))
            >>> _ = engine.close(actor=Actor("li", roles=["continual-improvement-manager"]),
            ...                  outcome="withdrawn")
            >>> moves
            ['closed']
        """
        self.listeners.append(_check_listener("listener", listener))

    def _notify(self, record: AuditRecord) -> None:
        """Tell every listener about a move that has already been applied and audited.

        A listener that raises cannot undo the move, so its exception is logged
        (logger ``itil_ci.engines``, with the traceback) and the other listeners
        still run; the verb returns normally.
        """
        for listener in self.listeners:
            hook = getattr(listener, "on_step_changed", None)
            if hook is None and callable(listener):
                hook = listener
            if hook is None:
                continue
            try:
                hook(self.initiative, record)
            except Exception:
                _log.exception(
                    "listener %r failed after initiative %r moved %s -> %s; the move stands",
                    listener,
                    self.initiative.id,
                    record.from_step,
                    record.to_step,
                )

    # -- moving ------------------------------------------------------------------

    def _not_allowed(self, what: str) -> InvalidTransition:
        allowed = self.allowed()
        return InvalidTransition(
            f"initiative {self.initiative.id!r} ({self.model.value}) cannot {what} from step "
            f"{self._prefix}{self.step!s}; allowed: {', '.join(allowed) or 'nothing (closed)'}",
            allowed=allowed,
        )

    def _precheck(self) -> None:
        """Hook: conditions on the whole initiative for any move (nested cycles)."""

    def _fire(
        self,
        event: str,
        what: str,
        *,
        actor: object,
        note: str = "",
        reason: str = "",
        artefacts: Mapping[str, Any] | None = None,
        extra: Callable[[View], None] | None = None,
        role_event: str | None = None,
    ) -> AuditRecord:
        self._precheck()
        step = self.step
        if step is None:
            raise InvalidTransition(
                f"initiative {self.initiative.id!r} has not started; call start() first",
                allowed=("start",),
            )
        target = self._table[step].get(event)
        if target is None:
            raise self._not_allowed(what)
        if not isinstance(actor, Actor):
            raise v.fail("actor", "an Actor (a name and the roles held)", actor)
        v.text("note", note)
        move = _Move(
            self,
            role_event or event,
            step,
            target,
            actor,
            note,
            reason,
            artefacts or {},
            extra,
        )
        machine = self._machine_cls(model=self.initiative, state_field=self.state_field)
        try:
            machine.send(event, move=move)
        except ItilCiError:
            move.rollback()
            raise
        except StateMachineError as err:  # pragma: no cover - the table check comes first
            move.rollback()
            raise self._not_allowed(what) from err
        except BaseException:
            move.rollback()
            raise
        assert move.record is not None
        self._notify(move.record)
        return move.record

    def _start_extra(self, view: View) -> None:
        """Hook: staged updates made when the engine starts."""

    def begin(self, *, actor: object = None, note: str = "") -> AuditRecord:
        """Move the initiative into its first step (recorded like any other move).

        Without ``actor`` no role is checked and the record names no actor.

        Examples:
            >>> from itil_ci.domain import Actor, Initiative
            >>> from itil_ci.engines import SevenStepProcess
            >>> engine = SevenStepProcess(Initiative(title="x", model="seven-step"))
            >>> record = engine.begin(actor=Actor("li", roles=["improvement-team"]))
            >>> record.event, record.to_step, record.actor
            ('start', 'strategy', 'li')
        """
        self._precheck()
        ini = self.initiative
        current = self.step
        if current is not None and not (self._prefix and current == CLOSED):
            raise InvalidTransition(
                f"initiative {ini.id!r} has already started ({self._prefix}{current})",
                allowed=self.allowed(),
            )
        if actor is not None and not isinstance(actor, Actor):
            raise v.fail("actor", "an Actor (a name and the roles held) or None", actor)
        v.text("note", note)
        move = _Move(self, "start", current or "", self.first, actor, note, "", {}, None)
        if actor is not None:
            self.roles.check(actor, ini, self._role_model, "start", self.first)
        self._start_extra(move.view)
        try:
            move.apply()
            object.__setattr__(ini, self.state_field, None)
            self._machine_cls(model=ini, state_field=self.state_field)  # enters the first step
        except BaseException:
            move.rollback()
            raise
        assert move.record is not None
        self._notify(move.record)
        return move.record

    def advance(self, *, actor: object, note: str = "", **artefacts: Any) -> AuditRecord:
        """Leave the current step forwards, attaching ``artefacts`` (see :meth:`accepts`).

        Examples:
            >>> from itil_ci.domain import Actor, Initiative
            >>> from itil_ci.engines import start
            >>> engine = start(Initiative(title="x"), "itil4")
            >>> li = Actor("li", roles=["improvement-team"])
            >>> record = engine.advance(actor=li, objectives=["Restore e-mail within 4 hours"])
            >>> record.from_step, record.to_step, engine.step
            ('vision', 'current_state', 'current_state')
        """
        return self._fire("advance", "advance", actor=actor, note=note, artefacts=artefacts)

    def return_to(self, step: str, *, actor: object, reason: str) -> AuditRecord:
        """Go back to an earlier ``step``; the ``reason`` is required and recorded.

        Examples:
            >>> from itil_ci.domain import Actor, Initiative
            >>> from itil_ci.engines import resume
            >>> engine = resume(Initiative(title="x", step="target_state"))
            >>> record = engine.return_to("vision", actor=Actor("li", roles=["improvement-team"]),
            ...                           reason="the objective was too vague")
            >>> engine.step, record.reason
            ('vision', 'the objective was too vague')
        """
        v.text("step", step)
        v.text("reason", reason, allow_empty=False)
        return self._fire(
            f"back_to_{step}",
            f"return to {step!r}",
            actor=actor,
            reason=reason,
            role_event="return",
        )

    def _outcome(self, outcome: object) -> Outcome:
        if isinstance(outcome, Outcome):
            return outcome
        if isinstance(outcome, ClosureCode | str):
            return Outcome(v.member("outcome", ClosureCode, outcome))
        raise v.fail("outcome", "an Outcome or a closure code", outcome)

    def _close_extra(self, outcome: Outcome) -> Callable[[View], None]:
        def extra(view: View) -> None:
            view.set("outcome", outcome)

        return extra

    def close(
        self, *, actor: object, outcome: object, note: str = "", **artefacts: Any
    ) -> AuditRecord:
        """Close the initiative with ``outcome`` (an :class:`~itil_ci.domain.Outcome` or a
        closure code).  ``"withdrawn"`` may be used from any open step; any other outcome
        only from the model's last step, once its gate is met.

        Examples:
            >>> from itil_ci.domain import Actor, Initiative
            >>> from itil_ci.engines import resume
            >>> engine = resume(Initiative(title="x", step="plan"))
            >>> record = engine.close(actor=Actor("li", roles=["continual-improvement-manager"]),
            ...                       outcome="withdrawn", note="superseded by a larger project")
            >>> engine.step, engine.initiative.outcome.closure.value
            ('closed', 'withdrawn')
        """
        out = self._outcome(outcome)
        if out.closure is ClosureCode.WITHDRAWN:
            if artefacts:
                raise v.fail("artefacts", "none when withdrawing", sorted(artefacts))
            return self._fire(
                "withdraw",
                "withdraw",
                actor=actor,
                note=note,
                extra=self._close_extra(out),
            )
        return self._fire(
            "close",
            "close",
            actor=actor,
            note=note,
            artefacts=artefacts,
            extra=self._close_extra(out),
        )
