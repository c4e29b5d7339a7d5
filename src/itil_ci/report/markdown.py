"""The Markdown report: the same sections as the HTML report, as tables."""

from __future__ import annotations

import re

from itil_ci.report import _format as f
from itil_ci.report import _tables as t
from itil_ci.report.data import ReportData
from itil_ci.report.summary import summaries

__all__ = ["render_markdown"]

_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|#!~])")


def _md(text: object) -> str:
    """Escape Markdown (and inline HTML) in one table cell or line of user text."""
    one_line = " ".join(str(text).split())
    return _SPECIAL.sub(r"\\\1", one_line)


def _table(tab: t.Table | None) -> list[str]:
    if tab is None or not tab.rows:
        return ["_Nothing to show._", ""]
    headers = [(_md(h) or " ") for h in tab.headers]
    align = ["---:" if j in tab.numeric else "---" for j in range(len(headers))]
    lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join(align) + " |"]
    for row in tab.rows:
        cells = []
        for j, c in enumerate(row):
            cell = _md(c)
            if j == tab.status and c:
                cell = f"**{cell}**"
            cells.append(cell)
        lines.append("| " + " | ".join(cells) + " |")
    return [*lines, ""]


_SUMMARY_INTRO = (
    "Every KPI at a glance, in the style of NHS England's *Making Data Count*: variation says "
    "whether something special is happening at the latest point, assurance whether the process "
    "will meet its target. KPIs with a target or an initiative come first."
)

_RULES = (
    "How these are decided: each KPI's points (weekly means of a long daily series) get an XmR "
    "chart and the special-cause rules of *Making Data Count* (a point beyond the process "
    "limits, 7 points in a row on one side of the mean, 7 points steadily rising or falling, "
    "2 of 3 points beyond two sigma on one side). Variation is a special cause improvement or "
    "concern when the latest point takes part in one on the KPI's good or bad side, common "
    "cause otherwise. Assurance is consistently met or missed when the target lies outside the "
    "process limits, hit and miss when it lies between them. Limits need at least 12 points. "
    "Source: NHS England and NHS Improvement, *Making Data Count*; the same rules as the NHS-R "
    "Community's NHSRplotthedots R package."
)


def render_markdown(data: ReportData) -> str:
    """Render ``data`` as a Markdown document (GitHub-flavoured tables, no charts).

    User text is escaped so that a title cannot inject Markdown or HTML.
    Mermaid diagrams in ``data.diagrams`` are included as ``mermaid`` code
    blocks, which GitHub and many viewers draw.

    Examples:
        >>> from itil_ci.domain import Opportunity
        >>> text = render_markdown(ReportData(title="Q3", opportunities=[Opportunity("A|B")]))
        >>> text.splitlines()[0]
        '# Q3'
        >>> "| logged | 1 |" in text
        True
    """
    if not isinstance(data, ReportData):
        from itil_ci._internal import validate as v

        raise v.fail("data", "a ReportData", data)
    out = [f"# {_md(data.title)}", "", f"Generated {f.when(data.generated_at)}.", ""]
    if data.description:
        out += [_md(data.description), ""]
    rows = summaries(data)
    summary, shared = t.kpi_summary(rows)
    if summary is not None:
        out += ["## KPI summary", "", _SUMMARY_INTRO + (" " + shared if shared else ""), ""]
        out += [*_table(summary), _RULES, ""]
    out += ["## Register summary", ""]
    open_n = sum(1 for o in data.opportunities if o.status.is_open)
    out += [
        f"- {len(data.opportunities)} "
        f"{f.plural(len(data.opportunities), 'opportunity', 'opportunities')} ({open_n} open)",
        f"- {len(data.initiatives)} {f.plural(len(data.initiatives), 'initiative', 'initiatives')}",
        f"- {len(data.kpis)} {f.plural(len(data.kpis), 'KPI', 'KPIs')}",
        "",
    ]
    if data.opportunities:
        out += ["### Opportunities by status", "", *_table(t.opportunities_by_status(data))]
    if data.initiatives:
        out += ["### Initiatives by step", "", *_table(t.initiatives_by_step(data))]
    backlog = t.backlog(data)
    if backlog is not None:
        out += ["## Prioritised backlog", "", _md(t.ranking_method(data)), "", *_table(backlog)]
    elif data.opportunities:
        out += ["## Opportunities", "", "Not prioritised (no ranking was given).", ""]
        out += _table(t.register_entries(data))
    if data.initiatives:
        out += ["## Initiatives", ""]
        for ini in data.initiatives:
            out += [f"### {_md(ini.title)}", ""]
            if ini.description:
                out += [_md(ini.description), ""]
            names = t.steps(ini)
            path = " → ".join(
                f"**{_md(t.step_name(s))}**" if s == ini.step else _md(t.step_name(s))
                for s in names
            )
            out += [f"Steps: {path}", ""]
            facts = t.initiative_facts(ini)
            out += [f"- {_md(k)}: {_md(v)}" for k, v in facts.rows] + [""]
            diagram = data.diagrams.get(ini.id)
            if diagram:
                safe = diagram.replace("```", "'''")
                out += ["```mermaid", safe, "```", ""]
            for label, tab in (
                ("Plan", t.plan(ini)),
                ("PDCA cycles", t.pdca(ini)),
                ("History (audit trail)", t.history(ini)),
            ):
                if tab is not None:
                    out += [f"#### {label}", "", *_table(tab)]
    kpis = t.kpis(data)
    if kpis is not None:
        out += ["## KPIs: baseline → target → current", "", *_table(kpis)]
    if data.control_charts:
        out += ["## Control charts", ""]
        for p in data.control_charts:
            out += [f"### {_md(p.title)}", "", _md(p.chart.method) + ".", "", *_table(t.limits(p))]
            sig = t.signals(p)
            out += (
                [f"Signals ({len(p.signals)}):", "", *_table(sig)]
                if sig is not None
                else ["No special-cause signal: the process is stable.", ""]
            )
    if data.paretos:
        out += ["## Pareto analysis", ""]
        for pa in data.paretos:
            vital = ", ".join(_md(c) for c in pa.vital_few)
            out += [
                f"### {_md(pa.title)}",
                "",
                f"Vital few (up to {f.pct(pa.threshold)}): {vital}",
                "",
                *_table(t.pareto(pa)),
            ]
    comps = t.comparisons(data)
    if comps is not None:
        out += ["## Before and after", "", *_table(comps)]
    if data.notes:
        out += ["## Notes", "", *[f"- {_md(n)}" for n in data.notes], ""]
    return "\n".join(out).rstrip() + "\n"
