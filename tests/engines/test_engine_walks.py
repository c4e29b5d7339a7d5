"""Full walks through each model with artefacts produced by the shared core."""

from __future__ import annotations

import datetime as dt

import attrs
import numpy as np
import pytest

from itil_ci import measurement, prioritisation
from itil_ci.domain import (
    KPI,
    Action,
    Actor,
    Initiative,
    Opportunity,
    Prediction,
    Series,
    Target,
)
from itil_ci.engines import resume, start, verify_history
from itil_ci.errors import InvalidTransition, PermissionDenied, StepBlocked
from itil_ci.io import from_json, to_json

MANAGER = Actor("mia", roles=["continual-improvement-manager"])
TEAM = Actor("tom", roles=["improvement-team"])


def clock() -> dt.datetime:
    return dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)


def _series(key: str, start: str, days: int, mean: float, seed: int) -> Series:
    rng = np.random.default_rng(seed)
    times = np.datetime64(start, "ns") + np.arange(days) * np.timedelta64(1, "D")
    return Series(times, rng.normal(mean, 0.5, days), kpi_key=key)


def _reload(ini: Initiative) -> Initiative:
    return from_json(to_json(ini), Initiative)


def test_itil4_full_walk_with_core_results() -> None:
    ini = Initiative(title="Faster e-mail restores", owner="mia")
    seen = []
    engine = start(ini, "itil4", actor=TEAM, clock=clock, listeners=[lambda i, r: seen.append(r)])
    engine.advance(actor=TEAM, objectives=["Restore e-mail within 4 hours"], vision="Calm mail")
    mttr = KPI("mttr", unit="hours", direction="lower")
    before = _series("mttr", "2026-01-01", 60, 6.0, 1)
    with pytest.raises(StepBlocked) as blocked:
        engine.advance(actor=TEAM)
    assert blocked.value.missing == ("kpis: at least one KPI",)
    engine.advance(actor=TEAM, kpis=[mttr], series={"mttr": before})
    expected_b = measurement.baseline(mttr, before)
    assert attrs.evolve(ini.baselines["mttr"], captured_at=expected_b.captured_at) == expected_b
    engine.advance(actor=TEAM, targets={"mttr": Target(4.0, due="2026-12-31", tolerance=0.5)})
    assert ini.gaps["mttr"].target == 4.0  # recorded by measurement.evaluate at the baseline
    ini = _reload(ini)
    engine = resume(ini, clock=clock)
    actions = [
        Action("Publish restore runbook", owner="tom", due="2026-07-01"),
        Action("Automate mailbox restore", owner="ann", due="2026-08-01"),
    ]
    crit = [prioritisation.Criterion("benefit", 2), prioritisation.Criterion("effort", 1, "cost")]
    scores = {
        "Publish restore runbook": {"benefit": 3, "effort": 1},
        "Automate mailbox restore": {"benefit": 9, "effort": 3},
    }
    with pytest.raises(PermissionDenied):
        engine.advance(actor=TEAM, actions=actions, criteria=crit, scores=scores)
    assert ini.plan == []
    engine.advance(actor=MANAGER, actions=actions, criteria=crit, scores=scores)
    assert ini.ranking is not None
    assert ini.ranking.model == "weighted-sum"
    assert [a.title for a in ini.plan] == list(ini.ranking.order)
    with pytest.raises(StepBlocked) as blocked:
        engine.advance(actor=TEAM, evidence={"Publish restore runbook": "KB0012"})
    assert blocked.value.missing == (
        "evidence for action 'Automate mailbox restore' (or a completed PDCA cycle)",
    )
    assert not any(a.done for a in ini.plan)
    engine.advance(
        actor=TEAM,
        evidence={"Publish restore runbook": "KB0012", "Automate mailbox restore": "CHG42"},
    )
    after = _series("mttr", "2026-04-01", 45, 4.2, 2)
    engine.advance(actor=TEAM, before={"mttr": before}, after={"mttr": after}, seed=7)
    assert ini.evaluations["mttr"] == measurement.evaluate(
        ini.kpi("mttr"), ini.baselines["mttr"], after, today=clock().date()
    )
    expected = measurement.compare(before.values, after.values, "lower", seed=7)
    assert ini.comparisons["mttr"] == expected
    assert expected.verdict.value == "improved"
    with pytest.raises(StepBlocked) as blocked:
        engine.close(actor=MANAGER, outcome="successful", lessons=["Runbooks first"])
    assert blocked.value.missing == ("remeasure_on: the date to measure again",)
    assert ini.lessons == []
    assert ini.outcome is None
    engine.close(
        actor=MANAGER, outcome="successful", lessons=["Runbooks first"], remeasure_on="2026-09-01"
    )
    assert engine.step == "closed"
    assert ini.outcome is not None
    assert len(ini.history) == 8  # start + 6 advances + close
    assert len(seen) == 4  # the listener was on the engine used before the reload
    assert verify_history(ini)
    restored = _reload(ini)
    assert restored == ini
    assert verify_history(restored)
    with pytest.raises(InvalidTransition) as err:
        resume(restored).advance(actor=MANAGER)
    assert err.value.allowed == ()


