"""The HTML report: one self-contained file (inline CSS, charts as inline SVG)."""

from __future__ import annotations

import collections
import functools
import html
from collections.abc import Callable
from typing import Any

import numpy as np

from itil_ci import plot
from itil_ci.domain.initiative import Initiative
from itil_ci.report import _format as f
from itil_ci.report import _tables as t
from itil_ci.report._html_summary import kpi_summary_section
from itil_ci.report.data import ReportData
from itil_ci.report.summary import KPISummary, summarise

__all__ = ["render_html"]

_CSS = """
:root{--fg:#1d2330;--muted:#5b6475;--line:#d9dee7;--bg:#fff;--soft:#f5f7fa;
--green:#1b7f4b;--amber:#a86200;--red:#b3261e;--blue:#0b5cad}
*{box-sizing:border-box}
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);
background:var(--bg);margin:0}
main{max-width:1100px;margin:0 auto;padding:1.5rem 1.25rem 4rem}
header{border-bottom:3px solid var(--blue);margin-bottom:1rem}
h1{font-size:1.7rem;margin:.2rem 0}h2{font-size:1.3rem;margin:2rem 0 .6rem;
border-bottom:1px solid var(--line);padding-bottom:.2rem}h3{font-size:1.05rem;margin:1.4rem 0 .4rem}
.meta,.muted{color:var(--muted);font-size:.9rem}
nav ul{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.4rem 1rem;margin:.6rem 0}
nav a{color:var(--blue);text-decoration:none}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:.7rem}
.card{background:var(--soft);border:1px solid var(--line);border-radius:8px;padding:.6rem .8rem}
.card b{display:block;font-size:1.4rem}
table{border-collapse:collapse;margin:.4rem 0 1rem;font-size:.9rem;width:auto;max-width:100%}
th,td{border-bottom:1px solid var(--line);padding:.3rem .6rem;text-align:left;vertical-align:top}
th{background:var(--soft);font-weight:600}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.wrap{overflow-x:auto}
.badge{display:inline-block;border-radius:10px;padding:0 .55rem;font-size:.8rem;font-weight:600;
color:#fff}
.badge.green{background:var(--green)}.badge.amber{background:var(--amber)}
.badge.red{background:var(--red)}
.notice{border-left:4px solid var(--amber);background:#fff7e6;padding:.5rem .8rem;margin:1rem 0}
.steps{display:flex;flex-wrap:wrap;gap:.25rem;margin:.4rem 0 .8rem;padding:0;list-style:none}
.steps li{border:1px solid var(--line);border-radius:4px;padding:.1rem .45rem;font-size:.8rem;
color:var(--muted)}
.steps li.done{background:var(--soft);color:var(--fg)}
.steps li.current{background:var(--blue);border-color:var(--blue);color:#fff;font-weight:600}
.why{display:flex;height:10px;width:160px;border-radius:3px;overflow:hidden;
background:var(--soft);margin-top:3px}
.why span{display:block;height:100%}
figure{margin:.6rem 0 1rem}figure svg{display:block}
figcaption{color:var(--muted);font-size:.85rem}
pre{background:var(--soft);padding:.6rem;overflow-x:auto;font-size:.8rem}
.sub{display:block;color:var(--muted);font-size:.78rem;line-height:1.25}
table.mdc{width:100%;font-size:.86rem}table.mdc td{vertical-align:middle;padding:.15rem .45rem}
table.mdc td:first-child b{white-space:nowrap}
table.mdc svg{display:inline-block;vertical-align:middle}
table.mdc tbody tr.tracked td:first-child{border-left:3px solid var(--blue)}
td.icon{white-space:nowrap}td.icon span{margin-left:.35rem;font-size:.85rem}
.legend{font-size:.82rem;color:var(--muted);margin:.2rem 0 .8rem}
.legend svg{vertical-align:middle;width:18px;height:18px}
.legend span{white-space:nowrap;margin-right:.6rem}
details{margin:.3rem 0 .8rem}details>summary{cursor:pointer;color:var(--blue)}
.card small{display:block;color:var(--muted);font-size:.8rem}
dl.facts{display:grid;grid-template-columns:max-content 1fr max-content 1fr;gap:.2rem .9rem;
margin:.4rem 0 .8rem;font-size:.9rem}dl.facts dt{font-weight:600}dl.facts dd{margin:0}
td.num,.nowrap{white-space:nowrap}
@media print{nav{display:none}h2{break-after:avoid}figure,table{break-inside:avoid}}
"""

_PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _table(tab: t.Table | None, cls: str = "") -> str:
    if tab is None or not tab.rows:
        return '<p class="muted">Nothing to show.</p>'
    head = "".join(f"<th>{_e(h)}</th>" for h in tab.headers) if any(tab.headers) else ""
    out = [f'<div class="wrap"><table class="{_e(cls)}">']
    if head:
        out.append(f"<thead><tr>{head}</tr></thead>")
    out.append("<tbody>")
    for row in tab.rows:
        cells = []
        for j, cell in enumerate(row):
            if j == tab.status and cell:
                cells.append(f'<td><span class="badge {_e(cell)}">{_e(cell)}</span></td>')
            elif not head and j == 0:
                cells.append(f"<th>{_e(cell)}</th>")
            else:
                attr = ' class="num"' if j in tab.numeric else ""
                cells.append(f"<td{attr}>{_e(cell)}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table></div>")
    return "".join(out)


class _Charts:
    """Renders charts when matplotlib is there; remembers whether it was."""

    def __init__(self, enabled: bool | None) -> None:
        self.enabled = plot.available() if enabled is None else bool(enabled and plot.available())
        self.asked = enabled is not False

    def figure(self, make: Callable[[str], str], chart_id: str, caption: str) -> str:
        if not self.enabled:
            return ""
        svg = make(chart_id)
        return (
            f'<figure id="fig-{_e(chart_id)}">{svg}<figcaption>{_e(caption)}</figcaption></figure>'
        )

    def notice(self) -> str:
        if self.enabled:
            return ""
        if not self.asked:
            return '<p class="notice">Charts were left out on request; tables show the data.</p>'
        return (
            '<p class="notice" id="no-charts">Charts are not shown: matplotlib is not installed. '
            f"Install the plot extra (<code>{_e(plot.INSTALL_HINT)}</code>) to get them; the "
            "tables below show the same data.</p>"
        )


def _summary(data: ReportData, rows: list[KPISummary]) -> str:
    opps = data.opportunities
    open_n = sum(1 for o in opps if o.status.is_open)
    ev = [p.evaluation for p in data.kpis if p.evaluation is not None]
    status = {s: sum(1 for e in ev if e.status.value == s) for s in ("green", "amber", "red")}
    by_status = " · ".join(f"{n} {k}" for k, n in data.opportunities_by_status().items())
    by_step = " · ".join(
        f"{n} {k.replace('_', ' ')}" for k, n in data.initiatives_by_step().items()
    )
    tracked = sum(1 for r in rows if r.tracked)
    cards = [
        (
            str(len(opps)),
            f.plural(len(opps), "opportunity", "opportunities") + f" ({open_n} open)",
            by_status,
        ),
        (
            str(len(data.initiatives)),
            f.plural(len(data.initiatives), "initiative", "initiatives"),
            by_step,
        ),
        (
            str(len(data.kpis)),
            f.plural(len(data.kpis), "KPI", "KPIs"),
            f"{tracked} with a target or an initiative" if data.kpis else "",
        ),
    ]
    if ev:
        cards.append(
            (
                f"{status['green']} / {status['amber']} / {status['red']}",
                "green / amber / red",
                "KPIs evaluated against their targets",
            )
        )
    out = ['<section id="summary"><h2>Register</h2><div class="cards">']
    out += [
        f'<div class="card"><b>{_e(a)}</b>{_e(b)}'
        + (f"<small>{_e(c)}</small>" if c else "")
        + "</div>"
        for a, b, c in cards
    ]
    out.append("</div></section>")
    return "".join(out)


def _why_bar(data: ReportData, id: str, top: float) -> str:
    parts = t.contributions(data, id)
    if not parts or top <= 0:
        return ""
    crit = data.explanation.criteria if data.explanation is not None else ()
    spans = []
    for name, c in parts:
        if c <= 0:
            continue
        colour = _PALETTE[crit.index(name) % len(_PALETTE)] if name in crit else "#999"
        spans.append(
            f'<span title="{_e(name)}: {_e(f.num(c))}" '
            f'style="width:{100 * c / top:.1f}%;background:{colour}"></span>'
        )
    return '<div class="why">' + "".join(spans) + "</div>"


