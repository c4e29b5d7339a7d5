"""The tables a report shows, as plain text cells shared by the HTML and Markdown renderers."""

from __future__ import annotations

import math

import attrs

from itil_ci.domain.initiative import STEPS, Initiative
from itil_ci.report import _format as f
from itil_ci.report._format import num, pct, plural, when
from itil_ci.report.data import ControlChartPanel, ParetoPanel, ReportData
from itil_ci.report.summary import KPISummary

__all__ = ["Table", "num", "pct", "plural", "when"]


@attrs.frozen
class Table:
    """Headers and rows of plain (unescaped) text; ``status`` is a column of red/amber/green."""

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    status: int | None = None
    numeric: frozenset[int] = frozenset()


def _time_at(panel: ControlChartPanel, i: int) -> str:
    if panel.times is None:
        return str(i + 1)
    return f.date(panel.times[i])


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


def step_name(step: str | None) -> str:
    """A step for people: ``current state``, ``PDCA check``."""
    if not step:
        return f.DASH
    if step.startswith("pdca:"):
        step = "PDCA " + step[5:]
    return step.replace("_", " ")


def initiative_facts(ini: Initiative) -> Table:
    """Model, step, owner, objectives, outcome...; iterations and PDCA cycles count from 1."""
    rows = [
        ("model", ini.model.value),
        ("step", step_name(ini.step) if ini.step else "not started"),
    ]
    if ini.model.value == "pdca":
        rows.append(("cycle", str(ini.cycle + 1)))
    else:
        rows.append(("iteration", str(ini.cycle + 1)))
    if ini.pdca:
        n = len(ini.pdca)
        step = ini.pdca_step
        state = "" if not step else (" closed" if step == "closed" else f" at {step}")
        rows.append(("PDCA cycles", f"{n} (cycle {n}{state})" if state else str(n)))
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
    """One row per PDCA cycle, numbered from 1 (the record's ``cycle`` + 1)."""
    if not ini.pdca:
        return None
    rows = []
    for c in ini.pdca:
        comp = c.comparison
        rows.append(
            (
                str(c.cycle + 1),
                c.objective,
                c.prediction.statement if c.prediction is not None else "",
                comp.verdict.value if comp is not None else "",
                {True: "yes", False: "no", None: ""}[c.prediction_met],
                c.decision.value if c.decision is not None else "",
            )
        )
    return Table(
        ("cycle", "objective", "prediction", "check", "prediction met", "act"),
        tuple(rows),
        numeric=frozenset({0}),
    )


def history(ini: Initiative) -> Table | None:
    """The audit trail in order: when, who, which move and why."""
    if not ini.history:
        return None
    rows = tuple(
        (
            str(h.seq + 1),
            when(h.at),
            h.event.replace("pdca.", "PDCA "),
            f"{step_name(h.from_step)} → {step_name(h.to_step)}",
            h.actor,
            "; ".join(x for x in (h.reason, h.note) if x),
        )
        for h in ini.history
    )
    return Table(("#", "when", "event", "move", "who", "why / note"), rows, numeric=frozenset({0}))


# --- KPIs ---------------------------------------------------------------------------


def _direction(p_direction: object) -> str:
    value = getattr(p_direction, "value", "")
    return str(value).replace("-", " ")


def kpis(data: ReportData) -> Table | None:
    """Baseline, target, current value and status of each KPI with a target or an initiative."""
    rows = []
    for p in data.kpis:
        k, b, e = p.kpi, p.baseline, p.evaluation
        if k.target is None and not p.initiative:
            continue
        baseline = b.value if b is not None else (e.baseline if e is not None else None)
        rows.append(
            (
                k.label,
                p.initiative,
                f.unit_of(k),
                _direction(k.direction),
                f.kpi_value(baseline, k, unit=False),
                f.target(k, unit=False),
                f.kpi_value(e.value if e is not None else None, k, unit=False),
                f.kpi_change(e.change if e is not None else None, k, unit=False),
                pct(e.attainment) if e is not None else f.DASH,
                e.status.value if e is not None else "",
            )
        )
    if not rows:
        return None
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


