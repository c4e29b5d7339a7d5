"""The worked example behind ``itil-ci demo`` (private; the CLI is its interface).

One whole improvement cycle on a year of seeded synthetic service-desk
tickets: KPIs, baselines, opportunities from the data, prioritisation, an
ITIL 4 initiative with PDCA cycles inside "take action", driven on a clock
that follows the story (June to December 2025), a before/after evaluation,
and a report whose KPI charts have separate limits before and after the
change.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import numpy as np

from itil_ci import measurement, prioritisation
from itil_ci.domain import (
    KPI,
    Action,
    Actor,
    Direction,
    Initiative,
    Objective,
    Opportunity,
    Outcome,
    Prediction,
    Series,
    Target,
)
from itil_ci.engines import ContinualImprovementModel, start, verify_history
from itil_ci.io.synthetic import generate_tickets
from itil_ci.register import Register

__all__ = ["DemoResult", "run_demo"]

#: The steps of the demo, in order (for a progress display).
STEPS = (
    "generate tickets",
    "measure KPIs",
    "capture baselines",
    "log opportunities",
    "prioritise",
    "drive the initiative",
    "evaluate",
    "write the report",
)

YEAR_START = dt.date(2025, 1, 1)
#: The KPIs the demo derives per service (the synthetic tickets also allow MTTA).
DEMO_METRICS = ("mttr", "sla", "fcr", "reopen")
CHANGE = dt.datetime(2025, 7, 2, tzinfo=dt.UTC)  # the synthetic improvement's date
REVIEW = dt.datetime(2025, 12, 15, tzinfo=dt.UTC)  # the year-end review: data up to here
MANAGER = Actor("Mia Chen", roles=["continual-improvement-manager"])
OWNER = Actor("Sam Patel", roles=["service-owner", "improvement-team"])
ANALYST = Actor("Tom Berg", roles=["improvement-team"])


@attrs.frozen
class DemoResult:
    """What the demo produced: the register file, the reports and the verdict."""

    db: Path
    html: Path
    markdown: Path
    tickets: int
    initiative: Initiative
    ranking: prioritisation.Ranking
    comparison: measurement.Comparison
    evaluation: measurement.Evaluation
    timings: dict[str, float]

    def summary(self) -> list[str]:
        """Short lines for a terminal."""
        c, e = self.comparison, self.evaluation
        kpi = self.initiative.kpis[0]
        before = self.initiative.baselines[kpi.key].value
        return [
            f"{self.tickets:,} tickets, one initiative: {self.initiative.title!r}",
            f"  step {self.initiative.step!r}, {len(self.initiative.history)} audited moves, "
            f"{len(self.initiative.pdca)} PDCA cycles, trail verifies: "
            f"{bool(verify_history(self.initiative))}",
            f"  {kpi.label}: baseline {before:.1f} {kpi.unit} -> now {e.value:.1f} {kpi.unit} "
            f"(target {kpi.target.value if kpi.target else float('nan'):g}), "
            f"attainment {e.attainment:.0%}, status {e.status.value}",
            f"  before/after: change {c.difference:+.2f} {kpi.unit} "
            f"(95% CI {c.low:+.2f} .. {c.high:+.2f}), verdict: {c.verdict.value}",
            f"  register: {self.db}",
            f"  report:   {self.html} and {self.markdown}",
        ]


def run_demo(
    db: str | Path,
    out_dir: str | Path = ".",
    *,
    tickets: int = 100_000,
    seed: int = 7,
    progress: Callable[[str], None] | None = None,
) -> DemoResult:
    """Run the whole worked example; write the register to ``db`` and the reports to ``out_dir``.

    ``progress`` is called with the name of each step (see :data:`STEPS`) as it starts.
    """
    say = progress or (lambda _step: None)
    timings: dict[str, float] = {}
    clock = [time.perf_counter()]

    def step(name: str) -> None:
        now = time.perf_counter()
        if timings or name != STEPS[0]:
            timings[list(STEPS)[len(timings)]] = now - clock[0]
        clock[0] = now
        say(name)

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    reg = Register.open(db)
    try:
        step("generate tickets")
        t = generate_tickets(tickets, seed=seed, start=YEAR_START)

        step("measure KPIs")
        # The register keeps the tickets and derives each KPI per service from the
        # columns the tickets have; SLA attainment is the outcome the generator
        # recorded (sla_met), as a tool's export would hold it.
        done = reg.import_tickets(t, by=["service"], metrics=DEMO_METRICS)
        series = {key: reg.series(key) for key in done.derived}
        services = sorted(set(t.column("service").tolist()))
        kpis = {key: reg.kpi(key) for key in done.derived}

        step("capture baselines")
        first_half = {key: s.between(None, CHANGE) for key, s in series.items()}
        baselines = {key: measurement.baseline(kpis[key], s) for key, s in first_half.items()}
        for b in baselines.values():
            reg.add_baseline(b)

        step("log opportunities")
        half = t.opened < np.datetime64(CHANGE.replace(tzinfo=None), "ns")
        causes = measurement.pareto(t.category[half])
        worst = _least_stable(first_half, services)
        opps = _opportunities(causes, worst, baselines, services)
        with reg.transaction():
            for o in opps:
                reg.log(o)

        step("prioritise")
        criteria = [
            prioritisation.Criterion("benefit", 0.5),
            prioritisation.Criterion("reach", 0.2),
            prioritisation.Criterion("effort", 0.3, "cost"),
        ]
        keys = {"benefit": "expected_benefit", "effort": "effort", "reach": "reach"}
        ranking = reg.prioritised("weighted-sum", criteria, keys=keys)
        top = reg.opportunity(ranking.order[0])

        step("drive the initiative")
        ini = _drive(reg, top, kpis, series, baselines, seed)

        step("evaluate")
        key = ini.kpis[0].key
        comparison = ini.comparisons[key]
        evaluation = ini.evaluations[key]

        step("write the report")
        from itil_ci.report import ParetoPanel, report_from_register, write_report

        pareto_panel = ParetoPanel(
            "Incidents by category, January to June",
            causes.categories,
            causes.totals,
            threshold=causes.cutoff,
        )
        data = report_from_register(
            reg,
            model="weighted-sum",
            criteria=criteria,
            keys=keys,
            rules="nhs",
            control_charts=False,
            paretos=[pareto_panel],
            title="Continual improvement: service desk, 2025",
            description=(
                f"{len(t):,} synthetic incidents for {len(services)} services; one ITIL 4 "
                "initiative driven end to end."
            ),
        )
        html = write_report(data, out / "report.html")
        md = write_report(data, out / "report.md")
        step("done")
    finally:
        reg.close()
    return DemoResult(
        db=Path(db),
        html=html,
        markdown=md,
        tickets=len(t),
        initiative=ini,
        ranking=ranking,
        comparison=comparison,
        evaluation=evaluation,
        timings=timings,
    )


def _least_stable(first_half: dict[str, Series], services: list[str]) -> tuple[str, int]:
    """The service whose daily MTTR shows the most special-cause concerns (XmR, NHS rules)."""
    counts = {}
    for s in services:
        values = first_half[f"mttr.{s}"]
        chart = measurement.xmr(values)
        found = measurement.signals(values.values, chart, "nhs", direction="lower")
        counts[s] = sum(1 for f in found if f.kind.value == "concern")
    name = max(counts, key=lambda k: (counts[k], k))
    return name, counts[name]


def _opportunities(
    causes: measurement.ParetoAnalysis,
    worst: tuple[str, int],
    baselines: dict[str, Any],
    services: list[str],
) -> list[Opportunity]:
    opps = [
        Opportunity(
            "Known-error articles and a restore runbook for e-mail outages",
            source="problem",
            service="email",
            kpis=["mttr.email", "sla.email"],
            description=(
                f"E-mail incidents took {baselines['mttr.email'].value:.1f} h on average to "
                "resolve in the first half of the year."
            ),
            effort=3,
            expected_benefit=9,
            scores={"reach": 8},
            raised_by=OWNER.name,
        ),
    ]
    for rank_, (cat, total) in enumerate(
        zip(causes.vital_few[:3], causes.totals[:3], strict=False), start=1
    ):
        opps.append(
            Opportunity(
                f"Reduce '{cat}' incidents",
                source="incident-trend",
                description=f"#{rank_} category by volume: {int(total):,} incidents (Pareto).",
                effort=float(4 + rank_),
                expected_benefit=float(8 - rank_),
                scores={"reach": float(6 - rank_)},
                raised_by=ANALYST.name,
            )
        )
    name, n = worst
    opps.append(
        Opportunity(
            f"Investigate unstable resolution times in {name}",
            source="monitoring",
            service=name,
            kpis=[f"mttr.{name}"],
            description=f"{n} special-cause concern signals on the daily MTTR chart.",
            effort=2,
            expected_benefit=5,
            scores={"reach": 4},
            raised_by=ANALYST.name,
        )
    )
    opps.append(
        Opportunity(
            "Self-service password reset",
            source="customer-feedback",
            service="access",
            effort=6,
            expected_benefit=6,
            scores={"reach": 9},
            raised_by=MANAGER.name,
        )
    )
    for o in opps:
        o.move_to("assessed").move_to("approved")
    return opps


class _StoryClock:
    """The engines' clock in the demo: the time of each move as the story tells it.

    The audit trail then reads as the year it describes (start in June, the
    pilot in July, the review in December) instead of the minute the demo ran.
    """

    def __init__(self) -> None:
        self.now = dt.datetime(2025, 6, 30, 9, 0, tzinfo=dt.UTC)

    def at(self, when: str) -> None:
        """Move the clock to ``when`` (``"YYYY-MM-DD HH:MM"``, UTC); never backwards."""
        new = dt.datetime.strptime(when, "%Y-%m-%d %H:%M").replace(tzinfo=dt.UTC)
        assert new >= self.now, (new, self.now)
        self.now = new

    def __call__(self) -> dt.datetime:
        return self.now


def _drive(
    reg: Register,
    top: Opportunity,
    kpis: dict[str, KPI],
    series: dict[str, Series],
    baselines: dict[str, Any],
    seed: int,
) -> Initiative:
    """Drive one initiative through the ITIL 4 model, saving it after every move."""
    keys = top.kpis or ["mttr.email"]
    ini = Initiative(
        title=top.title, opportunities=[top.id], owner=OWNER.name, sponsor=MANAGER.name
    )
    clock = _StoryClock()
    engine = start(ini, "itil4", actor=MANAGER, clock=clock)
    assert isinstance(engine, ContinualImprovementModel)
    reg.log(ini)  # the register moves the opportunity to in progress with it

    def save() -> None:
        reg.update(ini)

    clock.at("2025-06-30 11:00")
    engine.advance(
        actor=MANAGER,
        vision="E-mail that users can rely on",
        objectives=[Objective("Resolve e-mail incidents within SLA", owner=OWNER.name)],
    )
    save()
    before = {k: series[k].between(None, CHANGE) for k in keys}
    clock.at("2025-07-01 10:00")  # the first half-year's data is in
    engine.advance(actor=ANALYST, kpis=[kpis[k] for k in keys], series=before)
    save()
    targets = {}
    for k in keys:
        b = baselines[k].value
        if kpis[k].direction is Direction.LOWER_IS_BETTER:
            targets[k] = Target(
                round(b * 0.7, 1), due="2025-12-31", tolerance=0.1, tolerance_kind="relative"
            )
        else:
            targets[k] = Target(min(1.0, round(b + 0.03, 3)), due="2025-12-31", tolerance=0.01)
    clock.at("2025-07-01 15:00")
    engine.advance(actor=OWNER, targets=targets)
    save()
    actions = [
        Action(
            "Write known-error articles for the top e-mail faults",
            owner=ANALYST.name,
            due="2025-07-15",
        ),
        Action("Publish a mailbox-restore runbook", owner=OWNER.name, due="2025-07-31"),
        Action("Train the service desk on the runbook", owner=OWNER.name, due="2025-08-15"),
    ]
    scores = {
        actions[0].title: {"benefit": 8, "effort": 3},
        actions[1].title: {"benefit": 9, "effort": 2},
        actions[2].title: {"benefit": 5, "effort": 2},
    }
    crit = [prioritisation.Criterion("benefit", 2), prioritisation.Criterion("effort", 1, "cost")]
    clock.at("2025-07-02 09:00")  # the change: the runbook goes live with the pilot team
    engine.advance(actor=MANAGER, actions=actions, criteria=crit, scores=scores)
    save()
    # Take action: two PDCA cycles, the first adapted, the second adopted.
    k0 = keys[0]
    s0 = series[k0]
    pilot_end = CHANGE + dt.timedelta(days=30)
    rollout_end = dt.datetime(2025, 10, 1, tzinfo=dt.UTC)
    clock.at("2025-07-02 09:30")
    cycle = engine.pdca(actor=OWNER)
    clock.at("2025-07-02 10:00")
    cycle.advance(
        actor=MANAGER,
        objective="Pilot the runbook with one resolver team",
        prediction=Prediction(k0, -1.0, "Pilot team resolves 1 h faster"),
    )
    clock.at("2025-08-01 16:00")
    cycle.advance(actor=OWNER, done="Runbook used by the messaging team for four weeks")
    clock.at("2025-08-04 10:00")
    pilot = s0.between(CHANGE, pilot_end)
    cycle.advance(actor=ANALYST, before=before[k0], after=pilot, seed=seed)
    clock.at("2025-08-04 14:00")
    cycle.advance(actor=OWNER, decision="adapt")
    clock.at("2025-08-05 09:00")
    cycle.advance(
        actor=MANAGER,
        objective="Roll the runbook out to the whole service desk",
        prediction=Prediction(k0, -2.0, "All teams resolve 2 h faster"),
    )
    clock.at("2025-10-01 16:00")
    cycle.advance(actor=OWNER, done="Runbook and known-error articles live for all teams")
    clock.at("2025-10-02 10:00")
    rollout = s0.between(pilot_end, rollout_end)
    cycle.advance(actor=ANALYST, before=before[k0], after=rollout, seed=seed)
    clock.at("2025-10-02 15:00")
    cycle.close(actor=MANAGER, decision="adopt")
    save()
    clock.at("2025-10-03 10:00")
    engine.advance(actor=OWNER, evidence={a.title: "done, see change records" for a in actions})
    save()
    # The year-end review: the half-year since the change, up to the review.
    after = {k: series[k].between(CHANGE, REVIEW) for k in keys}
    clock.at("2025-12-16 10:00")
    engine.advance(actor=ANALYST, before=before, after=after, seed=seed)
    save()
    clock.at("2025-12-18 15:00")
    engine.close(
        actor=MANAGER,
        outcome=Outcome(
            "successful",
            categories=["time", "satisfaction"],
            summary="E-mail incidents are resolved markedly faster.",
        ),
        lessons=["Runbooks first, automation second", "Pilot with one team before rolling out"],
        remeasure_on="2026-03-31",
    )
    save()
    return ini