def _backlog(data: ReportData, charts: _Charts) -> str:
    tab = t.backlog(data)
    if tab is None:
        entries = t.register_entries(data)
        if entries is None:
            return ""
        return (
            '<section id="backlog"><h2>Opportunities</h2><p class="muted">Not prioritised '
            "(no ranking was given).</p>" + _table(entries) + "</section>"
        )
    out = ['<section id="backlog"><h2>Prioritised backlog</h2>']
    out.append(f"<p>{_e(t.ranking_method(data))}</p>")
    r = data.ranking
    assert r is not None
    top = (
        float(np.max(data.explanation.scores))
        if data.explanation is not None and (data.explanation.scores.size)
        else 0.0
    )
    rows = []
    for row, id in zip(tab.rows, r.order, strict=True):
        cells = "".join(
            f'<td class="num">{_e(c)}</td>' if j in tab.numeric else f"<td>{_e(c)}</td>"
            for j, c in enumerate(row[:-1])
        )
        rows.append(f"<tr>{cells}<td>{_e(row[-1])}{_why_bar(data, id, top)}</td></tr>")
    head = "".join(f"<th>{_e(h)}</th>" for h in tab.headers)
    out.append(
        f'<div class="wrap"><table id="backlog-table"><thead><tr>{head}</tr></thead><tbody>'
        + "".join(rows)
        + "</tbody></table></div>"
    )
    if data.explanation is not None:
        legend = " ".join(
            f'<span style="color:{_PALETTE[i % len(_PALETTE)]}">■</span> {_e(c)}'
            for i, c in enumerate(data.explanation.criteria)
        )
        out.append(f'<p class="muted">{legend}</p>')
    by_id = {o.id: o for o in data.opportunities}
    opps = [by_id[i] for i in r.order if i in by_id]
    if len(opps) >= 2 and all(o.expected_benefit is not None and o.effort for o in opps):
        value = np.array([o.expected_benefit for o in opps], dtype=np.float64)
        effort = np.array([o.effort for o in opps], dtype=np.float64)
        from itil_ci.report import _charts

        ranks = [str(r.rank_of(o.id)) for o in opps]
        out.append(
            charts.figure(
                lambda cid: _charts.value_effort(value, effort, ranks, cid),
                "chart-value-effort",
                "Expected benefit against effort; each point is numbered by its rank in the "
                "table above. Dotted lines at the medians; green: quick wins (value at or above "
                "the median, effort below it).",
            )
        )
    out.append("</section>")
    return "".join(out)


def _steps(ini: Initiative) -> str:
    names = t.steps(ini)
    cur = names.index(ini.step) if ini.step in names else -1
    items = []
    for i, s in enumerate(names):
        cls = "current" if i == cur else ("done" if i < cur else "")
        items.append(f'<li class="{cls}">{_e(t.step_name(s))}</li>')
    return '<ol class="steps">' + "".join(items) + "</ol>"


def _initiatives(data: ReportData) -> str:
    if not data.initiatives:
        return ""
    out = ['<section id="initiatives"><h2>Initiatives</h2>']
    for n, ini in enumerate(data.initiatives):
        out.append(f'<article id="initiative-{n}"><h3>{_e(ini.title)}</h3>')
        if ini.description:
            out.append(f"<p>{_e(ini.description)}</p>")
        out.append(_steps(ini))
        facts = t.initiative_facts(ini)
        out.append(
            '<dl class="facts">'
            + "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in facts.rows)
            + "</dl>"
        )
        for label, tab in (("Plan", t.plan(ini)), ("PDCA cycles", t.pdca(ini))):
            if tab is not None:
                out.append(f"<h4>{_e(label)}</h4>{_table(tab)}")
        trail = t.history(ini)
        if trail is not None:
            first, last = ini.history[0].at, ini.history[-1].at
            span = f.date(first)
            if last.date() != first.date():
                span += f" to {f.date(last)}"
            n = len(trail.rows)
            head = f"History (audit trail): {n} {f.plural(n, 'move', 'moves')}, {span}"
            out.append(f"<details><summary>{_e(head)}</summary>{_table(trail)}</details>")
        out.append("</article>")
    out.append("</section>")
    return "".join(out)


