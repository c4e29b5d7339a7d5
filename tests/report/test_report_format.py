"""Numbers and labels for people: one formatting module for HTML and Markdown."""

from __future__ import annotations

import re

import numpy as np
import pytest

from itil_ci import plot, prioritisation
from itil_ci.domain import KPI, Baseline, Opportunity, Series, Target
from itil_ci.domain.results import Comparison
from itil_ci.measurement import evaluate
from itil_ci.report import (
    ComparisonPanel,
    ControlChartPanel,
    KPIPanel,
    build_report,
    render_html,
    render_markdown,
)

pytest.importorskip("matplotlib")

# What a number for people never looks like: scientific notation, Python's None, nan.
MACHINE = re.compile(r"\d[eE][-+]?\d|\bNone\b|\bnan\b|\binf\b")


def _report() -> tuple[str, str]:
    # Minmax normalisation of equal efforts gives float noise (-6.661e-17) in the breakdown.
    opps = [
        Opportunity("A", id="a", expected_benefit=9, effort=3, scores={"reach": 8}),
        Opportunity("B", id="b", expected_benefit=7, effort=5, scores={"reach": 5}),
        Opportunity("C", id="c", expected_benefit=5, effort=7, scores={"reach": 3}),
        Opportunity("D", id="d", expected_benefit=6, effort=6, scores={"reach": 9}),
    ]
    crit = [
        prioritisation.Criterion("expected_benefit", 0.5),
        prioritisation.Criterion("reach", 0.2),
        prioritisation.Criterion("effort", 0.3, "cost"),
    ]
    sla = KPI("sla", unit="share", direction="higher", target=Target(0.928, tolerance=0.01))
    days = np.datetime64("2025-01-01", "ns") + np.arange(120) * np.timedelta64(1, "D")
    rng = np.random.default_rng(5)
    series = Series(days, np.clip(rng.normal(0.93, 0.03, 120), 0, 1), kpi_key="sla")
    ev = evaluate(sla, Baseline("sla", 0.8983), 0.9586)
    comp = Comparison(0.0603, 0.0509, 0.0698, 3.3e-31, "improved", before=0.8983, after=0.9586)
    data = build_report(
        opportunities=opps,
        ranking=prioritisation.weighted_sum(opps, crit),
        explanation=prioritisation.explain(opps, crit),
        kpis=[KPIPanel(sla, Baseline("sla", 0.8983), ev, series)],
        control_charts=[
            ControlChartPanel.from_values(
                "SLA per day", series, rules="nhs", direction="higher", bounds=(0, 1)
            )
        ],
        comparisons=[ComparisonPanel("SLA attainment", comp, unit="share")],
    )
    return render_html(data), render_markdown(data)


def _text(page: str) -> str:
    """The page's visible text (tags, styles and SVG path data removed)."""
    page = re.sub(r"<style>.*?</style>|<svg.*?</svg>", " ", page, flags=re.S)
    return re.sub(r"<[^>]+>", " ", page)


def test_no_machine_numbers_in_either_report() -> None:
    page, md = _report()
    for text in (_text(page), md):
        assert not MACHINE.findall(text), MACHINE.findall(text)[:5]
        assert "bounded by" not in text or "limits bounded to [0, 1]" in text


def test_shares_are_percentages_and_p_values_are_floored() -> None:
    _page, md = _report()
    kpi_row = next(
        line for line in md[md.index("## KPIs: baseline") :].splitlines() if "| sla |" in line
    )
    # baseline 0.8983 -> 89.8 %, current 0.9586 -> 95.9 %, change +6.0 percentage points
    assert "| 89.8% |" in kpi_row
    assert "| 95.9% |" in kpi_row
    assert "+6.0 points" in kpi_row
    assert "≥ 92.8% ± 1.0 points" in kpi_row
    comp_row = next(line for line in md.splitlines() if line.startswith("| SLA attainment |"))
    assert "| \\< 0.001 |" in comp_row  # "<" is escaped in Markdown; it reads "< 0.001"
    assert "+5.1 to +7.0 points (95%)" in comp_row


def test_float_noise_prints_as_zero() -> None:
    page, md = _report()
    assert "6.661e" not in page + md
    assert re.search(r"effort 0(,|\s*\|)", md)  # the least-value effort contributes 0


def test_value_effort_labels_do_not_overlap() -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    # The demo's backlog: two options share (6, 6); the rest are close together.
    effort = np.array([3, 5, 6, 2, 6, 7, 6.2, 5.9], dtype=float)
    value = np.array([9, 7, 6, 5, 6, 5, 6.1, 6.0], dtype=float)
    labels = [str(i) for i in range(1, 9)]
    fig = Figure(figsize=(6.2, 3.0), layout="constrained")
    canvas = FigureCanvasAgg(fig)
    ax = plot.value_effort_chart(value, effort, labels, ax=fig.add_subplot())
    canvas.draw()
    renderer = canvas.get_renderer()
    notes = [t for t in ax.texts if t.get_text()[0].isdigit()]
    # Options at the same place share one label.
    assert sorted(t.get_text() for t in notes) == ["1", "2", "3, 5", "4", "6", "7", "8"]
    boxes = [t.get_window_extent(renderer) for t in notes]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not a.overlaps(b), (a, b)
