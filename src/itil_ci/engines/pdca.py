"""The plan-do-check-act cycle as a gated engine.

plan → do → check → act → plan (a new cycle, ``cycle`` + 1) when the decision
is to adapt, or closed when it is to adopt (standardise) or abandon.  PDCA
moves only forwards.  The same engine runs inside the ITIL 4 "action" step
(``nested=True``): its step is then ``Initiative.pdca_step`` and its audit
records are marked ``pdca:``.

=====  ====================================  =======================================
step   accepts                               requires
=====  ====================================  =======================================
plan   ``objective``, ``prediction``         an objective and a prediction
do     ``done``                              what was done
check  ``before`` + ``after`` (+ ``seed``),  the result compared with the
       ``comparison``                        prediction (``measurement.compare``)
act    ``decision``                          ``"adapt"`` to advance; ``"adopt"`` or
                                             ``"abandon"`` to close
=====  ====================================  =======================================

"check" also records on the cycle's :class:`~itil_ci.domain.PDCARecord`
whether the prediction was met (``prediction_met``): the comparison's
difference has the predicted sign and at least the predicted size, and its
verdict is not no-detectable-change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, ClassVar

from itil_ci._internal import validate as v
from itil_ci.domain.artefacts import Decision, PDCARecord, Prediction
from itil_ci.domain.initiative import ClosureCode, ImprovementModel, Initiative
from itil_ci.domain.results import Comparison, Verdict
from itil_ci.domain.series import Series
from itil_ci.engines import _stage as st
from itil_ci.engines._base import Engine, StepListener
from itil_ci.engines.gates import ArtefactSpec, Gate, Requirement, View
from itil_ci.engines.roles import DEFAULT_ROLES, RoleTable
from itil_ci.errors import InvalidTransition

__all__ = ["PDCACycle"]


def _current(view: View) -> PDCARecord | None:
    records = view.pdca
    return records[-1] if records else None


def _set(view: View, **changes: Any) -> None:
    if not view.pdca:
        raise v.fail("pdca", "a cycle in progress (start the engine first)", [])
    view.set("pdca", st.evolve_last(view.pdca, **changes))


def _stage_objective(view: View, value: object) -> None:
    _set(view, objective=v.text("objective", value, allow_empty=False))


def _stage_prediction(view: View, value: object) -> None:
    if not isinstance(value, Prediction):
        raise v.fail("prediction", "a Prediction (KPI, change, statement)", value)
    _set(view, prediction=value)


def _need_plan(view: View) -> list[str]:
    rec = _current(view)
    out = []
    if rec is None or not rec.objective:
        out.append("objective of the cycle")
    if rec is None or rec.prediction is None:
        out.append("prediction: what will change, and by how much")
    return out


def _stage_done(view: View, value: object) -> None:
    _set(view, done=v.text("done", value, allow_empty=False))


def _need_done(view: View) -> list[str]:
    rec = _current(view)
    return [] if rec is not None and rec.done else ["done: what was done"]


def _values(name: str, value: object) -> Any:
    return value.values if isinstance(value, Series) else value


def _prediction_met(prediction: Prediction | None, comparison: Comparison) -> bool | None:
    """Whether ``comparison`` bears ``prediction`` out (see :class:`PDCARecord`).

    Uses only the comparison's fields: met when the verdict is not
    no-detectable-change and ``difference`` has the sign of ``change`` and at
    least its size; a predicted change of 0 is met by no-detectable-change.
    """
    if prediction is None:
        return None
    no_change = comparison.verdict is Verdict.NO_CHANGE
    change, diff = prediction.change, comparison.difference
    if change == 0:
        return no_change
    same_sign = (diff > 0) if change > 0 else (diff < 0)
    return not no_change and same_sign and abs(diff) >= abs(change)


def _record_comparison(view: View, comparison: Comparison) -> None:
    rec = _current(view)
    pred = rec.prediction if rec is not None else None
    _set(view, comparison=comparison, prediction_met=_prediction_met(pred, comparison))


def _stage_before(view: View, value: object) -> None:
    view.set("_before", _values("before", value))


def _stage_after(view: View, value: object) -> None:
    """Compare the result with the situation before (``measurement.compare``)."""
    from itil_ci import measurement

    before = view.updates.pop("_before", None)
    if before is None:
        raise v.fail("before", "measurements from before the change, with after", None)
    rec = _current(view)
    pred = rec.prediction if rec is not None else None
    if pred is None:
        raise v.fail("prediction", "a prediction recorded at plan", None)
    direction = pred.direction
    if direction is None:
        for k in view.kpis:
            if k.key == pred.kpi_key:
                direction = k.direction
    if direction is None:
        raise v.fail(
            f"prediction {pred.kpi_key!r} direction",
            "a direction (on the Prediction or the initiative's KPI)",
            None,
        )
    comparison = measurement.compare(
        before, _values("after", value), direction.value, seed=view.updates.get("_seed")
    )
    _record_comparison(view, comparison)


def _stage_comparison(view: View, value: object) -> None:
    if not isinstance(value, Comparison):
        raise v.fail("comparison", "a Comparison (from measurement.compare)", value)
    _record_comparison(view, value)


def _need_check(view: View) -> list[str]:
    view.updates.pop("_seed", None)
    if view.updates.pop("_before", None) is not None:
        raise v.fail("before", "to be given together with after", "before alone")
    rec = _current(view)
    if rec is not None and rec.comparison is not None:
        return []
    return ["comparison of the result with the prediction (before= and after=, or comparison=)"]


def _stage_decision(view: View, value: object) -> None:
    _set(view, decision=v.member("decision", Decision, value))


def _need_decision(*allowed: Decision) -> Callable[[View], list[str]]:
    def check(view: View) -> list[str]:
        rec = _current(view)
        if rec is not None and rec.decision in allowed:
            return []
        names = " or ".join(repr(d.value) for d in allowed)
        got = "none" if rec is None or rec.decision is None else repr(rec.decision.value)
        return [f"decision {names} (recorded: {got})"]

    return check


_GATES = {
    "plan": Gate(
        "plan",
        "Plan: what do we expect?",
        accepts=(
            ArtefactSpec("objective", "the cycle's objective", _stage_objective),
            ArtefactSpec("prediction", "a Prediction", _stage_prediction),
        ),
        requires=(Requirement("plan", "objective and prediction", _need_plan),),
    ),
    "do": Gate(
        "do",
        "Do: carry out the change",
        accepts=(ArtefactSpec("done", "what was done", _stage_done),),
        requires=(Requirement("done", "what was done", _need_done),),
    ),
    "check": Gate(
        "check",
        "Check: did it work as predicted?",
        accepts=(
            ArtefactSpec("seed", "seed of the bootstrap in measurement.compare", st.stage_seed),
            ArtefactSpec("before", "measurements before the change", _stage_before),
            ArtefactSpec("after", "measurements after the change", _stage_after),
            ArtefactSpec("comparison", "a Comparison", _stage_comparison),
        ),
        requires=(Requirement("comparison", "result against prediction", _need_check),),
    ),
    "act": Gate(
        "act",
        "Act: adopt, adapt or abandon?",
        accepts=(ArtefactSpec("decision", "adopt, adapt or abandon", _stage_decision),),
        extra={
            "advance": (Requirement("decision", "adapt", _need_decision(Decision.ADAPT)),),
            "close": (
                Requirement(
                    "decision", "adopt or abandon", _need_decision(Decision.ADOPT, Decision.ABANDON)
                ),
            ),
        },
    ),
}


class PDCACycle(Engine):
    """Plan-do-check-act cycles on an initiative, standalone or inside ITIL 4 "action".

    Examples:
        >>> from itil_ci.domain import Actor, Initiative
        >>> from itil_ci.domain.artefacts import Prediction
        >>> li = Actor("li", roles=["continual-improvement-manager"])
        >>> engine = PDCACycle(Initiative(title="Shorter queues", model="pdca"))
        >>> _ = engine.begin(actor=li)
        >>> _ = engine.advance(actor=li, objective="Cut the queue",
        ...                    prediction=Prediction("wait", -2.0, direction="lower"))
        >>> engine.step, engine.missing()
        ('do', ['done: what was done'])
    """

    model = ImprovementModel.PDCA
    first = "plan"
    gates = _GATES
    forward: ClassVar[Mapping[str, str]] = {
        "plan": "do",
        "do": "check",
        "check": "act",
        "act": "plan",
    }
    returns: ClassVar[Mapping[str, tuple[str, ...]]] = {}
    closable = ("act",)

    def __init__(
        self,
        initiative: Initiative,
        *,
        nested: bool = False,
        roles: RoleTable = DEFAULT_ROLES,
        listeners: Iterable[StepListener] = (),
        clock: Any = None,
        audit_key: bytes | None = None,
    ) -> None:
        v.flag("nested", nested)
        self.nested = nested
        if nested:
            self.state_field = "pdca_step"
            self._prefix = "pdca:"
        super().__init__(
            initiative, roles=roles, listeners=listeners, clock=clock, audit_key=audit_key
        )
        self._role_model = ImprovementModel.PDCA.value

    def _check_binding(self) -> None:
        if not self.nested:
            super()._check_binding()
            return
        if self.initiative.model is not ImprovementModel.ITIL4:
            raise v.fail(
                "initiative.model", "'itil4' for a nested PDCA cycle", self.initiative.model.value
            )

    def _precheck(self) -> None:
        if self.nested and self.initiative.step != "action":
            raise InvalidTransition(
                f"initiative {self.initiative.id!r}: PDCA cycles run only inside the ITIL 4 "
                f"'action' step; it is at {self.initiative.step!r}",
                allowed=(),
            )

    def _new_cycle(self, view: View) -> None:
        view.set("pdca", [*view.pdca, PDCARecord(cycle=len(view.pdca))])

    def _start_extra(self, view: View) -> None:
        self._new_cycle(view)
        if not self.nested:
            view.set("cycle", len(view.pdca) - 1)

    @property
    def record(self) -> PDCARecord | None:
        """The current cycle's record (None before the first cycle).

        Examples:
            >>> from itil_ci.domain import Initiative
            >>> engine = PDCACycle(Initiative(title="x", model="pdca"))
            >>> engine.record is None
            True
            >>> _ = engine.begin()
            >>> engine.record.cycle, engine.record.completed
            (0, False)
        """
        return self.initiative.pdca[-1] if self.initiative.pdca else None

    def advance(self, *, actor: object, note: str = "", **artefacts: Any) -> Any:
        """Leave the current step; from "act" with decision "adapt" a new cycle starts.

        Examples:
            >>> from itil_ci.domain import Actor, Initiative
            >>> from itil_ci.domain.artefacts import PDCARecord
            >>> ini = Initiative(title="x", model="pdca", step="act",
            ...                  pdca=[PDCARecord(0, objective="Cut the queue", decision="adapt")])
            >>> engine = PDCACycle(ini)
            >>> _ = engine.advance(actor=Actor("li", roles=["improvement-team"]))
            >>> engine.step, engine.record.cycle, ini.cycle
            ('plan', 1, 1)
        """
        if self.step == "act":

            def next_cycle(view: View) -> None:
                self._new_cycle(view)
                if not self.nested:
                    view.set("cycle", view.cycle + 1)

            return self._fire(
                "advance", "advance", actor=actor, note=note, artefacts=artefacts, extra=next_cycle
            )
        return super().advance(actor=actor, note=note, **artefacts)

    def close(
        self, *, actor: object, outcome: object = None, note: str = "", **artefacts: Any
    ) -> Any:
        """Adopt (standardise) or abandon: close with the decision recorded at "act".

        Standalone, ``outcome`` is required (a closure code or
        :class:`~itil_ci.domain.Outcome`); in a nested cycle it must be left out,
        or be ``"withdrawn"`` to abandon the cycle from any step.

        Examples:
            >>> from itil_ci.domain import Actor, Initiative
            >>> from itil_ci.domain.artefacts import PDCARecord
            >>> ini = Initiative(title="x", model="pdca", step="act",
            ...                  pdca=[PDCARecord(0, objective="Cut the queue", decision="adopt")])
            >>> engine = PDCACycle(ini)
            >>> _ = engine.close(actor=Actor("li", roles=["continual-improvement-manager"]),
            ...                  outcome="successful")
            >>> engine.closed, ini.outcome.closure.value
            (True, 'successful')
        """
        if self.nested:
            if outcome is None:
                return self._fire("close", "close", actor=actor, note=note, artefacts=artefacts)
            if self._outcome(outcome).closure is not ClosureCode.WITHDRAWN:
                raise v.fail("outcome", "None or 'withdrawn' for a nested PDCA cycle", outcome)
            return self._fire("withdraw", "withdraw", actor=actor, note=note)
        if outcome is None:
            raise v.fail("outcome", "an Outcome or a closure code", outcome)
        return super().close(actor=actor, outcome=outcome, note=note, **artefacts)
