"""``verify_history`` finds a skipped step: each record moves from where its track was.

Issue 11, point 5: setting ``ini.step = "act"`` by hand and then closing left a
trail whose hashes, sequence numbers and last step were all consistent, so it
verified.  Now every record must move from the step the previous record of its
track (main steps, or the steps of PDCA cycles nested in ITIL 4 "action")
moved to, keyed or not.  Legitimate trails (returns, PDCA cycles nested in
"action", a second nested cycle, adapt loops, withdrawal) still verify.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from itil_ci.domain import (
    KPI,
    Action,
    Actor,
    Baseline,
    Comparison,
    Initiative,
    Objective,
    Opportunity,
    Prediction,
    Target,
)
from itil_ci.domain.artefacts import PDCARecord
from itil_ci.engines import resume, start, verify_history
from itil_ci.engines.pdca import PDCACycle
from itil_ci.errors import InvalidTransition, StepBlocked
from itil_ci.io import from_json, to_json
from itil_ci.prioritisation import rank

MIA = Actor("mia", roles=["continual-improvement-manager"])
KEY = b"a secret of at least 16 bytes"
COMPARISON = Comparison(difference=-1.0, low=-1.5, high=-0.5, p_value=0.01, verdict="improved")
PLAN = {"objective": "Fewer reopens", "prediction": Prediction("reopen", -1.0)}


def _clock() -> Callable[[], dt.datetime]:
    ticks = [0]

    def now() -> dt.datetime:
        ticks[0] += 1
        return dt.datetime(2026, 1, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=ticks[0])

    return now


def _skip_message(i: int, moved_from: str, j: int, ended: str) -> str:
    return f"record {i} moves from {moved_from!r} but record {j} ended at {ended!r}"


@pytest.mark.parametrize("key", [None, KEY], ids=["plain", "keyed"])
def test_a_step_set_by_hand_before_a_close_is_found(key: bytes | None) -> None:
    ini = Initiative("Fewer reopens", model="pdca", id="i-1")
    engine = start(ini, actor=MIA, audit_key=key)
    ini.step = "act"  # plan -> do -> check -> act never happened
    engine.close(actor=MIA, outcome="withdrawn")
    check = verify_history(ini, key=key)
    assert not check.ok
    assert check.problems == (
        _skip_message(1, "act", 0, "plan")
        + ": a step was skipped or set by hand, or records were altered",
    )


def test_a_skip_in_the_middle_of_a_walk_is_found() -> None:
    ini = Initiative("Fewer reopens", model="pdca", id="i-1")
    engine = start(ini, actor=MIA, clock=_clock())
    engine.advance(actor=MIA, **PLAN)
    engine.advance(actor=MIA, done="Checklist")
    assert verify_history(ini).ok
    ini.step = "act"  # skips "check" and its comparison
    engine.advance(actor=MIA, decision="adapt")
    problems = verify_history(ini).problems
    assert len(problems) == 1
    assert problems[0].startswith(_skip_message(3, "act", 2, "check"))


def _at_action(key: bytes | None = None) -> tuple[Initiative, object]:
    ini = Initiative("Shorter queues", id="i-1")
    engine = start(ini, actor=MIA, clock=_clock(), audit_key=key)
    engine.advance(actor=MIA, objectives=[Objective("Shorter queues")])
    engine.advance(
        actor=MIA, kpis=[KPI("wait", direction="lower")], baselines={"wait": Baseline("wait", 5.0)}
    )
    engine.advance(actor=MIA, targets={"wait": Target(2.0, due="2026-12-01", tolerance=0.2)})
    engine.advance(
        actor=MIA,
        actions=[Action("Triage desk", owner="tom", due="2026-07-01")],
        ranking=rank([Opportunity("Triage desk", id="Triage desk", scores={"v": 1.0})], key="v"),
    )
    assert engine.step == "action"
    return ini, engine


@pytest.mark.parametrize("key", [None, KEY], ids=["plain", "keyed"])
def test_nested_cycles_returns_and_withdrawal_still_verify(key: bytes | None) -> None:
    ini, engine = _at_action(key)
    cycle = engine.pdca(actor=MIA)  # type: ignore[attr-defined]
    cycle.advance(actor=MIA, **PLAN)
    cycle.advance(actor=MIA, done="Triage desk staffed")
    cycle.advance(actor=MIA, comparison=COMPARISON)
    cycle.advance(actor=MIA, decision="adapt")  # act -> plan: a second cycle of the same run
    cycle.advance(actor=MIA, **PLAN)
    cycle.close(actor=MIA, outcome="withdrawn")  # the nested cycle is abandoned
    second = engine.pdca(actor=MIA)  # type: ignore[attr-defined]  # starts from pdca:closed
    assert ini.history[-1].from_step == "pdca:closed"
    second.advance(actor=MIA, **PLAN)
    second.advance(actor=MIA, done="More staff")
    second.advance(actor=MIA, comparison=COMPARISON)
    second.close(actor=MIA, decision="adopt")
    engine.return_to("plan", actor=MIA, reason="the plan needs another action")  # type: ignore[attr-defined]
    engine.advance(  # type: ignore[attr-defined]
        actor=MIA, actions=[Action("Triage desk", owner="tom", due="2026-07-01")]
    )
    engine.close(actor=MIA, outcome="withdrawn")  # type: ignore[attr-defined]
    assert verify_history(ini, key=key).ok, verify_history(ini, key=key).problems
    reloaded = from_json(to_json(ini), Initiative)
    assert verify_history(reloaded, key=key).ok


def test_a_skipped_nested_step_is_found() -> None:
    ini, engine = _at_action()
    cycle = engine.pdca(actor=MIA)  # type: ignore[attr-defined]
    cycle.advance(actor=MIA, **PLAN)  # pdca:plan -> pdca:do
    ini.pdca_step = "check"  # "do" and what it records are skipped
    cycle.advance(actor=MIA, comparison=COMPARISON)
    problems = verify_history(ini).problems
    assert len(problems) == 1
    assert problems[0].startswith(_skip_message(7, "pdca:check", 6, "pdca:do"))


def test_the_main_track_is_not_confused_by_nested_records() -> None:
    """Main records around a nested cycle chain to each other, not to the cycle's records."""
    ini, engine = _at_action()
    cycle = engine.pdca(actor=MIA)  # type: ignore[attr-defined]
    cycle.close(actor=MIA, outcome="withdrawn")
    engine.return_to("plan", actor=MIA, reason="rework")  # type: ignore[attr-defined]
    assert ini.history[-1].from_step == "action"
    assert verify_history(ini).ok
    ini.step = "target_state"  # by hand: not recorded
    engine.advance(actor=MIA)  # type: ignore[attr-defined]
    assert not verify_history(ini).ok


