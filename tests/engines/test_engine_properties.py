"""Random walks (hypothesis RuleBasedStateMachine) and the error table of the engines."""

from __future__ import annotations

import datetime as dt

import attrs
import numpy as np
import pytest
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from itil_ci.domain import (
    KPI,
    Action,
    Actor,
    Baseline,
    Initiative,
    Objective,
    Prediction,
    Series,
    Target,
)
from itil_ci.domain.ranking import Ranking
from itil_ci.domain.results import Comparison
from itil_ci.engines import ENGINES, resume, start, verify_history
from itil_ci.errors import (
    InvalidInputError,
    InvalidTransition,
    ItilCiError,
    PermissionDenied,
    StepBlocked,
)
from itil_ci.io import from_json, to_json

ACTORS = [
    Actor("mia", roles=["continual-improvement-manager"]),
    Actor("tom", roles=["improvement-team"]),
    Actor("sue", roles=["stakeholder"]),
    Actor("own"),  # the owner, no role
]
T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
COMPARISON = Comparison(difference=-1.0, low=-1.5, high=-0.5, p_value=0.01, verdict="improved")

# Artefacts that satisfy (or, drawn wrongly, fail) each step's gate without core calls.
GOOD: dict[str, dict[str, object]] = {
    "vision": {"objectives": [Objective("Faster restores")]},
    "current_state": {
        "kpis": [KPI("mttr", direction="lower")],
        "baselines": {"mttr": Baseline("mttr", 6.0)},
    },
    "target_state": {"targets": {"mttr": Target(4.0, due="2026-12-31", tolerance=0.5)}},
    "plan": {
        "actions": [Action("Runbook", owner="tom", due="2026-07-01")],
        "ranking": Ranking(ids=("Runbook",), scores=[1.0], ranks=[1], model="score"),
    },
    "action": {"evidence": {"Runbook": "KB1"}},
    "evaluation": {"comparisons": {"mttr": COMPARISON}},
    "momentum": {"lessons": ["Runbooks first"], "remeasure_on": "2026-09-01"},
    "strategy": {
        "vision": "Trusted SLAs",
        "ranking": Ranking(ids=("o1",), scores=[1.0], ranks=[1], model="score"),
    },
    "define": {"kpis": [KPI("sla")], "should_measure": ["sla"], "can_measure": ["sla"]},
    "gather": {
        "sources": {"sla": "export"},
        "data": {
            "sla": Series(np.array(["2026-01-01", "2026-01-02"], "datetime64[ns]"), [0.9, 0.8])
        },
    },
    "process": {"quality": {"sla": {"missing": 0, "duplicates": 0, "outliers": 0}}},
    "present": {"audience": ["CAB"], "report": "Q2"},
    "implement": {"actions": [Action("Dashboard")]},
    "plan:pdca": {
        "objective": "Fewer reopens",
        "prediction": Prediction("r", -1.0, direction="lower"),
    },
    "do": {"done": "Checklist"},
    "check": {"comparison": COMPARISON},
    "act": {"decision": "adapt"},
}


def _artefacts(model: str, step: str) -> dict[str, object]:
    key = "plan:pdca" if (model == "pdca" and step == "plan") else step
    return dict(GOOD.get(key, {}))


def _state(ini: Initiative) -> str:
    return to_json(attrs.evolve(ini, updated_at=T0))