def _kpi_caption(s: KPISummary) -> str:
    k = s.kpi
    n = s.values.size
    if s.period == "week":
        text = f"Weekly means (Monday to Sunday) of {s.source_points:,} daily values"
        text += f"; {s.left_out} days of partial weeks left out." if s.left_out else "."
    elif s.period == "day":
        text = f"{n:,} daily values."
    else:
        text = f"{n:,} {f.plural(n, 'value', 'values')}."
    if s.chart is not None:
        c = s.chart
        limits = f"{f.kpi_value(c.lower, k, unit=False, digits=3)} to "
        limits += f.kpi_value(c.upper, k, digits=3)
        if s.change_at is not None:
            since = ("the week of " if s.period == "week" else "") + f.date(s.change_at)
            text += (
                f" Mean and process limits (dotted) are computed separately from {since}, "
                f"when the change took effect; since then: mean "
                f"{f.kpi_value(c.centre, k, digits=3)}, "
                f"limits {limits}."
            )
        else:
            text += f" Mean {f.kpi_value(c.centre, k, digits=3)}, process limits (dotted) {limits}."
        text += " Coloured points take part in a special cause (blue: improvement, red: concern)."
    else:
        text += f" No process limits: {s.reason}."
    if k.target is not None:
        text += " Green: the target" + (
            " and its tolerance band." if k.target.tolerance_width else "."
        )
    return text


def _kpis(data: ReportData, rows: list[KPISummary], charts: _Charts) -> str:
    tab = t.kpis(data)
    if tab is None:
        return ""
    from itil_ci.report import _charts

    out = ['<section id="kpis"><h2>KPIs: baseline → target → current</h2>']
    out.append(
        '<p class="muted">KPIs with a target or an initiative. Attainment is (current − '
        "baseline) / (target − baseline): 0 % at the baseline, 100 % at the target. Status is "
        "green when the target is met, amber when it is missed by no more than the tolerance, "
        "red otherwise.</p>"
    )
    out.append(_table(tab))
    for i, (p, s) in enumerate(zip(data.kpis, rows, strict=True)):
        if not s.tracked or s.values.size == 0:
            continue
        out.append(
            charts.figure(
                functools.partial(_charts.kpi, p, s),
                f"chart-kpi-{i}",
                _kpi_caption(s),
            )
        )
    out.append("</section>")
    return "".join(out)


def _control(data: ReportData, charts: _Charts) -> str:
    if not data.control_charts:
        return ""
    from itil_ci.report import _charts

    out = ['<section id="control-charts"><h2>Control charts</h2>']
    for i, p in enumerate(data.control_charts):
        out.append(f"<h3>{_e(p.title)}</h3>")
        out.append(
            charts.figure(
                functools.partial(_charts.control, p),
                f"chart-control-{i}",
                f"{p.chart.method}. Circled points take part in a special-cause signal.",
            )
        )
        out.append(_table(t.limits(p)))
        sig = t.signals(p)
        if sig is None:
            out.append('<p class="muted">No special-cause signal: the process is stable.</p>')
            continue
        kinds = collections.Counter(s.kind.value for s in p.signals)
        counted = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
        head = f"Signals ({len(p.signals)}: {counted})"
        out.append(
            f"<details><summary>{_e(head)}</summary>{_table(sig)}</details>"
            if len(sig.rows) > 5
            else f"<h4>{_e(head)}</h4>{_table(sig)}"
        )
    out.append("</section>")
    return "".join(out)


def _pareto(data: ReportData, charts: _Charts) -> str:
    if not data.paretos:
        return ""
    from itil_ci.report import _charts

    out = ['<section id="pareto"><h2>Pareto analysis</h2>']
    for i, p in enumerate(data.paretos):
        out.append(f"<h3>{_e(p.title)}</h3>")
        out.append(
            charts.figure(
                functools.partial(_charts.pareto, p),
                f"chart-pareto-{i}",
                f"Largest first; the dark bars are the vital few (up to {f.pct(p.threshold)} of "
                "the total).",
            )
        )
        vital = p.vital_few
        if vital:
            share = float(p.cumulative[len(vital) - 1])
            out.append(
                f"<p>Vital few: {len(vital)} of {len(p.categories)} categories make "
                f"{f.pct(share)} of the total: {_e(', '.join(vital))}.</p>"
            )
        tab = t.pareto(p)
        out.append(
            f"<details><summary>Every category ({len(tab.rows)})</summary>{_table(tab)}</details>"
            if len(tab.rows) > 10
            else _table(tab)
        )
    out.append("</section>")
    return "".join(out)


