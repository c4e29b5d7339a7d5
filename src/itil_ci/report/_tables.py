"""The tables a report shows, as plain text cells shared by the HTML and Markdown renderers."""

from __future__ import annotations

import datetime as dt
import math

import attrs
import numpy as np

from itil_ci.domain.initiative import STEPS, Initiative
from itil_ci.report.data import ControlChartPanel, ParetoPanel, ReportData

__all__ = ["Table", "num"]


@attrs.frozen
class Table:
    """Headers and rows of plain (unescaped) text; ``status`` is a column of red/amber/green."""

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    status: int | None = None
    numeric: frozenset[int] = frozenset()


def plural(n: int, one: str, many: str) -> str:
    """``one`` for a count of 1, else ``many``.

    Examples:
        >>> plural(1, "initiative", "initiatives"), plural(2, "KPI", "KPIs")
        ('initiative', 'KPIs')
    """
    return one if n == 1 else many


def num(x: float | None, unit: str = "") -> str:
    """A number for people: 4 significant digits, thousands separated, optional unit.

    Examples:
        >>> num(5.23456), num(123456.7), num(None), num(4.0, "h")
        ('5.235', '123,457', '—', '4 h')
    """
    if x is None:
        return "—"
    if not math.isfinite(x):
        return str(x)
    s = f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.4g}"
    return f"{s} {unit}" if unit else s


def pct(x: float | None) -> str:
    """A share as a percentage.

    Examples:
        >>> pct(0.8412), pct(None)
        ('84%', '—')
    """
    return "—" if x is None or not math.isfinite(x) else f"{x:.0%}"


def when(t: dt.datetime | dt.date | None) -> str:
    """A time in UTC to the minute, or a date."""
    if t is None:
        return "—"
    if isinstance(t, dt.datetime):
        return t.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return t.isoformat()


def _time_at(panel: ControlChartPanel, i: int) -> str:
    if panel.times is None:
        return str(i)
    return str(np.datetime_as_string(panel.times[i], unit="D"))


# --- summary ----------------------------------------------------------------------


def opportunities_by_status(data: ReportData) -> Table:
    counts = data.opportunities_by_status()
    rows = tuple((k, str(n)) for k, n in counts.items())
    return Table(("status", "opportunities"), rows, numeric=frozenset({1}))


def initiatives_by_step(data: ReportData) -> Table:
    counts = data.initiatives_by_step()
    rows = tuple((k, str(n)) for k, n in counts.items())
    return Table(("step", "initiatives"), rows, numeric=frozenset({1}))


# --- backlog ----------------------------------------------------------------------


def contributions(data: ReportData, id: str) -> tuple[tuple[str, float], ...]:
    """The per-criterion contributions of ``id``'s score, largest first (empty if unknown)."""
    e = data.explanation
    if e is None or id not in e.ids:
        return ()
    return e.for_option(id)


def _why(data: ReportData, id: str) -> str:
    parts = contributions(data, id)
    if parts:
        return ", ".join(f"{name} {num(c)}" for name, c in parts)
    r = data.ranking
    opp = next((o for o in data.opportunities if o.id == id), None)
    if r is None or opp is None:
        return ""
    names = r.criteria or r.keys
    shown = [f"{k} {num(opp.scores[k])}" for k in names if k in opp.scores]
    if not shown and opp.expected_benefit is not None and opp.effort:
        shown = [f"benefit {num(opp.expected_benefit)}", f"effort {num(opp.effort)}"]
    return ", ".join(shown)


def register_entries(data: ReportData) -> Table | None:
    """Every opportunity in the given order (for a report without a ranking)."""
    if not data.opportunities:
        return None
    rows = tuple(
        (
            o.title,
            o.status.value,
            o.source.value,
            o.service,
            num(o.expected_benefit),
            num(o.effort),
        )
        for o in data.opportunities
    )
    return Table(
        ("opportunity", "status", "source", "service", "expected benefit", "effort"),
        rows,
        numeric=frozenset({4, 5}),
    )


