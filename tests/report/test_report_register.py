"""report_from_register: a report of everything in a register."""

from __future__ import annotations

import numpy as np

from itil_ci.domain import KPI, Baseline, Opportunity, Target
from itil_ci.prioritisation import Criterion
from itil_ci.register import Register
from itil_ci.report import MAX_CHART_POINTS, render_html, render_markdown, report_from_register


def test_report_from_register_collects_backlog_kpis_and_charts() -> None:
    reg = Register.in_memory()
    reg.log(Opportunity("Automate resets", id="a", expected_benefit=8, effort=3))
    reg.log(Opportunity("Publish KB", id="b", expected_benefit=5, effort=1))
    reg.define_kpi(KPI("mttr", unit="h", direction="lower", target=Target(4.0, tolerance=0.5)))
    reg.add_baseline(Baseline("mttr", 6.0))
    days = np.datetime64("2026-01-01", "ns") + np.arange(30) * np.timedelta64(1, "D")
    reg.record("mttr", days, np.r_[np.full(29, 5.0) + np.arange(29) % 3 * 0.1, 9.0])
    many = np.datetime64("2026-01-01", "ns") + np.arange(MAX_CHART_POINTS + 1) * np.timedelta64(
        1, "h"
    )
    reg.record("fcr", many, np.ones(MAX_CHART_POINTS + 1))
    crit = [Criterion("benefit", 2), Criterion("effort", 1, "cost")]
    data = report_from_register(reg, criteria=crit, keys={"benefit": "expected_benefit"})
    assert data.ranking is not None
    # reg.prioritised's own doctest: with these criteria 'a' ranks before 'b'.
    assert data.ranking.order == ("a", "b")
    assert data.explanation is not None
    assert data.explanation.ids == ("a", "b")
    (panel,) = data.kpis
    assert panel.baseline == Baseline("mttr", 6.0, captured_at=panel.baseline.captured_at)
    assert panel.series is not None
    assert len(panel.series) == 30
    (chart,) = data.control_charts
    assert chart.title == "mttr"
    # The last point (9.0) is far above limits computed from values within 5.0..5.2.
    (beyond,) = [s for s in chart.signals if s.rule == "we1"]
    assert beyond.index == 29
    assert beyond.kind.value == "concern"  # lower is better and the point is high
    assert any("'fcr'" in n and "aggregate" in n for n in data.notes)
    assert "Automate resets" in render_html(data, charts=False)
    assert "## Prioritised backlog" in render_markdown(data)


def test_kpis_without_target_or_initiative_get_no_chart() -> None:
    reg = Register.in_memory()
    reg.define_kpi(KPI("mttr", unit="h", direction="lower", target=Target(4.0)))
    reg.define_kpi(KPI("fcr", unit="share", direction="higher"))  # no target, no initiative
    days = np.datetime64("2026-01-01", "ns") + np.arange(30) * np.timedelta64(1, "D")
    reg.record("mttr", days, 5.0 + np.arange(30) % 3 * 0.1)
    reg.record("fcr", days, 0.4 + np.arange(30) % 4 * 0.01)
    data = report_from_register(reg)
    assert [c.title for c in data.control_charts] == ["mttr"]
    page = render_html(data)
    # Both KPIs are in the summary table; only the one with a target has a chart.
    table = page[page.index('id="kpi-summary-table"') :]
    table = table[: table.index("</table>")]
    assert "<b>mttr</b>" in table
    assert "<b>fcr</b>" in table
    assert page.count('<svg id="chart-kpi-') == 1
    assert ">mttr vs target<" in page
