"""HTML and Markdown rendering of a report built with the real cores and engines."""

from __future__ import annotations

import html.parser
import re
from pathlib import Path

import numpy as np
import pytest

from itil_ci.domain import KPI, Initiative, Opportunity, Target
from itil_ci.domain.results import Comparison
from itil_ci.errors import InvalidInputError
from itil_ci.measurement import xmr
from itil_ci.report import (
    Assurance,
    ComparisonPanel,
    ControlChartPanel,
    KPIPanel,
    ParetoPanel,
    ReportData,
    Variation,
    build_report,
    render_html,
    render_markdown,
    summaries,
    write_report,
)

from .sample import HOSTILE, sample

CHART_IDS = (
    "chart-value-effort",
    "chart-kpi-0",
    "chart-control-0",
    "chart-pareto-0",
    "chart-comparison-0",
)


class _Collector(html.parser.HTMLParser):
    """Every start tag with its attributes, and the text, as a browser's parser sees them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(page: str) -> _Collector:
    c = _Collector()
    c.feed(page)
    c.close()
    return c


def test_html_has_every_section_and_chart(data: ReportData) -> None:
    page = render_html(data)
    parsed = _parse(page)
    ids = {a.get("id") for _, a in parsed.tags}
    for section in (
        "summary",
        "backlog",
        "initiatives",
        "kpis",
        "control-charts",
        "pareto",
        "comparisons",
        "notes",
    ):
        assert section in ids, section
    for chart in CHART_IDS:
        assert chart in ids, chart
        assert ("svg", chart) in {(t, a.get("id")) for t, a in parsed.tags}
    assert "no-charts" not in ids
    text = " ".join(parsed.text)
    # The initiative was driven to "momentum" by the engine; its comparison says "improved".
    assert "momentum" in text
    assert "improved" in text
    # Why each ranks where it does: the explained contributions are in the backlog.
    assert "benefit 0.6667, effort 0.2381" in text  # explain(): 2/3·1 and 1/3·(8-3)/(8-1)


def test_backlog_order_and_breakdown_follow_the_ranking(data: ReportData) -> None:
    assert data.ranking is not None
    assert data.explanation is not None
    page = render_html(data)
    table = page[page.index('id="backlog-table"') :]
    table = table[: table.index("</table>")]
    positions = [table.index(_esc(data.title_of(i))) for i in data.ranking.order]
    assert positions == sorted(positions)
    md = render_markdown(data)
    rows = [line for line in md.splitlines() if line.startswith("| ") and "0." in line]
    ranks = [int(r.split("|")[1]) for r in rows if r.split("|")[1].strip().isdigit()]
    assert ranks == sorted(ranks)
    assert ranks[0] == 1


def _esc(text: str) -> str:
    import html as h

    return h.escape(text, quote=True)


def test_hostile_text_is_escaped_everywhere(data: ReportData) -> None:
    page = render_html(data)
    parsed = _parse(page)
    assert not [t for t, _ in parsed.tags if t == "script"]
    assert not [a for t, a in parsed.tags if t == "img"]
    assert not any(k.startswith("on") for _, a in parsed.tags for k in a)
    assert "<b>now</b>" not in page
    # The hostile text reaches the reader as text, intact.
    assert HOSTILE in "".join(parsed.text)
    # ... also inside the SVG chart titles (matplotlib escapes its text).
    svg = page[page.index('<svg id="chart-control-0"') :]
    assert "&lt;script&gt;" in svg[: svg.index("</svg>")]


def test_html_is_self_contained(data: ReportData) -> None:
    page = render_html(data)
    parsed = _parse(page)
    for tag, a in parsed.tags:
        for key in ("src", "href", "xlink:href", "action", "data"):
            value = a.get(key) or ""
            assert not re.match(r"\s*(https?:)?//", value), (tag, key, value)
        assert tag not in ("link", "iframe", "object", "embed", "script")
    assert "@import" not in page
    assert "url(http" not in page
    # Internal references point at ids that exist in the page.
    ids = {a.get("id") for _, a in parsed.tags}
    refs = re.findall(r'(?:href="#|url\(#)([^")]+)', page)
    assert refs
    assert all(r in ids for r in refs)
    given = [a["id"] for _, a in parsed.tags if a.get("id")]
    assert len(set(given)) == len(given)  # ids are unique, across charts too


def test_without_matplotlib_the_report_says_so_and_shows_tables(
    data: ReportData, no_matplotlib: None
) -> None:
    page = render_html(data)
    parsed = _parse(page)
    ids = {a.get("id") for _, a in parsed.tags}
    assert "no-charts" in ids
    assert "pip install 'itil-ci[plot]'" in "".join(parsed.text)
    # No chart; the only SVG left is the KPI summary's icons and sparklines, drawn without
    # matplotlib.
    svgs = [a.get("class") for t, a in parsed.tags if t == "svg"]
    assert svgs
    assert set(svgs) <= {"icon", "spark"}
    assert not ids & set(CHART_IDS)
    # The same data is in tables: limits per stage, signals, Pareto shares, comparisons.
    text = " ".join(parsed.text)
    chart = data.control_charts[0].chart
    assert f"{chart.stages[0].upper:.4g}" in text
    assert "astronomical" in text
    assert "e-mail" in text
    assert "60%" in text
    assert "improved" in text


def test_charts_false_leaves_charts_out(data: ReportData) -> None:
    page = render_html(data, charts=False)
    assert 'class="chart"' not in page
    assert not set(re.findall(r'<svg class="([^"]*)"', page)) - {"icon", "spark"}
    assert "left out on request" in page


def test_markdown_structure(data: ReportData) -> None:
    md = render_markdown(data)
    lines = md.splitlines()
    headings = [line for line in lines if line.startswith("#")]
    assert headings[0].startswith("# Service desk improvement")
    for h in (
        "## Register summary",
        "## Prioritised backlog",
        "## Initiatives",
        "## KPIs: baseline → target → current",
        "## Control charts",
        "## Pareto analysis",
        "## Before and after",
        "## Notes",
    ):
        assert h in headings, h
    # Every table has a header, an alignment row and rows with the same number of cells.
    tables: list[list[str]] = []
    for line in lines:
        if line.startswith("|"):
            if tables and lines[lines.index(line) - 1].startswith("|"):
                tables[-1].append(line)
            else:
                tables.append([line])
    for t in tables:
        cells = [len(re.split(r"(?<!\\)\|", row)) for row in t]
        assert len(set(cells)) == 1, t
        assert re.fullmatch(r"\|( ---:? \|)+", t[1]), t[1]
    assert "```mermaid" in md
    assert "class momentum current" in md
    # Hostile text cannot open HTML or break a table.
    assert not re.search(r"(?<!\\)<", md)  # every "<" of user text is escaped
    assert "\\| pipes" in md


def test_summary_counts(data: ReportData) -> None:
    assert data.opportunities_by_status() == {"logged": 3, "assessed": 1}
    assert data.initiatives_by_step() == {"momentum": 1}
    md = render_markdown(data)
    assert "| logged | 3 |" in md
    assert "| momentum | 1 |" in md


def test_kpi_row_shows_baseline_target_current_and_status(data: ReportData) -> None:
    (panel,) = data.kpis
    ev = panel.evaluation
    assert ev is not None
    assert panel.baseline is not None
    md = render_markdown(data)
    section = md[md.index("## KPIs: baseline → target → current") :]
    row = next(line for line in section.splitlines() if line.startswith("| Mean time to restore"))
    assert f"{panel.baseline.value:.4g}" in row
    assert "4 ± 0.5 by 2026-12-31" in row
    assert f"{ev.value:.4g}" in row
    assert f"{ev.attainment:.0%}" in row
    assert f"**{ev.status.value}**" in row


def test_comparison_row_shows_the_interval(data: ReportData) -> None:
    (panel,) = data.comparisons
    c = panel.comparison
    md = render_markdown(data)
    row = next(line for line in md.splitlines() if "improved" in line and " to " in line)
    assert f"{c.low:.4g} to {c.high:.4g} (95%)" in row


def test_empty_report_renders() -> None:
    empty = ReportData(title="Nothing yet")
    page = render_html(empty)
    assert "<h1>Nothing yet</h1>" in page
    assert "no-charts" not in page
    assert render_markdown(empty).startswith("# Nothing yet\n")


def test_opportunities_without_ranking_are_listed() -> None:
    data = build_report(opportunities=[Opportunity("Fix <VPN>", effort=2)])
    assert "Fix &lt;VPN&gt;" in render_html(data)
    assert "Fix \\<VPN\\>" in render_markdown(data)


def test_write_report_picks_the_format(tmp_path: Path, data: ReportData) -> None:
    html_path = write_report(data, tmp_path / "report.html")
    md_path = write_report(data, tmp_path / "report.md")
    assert html_path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert md_path.read_text(encoding="utf-8").startswith("# ")
    with pytest.raises(InvalidInputError, match="format: expected 'html', 'md' or None"):
        write_report(data, tmp_path / "x", format="pdf")


def test_report_is_deterministic() -> None:
    assert render_html(sample()) == render_html(sample())


def test_pareto_panel_vital_few() -> None:
    # 610 + 240 = 850 of 1025 = 82.9 % >= 80 %: e-mail and vpn are the vital few.
    p = ParetoPanel.from_counts("x", {"network": 120, "e-mail": 610, "vpn": 240, "print": 55})
    assert p.vital_few == ("e-mail", "vpn")
    assert p.cumulative[-1] == pytest.approx(1.0)
    assert ParetoPanel("x", ["a"], [0]).vital_few == ()


BAD = [
    (
        lambda: ReportData(opportunities=["x"]),
        "ReportData.opportunities[0]: expected a Opportunity",
    ),
    (lambda: ReportData(kpis=[KPI("m")]), "ReportData.kpis[0]: expected a KPIPanel"),
    (lambda: ReportData(title=3), "ReportData.title"),
    (lambda: ParetoPanel("x", ["a", "b"], [1]), "ParetoPanel.counts: expected 2 counts"),
    (lambda: ParetoPanel("x", ["a"], [-1]), "ParetoPanel.counts: expected counts >= 0"),
    (lambda: ParetoPanel("x", ["a"], [1], threshold=2), "ParetoPanel.threshold"),
    (lambda: ParetoPanel("x", ["a"], [np.nan]), "ParetoPanel.counts: expected finite"),
    (lambda: ParetoPanel.from_analysis("x", object()), "analysis: expected a Pareto analysis"),
    (
        lambda: ControlChartPanel("x", [1, 2, 3], xmr([1, 2])),
        "ControlChartPanel.values: expected 2",
    ),
    (
        lambda: ControlChartPanel("x", [1, 2], xmr([1, 2]), times=["2026-01-01T00:00Z"]),
        "ControlChartPanel.times",
    ),
    (lambda: KPIPanel("mttr"), "KPIPanel.kpi: expected a KPI"),
    (lambda: ComparisonPanel("x", 1.0), "ComparisonPanel.comparison: expected a Comparison"),
    (lambda: render_html("x"), "data: expected a ReportData"),
    (lambda: render_markdown(None), "data: expected a ReportData"),
]


@pytest.mark.parametrize(("make", "message"), BAD)
def test_bad_input(make: object, message: str) -> None:
    with pytest.raises(InvalidInputError, match=re.escape(message)):
        make()  # type: ignore[operator]


def test_build_report_collects_panels_from_initiatives() -> None:
    c = Comparison(difference=-1.0, low=-1.5, high=-0.5, p_value=0.01, verdict="improved")
    ini = Initiative(
        "x",
        kpis=[KPI("mttr", unit="h", direction="lower", target=Target(4.0))],
        comparisons={"mttr": c},
    )
    data = build_report(initiatives=[ini], diagrams=False)
    assert [p.kpi.key for p in data.kpis] == ["mttr"]
    assert data.comparisons[0].comparison == c
    assert data.comparisons[0].unit == "h"
    assert data.diagrams == {}


def test_kpi_summary_leads_the_report_with_icons_and_words(data: ReportData) -> None:
    page = render_html(data)
    parsed = _parse(page)
    sections = [a.get("id") for t, a in parsed.tags if t == "section"]
    assert sections[0] == "kpi-summary"
    table = page[page.index('id="kpi-summary-table"') :]
    table = table[: table.index("</table>")]
    rows = _parse(table)
    # One row per KPI panel; its icons are inline SVG with a text alternative.
    assert sum(1 for t, _ in rows.tags if t == "tr") == 1 + len(data.kpis)
    icons = [a for t, a in rows.tags if t == "svg" and a.get("class") == "icon"]
    assert icons
    assert all(a.get("role") == "img" and a.get("aria-label") for a in icons)
    assert all(t != "img" and "href" not in a for t, a in rows.tags)  # drawn here, no asset
    labels = [a["aria-label"] for a in icons]
    assert any(label.startswith(("Special cause", "Common cause")) for label in labels)
    assert any(label.startswith("Target ") for label in labels)
    # The sample's MTTR (lower is better) falls from about 6 h to about 4.2 h: the latest
    # weeks form a shift below the centre (improvement, "L"); the limits of all weeks lie
    # above the 4 h target, so with lower is better it is consistently missed.
    (s,) = summaries(data)
    assert s.chart is not None
    assert (s.variation, s.high) == (Variation.IMPROVEMENT, False)
    assert s.chart.lower > 4.0
    assert s.assurance is Assurance.MISSED
    shown = " ".join(rows.text)
    assert "Improvement (lower)" in shown
    assert "Consistently missed" in shown
    md = render_markdown(data)
    assert md.index("## KPI summary") < md.index("## Register summary")
    row = next(line for line in md.splitlines() if line.startswith("| Mean time to restore"))
    assert s.variation_text in row
    assert s.assurance_text in row
    # Words only: no emoji or pictographs in the Markdown report.
    assert not [c for c in md if ord(c) >= 0x2600 and c not in "≤≥"]