def latest_label(s: KPISummary) -> str:
    """When the latest value was measured: ``week of 2025-12-29``, ``2025-12-31`` or empty."""
    if s.latest_at is None:
        return ""
    return ("week of " if s.period == "week" else "") + f.date(s.latest_at)


def places(s: KPISummary) -> int:
    """Decimals for every value of one summary row: 3 significant digits at its mean's size."""
    scale = s.chart.centre if s.chart is not None else s.latest
    return f.decimals(scale)


def process_parts(s: KPISummary) -> tuple[str, str]:
    """The mean and the natural process limits (``low–high``) of the summarised points."""
    if s.chart is None:
        return f.DASH, ""
    k, n = s.kpi, places(s)
    c = s.chart
    low, high = f.kpi_fixed(c.lower, k, n, unit=False), f.kpi_fixed(c.upper, k, n, unit=False)
    return f.kpi_fixed(c.centre, k, n, unit=False), f"{low}–{high}"


def process(s: KPISummary) -> str:
    """The mean and natural process limits of the summarised points, in the KPI's unit."""
    centre, limits = process_parts(s)
    return centre if not limits else f"{centre} ({limits.replace('–', ' to ')})"


def points(s: KPISummary) -> str:
    """What the summary's points are: ``53 weekly means of 365 days``."""
    n = s.values.size
    if s.period == "week":
        text = f"{n} weekly {plural(n, 'mean', 'means')} of {s.source_points:,} days"
        if s.left_out:
            text += f" ({s.left_out} days of partial weeks at the ends left out)"
    elif s.period == "day":
        text = f"{n} {plural(n, 'day', 'days')}"
    else:
        text = f"{n} {plural(n, 'value', 'values')}"
    if s.missing:
        text += f" ({s.missing} missing left out)"
    return text if n else f.DASH


def kpi_summary(rows: tuple[KPISummary, ...]) -> tuple[Table | None, str]:
    """The KPI summary in words (the Markdown report), and a sentence for what rows share.

    When every row has the same latest period and the same kind of points,
    those go into the sentence and the header instead of every row.
    """
    if not rows:
        return None, ""
    whens = {latest_label(s) for s in rows}
    kinds = {points(s) for s in rows}
    shared_when = next(iter(whens)) if len(whens) == 1 else ""
    shared_points = next(iter(kinds)) if len(kinds) == 1 else ""
    out = []
    for s in rows:
        k = s.kpi
        latest = f.kpi_fixed(s.latest, k, places(s))
        when_ = latest_label(s)
        if when_ and not shared_when:
            latest += f" ({when_})"
        row = [
            k.label,
            s.initiative,
            latest,
            f.target(k),
            s.variation_text or s.reason,
            s.assurance_text or ("no target" if k.target is None else f.DASH),
            process(s) + (f", since {since(s)}" if s.change_at is not None else ""),
        ]
        if not shared_points:
            row.append(points(s))
        out.append(tuple(row))
    headers = [
        "KPI",
        "initiative",
        f"latest ({shared_when})" if shared_when else "latest",
        "target",
        "variation",
        "assurance",
        "mean (process limits)",
    ]
    if not shared_points:
        headers.append("points")
    note = f"Each KPI: {shared_points}." if shared_points and shared_points != f.DASH else ""
    return Table(tuple(headers), tuple(out)), note


def since(s: KPISummary) -> str:
    """Where the limits after a change start: ``the week of 2025-07-07`` or a date."""
    return ("the week of " if s.period == "week" else "") + f.date(s.change_at)


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
        u = p.unit
        rows.append(
            (
                p.title,
                c.statistic,
                f"{f.value_in(c.before, u, show_unit=False)} (n={c.n_before:,})",
                f"{f.value_in(c.after, u, show_unit=False)} (n={c.n_after:,})",
                f.change_in(c.difference, u),
                f"{f.change_in(c.low, u, show_unit=False).removesuffix(' points')} to "
                f"{f.change_in(c.high, u, show_unit=False)} ({pct(c.confidence)})"
                if f.share_unit(u)
                else f"{num(c.low)} to {num(c.high)} ({pct(c.confidence)})",
                f.pvalue(c.p_value),
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
        numeric=frozenset({2, 3, 4, 6}),
    )
