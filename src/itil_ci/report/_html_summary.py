"""The KPI summary section of the HTML report: icons, words and the legend (private)."""

from __future__ import annotations

import html

from itil_ci.report import _format as f
from itil_ci.report import _icons
from itil_ci.report import _tables as t
from itil_ci.report.summary import Assurance, KPISummary, Variation

__all__ = ["kpi_summary_section"]


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


_VARIATION_WORDS = {
    Variation.IMPROVEMENT: "Improvement",
    Variation.CONCERN: "Concern",
    Variation.NEITHER: "Special cause",
    Variation.COMMON: "Common cause",
}
_ASSURANCE_WORDS = {
    Assurance.MET: "Consistently met",
    Assurance.MISSED: "Consistently missed",
    Assurance.HIT_AND_MISS: "Hit and miss",
}


def _variation_cell(s: KPISummary) -> str:
    if s.variation is None:
        return f'<td><span class="sub">{_e(s.reason)}</span></td>'
    word = _VARIATION_WORDS[s.variation]
    if s.variation is not Variation.COMMON:
        word += " (higher)" if s.high else " (lower)"
    return f'<td class="icon">{_icons.variation(s)}<span>{_e(word)}</span></td>'


def _assurance_cell(s: KPISummary) -> str:
    if s.assurance is None:
        why = "no target" if s.kpi.target is None else ""
        if not why and s.kpi.direction is None:
            why = "no direction"
        return f'<td><span class="sub">{_e(why)}</span></td>'
    word = _ASSURANCE_WORDS[s.assurance]
    return f'<td class="icon">{_icons.assurance(s)}<span>{_e(word)}</span></td>'


def _legend() -> str:
    v, a = _icons.variation_icon, _icons.assurance_icon
    items = [
        (v(Variation.IMPROVEMENT, False, "Special cause improvement"), "improvement"),
        (v(Variation.CONCERN, True, "Special cause concern"), "concern"),
        (v(Variation.NEITHER, True, "Special cause, no direction"), "special cause, no direction"),
        (v(Variation.COMMON, None, "Common cause"), "common cause"),
    ]
    checks = [
        (a(Assurance.MET, "Target consistently met"), "consistently met"),
        (a(Assurance.MISSED, "Target consistently missed"), "consistently missed"),
        (a(Assurance.HIT_AND_MISS, "Target hit and miss"), "hit and miss"),
    ]
    row = "".join(f"<span>{icon} {_e(word)}</span>" for icon, word in items)
    row2 = "".join(f"<span>{icon} {_e(word)}</span>" for icon, word in checks)
    return (
        f'<p class="legend"><b>Variation</b> of the latest point: {row}'
        "(H/L: in higher or lower values). "
        f"<b>Assurance</b> against the target: {row2}(the target lies between the process "
        "limits).</p>" + _RULES
    )


_RULES = (
    "<details><summary>How variation and assurance are decided</summary><ul>"
    "<li>Each KPI's points get an XmR chart (mean ± 2.66 × average moving range) and the "
    "special-cause rules of NHS England's <i>Making Data Count</i>: a point beyond the process "
    "limits, 7 points in a row on one side of the mean, 7 points steadily rising or falling, "
    "2 of 3 points beyond two sigma on one side.</li>"
    "<li><b>Variation</b> looks at the latest point: improvement or concern when it takes part "
    "in a special cause on the KPI's good or bad side, common cause when it takes part in "
    "none.</li>"
    "<li><b>Assurance</b> compares the target with the process limits: consistently met when "
    "the whole process is on the good side of the target, consistently missed when it is on "
    "the bad side, hit and miss when the target lies between the limits.</li>"
    "<li>Limits need at least 12 points. Source: NHS England and NHS Improvement, "
    "<i>Making Data Count</i> guidance; the same icons as the NHS-R Community's "
    "NHSRplotthedots R package.</li></ul></details>"
)


def kpi_summary_section(rows: list[KPISummary]) -> str:
    """The KPI summary section: a row per KPI with sparkline and icons, then the legend."""
    if not rows:
        return ""
    whens = {t.latest_label(s) for s in rows if s.latest_at is not None}
    shared = next(iter(whens)) if len(whens) == 1 else ""
    head = [
        "KPI",
        "latest" + (f'<span class="sub">{_e(shared)}</span>' if shared else ""),
        "target",
        "trend",
        "variation",
        "assurance",
        'mean<span class="sub">process limits</span>',
    ]
    out = ['<section id="kpi-summary"><h2>KPI summary</h2>']
    out.append(
        '<p class="muted">Every KPI at a glance, in the style of NHS England\'s <i>Making Data '
        "Count</i>: is something special happening (variation) and will the process meet its "
        "target (assurance)? Both come from an XmR chart of the points in the trend line"
        + (" (weekly means of daily values)" if any(s.period == "week" for s in rows) else "")
        + ". KPIs with a target or an initiative come first (marked blue) and have a chart "
        'below.</p><div class="wrap"><table id="kpi-summary-table" class="mdc"><thead><tr>'
    )
    out.append("".join(f"<th>{h}</th>" for h in head) + "</tr></thead><tbody>")
    for s in rows:
        k = s.kpi
        name = f"<b>{_e(k.label)}</b>"
        if s.initiative:
            name += f'<span class="sub">{_e(s.initiative)}</span>'
        latest = _e(f.kpi_fixed(s.latest, k, t.places(s)))
        if not shared and s.latest_at is not None:
            latest += f'<span class="sub">{_e(t.latest_label(s))}</span>'
        cls = ' class="tracked"' if s.tracked else ""
        goal = f'<span class="nowrap">{_e(f.target(k, due=False, tolerance=False))}</span>'
        if k.target is not None and k.target.due is not None:
            goal += f'<span class="sub nowrap">by {_e(k.target.due.isoformat())}</span>'
        centre, limits = t.process_parts(s)
        tip = f' title="Limits since {_e(t.since(s))}"' if s.change_at is not None else ""
        out.append(
            f'<tr{cls}><td>{name}</td><td class="num">{latest}</td><td>{goal}</td>'
            f"<td>{_icons.sparkline(s)}</td>{_variation_cell(s)}{_assurance_cell(s)}"
            f'<td class="num"{tip}>{_e(centre)}<span class="sub">{_e(limits)}</span></td></tr>'
        )
    out.append("</tbody></table></div>")
    out.append(_legend())
    out.append("</section>")
    return "".join(out)
