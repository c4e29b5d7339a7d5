"""Which steps each engine may return to, from every step (the module docstrings' rules).

ITIL 4 (engines/itil4.py): "Any step may return to any earlier one" within the cycle
vision -> ... -> momentum.  Seven-step (engines/seven_step.py): "From analyse and present
the process may return to gather or define."  PDCA (engines/pdca.py): "PDCA moves only
forwards."  The expected table below is written out from those sentences, not read from
the engines' own transition tables.
"""

from __future__ import annotations

import pytest

from itil_ci.domain import Actor, Initiative
from itil_ci.engines import resume
from itil_ci.errors import InvalidTransition

TEAM = Actor("tom", roles=["improvement-team"])

ITIL4 = ["vision", "current_state", "target_state", "plan", "action", "evaluation", "momentum"]
SEVEN = ["strategy", "define", "gather", "process", "analyse", "present", "implement"]
PDCA = ["plan", "do", "check", "act"]

ALLOWED: dict[str, dict[str, set[str]]] = {
    "itil4": {s: set(ITIL4[:i]) for i, s in enumerate(ITIL4)},
    "seven-step": {
        s: ({"gather", "define"} if s in ("analyse", "present") else set()) for s in SEVEN
    },
    "pdca": {s: set() for s in PDCA},
}
CASES = [
    (model, step, back)
    for model, steps in (("itil4", ITIL4), ("seven-step", SEVEN), ("pdca", PDCA))
    for step in steps
    for back in steps
]


@pytest.mark.parametrize(("model", "step", "back"), CASES)
def test_return_to_follows_the_model(model: str, step: str, back: str) -> None:
    engine = resume(Initiative("x", model=model, step=step))
    if back in ALLOWED[model][step]:
        record = engine.return_to(back, actor=TEAM, reason="rework")
        assert engine.step == back
        assert (record.from_step, record.to_step, record.reason) == (step, back, "rework")
        assert engine.initiative.step == back
    else:
        with pytest.raises(InvalidTransition):
            engine.return_to(back, actor=TEAM, reason="rework")
        assert engine.step == step
        assert engine.history == ()


@pytest.mark.parametrize("model", ["itil4", "seven-step", "pdca"])
def test_allowed_lists_exactly_the_allowed_returns(model: str) -> None:
    for step, allowed in ALLOWED[model].items():
        engine = resume(Initiative("x", model=model, step=step))
        listed = {
            w[len("return_to('") : -2] for w in engine.allowed() if w.startswith("return_to(")
        }
        assert listed == allowed, step
        assert allowed <= set(engine.next_steps()), step
