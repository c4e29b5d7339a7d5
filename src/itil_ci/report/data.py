"""What a report shows: frozen attrs records assembled from plain library objects.

A :class:`ReportData` holds the register's entries (opportunities and
initiatives), the prioritised backlog (a :class:`~itil_ci.domain.ranking.Ranking`
and, for the weighted sum, the :class:`~itil_ci.prioritisation.Explanation` of
each score) and panels: one per KPI, control chart, Pareto analysis and
before/after comparison.  Renderers read these records and nothing else.
"""

from __future__ import annotations

import collections
import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from itil_ci._internal import arrays, display
from itil_ci._internal import validate as v
from itil_ci.domain.baseline import Baseline
from itil_ci.domain.initiative import Initiative
from itil_ci.domain.kpi import KPI
from itil_ci.domain.opportunity import Opportunity, OpportunityStatus
from itil_ci.domain.ranking import Ranking
from itil_ci.domain.results import Comparison, Evaluation, Signal
from itil_ci.domain.series import Series
from itil_ci.errors import ItilCiError
from itil_ci.measurement.pareto import ParetoAnalysis, pareto
from itil_ci.measurement.spc import ControlChart
from itil_ci.prioritisation.scoring import Explanation

__all__ = [
    "ComparisonPanel",
    "ControlChartPanel",
    "KPIPanel",
    "ParetoPanel",
    "ReportData",
]

F64 = npt.NDArray[np.float64]


