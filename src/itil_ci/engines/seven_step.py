"""The ITIL v3 seven-step improvement process as a gated engine.

strategy → define → gather → process → analyse → present → implement →
strategy (the next round, ``cycle`` + 1) or closed.  From analyse and
present the process may return to gather or define.

=========  ==============================================  ==================================
step       accepts                                         requires
=========  ==============================================  ==================================
strategy   ``vision``, ``objectives``, ``ranking``,        the vision or goals, and the
           ``opportunities`` + ``criteria``                prioritised opportunities
define     ``kpis``, ``should_measure``, ``can_measure``   KPIs and the gap between what
                                                           should and can be measured
gather     ``data`` + ``sources``                          data with its source per KPI
                                                           (a baseline is captured too)
process    ``quality``                                     the data-quality checks per KPI
analyse    ``series``, ``trends``, ``signals``,            trend, control-chart signals and
           ``evaluations``                                 target attainment per KPI
present    ``audience``, ``report``                        the audience and the report
implement  ``actions``, ``opportunities``                  the actions approved
=========  ==============================================  ==================================
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from itil_ci._internal import validate as v
from itil_ci.domain.artefacts import DataRecord, MeasureGap, Presentation, QualityCheck
from itil_ci.domain.initiative import ImprovementModel
from itil_ci.domain.opportunity import Opportunity
from itil_ci.domain.results import Signal, Trend
from itil_ci.engines import _stage as st
from itil_ci.engines._base import Engine
from itil_ci.engines.gates import ArtefactSpec, Gate, Requirement, View, derived

__all__ = ["SevenStepProcess"]


# -- strategy -------------------------------------------------------------------


def _stage_opportunities(view: View, value: object) -> None:
    opps = st.items("opportunities", value, Opportunity)
    view.set("_opportunities", opps)


def _rank(view: View) -> None:
    """Rank the opportunities with ``prioritisation.weighted_sum`` and link them."""
    from itil_ci import prioritisation

    opps = view.updates.pop("_opportunities", None)
    criteria = view.updates.pop("_criteria", None)
    if (opps is None) != (criteria is None):
        raise v.fail("opportunities/criteria", "both opportunities and criteria, or neither", "one")
    if opps is not None:
        view.set("ranking", prioritisation.weighted_sum(opps, criteria))
    if view.ranking is not None:
        linked = [*view.opportunities]
        linked += [i for i in view.ranking.order if i not in linked]
        view.set("opportunities", linked)


def _need_strategy(view: View) -> list[str]:
    out = []
    if not (view.vision or view.objectives):
        out.append("vision or goals (vision= or objectives=)")
    if view.ranking is None or len(view.ranking) == 0:
        out.append("prioritised opportunities (opportunities= and criteria=, or ranking=)")
    return out


# -- define ---------------------------------------------------------------------


def _stage_should(view: View, value: object) -> None:
    view.set("_should", st.texts("should_measure", value))


def _stage_can(view: View, value: object) -> None:
    should = view.updates.pop("_should", None)
    if should is None:
        should = list(view.measure_gap.should) if view.measure_gap is not None else None
    if should is None:
        raise v.fail("should_measure", "what should be measured, with can_measure", None)
    view.set("measure_gap", MeasureGap(should=should, can=st.texts("can_measure", value)))


def _need_define(view: View) -> list[str]:
    if view.updates.pop("_should", None) is not None:
        raise v.fail("can_measure", "what can be measured, with should_measure", None)
    out = [] if view.kpis else ["kpis: at least one KPI"]
    if view.measure_gap is None:
        out.append("what should and what can be measured (should_measure=, can_measure=)")
    return out


# -- gather ---------------------------------------------------------------------


def _stage_sources(view: View, value: object) -> None:
    if not isinstance(value, Mapping):
        raise v.fail("sources", "a dict {KPI key: where the data came from}", value)
    for key, src in value.items():
        v.text(f"sources[{key!r}]", src, allow_empty=False)
    view.set("_sources", dict(value))


def _stage_data(view: View, value: object) -> None:
    """Record each KPI's data with its source and capture its baseline."""
    sources = view.updates.pop("_sources", {})
    if not isinstance(value, Mapping):
        raise v.fail("data", "a dict of Series keyed by KPI key", value)
    records = {}
    for key, s in value.items():
        st.known_kpi(view, "data", key)
        s = st.series(f"data[{key!r}]", s)
        if key not in sources:
            raise v.fail(f"sources[{key!r}]", "the source of the data for every KPI", None)
        records[key] = DataRecord(key, sources[key], n=len(s), start=s.start, end=s.end)
    view.set("data", {**view.data, **records})
    view.set("baselines", {**view.baselines, **st.baselines_from_series(view, "data", value)})