def _comparisons(data: ReportData, charts: _Charts) -> str:
    tab = t.comparisons(data)
    if tab is None:
        return ""
    from itil_ci.report import _charts

    out = ['<section id="comparisons"><h2>Before and after</h2>']
    out.append(_table(tab))
    for i, p in enumerate(data.comparisons):
        c = p.comparison
        method = c.method or "bootstrap confidence interval of the change"
        out.append(
            charts.figure(
                functools.partial(_charts.comparison, p),
                f"chart-comparison-{i}",
                f"The whisker is the {f.pct(c.confidence)} confidence interval of the change, "
                f"drawn around the after value; {method[:1].lower() + method[1:]} "
                f"({f.p_is(c.p_value)}).",
            )
        )
    out.append("</section>")
    return "".join(out)


def render_html(data: ReportData, *, charts: bool | None = None) -> str:
    """Render ``data`` as one self-contained HTML document.

    Everything is inline (CSS, charts as SVG); nothing is fetched from the
    network.  All text from the data is HTML-escaped.  ``charts=None`` draws
    charts when matplotlib is installed; without it (or with
    ``charts=False``) the report says so and shows the tables only.

    Examples:
        >>> from itil_ci.domain import Opportunity
        >>> page = render_html(ReportData(opportunities=[Opportunity("<b>Fix VPN</b>")]))
        >>> page.startswith("<!DOCTYPE html>"), "&lt;b&gt;Fix VPN" in page, "<b>Fix" in page
        (True, True, False)
    """
    from itil_ci._internal import validate as v

    if not isinstance(data, ReportData):
        raise v.fail("data", "a ReportData", data)
    if charts is not None and not isinstance(charts, bool):
        raise v.fail("charts", "None (draw when matplotlib is installed), True or False", charts)
    ch = _Charts(charts)
    rows = [summarise(p, weekly=data.weekly) for p in data.kpis]
    ordered = sorted(rows, key=lambda r: not r.tracked)
    body_parts: list[tuple[str, str, Callable[[], str]]] = [
        ("kpi-summary", "KPI summary", lambda: kpi_summary_section(ordered)),
        ("summary", "Register", lambda: _summary(data, rows)),
        ("backlog", "Backlog", lambda: _backlog(data, ch)),
        ("initiatives", "Initiatives", lambda: _initiatives(data)),
        ("kpis", "KPIs", lambda: _kpis(data, rows, ch)),
        ("control-charts", "Control charts", lambda: _control(data, ch)),
        ("pareto", "Pareto", lambda: _pareto(data, ch)),
        ("comparisons", "Before / after", lambda: _comparisons(data, ch)),
    ]
    sections: list[tuple[str, str, str]] = []
    for anchor, label, make in body_parts:
        text = make()
        if text:
            sections.append((anchor, label, text))
    nav = "".join(f'<li><a href="#{a}">{_e(lab)}</a></li>' for a, lab, _ in sections)
    has_charts = any(r.tracked and r.values.size for r in rows) or bool(
        data.control_charts or data.paretos or data.comparisons
    )
    notes = "".join(f"<li>{_e(n)}</li>" for n in data.notes)
    parts: list[Any] = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(data.title)}</title><style>{_CSS}</style></head><body><main>",
        f"<header><h1>{_e(data.title)}</h1>",
        f'<p class="meta">Generated {_e(f.when(data.generated_at))}</p>',
        f"<p>{_e(data.description)}</p>" if data.description else "",
        f"<nav><ul>{nav}</ul></nav></header>",
        ch.notice() if has_charts else "",
        "".join(s for _, _, s in sections),
        f'<section id="notes"><h2>Notes</h2><ul>{notes}</ul></section>' if notes else "",
        "</main></body></html>",
    ]
    return "\n".join(p for p in parts if p)