def _tuple(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(value)
    return value


def _v_items(cls: type[Any] | tuple[type[Any], ...]) -> Any:
    def check(inst: Any, attribute: attrs.Attribute[Any], value: object) -> None:
        name = f"{type(inst).__name__}.{attribute.name}"
        if not isinstance(value, tuple):
            raise v.fail(name, "a list", value)
        names = cls.__name__ if isinstance(cls, type) else " or ".join(c.__name__ for c in cls)
        for i, item in enumerate(value):
            if not isinstance(item, cls):
                raise v.fail(f"{name}[{i}]", f"a {names}", item)

    return check


def _c_floats(value: Any) -> Any:
    if isinstance(value, Series):
        value = value.values
    try:  # the shared number check; what it refuses is named by the validator below
        arr = arrays.as_values("values", value, allow_missing=True)
    except ItilCiError:
        return value
    return arrays.readonly(arr.copy() if arr is value else arr)


def _v_floats(inst: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    name = f"{type(inst).__name__}.{attribute.name}"
    if not isinstance(value, np.ndarray) or value.dtype != np.float64:
        arrays.as_values(name, value)  # raises the standard error naming the field
        raise v.fail(name, "a one-dimensional sequence of numbers", value)  # pragma: no cover
    if not np.isfinite(value).all():
        raise v.fail(name, "finite numbers", "a NaN or infinite value")


def _c_times(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, Series):
        return value.times
    try:
        return arrays.readonly(arrays.as_times("times", value))
    except Exception:
        return value


@attrs.frozen
class KPIPanel:
    """One KPI: its baseline → target → current value, with the evaluation.

    ``series`` (optional) is what a KPI-vs-target chart draws; ``initiative``
    names the initiative the KPI belongs to, when it belongs to one.
    ``change_at`` (optional, timezone-aware) is when a deliberate change to
    the process took effect: the KPI summary and chart compute separate
    process limits before and after it.  :func:`~itil_ci.report.build_report`
    sets it to when the initiative started taking action (its first move
    into "action", "do" or "implement").

    Examples:
        >>> from itil_ci.domain import KPI, Target, Baseline
        >>> p = KPIPanel(KPI("mttr", direction="lower", target=Target(4.0)), Baseline("mttr", 6.0))
        >>> p.kpi.key, p.baseline.value, p.evaluation is None
        ('mttr', 6.0, True)
    """

    kpi: KPI = attrs.field(validator=v.v_instance(KPI))
    baseline: Baseline | None = attrs.field(
        default=None, validator=v.v_instance(Baseline, allow_none=True)
    )
    evaluation: Evaluation | None = attrs.field(
        default=None, validator=v.v_instance(Evaluation, allow_none=True)
    )
    series: Series | None = attrs.field(
        default=None, validator=v.v_instance(Series, allow_none=True)
    )
    initiative: str = attrs.field(default="", validator=v.v_text())
    change_at: dt.datetime | None = attrs.field(
        default=None, converter=v.c_aware, validator=v.v_aware(allow_none=True)
    )

    def _repr_html_(self) -> str:
        return display.html(self)


@attrs.frozen
class ControlChartPanel:
    """A control chart to draw: the values, the chart's limits and the signals found.

    A :class:`~itil_ci.measurement.spc.ControlChart` keeps only limits, so the
    panel carries the plotted ``values`` (and optional ``times``) beside it.
    :meth:`from_values` builds the chart and finds the signals in one call.

    Examples:
        >>> p = ControlChartPanel.from_values("MTTR", [5, 5.5, 4.5, 5, 5.2, 4.8, 5, 9, 5],
        ...                                   baseline_points=7, rules="nhs", direction="lower")
        >>> [(s.rule, s.index) for s in p.signals]
        [('astronomical', 7)]
    """

    title: str = attrs.field(validator=v.v_text())
    values: F64 = attrs.field(
        converter=_c_floats, validator=_v_floats, eq=attrs.cmp_using(eq=np.array_equal)
    )
    chart: ControlChart = attrs.field(validator=v.v_instance(ControlChart))
    signals: tuple[Signal, ...] = attrs.field(
        default=(), converter=_tuple, validator=_v_items(Signal)
    )
    times: npt.NDArray[np.datetime64] | None = attrs.field(
        default=None, converter=_c_times, eq=attrs.cmp_using(eq=np.array_equal)
    )
    unit: str = attrs.field(default="", validator=v.v_text())

    def __attrs_post_init__(self) -> None:
        if self.values.size != self.chart.n:
            raise v.fail(
                "ControlChartPanel.values",
                f"{self.chart.n} values (the chart's length)",
                f"{self.values.size} values",
            )
        if self.times is not None and (
            not isinstance(self.times, np.ndarray) or self.times.shape != self.values.shape
        ):
            raise v.fail("ControlChartPanel.times", f"None or {self.values.size} times", self.times)
        for i, s in enumerate(self.signals):
            if not all(0 <= p < self.values.size for p in s.points):
                raise v.fail(
                    f"ControlChartPanel.signals[{i}].points",
                    f"indices in 0..{self.values.size - 1}",
                    s.points,
                )

    @classmethod
    def from_values(
        cls,
        title: str,
        values: Any,
        *,
        times: Any = None,
        rules: str = "western-electric",
        direction: Any = None,
        unit: str = "",
        **xmr_options: Any,
    ) -> ControlChartPanel:
        """Build the XmR chart of ``values`` (a Series or numbers) and find its signals.

        ``xmr_options`` go to :func:`itil_ci.measurement.spc.xmr` (e.g.
        ``change_at=`` for a staged before/after chart, ``baseline_points=``);
        ``rules`` and ``direction`` to :func:`~itil_ci.measurement.spc.signals`.

        Examples:
            >>> p = ControlChartPanel.from_values("MTTR", [5, 6, 5, 6, 5, 6, 5, 14], unit="h")
            >>> p.chart.centre, [(s.rule, s.index) for s in p.signals]
            (6.5, [('we1', 7)])
        """
        from itil_ci.measurement.spc import signals, xmr

        if not isinstance(rules, str):
            raise v.fail("rules", "'western-electric', 'nelson' or 'nhs'", rules)
        import inspect

        accepted = set(inspect.signature(xmr).parameters) - {"values", "times"}
        unknown = sorted(set(xmr_options) - accepted)
        if unknown:
            raise v.fail("xmr_options", "options of xmr: " + ", ".join(sorted(accepted)), unknown)
        if isinstance(values, Series) and times is None:
            times = values.times
        chart = xmr(values, times=times, **xmr_options)
        found = signals(values, chart, rules, direction=direction)
        return cls(title, values, chart, found, times=times, unit=unit)

    def _repr_html_(self) -> str:
        return display.html(self)


def _c_labels(value: Any) -> Any:
    if isinstance(value, np.ndarray) and value.dtype.kind in "US":
        return tuple(str(x) for x in value.tolist())
    if isinstance(value, list | np.ndarray):
        return tuple(value.tolist() if isinstance(value, np.ndarray) else value)
    return value


def _v_labels(inst: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, tuple) or not all(isinstance(x, str) for x in value):
        raise v.fail("ParetoPanel.categories", "a list of category names", value)


@attrs.frozen
class ParetoPanel:
    """Counts per category, to be shown largest first with the cumulative share.

    ``threshold`` is the cumulative share that separates the "vital few" (80 %
    by default, the usual Pareto cut) from the rest.  Categories are sorted by
    count, largest first, ties by name; shares, the cumulative share and the
    vital few come from :func:`itil_ci.measurement.pareto`, so a panel and an
    analysis of the same counts always agree.  A panel of all-zero counts has
    no vital few.

    Examples:
        >>> p = ParetoPanel("Incidents by category", ["network", "email", "vpn"], [10, 60, 30])
        >>> p.categories, p.cumulative.tolist(), p.vital_few
        (('email', 'vpn', 'network'), [0.6, 0.9, 1.0], ('email', 'vpn'))
    """

    title: str = attrs.field(validator=v.v_text())
    categories: tuple[str, ...] = attrs.field(converter=_c_labels, validator=_v_labels)
    counts: F64 = attrs.field(
        converter=_c_floats, validator=_v_floats, eq=attrs.cmp_using(eq=np.array_equal)
    )
    threshold: float = attrs.field(default=0.8, validator=v.v_number(minimum=0))
    unit: str = attrs.field(default="count", validator=v.v_text())

    def __attrs_post_init__(self) -> None:
        if len(self.categories) != self.counts.size:
            raise v.fail(
                "ParetoPanel.counts",
                f"{len(self.categories)} counts (one per category)",
                f"{self.counts.size} counts",
            )
        if (self.counts < 0).any():
            raise v.fail("ParetoPanel.counts", "counts >= 0", self.counts.tolist())
        if not 0 < self.threshold <= 1:
            raise v.fail("ParetoPanel.threshold", "a share in (0, 1]", self.threshold)
        v.unique("ParetoPanel.categories", self.categories)
        order = np.lexsort((np.asarray(self.categories, dtype=str), -self.counts))
        object.__setattr__(self, "categories", tuple(self.categories[i] for i in order))
        object.__setattr__(self, "counts", arrays.readonly(self.counts[order]))

    @classmethod
    def from_counts(cls, title: str, counts: Mapping[str, float], **options: Any) -> ParetoPanel:
        """Build from a mapping ``{category: count}``.

        Examples:
            >>> ParetoPanel.from_counts("x", {"a": 1, "b": 3}).categories
            ('b', 'a')
        """
        if not isinstance(counts, Mapping):
            raise v.fail("counts", "a mapping of category names to counts", counts)
        return cls(title, list(counts), list(counts.values()), **options)

    @classmethod
    def from_analysis(cls, title: str, analysis: Any, **options: Any) -> ParetoPanel:
        """Build from a :class:`~itil_ci.measurement.ParetoAnalysis` (or alike).

        Reads ``categories`` and ``totals`` (or ``counts``), and the cut-off
        (``cutoff`` or ``threshold``) unless ``threshold=`` is given.

        Examples:
            >>> from itil_ci.measurement import pareto
            >>> pa = pareto(["disk", "network", "disk", "auth", "disk", "network"])
            >>> p = ParetoPanel.from_analysis("Causes", pa)
            >>> p.categories, p.vital_few == pa.vital_few
            (('disk', 'network', 'auth'), True)
        """
        cats = getattr(analysis, "categories", None)
        counts = next(
            (
                getattr(analysis, a)
                for a in ("totals", "counts")
                if getattr(analysis, a, None) is not None
            ),
            None,
        )
        if cats is None or counts is None:
            raise v.fail("analysis", "a Pareto analysis with categories and totals", analysis)
        if "threshold" not in options:
            for a in ("cutoff", "threshold"):
                cut = getattr(analysis, a, None)
                if isinstance(cut, float):
                    options["threshold"] = cut
                    break
        if "unit" not in options and getattr(analysis, "weighted", False):
            options["unit"] = "total"
        return cls(title, list(cats), counts, **options)

    @property
    def total(self) -> float:
        """The sum of the counts.

        Examples:
            >>> ParetoPanel("Causes", ["disk", "network", "auth"], [6, 3, 1]).total
            10.0
        """
        return float(self.counts.sum())

    def _analysis(self) -> ParetoAnalysis | None:
        if self.total <= 0:
            return None
        return pareto(list(self.categories), weights=self.counts, cutoff=self.threshold)

    @property
    def share(self) -> F64:
        """Each category's share of the total (zeros when the total is 0).

        Examples:
            >>> ParetoPanel("Causes", ["disk", "network", "auth"], [6, 3, 1]).share.tolist()
            [0.6, 0.3, 0.1]
        """
        analysis = self._analysis()
        return np.zeros_like(self.counts) if analysis is None else analysis.shares

    @property
    def cumulative(self) -> F64:
        """The cumulative share, largest category first (zeros when the total is 0).

        Examples:
            >>> p = ParetoPanel("Causes", ["disk", "network", "auth"], [6, 3, 1])
            >>> p.cumulative.round(2).tolist()
            [0.6, 0.9, 1.0]
        """
        analysis = self._analysis()
        return np.zeros_like(self.counts) if analysis is None else analysis.cumulative

    @property
    def vital_few(self) -> tuple[str, ...]:
        """The categories up to and including the one that reaches ``threshold``.

        Examples:
            >>> ParetoPanel("Causes", ["disk", "network", "auth"], [6, 3, 1]).vital_few
            ('disk', 'network')
            >>> ParetoPanel("Causes", ["disk", "network"], [0, 0]).vital_few
            ()
        """
        analysis = self._analysis()
        return () if analysis is None else analysis.vital_few

    def _repr_html_(self) -> str:
        return display.html(self)


@attrs.frozen
class ComparisonPanel:
    """A before/after comparison of a KPI, with its confidence interval.

    Examples:
        >>> from itil_ci.domain.results import Comparison
        >>> c = Comparison(difference=-1.5, low=-2.1, high=-0.8, p_value=0.001,
        ...                verdict="improved", before=6.0, after=4.5)
        >>> ComparisonPanel("MTTR, e-mail", c, unit="h").comparison.verdict.value
        'improved'
    """

    title: str = attrs.field(validator=v.v_text())
    comparison: Comparison = attrs.field(validator=v.v_instance(Comparison))
    unit: str = attrs.field(default="", validator=v.v_text())
    kpi_key: str = attrs.field(default="", validator=v.v_text())

    def _repr_html_(self) -> str:
        return display.html(self)


def _c_str_map(value: Any) -> Any:
    if isinstance(value, Mapping) and not isinstance(value, dict):
        return dict(value)
    return value


@attrs.frozen
class ReportData:
    """Everything a report shows; build it from library objects, then render it.

    Every field is optional: a report shows the sections it has data for.
    ``explanation`` (from :func:`itil_ci.prioritisation.explain`) gives the
    per-criterion breakdown of each score in the backlog; without it the
    backlog shows each opportunity's criterion values from its ``scores``.
    ``diagrams`` maps an initiative id to Mermaid text of its model
    (``engine.diagram()``), shown in the Markdown report.  ``weekly`` says
    how daily KPI series are summarised and drawn: ``None`` (the default)
    as weekly means when longer than
    :data:`~itil_ci.report.summary.WEEKLY_AFTER` days, ``True`` always as
    weekly means, ``False`` day by day.

    Examples:
        >>> from itil_ci.domain import Opportunity, Initiative
        >>> data = ReportData(opportunities=[Opportunity("A"), Opportunity("B", status="assessed")],
        ...                   initiatives=[Initiative("Faster restores")])
        >>> data.opportunities_by_status()
        {'logged': 1, 'assessed': 1}
        >>> data.initiatives_by_step()
        {'not started': 1}
    """

    title: str = attrs.field(default="Continual improvement report", validator=v.v_text())
    description: str = attrs.field(default="", validator=v.v_text())
    generated_at: dt.datetime = attrs.field(
        factory=v.utc_now, converter=v.c_aware, validator=v.v_aware()
    )
    opportunities: tuple[Opportunity, ...] = attrs.field(
        default=(), converter=_tuple, validator=_v_items(Opportunity)
    )
    initiatives: tuple[Initiative, ...] = attrs.field(
        default=(), converter=_tuple, validator=_v_items(Initiative)
    )
    ranking: Ranking | None = attrs.field(
        default=None, validator=v.v_instance(Ranking, allow_none=True)
    )
    explanation: Explanation | None = attrs.field(
        default=None, validator=v.v_instance(Explanation, allow_none=True)
    )
    kpis: tuple[KPIPanel, ...] = attrs.field(
        default=(), converter=_tuple, validator=_v_items(KPIPanel)
    )
    control_charts: tuple[ControlChartPanel, ...] = attrs.field(
        default=(), converter=_tuple, validator=_v_items(ControlChartPanel)
    )
    paretos: tuple[ParetoPanel, ...] = attrs.field(
        default=(), converter=_tuple, validator=_v_items(ParetoPanel)
    )
    comparisons: tuple[ComparisonPanel, ...] = attrs.field(
        default=(), converter=_tuple, validator=_v_items(ComparisonPanel)
    )
    diagrams: dict[str, str] = attrs.field(
        factory=dict, converter=_c_str_map, validator=v.v_str_dict(), hash=False
    )
    notes: tuple[str, ...] = attrs.field(default=(), converter=_tuple, validator=_v_items(str))
    weekly: bool | None = attrs.field(default=None, validator=v.v_instance(bool, allow_none=True))

    def opportunities_by_status(self) -> dict[str, int]:
        """How many opportunities have each status (in lifecycle order, zeros left out).

        Examples:
            >>> from itil_ci.domain import Opportunity
            >>> ops = [Opportunity("A"), Opportunity("B", status="assessed"), Opportunity("C")]
            >>> ReportData(opportunities=ops).opportunities_by_status()
            {'logged': 2, 'assessed': 1}
        """
        counts = collections.Counter(o.status for o in self.opportunities)
        return {s.value: counts[s] for s in OpportunityStatus if counts[s]}

    def initiatives_by_step(self) -> dict[str, int]:
        """How many initiatives are at each step (``"not started"`` before the first).

        Examples:
            >>> from itil_ci.domain import Initiative
            >>> inis = [Initiative("A"), Initiative("B", step="plan"), Initiative("C", step="plan")]
            >>> ReportData(initiatives=inis).initiatives_by_step()
            {'not started': 1, 'plan': 2}
        """
        counts = collections.Counter(i.step or "not started" for i in self.initiatives)
        return dict(counts)

    def title_of(self, id: str) -> str:
        """The title of the opportunity (or initiative) ``id``; the id when unknown.

        Examples:
            >>> from itil_ci.domain import Opportunity
            >>> data = ReportData(opportunities=[Opportunity("Automate resets", id="o-1")])
            >>> data.title_of("o-1"), data.title_of("o-2")
            ('Automate resets', 'o-2')
        """
        for o in self.opportunities:
            if o.id == id:
                return o.title
        for i in self.initiatives:
            if i.id == id:
                return i.title
        return id

    def _repr_html_(self) -> str:
        return display.html(self)


# The step of each model where the improvement is carried out.
_ACTION_STEPS = frozenset({"action", "do", "implement"})


def _panels_from_initiatives(
    initiatives: Iterable[Initiative], series: Mapping[str, Series]
) -> tuple[list[KPIPanel], list[ComparisonPanel]]:
    kpis: list[KPIPanel] = []
    comps: list[ComparisonPanel] = []
    for ini in initiatives:
        acting = next((h.at for h in ini.history if h.to_step in _ACTION_STEPS), None)
        for k in ini.kpis:
            kpis.append(
                KPIPanel(
                    k,
                    ini.baselines.get(k.key),
                    ini.evaluations.get(k.key) or ini.gaps.get(k.key),
                    series.get(k.key),
                    initiative=ini.title,
                    change_at=acting,
                )
            )
        for key, c in ini.comparisons.items():
            try:
                unit = ini.kpi(key).unit
                label = ini.kpi(key).label
            except KeyError:
                unit, label = "", key
            comps.append(ComparisonPanel(f"{label} — {ini.title}", c, unit=unit, kpi_key=key))
    return kpis, comps
