"""A realistic report built with the real cores and engines (shared by the report tests)."""

from __future__ import annotations

import datetime as dt

import numpy as np

from itil_ci import prioritisation
from itil_ci.domain import KPI, Action, Actor, Initiative, Opportunity, Series, Target
from itil_ci.engines import start
from itil_ci.report import ControlChartPanel, ParetoPanel, ReportData, build_report

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)> & "quotes" | pipes'
MANAGER = Actor("mia", roles=["continual-improvement-manager"])
WHEN = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)


def clock() -> dt.datetime:
    return WHEN


def daily(key: str, start: str, days: int, mean: float, seed: int) -> Series:
    rng = np.random.default_rng(seed)
    times = np.datetime64(start, "ns") + np.arange(days) * np.timedelta64(1, "D")
    return Series(times, rng.normal(mean, 0.5, days), kpi_key=key)


def opportunities() -> list[Opportunity]:
    return [
        Opportunity(
            HOSTILE,
            id="o-hostile",
            expected_benefit=3,
            effort=2,
            scores={"benefit": 3, "effort": 2},
        ),
        Opportunity(
            "Automate password resets",
            id="o-reset",
            expected_benefit=9,
            effort=3,
            scores={"benefit": 9, "effort": 3},
            status="assessed",
        ),
        Opportunity(
            "Publish VPN knowledge article",
            id="o-vpn",
            expected_benefit=5,
            effort=1,
            scores={"benefit": 5, "effort": 1},
        ),
        Opportunity(
            "Replace mail gateway",
            id="o-mail",
            expected_benefit=8,
            effort=8,
            scores={"benefit": 8, "effort": 8},
        ),
    ]


def initiative() -> tuple[Initiative, Series, Series]:
    """An ITIL 4 initiative driven to "momentum" through the real engine."""
    ini = Initiative(title="Faster e-mail restores <b>now</b>", owner="mia")
    engine = start(ini, "itil4", actor=MANAGER, clock=clock)
    engine.advance(actor=MANAGER, objectives=["Restore e-mail within 4 hours"], vision="Calm mail")
    mttr = KPI("mttr", name="Mean time to restore", unit="hours", direction="lower")
    before = daily("mttr", "2026-01-01", 60, 6.0, 1)
    engine.advance(actor=MANAGER, kpis=[mttr], series={"mttr": before})
    engine.advance(actor=MANAGER, targets={"mttr": Target(4.0, due="2026-12-31", tolerance=0.5)})
    actions = [
        Action("Publish restore runbook", owner="tom", due="2026-07-01"),
        Action("Automate mailbox restore", owner="ann", due="2026-08-01"),
    ]
    crit = [prioritisation.Criterion("benefit", 2), prioritisation.Criterion("effort", 1, "cost")]
    scores = {
        "Publish restore runbook": {"benefit": 3, "effort": 1},
        "Automate mailbox restore": {"benefit": 9, "effort": 3},
    }
    engine.advance(actor=MANAGER, actions=actions, criteria=crit, scores=scores)
    engine.advance(
        actor=MANAGER,
        evidence={"Publish restore runbook": "KB0012", "Automate mailbox restore": "CHG42"},
    )
    after = daily("mttr", "2026-03-02", 45, 4.2, 2)
    engine.advance(actor=MANAGER, before={"mttr": before}, after={"mttr": after}, seed=7)
    return ini, before, after


def sample(*, with_series: bool = True) -> ReportData:
    """Opportunities (one hostile), a weighted-sum backlog with its breakdown, an
    initiative at "momentum", a staged control chart with signals, a Pareto panel."""
    opps = opportunities()
    crit = [prioritisation.Criterion("benefit", 2), prioritisation.Criterion("effort", 1, "cost")]
    ranking = prioritisation.weighted_sum(opps, crit)
    explanation = prioritisation.explain(opps, crit)
    ini, before, after = initiative()
    both = Series(
        np.concatenate([before.times, after.times]),
        np.concatenate([before.values, after.values]),
        kpi_key="mttr",
    )
    chart = ControlChartPanel.from_values(
        "MTTR per day, before and after " + HOSTILE,
        both,
        change_at=60,
        rules="nhs",
        direction="lower",
        unit="hours",
    )
    pareto = ParetoPanel.from_counts(
        "Incidents by category",
        {"network": 120, "e-mail": 610, HOSTILE: 15, "vpn": 240, "printing": 40},
    )
    return build_report(
        title="Service desk improvement " + HOSTILE,
        description="Quarterly review. " + HOSTILE,
        opportunities=opps,
        initiatives=[ini],
        ranking=ranking,
        explanation=explanation,
        series={"mttr": both} if with_series else None,
        control_charts=[chart],
        paretos=[pareto],
        notes=["Data: synthetic. " + HOSTILE],
        generated_at=WHEN,
    )