def test_an_initiative_created_at_a_step_may_start_its_trail_there() -> None:
    ini = Initiative("Imported mid-way", model="pdca", step="check", id="i-1")
    ini.pdca = [PDCARecord(0, objective="Fewer reopens")]
    engine = PDCACycle(ini)
    engine.advance(actor=MIA, comparison=COMPARISON)
    assert verify_history(ini).ok


# -- property: random walks verify; one hand-set step anywhere is found ----------------

ARTEFACTS: dict[str, dict[str, object]] = {
    "plan": PLAN,
    "do": {"done": "Checklist"},
    "check": {"comparison": COMPARISON},
    "act": {"decision": "adapt"},
}
OPS = st.sampled_from(["advance", "reload", "withdraw"])


@settings(max_examples=60, deadline=None)
@given(ops=st.lists(OPS, max_size=12), data=st.data())
def test_random_pdca_walks_verify_and_a_hand_set_step_is_found(
    ops: list[str], data: st.DataObject
) -> None:
    ini = Initiative("Walk", model="pdca", id="i-1")
    engine = start(ini, actor=MIA, clock=_clock())
    for op in ops:
        try:
            if op == "advance":
                engine.advance(actor=MIA, **ARTEFACTS.get(engine.step or "", {}))
            elif op == "withdraw":
                engine.close(actor=MIA, outcome="withdrawn")
            else:
                ini = from_json(to_json(ini), Initiative)
                engine = resume(ini, clock=_clock())
        except (InvalidTransition, StepBlocked):
            pass
    assert verify_history(ini).ok
    if ini.step == "closed":
        return
    here = ini.step
    elsewhere = data.draw(st.sampled_from([s for s in ("plan", "do", "check", "act") if s != here]))
    ini.step = elsewhere
    engine.close(actor=MIA, outcome="withdrawn")
    assert not verify_history(ini).ok