def _need_gather(view: View) -> list[str]:
    if view.updates.pop("_sources", None) is not None:
        raise v.fail("data", "the data the sources describe", None)
    return st.for_each_kpi(view, "data with its source", view.data)


# -- process --------------------------------------------------------------------


def _stage_quality(view: View, value: object) -> None:
    if not isinstance(value, Mapping):
        raise v.fail("quality", "a dict {KPI key: QualityCheck or counts}", value)
    checks = {}
    for key, q in value.items():
        st.known_kpi(view, "quality", key)
        if isinstance(q, Mapping):
            try:
                q = QualityCheck(key, **q)
            except TypeError:
                raise v.fail(
                    f"quality[{key!r}]", "counts of missing, duplicates and outliers", q
                ) from None
        if not isinstance(q, QualityCheck) or q.kpi_key != key:
            raise v.fail(f"quality[{key!r}]", f"a QualityCheck for {key!r}", q)
        checks[key] = q
    view.set("quality", {**view.quality, **checks})


def _need_process(view: View) -> list[str]:
    return st.for_each_kpi(
        view, "data-quality checks (missing, duplicates, outliers)", view.quality
    )


# -- analyse --------------------------------------------------------------------


def _stage_series(view: View, value: object) -> None:
    """Trend (``mann_kendall``), control-chart signals (``xmr`` + ``signals``), attainment."""
    from itil_ci import measurement
    from itil_ci.measurement.trend import mann_kendall

    if not isinstance(value, Mapping):
        raise v.fail("series", "a dict of Series keyed by KPI key", value)
    trends, sigs, evals = {}, {}, {}
    for key, raw in value.items():
        kpi = st.known_kpi(view, "series", key)
        s = st.series(f"series[{key!r}]", raw)
        trends[key] = mann_kendall(s.values, s.times)
        chart = measurement.xmr(s.values)
        direction = kpi.direction.value if kpi.direction is not None else None
        sigs[key] = list(measurement.signals(s.values, chart, direction=direction))
        b = view.baselines.get(key)
        if b is not None and kpi.target is not None:
            evals[key] = measurement.evaluate(kpi, b, s, today=view.today)
    view.set("trends", {**view.trends, **trends})
    view.set("signals", {**view.signals, **sigs})
    view.set("evaluations", {**view.evaluations, **evals})


def _stage_trends(view: View, value: object) -> None:
    given = st.mapping("trends", value, Trend)
    for key in given:
        st.known_kpi(view, "trends", key)
    view.set("trends", {**view.trends, **given})


def _stage_signals(view: View, value: object) -> None:
    if not isinstance(value, Mapping):
        raise v.fail("signals", "a dict {KPI key: list of Signal}", value)
    given = {}
    for key, items in value.items():
        st.known_kpi(view, "signals", key)
        given[key] = st.items(f"signals[{key!r}]", items, Signal)
    view.set("signals", {**view.signals, **given})


def _need_analyse(view: View) -> list[str]:
    return [
        *st.for_each_kpi(view, "trend (mann_kendall)", view.trends),
        *st.for_each_kpi(view, "control-chart signals", view.signals),
        *st.for_each_kpi(
            view, "target attainment (needs a target and a baseline)", view.evaluations
        ),
    ]


# -- present, implement -----------------------------------------------------------


def _stage_audience(view: View, value: object) -> None:
    view.set("_audience", st.texts("audience", value))


def _stage_report(view: View, value: object) -> None:
    audience = view.updates.pop("_audience", None)
    if audience is None and view.presentation is not None:
        audience = list(view.presentation.audience)
    if audience is None:
        raise v.fail("audience", "who the report was presented to, with report", None)
    view.set("presentation", Presentation(audience=audience, report=v.text("report", value)))


def _need_present(view: View) -> list[str]:
    if view.updates.pop("_audience", None) is not None:
        raise v.fail("report", "the report produced, with audience", None)
    return [] if view.presentation is not None else ["audience and report produced"]


def _need_implement(view: View) -> list[str]:
    return [] if view.plan else ["actions: the improvement actions approved"]


