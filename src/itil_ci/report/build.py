"""Assemble a :class:`~itil_ci.report.ReportData` from library objects or a register."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from itil_ci._internal import validate as v
from itil_ci.domain.initiative import Initiative
from itil_ci.domain.opportunity import Opportunity
from itil_ci.domain.ranking import Ranking
from itil_ci.domain.series import Series
from itil_ci.errors import NotFound
from itil_ci.prioritisation.scoring import Explanation
from itil_ci.report.data import (
    ComparisonPanel,
    ControlChartPanel,
    KPIPanel,
    ParetoPanel,
    ReportData,
    _panels_from_initiatives,
)

if TYPE_CHECKING:
    from itil_ci.register import Register

__all__ = [
    "MAX_CHART_POINTS",
    "build_report",
    "diagrams_of",
    "report_from_register",
    "write_report",
]

#: Longest series :func:`report_from_register` draws as an individuals (XmR) chart.
MAX_CHART_POINTS = 1000

T = TypeVar("T")


def _items(name: str, value: object, cls: type[T], what: str) -> list[T]:
    """``value`` as a list of ``cls``: a list, tuple or other iterable, never a string."""
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        raise v.fail(name, f"a list of {what}", value)
    items = list(value)
    for i, item in enumerate(items):
        if not isinstance(item, cls):
            raise v.fail(f"{name}[{i}]", f"a {what.rstrip('s')}", item)
    return items


def diagrams_of(initiatives: Iterable[Initiative]) -> dict[str, str]:
    """Mermaid text of each initiative's model with its current step highlighted, by id.

    Examples:
        >>> from itil_ci.domain import Initiative
        >>> d = diagrams_of([Initiative("x", id="i1", model="pdca", step="do")])
        >>> d["i1"].splitlines()[0]
        'stateDiagram-v2'
    """
    from itil_ci.engines import engine_class

    inis = _items("initiatives", initiatives, Initiative, "Initiatives")
    return {i.id: engine_class(i.model).mermaid(i.step) for i in inis}


def build_report(
    *,
    opportunities: Sequence[Opportunity] = (),
    initiatives: Sequence[Initiative] = (),
    ranking: Ranking | None = None,
    explanation: Explanation | None = None,
    series: Mapping[str, Series] | None = None,
    kpis: Sequence[KPIPanel] = (),
    control_charts: Sequence[ControlChartPanel] = (),
    paretos: Sequence[ParetoPanel] = (),
    comparisons: Sequence[ComparisonPanel] = (),
    title: str = "Continual improvement report",
    description: str = "",
    notes: Sequence[str] = (),
    generated_at: dt.datetime | None = None,
    diagrams: bool = True,
) -> ReportData:
    """A report of these objects; KPI and comparison panels come from the initiatives.

    Each initiative contributes one :class:`KPIPanel` per KPI (its baseline,
    its evaluation, or the gap recorded at "target state" before there is
    one, and ``series[key]`` when given) and one :class:`ComparisonPanel`
    per comparison it holds.  ``kpis`` and ``comparisons`` are added after
    those.  ``diagrams=True`` adds each initiative's Mermaid diagram.

    Examples:
        >>> from itil_ci.domain import KPI, Baseline, Initiative
        >>> ini = Initiative("Faster restores", kpis=[KPI("mttr")],
        ...                  baselines={"mttr": Baseline("mttr", 6.0)})
        >>> data = build_report(initiatives=[ini])
        >>> [(p.kpi.key, p.baseline.value, p.initiative) for p in data.kpis]
        [('mttr', 6.0, 'Faster restores')]
    """
    inis = _items("initiatives", initiatives, Initiative, "Initiatives")
    opps = _items("opportunities", opportunities, Opportunity, "Opportunities")
    if series is None:
        series = {}
    if not isinstance(series, Mapping):
        raise v.fail("series", "None or a mapping of KPI keys to Series", series)
    for key, s in series.items():
        if not isinstance(key, str) or not isinstance(s, Series):
            raise v.fail(f"series[{key!r}]", "a Series under a KPI key", s)
    kpi_panels = _items("kpis", kpis, KPIPanel, "KPIPanels")
    charts = _items("control_charts", control_charts, ControlChartPanel, "ControlChartPanels")
    pareto_panels = _items("paretos", paretos, ParetoPanel, "ParetoPanels")
    comparison_panels = _items("comparisons", comparisons, ComparisonPanel, "ComparisonPanels")
    texts = _items("notes", notes, str, "strings")
    k, c = _panels_from_initiatives(inis, series)
    extra: dict[str, Any] = {} if generated_at is None else {"generated_at": generated_at}
    return ReportData(
        title=title,
        description=description,
        opportunities=opps,
        initiatives=inis,
        ranking=ranking,
        explanation=explanation,
        kpis=[*k, *kpi_panels],
        control_charts=charts,
        paretos=pareto_panels,
        comparisons=[*c, *comparison_panels],
        diagrams=diagrams_of(inis) if v.flag("diagrams", diagrams) else {},
        notes=texts,
        **extra,
    )


def report_from_register(
    reg: Register,
    *,
    model: str = "weighted-sum",
    criteria: Any = None,
    keys: Mapping[str, str] | None = None,
    rules: str = "western-electric",
    control_charts: bool = True,
    paretos: Sequence[ParetoPanel] = (),
    title: str = "Continual improvement report",
    description: str = "",
    notes: Sequence[str] = (),
) -> ReportData:
    """A report of everything in a register.

    - every opportunity and initiative;
    - the open backlog ranked by ``reg.prioritised(model, criteria, keys=keys)``
      when ``criteria`` is given or ``model`` needs none (not for
      ``"weighted-sum"``/``"topsis"`` without criteria), with the score
      breakdown of :func:`itil_ci.prioritisation.explain` for the weighted sum;
    - a KPI panel per KPI of each initiative, and one for each KPI defined in
      the register but used by no initiative (with its latest baseline), each
      with the KPI's recorded series;
    - with ``control_charts=True``, an XmR chart (signals by ``rules``, judged
      by the KPI's direction) of each recorded series of 2 to
      :data:`MAX_CHART_POINTS` values (a longer one is noted: aggregate it
      first, e.g. into weekly values, and pass your own panel to
      :func:`build_report`), except the series of KPIs with neither a target
      nor an initiative: those are in the KPI summary only;
    - ``paretos`` as given.

    Examples:
        >>> from itil_ci.register import Register
        >>> from itil_ci.domain import Opportunity
        >>> reg = Register.in_memory()
        >>> _ = reg.log(Opportunity("Automate resets", expected_benefit=8, effort=2))
        >>> report_from_register(reg, model="wsjf").ranking is None
        True
        >>> report_from_register(reg).opportunities_by_status()
        {'logged': 1}
    """
    from itil_ci.register import Register

    if not isinstance(reg, Register):
        raise v.fail("reg", "a Register", reg)
    if not isinstance(model, str):
        raise v.fail("model", "the name of a prioritisation model such as 'wsjf'", model)
    if not isinstance(rules, str):
        raise v.fail("rules", "'western-electric', 'nelson' or 'nhs'", rules)
    if keys is not None and not isinstance(keys, Mapping):
        raise v.fail("keys", "None or a mapping of model inputs to score keys", keys)
    v.flag("control_charts", control_charts)
    notes = _items("notes", notes, str, "strings")
    paretos = _items("paretos", paretos, ParetoPanel, "ParetoPanels")
    opps = reg.opportunities()
    inis = reg.initiatives()
    ranking: Ranking | None = None
    explanation: Explanation | None = None
    backlog = [o for o in opps if o.status.is_open]
    needs_criteria = model in ("weighted-sum", "topsis")
    if backlog and (criteria is not None or not needs_criteria):
        try:
            ranking = reg.prioritised(model, criteria, keys=keys)
        except ValueError as exc:
            notes = [*notes, f"The backlog could not be ranked by {model}: {exc}"]
        if ranking is not None and model == "weighted-sum":
            from itil_ci.prioritisation import as_criteria, explain

            explanation = explain(backlog, as_criteria(criteria), keys=keys)
    derived = reg.derivations()
    recorded = {key for key, *_ in reg.store.series_keys()} | {d.key for d in derived}
    series = {key: reg.series(key) for key in sorted(recorded)}
    notes = [*notes, *_derived_notes(reg, derived)]
    used = {k.key for i in inis for k in i.kpis}
    extra_panels = []
    for kpi in reg.kpis():
        if kpi.key in used:
            continue
        try:
            base = reg.baseline(kpi.key)
        except NotFound:
            base = None
        extra_panels.append(KPIPanel(kpi, base, None, series.get(kpi.key)))
    charts: list[ControlChartPanel] = []
    if control_charts:
        directions = {k.key: k.direction for k in reg.kpis()}
        for i in inis:
            directions.update({k.key: k.direction for k in i.kpis})
        # KPIs without a target or an initiative stay in the KPI summary, without a chart.
        quiet = {k.key for k in reg.kpis() if k.target is None} - used
        for key, s in series.items():
            n = len(s)
            if s.missing or n < 2 or key in quiet:
                continue
            if n > MAX_CHART_POINTS:
                notes = [
                    *notes,
                    f"No control chart of {key!r}: {n:,} observations are too many for an "
                    "individuals chart; aggregate them first (e.g. weekly values).",
                ]
                continue
            charts.append(
                ControlChartPanel.from_values(key, s, rules=rules, direction=directions.get(key))
            )
    return build_report(
        opportunities=opps,
        initiatives=inis,
        ranking=ranking,
        explanation=explanation,
        series=series,
        kpis=extra_panels,
        control_charts=charts,
        paretos=paretos,
        title=title,
        description=description,
        notes=notes,
    )


def _derived_notes(reg: Register, derived: Sequence[Any]) -> list[str]:
    """What the register derives from its tickets, on what basis, and what it cannot."""
    from itil_ci.register import _derive

    if not derived:
        return []
    out = []
    first = derived[0].provenance
    metrics = [m for m in _derive.METRICS if any(d.metric == m for d in derived)]
    columns = sorted({c for d in derived for c in d.where})
    per = f" per {' and '.join(c.replace('_', ' ') for c in columns)}" if columns else ""
    labels = ", ".join(_derive.METRICS[m].label for m in metrics)
    if first is not None:
        out.append(
            f"{len(derived)} KPIs ({labels}){per} are derived per day from the "
            f"{first.stored:,} tickets kept in the register (checksum {first.short_checksum})."
        )
    bases = sorted({d.provenance.basis for d in derived if d.metric == "sla" and d.provenance})
    out += [f"SLA attainment is judged against {b}." for b in bases if b]
    tickets = reg.tickets()
    slas = {s.name: s for s in reg.slas()}
    sla_of = next((slas.get(d.sla or "") for d in derived if d.metric == "sla"), None)
    for m in _derive.METRICS:
        if m in metrics or not len(tickets):
            continue
        why = _derive.missing(m, tickets, sla_of if m == "sla" else None)
        if why is not None:
            out.append(f"{_derive.METRICS[m].label} is not derived: {why.split('; define')[0]}.")
    return out


def write_report(
    data: ReportData, path: str | os.PathLike[str], *, format: str | None = None
) -> Path:
    """Write ``data`` to ``path`` as HTML or Markdown (``format``, else from the suffix).

    ``format`` is ``"html"`` or ``"md"``; without it ``.md``/``.markdown``
    files get Markdown and anything else HTML.  The file is written as UTF-8.

    Examples:
        >>> import tempfile, pathlib
        >>> out = pathlib.Path(tempfile.mkdtemp()) / "report.md"
        >>> write_report(ReportData(title="Q3"), out).read_text(encoding="utf-8").splitlines()[0]
        '# Q3'
    """
    from itil_ci._internal import paths as _paths
    from itil_ci.report.html import render_html
    from itil_ci.report.markdown import render_markdown

    if not isinstance(data, ReportData):
        raise v.fail("data", "a ReportData", data)
    p = _paths.output_file("path", path)
    fmt = format
    if fmt is None:
        fmt = "md" if p.suffix.lower() in (".md", ".markdown") else "html"
    if not isinstance(fmt, str) or fmt not in ("html", "md"):
        raise v.fail("format", "'html', 'md' or None", format)
    text = render_markdown(data) if fmt == "md" else render_html(data)
    try:
        p.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise _paths.os_error(exc, "write the report", p) from None
    return p