def backlog(data: ReportData) -> Table | None:
    """Rank, title, score, status and why (the score's breakdown), best first."""
    r = data.ranking
    if r is None:
        return None
    status = {o.id: o.status.value for o in data.opportunities}
    rows = []
    for id in r.order:
        rows.append(
            (
                str(r.rank_of(id)),
                data.title_of(id),
                num(r.score_of(id)),
                status.get(id, ""),
                _why(data, id),
            )
        )
    return Table(
        ("rank", "opportunity", "score", "status", "why (criterion contributions)"),
        tuple(rows),
        numeric=frozenset({0, 2}),
    )


def ranking_method(data: ReportData) -> str:
    """One sentence on how the backlog was ranked."""
    r = data.ranking
    if r is None:
        return ""
    text = f"Ranked by {r.model}"
    if r.criteria:
        ws = r.weights.tolist() if r.weights.size else []
        crit = [
            f"{c} ({pct(w)}{', ' + d if d == 'cost' else ''})"
            for c, w, d in zip(
                r.criteria,
                ws or [math.nan] * len(r.criteria),
                r.directions or ("",) * len(r.criteria),
                strict=True,
            )
        ]
        text += " with criteria " + ", ".join(crit)
    if r.normalise:
        text += f", {r.normalise} normalisation"
    text += "; higher score ranks first." if r.higher_is_better else "; lower score ranks first."
    if data.explanation is not None:
        text += (
            " The breakdown shows each criterion's share of the score (weight × normalised value)."
        )
    return text


# --- initiatives --------------------------------------------------------------------


def steps(ini: Initiative) -> tuple[str, ...]:
    """The steps of the initiative's model, in order."""
    return STEPS[ini.model]


def initiative_facts(ini: Initiative) -> Table:
    rows = [
        ("model", ini.model.value),
        ("step", ini.step or "not started"),
        ("cycle", str(ini.cycle)),
    ]
    if ini.pdca_step:
        rows.append(("PDCA step", f"{ini.pdca_step} (cycle {len(ini.pdca)})"))
    for label, value in (("owner", ini.owner), ("sponsor", ini.sponsor), ("vision", ini.vision)):
        if value:
            rows.append((label, value))
    for o in ini.objectives:
        rows.append(("objective", o.statement + (f" (owner {o.owner})" if o.owner else "")))
    if ini.outcome is not None:
        rows.append(
            (
                "outcome",
                ini.outcome.closure.value
                + (f": {ini.outcome.summary}" if ini.outcome.summary else ""),
            )
        )
    for lesson in ini.lessons:
        rows.append(("lesson", lesson))
    if ini.remeasure_on is not None:
        rows.append(("re-measure on", ini.remeasure_on.isoformat()))
    return Table(("", ""), tuple(rows))


def plan(ini: Initiative) -> Table | None:
    if not ini.plan:
        return None
    rows = tuple(
        (a.title, a.owner, when(a.due), "yes" if a.done else "no", a.evidence) for a in ini.plan
    )
    return Table(("action", "owner", "due", "done", "evidence"), rows)


def pdca(ini: Initiative) -> Table | None:
    if not ini.pdca:
        return None
    rows = []
    for c in ini.pdca:
        comp = c.comparison
        rows.append(
            (
                str(c.cycle),
                c.objective,
                c.prediction.statement if c.prediction is not None else "",
                comp.verdict.value if comp is not None else "",
                {True: "yes", False: "no", None: ""}[c.prediction_met],
                c.decision.value if c.decision is not None else "",
            )
        )
    return Table(
        ("cycle", "objective", "prediction", "check", "prediction met", "act"), tuple(rows)
    )


