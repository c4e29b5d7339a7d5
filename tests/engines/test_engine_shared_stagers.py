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


def test_a_kpi_given_twice_in_one_move_is_refused_not_last_one_wins() -> None:
    import itil_ci as ic
    from itil_ci.errors import InvalidInputError

    ini = ic.Initiative(title="Faster e-mail restores", owner="mia")
    team = ic.Actor("tom", roles=["improvement-team"])
    engine = ic.start(ini, "itil4", actor=team)
    engine.advance(actor=team, objectives=["Restore e-mail within 4 hours"], vision="Calm mail")
    twice = [ic.KPI("mttr", unit="hours"), ic.KPI("mttr", unit="minutes")]
    with pytest.raises(InvalidInputError, match="kpis: expected unique values, got 'mttr'"):
        engine.advance(actor=team, kpis=twice)
    assert ini.kpis == []