def test_itil4_runs_pdca_cycles_inside_action() -> None:
    ini = Initiative(title="Shorter queues", owner="mia")
    engine = start(ini, actor=MANAGER, clock=clock)
    wait = KPI("wait", direction="lower", target=Target(2.0, due="2026-12-01", tolerance=0.2))
    before = _series("wait", "2026-01-01", 30, 5.0, 3)
    ini.kpis = [wait]
    ini.baselines = {"wait": measurement.baseline(wait, before)}
    with pytest.raises(InvalidTransition):
        engine.pdca(actor=MANAGER)
    engine.advance(actor=MANAGER, objectives=["Shorter queues"])
    engine.advance(actor=MANAGER)
    engine.advance(actor=MANAGER)
    engine.advance(
        actor=MANAGER,
        actions=[Action("Triage desk", owner="tom", due="2026-07-01")],
        ranking=prioritisation.rank(
            [Opportunity("Triage desk", id="Triage desk", scores={"v": 1.0})], key="v"
        ),
    )
    assert engine.step == "action"
    cycle = engine.pdca(actor=TEAM)
    assert ini.pdca_step == "plan"
    with pytest.raises(StepBlocked) as blocked:
        engine.advance(actor=TEAM)
    assert "the PDCA cycle in progress (at 'plan') to finish" in blocked.value.missing
    cycle.advance(actor=MANAGER, objective="Triage", prediction=Prediction("wait", -2.0))
    cycle.advance(actor=TEAM, done="Triage desk staffed")
    cycle.advance(actor=TEAM, before=before, after=_series("wait", "2026-03-01", 30, 3, 4), seed=1)
    cycle.advance(actor=TEAM, decision="adapt")
    assert ini.pdca_step == "plan"
    assert len(ini.pdca) == 2
    cycle.advance(actor=MANAGER, objective="Triage 2", prediction=Prediction("wait", -1.0))
    cycle.advance(actor=TEAM, done="More staff")
    cycle.advance(actor=TEAM, comparison=ini.pdca[0].comparison)
    cycle.close(actor=MANAGER, decision="adopt")
    assert ini.pdca_step == "closed"
    assert ini.pdca[-1].decision.value == "adopt"
    engine.advance(actor=TEAM)
    assert engine.step == "evaluation"
    assert any(r.event == "pdca.advance" for r in ini.history)
    assert verify_history(_reload(ini))


def test_seven_step_full_walk() -> None:
    from itil_ci.measurement.trend import mann_kendall

    ini = Initiative(title="Better SLA reporting", model="seven-step", owner="mia")
    engine = start(ini, actor=TEAM, clock=clock)
    opps = [
        Opportunity("Dashboards", id="o1", scores={"value": 8, "cost": 3}),
        Opportunity("Data lake", id="o2", scores={"value": 9, "cost": 9}),
    ]
    crit = [prioritisation.Criterion("value", 1), prioritisation.Criterion("cost", 1, "cost")]
    engine.advance(actor=TEAM, vision="Trusted SLAs", opportunities=opps, criteria=crit)
    assert ini.ranking == prioritisation.weighted_sum(opps, crit)
    assert ini.opportunities == ["o1", "o2"]
    sla = KPI("sla", direction="higher", target=Target(0.95, due="2026-12-31", tolerance=0.02))
    engine.advance(actor=TEAM, kpis=[sla], should_measure=["sla", "csat"], can_measure=["sla"])
    assert ini.measure_gap is not None
    assert ini.measure_gap.gap == ("csat",)
    data = _series("sla", "2026-01-01", 40, 0.9, 5)
    with pytest.raises(StepBlocked):
        engine.advance(actor=TEAM)
    engine.advance(actor=TEAM, data={"sla": data}, sources={"sla": "ServiceNow export"})
    assert ini.data["sla"].n == 40
    assert ini.baselines["sla"].value == measurement.baseline(sla, data).value
    engine.advance(actor=TEAM, quality={"sla": {"missing": 0, "duplicates": 0, "outliers": 1}})
    engine.advance(actor=TEAM, series={"sla": data})
    assert ini.trends["sla"] == mann_kendall(data.values, data.times)
    chart = measurement.xmr(data.values)
    assert ini.signals["sla"] == measurement.signals(data.values, chart, direction="higher")
    engine.return_to("gather", actor=TEAM, reason="a second source arrived")
    assert ini.history[-1].reason == "a second source arrived"
    for _ in range(3):
        engine.advance(actor=TEAM)
    engine.advance(actor=MANAGER, audience=["CAB"], report="Q2 SLA review")
    engine.advance(actor=TEAM, actions=[Action("Build dashboard", owner="tom")])
    assert engine.step == "strategy"
    assert ini.cycle == 1
    assert verify_history(_reload(ini))


def test_pdca_standalone_walk_counts_cycles() -> None:
    ini = Initiative(title="Fewer reopened tickets", model="pdca", owner="mia")
    engine = start(ini, actor=MANAGER, clock=clock)
    reopen = KPI("reopen", direction="lower")
    ini.kpis = [reopen]
    before = _series("reopen", "2026-01-01", 30, 0.2, 6)
    after = _series("reopen", "2026-02-01", 30, 0.1, 7)
    for i in range(2):
        engine.advance(
            actor=MANAGER, objective="Fewer reopens", prediction=Prediction("reopen", -0.1)
        )
        engine.advance(actor=TEAM, done=f"Checklist v{i}")
        engine.advance(actor=TEAM, before=before, after=after, seed=3)
        assert ini.pdca[-1].comparison == measurement.compare(
            before.values, after.values, "lower", seed=3
        )
        if i == 0:
            engine.advance(actor=TEAM, decision="adapt")
    assert ini.cycle == 1
    assert len(ini.pdca) == 2
    with pytest.raises(StepBlocked) as blocked:
        engine.close(actor=MANAGER, outcome="successful", decision="adapt")
    assert blocked.value.missing == ("decision 'adopt' or 'abandon' (recorded: 'adapt')",)
    assert ini.pdca[-1].decision is None
    engine.close(actor=MANAGER, outcome="successful", decision="adopt")
    assert engine.step == "closed"
    assert verify_history(ini)