class EngineMachine(RuleBasedStateMachine):
    model = "itil4"

    def __init__(self) -> None:
        super().__init__()
        self.tick = 0
        self.ini = Initiative(title="Walk", owner="own", model=self.model)
        self.engine = start(self.ini, actor=ACTORS[0], clock=self._clock)
        self.moves = 1

    def _clock(self) -> dt.datetime:
        self.tick += 1
        return T0 + dt.timedelta(minutes=self.tick)

    def _try(self, fn, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        before = _state(self.ini)
        try:
            fn(*args, **kwargs)
        except (InvalidTransition, PermissionDenied, StepBlocked, InvalidInputError):
            assert _state(self.ini) == before, "a refused move changed the initiative"
        else:
            self.moves += 1

    @rule(actor=st.sampled_from(ACTORS), drop=st.sets(st.integers(0, 3)), noise=st.booleans())
    def advance(self, actor: Actor, drop: set[int], noise: bool) -> None:
        step = self.engine.step or ""
        arts = _artefacts(self.model, step)
        arts = {k: val for i, (k, val) in enumerate(arts.items()) if i not in drop}
        if noise:
            arts["bogus"] = 1
        if step == "evaluation" and "comparisons" in arts:
            arts["evaluations"] = {"mttr": _evaluation(self.ini)}
        self._try(self.engine.advance, actor=actor, **arts)

    @rule(actor=st.sampled_from(ACTORS), back=st.sampled_from(next(iter(ENGINES.values())).steps))
    def go_back(self, actor: Actor, back: str) -> None:
        self._try(self.engine.return_to, back, actor=actor, reason="rework")

    @rule(actor=st.sampled_from(ACTORS), outcome=st.sampled_from(["successful", "withdrawn"]))
    def close(self, actor: Actor, outcome: str) -> None:
        arts = _artefacts(self.model, self.engine.step or "") if outcome != "withdrawn" else {}
        if self.model == "pdca":
            arts = {"decision": "adopt"}
        self._try(self.engine.close, actor=actor, outcome=outcome, **arts)

    @rule()
    def reload(self) -> None:
        before = _state(self.ini)
        self.ini = from_json(to_json(self.ini), Initiative)
        self.engine = resume(self.ini, clock=self._clock)
        assert _state(self.ini) == before

    @invariant()
    def step_is_valid(self) -> None:
        assert self.engine.step in type(self.engine).steps

    @invariant()
    def one_record_per_move(self) -> None:
        event("reached " + str(self.engine.step))
        assert len(self.ini.history) == self.moves

    @invariant()
    def trail_verifies(self) -> None:
        check = verify_history(self.ini)
        assert check, check.problems

    @invariant()
    def missing_is_consistent(self) -> None:
        if self.engine.step not in (None, "closed"):
            assert all(isinstance(m, str) and m for m in self.engine.missing())


def _evaluation(ini: Initiative):  # type: ignore[no-untyped-def]
    from itil_ci.domain.results import Evaluation

    return Evaluation(
        kpi_key="mttr",
        value=4.5,
        baseline=6.0,
        target=4.0,
        change=-1.5,
        relative_change=-0.25,
        attainment=0.75,
        target_met=False,
        status="amber",
    )


class SevenStepMachine(EngineMachine):
    model = "seven-step"

    @rule(actor=st.sampled_from(ACTORS), back=st.sampled_from(["gather", "define", "plan"]))
    def go_back(self, actor: Actor, back: str) -> None:
        self._try(self.engine.return_to, back, actor=actor, reason="rework")


class PDCAMachine(EngineMachine):
    model = "pdca"

    @rule(actor=st.sampled_from(ACTORS), decision=st.sampled_from(["adopt", "adapt", "abandon"]))
    def decide(self, actor: Actor, decision: str) -> None:
        self._try(self.engine.advance, actor=actor, decision=decision)


_settings = settings(
    max_examples=25,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestITIL4Walk = EngineMachine.TestCase
TestITIL4Walk.settings = _settings
TestSevenStepWalk = SevenStepMachine.TestCase
TestSevenStepWalk.settings = _settings
TestPDCAWalk = PDCAMachine.TestCase
TestPDCAWalk.settings = _settings


# -- error table ------------------------------------------------------------------

MIA, TOM, SUE = ACTORS[:3]


def _itil4_at(step: str) -> Initiative:
    return Initiative(title="x", owner="own", step=step)


@pytest.mark.parametrize(
    ("make", "call", "error", "text"),
    [
        (lambda: _itil4_at("vision"), lambda e: e.advance(actor=SUE), PermissionDenied, "sue"),
        (lambda: _itil4_at("vision"), lambda e: e.advance(actor="tom"), InvalidInputError, "actor"),
        (lambda: _itil4_at("vision"), lambda e: e.advance(actor=TOM), StepBlocked, "objectives"),
        (
            lambda: _itil4_at("vision"),
            lambda e: e.advance(actor=TOM, foo=1),
            InvalidInputError,
            "foo",
        ),
        (
            lambda: _itil4_at("vision"),
            lambda e: e.advance(actor=TOM, objectives=3),
            InvalidInputError,
            "objectives",
        ),
        (
            lambda: _itil4_at("vision"),
            lambda e: e.return_to("plan", actor=TOM, reason="r"),
            InvalidTransition,
            "allowed: advance()",
        ),
        (
            lambda: _itil4_at("plan"),
            lambda e: e.return_to("vision", actor=TOM, reason=""),
            InvalidInputError,
            "reason",
        ),
        (lambda: _itil4_at("plan"), lambda e: e.advance(actor=TOM), PermissionDenied, "owner"),
        (
            lambda: _itil4_at("vision"),
            lambda e: e.close(actor=MIA, outcome="successful"),
            InvalidTransition,
            "cannot close",
        ),
        (
            lambda: _itil4_at("vision"),
            lambda e: e.close(actor=TOM, outcome="withdrawn"),
            PermissionDenied,
            "withdraw",
        ),
        (
            lambda: _itil4_at("momentum"),
            lambda e: e.close(actor=MIA, outcome="great"),
            InvalidInputError,
            "outcome",
        ),
        (
            lambda: _itil4_at("closed"),
            lambda e: e.advance(actor=MIA),
            InvalidTransition,
            "nothing (closed)",
        ),
        (lambda: _itil4_at("vision"), lambda e: e.pdca(actor=TOM), InvalidTransition, "action"),
        (lambda: Initiative(title="x"), lambda e: e.advance(actor=TOM), InvalidTransition, "start"),
    ],
)
def test_error_table(make, call, error, text) -> None:  # type: ignore[no-untyped-def]
    ini = make()
    before = _state(ini)
    with pytest.raises(error, match=None) as err:
        call(resume(ini))
    assert text in str(err.value)
    assert isinstance(err.value, ItilCiError)
    assert _state(ini) == before


def test_unknown_stored_step_is_an_error_at_load() -> None:
    doc = to_json(_itil4_at("plan")).replace('"plan"', '"planning"')
    with pytest.raises(InvalidInputError, match="planning"):
        from_json(doc, Initiative)


def test_blocked_move_names_every_missing_artefact() -> None:
    ini = _itil4_at("target_state")
    ini.kpis = [KPI("a"), KPI("b", direction="higher", target=Target(1.0))]
    with pytest.raises(StepBlocked) as err:
        resume(ini).advance(actor=TOM)
    assert err.value.missing == (
        "direction for KPI 'a'",
        "target (value, due date, tolerance) for KPI 'a'",
        "target due date for KPI 'b'",
        "target tolerance for KPI 'b'",
    )
    assert resume(ini).missing() == list(err.value.missing)


def test_tampering_is_found() -> None:
    ini = Initiative(title="x", owner="own")
    engine = start(ini, actor=MIA)
    engine.advance(actor=MIA, objectives=["o"])
    engine.return_to("vision", actor=MIA, reason="r")
    assert verify_history(ini)
    edited = attrs.evolve(
        ini, history=[ini.history[0], attrs.evolve(ini.history[1], note="x"), ini.history[2]]
    )
    assert "record 1 was edited" in verify_history(edited).problems[0]
    swapped = attrs.evolve(ini, history=[ini.history[0], ini.history[2], ini.history[1]])
    assert not verify_history(swapped)
    removed = attrs.evolve(ini, history=[ini.history[0], ini.history[2]])
    assert not verify_history(removed)
    truncated = attrs.evolve(ini, history=ini.history[:2])
    assert "records removed" in verify_history(truncated).problems[0]


def test_roles_table_is_replaceable() -> None:
    from itil_ci.engines import RoleRule, RoleTable

    anyone = RoleTable([RoleRule(roles=["stakeholder"])])
    ini = Initiative(title="x")
    engine = start(ini, actor=SUE, roles=anyone)
    engine.advance(actor=SUE, objectives=["o"])
    assert engine.step == "current_state"
    with pytest.raises(PermissionDenied):
        resume(ini).return_to("vision", actor=SUE, reason="r")


def test_failing_listener_or_action_never_half_moves(monkeypatch: pytest.MonkeyPatch) -> None:
    ini = Initiative(title="x", owner="own")
    engine = start(ini, actor=MIA)
    before = _state(ini)

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr("itil_ci.engines._base.seal", boom)
    with pytest.raises(RuntimeError):
        engine.advance(actor=MIA, objectives=["o"])
    assert _state(ini) == before


def test_next_steps_and_diagram() -> None:
    engine = resume(_itil4_at("evaluation"))
    assert engine.next_steps() == (
        "momentum",
        "action",
        "plan",
        "target_state",
        "current_state",
        "vision",
        "closed",
    )
    text = engine.diagram()
    assert text.startswith("stateDiagram-v2")
    assert "class evaluation current" in text
    assert "momentum --> closed : close" in text
