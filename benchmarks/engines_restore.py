"""Restore 100,000 initiatives from JSON and advance each one step, gates checked.

Workload: each initiative is decoded with ``itil_ci.io.from_json``, its engine
resumed at its stored step (no history replayed) and advanced one step with
the step's gate checked, the role checked and a sealed audit record appended.
Baseline: the same 100,000 transitions on bare python-statemachine machines
(the engine's own state and transition table, no callbacks) bound to plain
objects at the same steps.  Also prints the process's peak resident memory.
Usage: ``python benchmarks/engines_restore.py [N] [repeats]``.
"""

from __future__ import annotations

import resource
import sys

from _timing import best
from statemachine import StateMachine

from itil_ci.domain import KPI, Actor, Baseline, Initiative, Objective, Target
from itil_ci.engines import ContinualImprovementModel, resume, start
from itil_ci.engines._base import _build_machine
from itil_ci.io import from_json, to_json

N = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
MIA = Actor("mia", roles=["continual-improvement-manager"])


def _documents() -> list[str]:
    """Initiatives at vision / current_state / target_state with their gates met."""
    kpi = KPI("mttr", direction="lower", target=Target(4.0, due="2026-12-31", tolerance=0.5))
    protos = []
    for step in ("vision", "current_state", "momentum"):
        ini = Initiative(title="Faster restores", owner="mia")
        engine = start(ini, actor=MIA)
        engine.advance(actor=MIA, objectives=[Objective("Restore within 4 h")])
        if step != "vision":
            ini.kpis = [kpi]
            ini.baselines = {"mttr": Baseline("mttr", 6.0)}
        if step == "momentum":
            ini.lessons = ["Runbooks first"]
            ini.remeasure_on = "2026-09-01"  # type: ignore[assignment]
            object.__setattr__(ini, "step", "momentum")
        elif step == "vision":
            engine.return_to("vision", actor=MIA, reason="rework")
        protos.append(to_json(ini))
    return [protos[i % 3] for i in range(N)]


def ours(docs: list[str]) -> None:
    for doc in docs:
        ini = from_json(doc, Initiative)
        resume(ini).advance(actor=MIA)


class _Plain:
    __slots__ = ("step",)

    def __init__(self, step: str) -> None:
        self.step = step


def bare(steps: list[str], machine: type[StateMachine]) -> None:
    for step in steps:
        m = machine(model=_Plain(step), state_field="step")
        m.send("advance")


def main() -> None:
    docs = _documents()
    steps = [from_json(d, Initiative).step or "" for d in docs[:3]]
    steps = [steps[i % 3] for i in range(N)]
    cls = ContinualImprovementModel
    bare_machine = _build_machine("Bare", cls.steps, cls._table)
    # the bare machine has the same states and transitions but no callbacks
    for attr in ("_guard", "_apply"):
        setattr(bare_machine, attr, lambda self, move=None: None)
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    t_ours = best(ours, docs, repeats=repeats)
    t_bare = best(bare, steps, bare_machine, repeats=repeats)
    print(
        f"restore+advance {N} initiatives: ours {t_ours:.3f} s, "
        f"baseline {t_bare:.3f} s, ratio {t_ours / t_bare:.2f}"
    )
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"peak memory (whole process, documents included): {peak_kib / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