_GATES = {
    "strategy": Gate(
        "strategy",
        "Identify the strategy for improvement",
        accepts=(
            ArtefactSpec("vision", "the vision statement", st.stage_vision),
            ArtefactSpec("objectives", "goals (Objective or statements)", st.stage_objectives),
            ArtefactSpec("ranking", "a Ranking of opportunities", st.stage_ranking),
            ArtefactSpec("opportunities", "Opportunity entries to rank", _stage_opportunities),
            ArtefactSpec("criteria", "Criterion list for weighted_sum", st.stage_criteria),
        ),
        requires=(derived(_rank), Requirement("strategy", "vision and ranking", _need_strategy)),
    ),
    "define": Gate(
        "define",
        "Define what you will measure",
        accepts=(
            ArtefactSpec("kpis", "KPIs to measure", st.stage_kpis),
            ArtefactSpec("should_measure", "what should be measured", _stage_should),
            ArtefactSpec("can_measure", "what can be measured", _stage_can),
        ),
        requires=(Requirement("define", "KPIs and measure gap", _need_define),),
    ),
    "gather": Gate(
        "gather",
        "Gather the data",
        accepts=(
            ArtefactSpec("sources", "{KPI key: source}", _stage_sources),
            ArtefactSpec("data", "a Series per KPI", _stage_data),
        ),
        requires=(Requirement("gather", "data with source", _need_gather),),
    ),
    "process": Gate(
        "process",
        "Process the data",
        accepts=(ArtefactSpec("quality", "QualityCheck per KPI", _stage_quality),),
        requires=(Requirement("process", "quality checks", _need_process),),
    ),
    "analyse": Gate(
        "analyse",
        "Analyse the information and data",
        accepts=(
            ArtefactSpec("series", "a Series per KPI to analyse", _stage_series),
            ArtefactSpec("trends", "a Trend per KPI", _stage_trends),
            ArtefactSpec("signals", "Signals per KPI", _stage_signals),
            ArtefactSpec("evaluations", "an Evaluation per KPI", st.stage_evaluations),
        ),
        requires=(Requirement("analyse", "trends, signals, attainment", _need_analyse),),
    ),
    "present": Gate(
        "present",
        "Present and use the information",
        accepts=(
            ArtefactSpec("audience", "who it was presented to", _stage_audience),
            ArtefactSpec("report", "the report produced", _stage_report),
        ),
        requires=(Requirement("present", "audience and report", _need_present),),
    ),
    "implement": Gate(
        "implement",
        "Implement improvement",
        accepts=(
            ArtefactSpec("actions", "the actions approved", st.stage_actions),
            ArtefactSpec("opportunities", "new register entries", st.stage_new_opportunities),
        ),
        requires=(Requirement("implement", "approved actions", _need_implement),),
    ),
}


class SevenStepProcess(Engine):
    """The ITIL v3 seven-step improvement process bound to an initiative.

    Examples:
        >>> from itil_ci.domain import Actor, Initiative
        >>> li = Actor("li", roles=["improvement-team"])
        >>> engine = SevenStepProcess(Initiative(title="Better SLA reporting", model="seven-step"))
        >>> _ = engine.begin(actor=li)
        >>> for item in engine.missing():
        ...     print(item)
        vision or goals (vision= or objectives=)
        prioritised opportunities (opportunities= and criteria=, or ranking=)
    """

    model = ImprovementModel.SEVEN_STEP
    first = "strategy"
    gates = _GATES
    forward: ClassVar[Mapping[str, str]] = {
        "strategy": "define",
        "define": "gather",
        "gather": "process",
        "process": "analyse",
        "analyse": "present",
        "present": "implement",
        "implement": "strategy",
    }
    returns: ClassVar[Mapping[str, tuple[str, ...]]] = {
        "analyse": ("gather", "define"),
        "present": ("gather", "define"),
    }
    closable = ("implement",)

    def advance(self, *, actor: object, note: str = "", **artefacts: Any) -> Any:
        """Leave the current step forwards (implement → strategy starts the next round).

        Examples:
            >>> from itil_ci.domain import Action, Actor, Initiative
            >>> ini = Initiative(title="x", model="seven-step", step="implement")
            >>> engine = SevenStepProcess(ini)
            >>> _ = engine.advance(actor=Actor("li", roles=["improvement-team"]),
            ...                    actions=[Action("Publish a knowledge article", owner="li")])
            >>> engine.step, engine.initiative.cycle
            ('strategy', 1)
        """
        if self.step == "implement":

            def next_cycle(view: View) -> None:
                view.set("cycle", view.cycle + 1)

            return self._fire(
                "advance", "advance", actor=actor, note=note, artefacts=artefacts, extra=next_cycle
            )
        return super().advance(actor=actor, note=note, **artefacts)
