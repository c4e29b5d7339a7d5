"""User text with "$" is drawn as typed, never parsed as matplotlib mathtext."""

from __future__ import annotations

import html
import io

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
    ParetoPanel,
    build_report,
    render_html,
)

pytest.importorskip("matplotlib")

# The first pair of "$" makes matplotlib read "5k and " as mathtext; the second is
# an unbalanced TeX command inside "$...$", which mathtext cannot parse at all.
DOLLARS = "Save $5k and $3k"
BROKEN = r"cost $5 \frac{ x$"
HOSTILE = (DOLLARS, BROKEN)


def _save(ax: object) -> str:
    """The SVG of the chart, text kept as text (so the test can look for it)."""
    import matplotlib
    from matplotlib.axes import Axes

    assert isinstance(ax, Axes)
    buf = io.StringIO()
    fig = ax.get_figure()
    assert fig is not None
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        fig.savefig(buf, format="svg")
    return buf.getvalue()


def _shown(text: str, svg: str) -> bool:
    """Whether ``text`` is one visible SVG text element (mathtext would split it into glyphs;
    the SVG writer also repeats the source text in a comment, so look for the element)."""
    return f">{text}</text>" in svg


@pytest.mark.parametrize("text", HOSTILE)
def test_control_chart_with_dollar_title_and_unit(text: str) -> None:
    ax = plot.control_chart([5, 5.5, 4.5, 5, 5.2, 4.8, 5, 9, 5], title=text, unit=text)
    assert _shown(text, _save(ax))
    assert ax.get_title(loc="left") == text


@pytest.mark.parametrize("text", HOSTILE)
def test_pareto_chart_with_dollar_category_title_and_unit(text: str) -> None:
    ax = plot.pareto_chart(ParetoPanel(text, [text, "b", "c"], [1, 5, 3], unit=text))
    assert _shown(text, _save(ax))
    assert text[:17] in "".join(t.get_text() for t in ax.get_xticklabels())


@pytest.mark.parametrize("text", HOSTILE)
def test_kpi_chart_with_dollar_name_unit_and_title(text: str) -> None:
    k = KPI("cost", name=text, unit=text, direction="lower", target=Target(4.0, tolerance=0.5))
    ev = evaluate(k, Baseline("cost", 6.0), 4.4)
    ax = plot.kpi_chart(k, [6.1, 5.8, 5.0, 4.6, 4.4], Baseline("cost", 6.0), ev, title=text)
    assert _shown(text, _save(ax))
    legend = ax.get_legend()
    assert legend is not None
    assert legend.get_texts()[0].get_text() == text


@pytest.mark.parametrize("text", HOSTILE)
def test_value_effort_chart_with_dollar_labels_and_title(text: str) -> None:
    ax = plot.value_effort_chart([8, 8, 2], [1, 5, 1], [text, "b", "c"], title=text)
    assert _shown(text, _save(ax))
    assert ax.texts[0].get_text() == text


@pytest.mark.parametrize("text", HOSTILE)
def test_render_html_with_dollar_text_in_every_chart(text: str) -> None:
    opps = [
        Opportunity(text, id="o-1", expected_benefit=3, effort=2, scores={"b": 3}),
        Opportunity("Other " + text, id="o-2", expected_benefit=9, effort=3, scores={"b": 9}),
        Opportunity("Third", id="o-3", expected_benefit=5, effort=1, scores={"b": 5}),
    ]
    ranking = prioritisation.weighted_sum(opps, [prioritisation.Criterion("b", 1)])
    k = KPI("cost", name=text, unit=text, direction="lower", target=Target(4.0, tolerance=0.5))
    times = np.datetime64("2026-01-01", "ns") + np.arange(5) * np.timedelta64(1, "D")
    series = Series(times, [6.1, 5.8, 5.0, 4.6, 4.4], kpi_key="cost")
    # A hand-made comparison (the numbers only need to be a valid Comparison).
    comp = Comparison(-1.0, -1.5, -0.5, 0.01, "improved", before=6.0, after=5.0)
    data = build_report(
        title=text,
        opportunities=opps,
        ranking=ranking,
        kpis=[KPIPanel(k, Baseline("cost", 6.0), series=series)],
        control_charts=[
            ControlChartPanel.from_values(text, [5, 5.5, 4.5, 5, 5.2, 4.8, 5, 9, 5], unit=text)
        ],
        paretos=[ParetoPanel.from_counts(text, {text: 10, "b": 60, "c": 30}, unit=text)],
        comparisons=[ComparisonPanel(text, comp, unit=text)],
    )
    page = render_html(data)
    for chart in ("chart-kpi-0", "chart-control-0", "chart-pareto-0", "chart-comparison-0"):
        assert f'<svg id="{chart}"' in page
    assert '<svg id="chart-value-effort"' in page
    # Drawn as typed: the text appears whole in each chart (mathtext would split it).
    for chart in ("chart-kpi-0", "chart-pareto-0", "chart-control-0"):
        svg = page[page.index(f'<svg id="{chart}"') :]
        assert _shown(text, svg[: svg.index("</svg>")]), chart
    # The value/effort chart numbers its points by rank; the titles are in the backlog table
    # above it (plot.value_effort_chart's own labels are checked in the test before).
    svg = page[page.index('<svg id="chart-value-effort"') :]
    assert not _shown(text, svg[: svg.index("</svg>")])
    table = page[page.index('id="backlog-table"') :]
    assert f"<td>{html.escape(text)}</td>" in table[: table.index("</table>")]


def test_summary_counts_agree_in_number() -> None:
    from itil_ci.domain import Initiative, Opportunity
    from itil_ci.report import build_report, render_html, render_markdown

    one = build_report(opportunities=[Opportunity("a")], initiatives=[Initiative(title="b")])
    md = render_markdown(one)
    assert "- 1 opportunity (1 open)" in md
    assert "- 1 initiative\n" in md
    assert ">initiative<" in render_html(one)