def history(ini: Initiative) -> Table | None:
    if not ini.history:
        return None
    rows = tuple(
        (
            str(h.seq),
            when(h.at),
            h.event,
            f"{h.from_step or '—'} → {h.to_step}",
            h.actor,
            "; ".join(x for x in (h.reason, h.note) if x),
        )
        for h in ini.history
    )
    return Table(("#", "when", "event", "move", "who", "why / note"), rows)


# --- KPIs ---------------------------------------------------------------------------


def kpis(data: ReportData) -> Table | None:
    if not data.kpis:
        return None
    rows = []
    for p in data.kpis:
        k, b, e = p.kpi, p.baseline, p.evaluation
        target = "—"
        if k.target is not None:
            target = num(k.target.value)
            if k.target.tolerance_width:
                target += f" ± {num(k.target.tolerance_width)}"
            if k.target.due is not None:
                target += f" by {k.target.due.isoformat()}"
        rows.append(
            (
                k.label,
                p.initiative,
                k.unit,
                k.direction.value if k.direction is not None else "",
                num(b.value) if b is not None else (num(e.baseline) if e is not None else "—"),
                target,
                num(e.value) if e is not None else "—",
                num(e.change) if e is not None else "—",
                pct(e.attainment) if e is not None else "—",
                e.status.value if e is not None else "",
            )
        )
    return Table(
        (
            "KPI",
            "initiative",
            "unit",
            "direction",
            "baseline",
            "target",
            "current",
            "change",
            "attainment",
            "status",
        ),
        tuple(rows),
        status=9,
        numeric=frozenset({4, 6, 7, 8}),
    )


# --- control charts -------------------------------------------------------------------


def limits(panel: ControlChartPanel) -> Table:
    rows = []
    for st in panel.chart.stages:
        span = f"{_time_at(panel, st.start)} – {_time_at(panel, st.end - 1)}"
        rows.append(
            (
                span,
                str(st.end - st.start),
                num(st.lower),
                num(st.centre),
                num(st.upper),
                num(st.mr_bar),
            )
        )
    return Table(
        ("points", "n", "lower limit", "centre", "upper limit", "average moving range"),
        tuple(rows),
        numeric=frozenset({1, 2, 3, 4, 5}),
    )


def signals(panel: ControlChartPanel) -> Table | None:
    if not panel.signals:
        return None
    rows = tuple(
        (
            s.rule,
            _time_at(panel, s.index),
            num(float(panel.values[s.index])),
            s.kind.value,
            f"{len(s.points)} point{'s' if len(s.points) > 1 else ''}",
            s.description,
        )
        for s in panel.signals
    )
    return Table(("rule", "at", "value", "kind", "points", "meaning"), rows)


# --- Pareto ---------------------------------------------------------------------------


def pareto(panel: ParetoPanel) -> Table:
    vital = set(panel.vital_few)
    rows = tuple(
        (c, num(float(n)), pct(float(s)), pct(float(cum)), "yes" if c in vital else "")
        for c, n, s, cum in zip(
            panel.categories, panel.counts, panel.share, panel.cumulative, strict=True
        )
    )
    return Table(
        ("category", panel.unit or "count", "share", "cumulative", "vital few"),
        rows,
        numeric=frozenset({1, 2, 3}),
    )


# --- comparisons ----------------------------------------------------------------------


def comparisons(data: ReportData) -> Table | None:
    if not data.comparisons:
        return None
    rows = []
    for p in data.comparisons:
        c = p.comparison
        rows.append(
            (
                p.title,
                c.statistic,
                f"{num(c.before)} (n={c.n_before:,})",
                f"{num(c.after)} (n={c.n_after:,})",
                num(c.difference, p.unit),
                f"{num(c.low)} to {num(c.high)} ({pct(c.confidence)})",
                f"{c.p_value:.3g}",
                c.verdict.value,
            )
        )
    return Table(
        (
            "KPI",
            "statistic",
            "before",
            "after",
            "difference",
            "confidence interval",
            "p-value",
            "verdict",
        ),
        tuple(rows),
        numeric=frozenset({4, 6}),
    )
