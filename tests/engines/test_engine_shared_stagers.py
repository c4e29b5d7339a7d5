"""The ITIL 4 and seven-step engines stage criteria and evaluations with one shared code path."""

from __future__ import annotations

import pytest

from itil_ci.engines import ContinualImprovementModel, SevenStepProcess, _stage


def _stagers(engine: type, name: str) -> list[object]:
    return [s.stage for g in engine.gates.values() for s in g.accepts if s.name == name]


@pytest.mark.parametrize(
    ("name", "shared"),
    [("criteria", _stage.stage_criteria), ("evaluations", _stage.stage_evaluations)],
)
def test_both_engines_use_the_shared_stager(name: str, shared: object) -> None:
    for engine in (ContinualImprovementModel, SevenStepProcess):
        found = _stagers(engine, name)
        assert found, (engine.__name__, name)
        assert all(s is shared for s in found), (engine.__name__, name)
