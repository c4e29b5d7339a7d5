"""The ITIL 4 continual improvement model as a gated engine.

vision → current_state → target_state → plan → action → evaluation →
momentum → vision (the next iteration, ``cycle`` + 1) or closed.  Any step
may return to any earlier one.  The "action" step may run PDCA cycles
(:meth:`ContinualImprovementModel.pdca`).

Artefacts each step accepts (keyword arguments of ``advance()``) and what it
must hold before it is left:

========================  ==========================================  ==============================
step (ITIL question)      accepts                                     requires
========================  ==========================================  ==============================
vision                    ``objectives``, ``vision``                  at least one objective
current_state             ``kpis``, ``baselines``, ``series``,        a KPI; a baseline per KPI
                          ``baseline_window``
target_state              ``targets``                                 direction and target (value,
                                                                      due date, tolerance) per KPI;
                                                                      the gap is recorded on leaving
plan                      ``actions``, ``ranking``, ``criteria`` +    actions with owner and due
                          ``scores``                                  date, all ranked
action                    ``evidence``                                evidence for every action, or
                                                                      a completed PDCA cycle; no
                                                                      cycle in progress
evaluation                ``after``, ``before``, ``seed``,            an evaluation and a comparison
                          ``evaluations``, ``comparisons``            for every KPI
momentum                  ``lessons``, ``remeasure_on``,              lessons learned and a
                          ``opportunities``                           re-measurement date
========================  ==========================================  ==============================
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import attrs

from itil_ci._internal import validate as v
from itil_ci.domain.initiative import ImprovementModel
from itil_ci.domain.kpi import Target
from itil_ci.domain.results import Comparison
from itil_ci.engines import _stage as st
from itil_ci.engines._base import CLOSED, Engine
from itil_ci.engines.gates import ArtefactSpec, Gate, Requirement, View, derived

__all__ = ["ContinualImprovementModel"]


# -- vision ---------------------------------------------------------------------


def _need_objectives(view: View) -> list[str]:
    return [] if view.objectives else ["objectives: at least one objective the initiative serves"]


# -- current state --------------------------------------------------------------


def _need_kpis(view: View) -> list[str]:
    return [] if view.kpis else ["kpis: at least one KPI"]


def _need_baselines(view: View) -> list[str]:
    return st.for_each_kpi(view, "baseline", view.baselines)


# -- target state ---------------------------------------------------------------


def _stage_targets(view: View, value: object) -> None:
    given = st.mapping("targets", value, Target)
    kpis = []
    for k in view.kpis:
        kpis.append(attrs.evolve(k, target=given[k.key]) if k.key in given else k)
    for key in given:
        st.known_kpi(view, "targets", key)
    view.set("kpis", kpis)


def _need_targets(view: View) -> list[str]:
    out = []
    for k in view.kpis:
        t = k.target
        if k.direction is None:
            out.append(f"direction for KPI {k.key!r}")
        if t is None:
            out.append(f"target (value, due date, tolerance) for KPI {k.key!r}")
            continue
        if t.due is None:
            out.append(f"target due date for KPI {k.key!r}")
        if t.tolerance is None:
            out.append(f"target tolerance for KPI {k.key!r}")
    return out


def _record_gaps(view: View) -> None:
    """The gap: each baseline evaluated against its new target (``measurement.evaluate``)."""
    from itil_ci import measurement

    gaps = {}
    for k in view.kpis:
        b = view.baselines.get(k.key)
        if b is not None and k.target is not None:
            gaps[k.key] = measurement.evaluate(k, b, b.value, today=view.today)
    view.set("gaps", {**view.gaps, **gaps})


# -- plan -----------------------------------------------------------------------


def _stage_scores(view: View, value: object) -> None:
    if not isinstance(value, Mapping):
        raise v.fail("scores", "a dict {action title: {criterion: score}}", value)
    view.set("_scores", value)


def _rank_plan(view: View) -> None:
    """Rank the plan's actions (``prioritisation.weighted_sum``) and order the plan by rank."""
    criteria = view.updates.pop("_criteria", None)
    scores = view.updates.pop("_scores", None)
    if (criteria is None) != (scores is None):
        raise v.fail("criteria/scores", "both criteria and scores, or neither", "only one")
    titles = [a.title for a in view.plan]
    if criteria is not None:
        assert scores is not None
        view.set("ranking", st.rank_options(titles, scores, criteria))
    r = view.ranking
    if r is not None and set(r.ids) == set(titles) and titles:
        order = {id_: i for i, id_ in enumerate(r.order)}
        view.set("plan", sorted(view.plan, key=lambda a: order[a.title]))


def _need_plan(view: View) -> list[str]:
    out = []
    if not view.plan:
        return ["actions: at least one action", "ranking of the actions"]
    for a in view.plan:
        if not a.owner:
            out.append(f"owner of action {a.title!r}")
        if a.due is None:
            out.append(f"due date of action {a.title!r}")
    r = view.ranking
    ranked = set(r.ids) if r is not None else set()
    unranked = [a.title for a in view.plan if a.title not in ranked]
    if r is None:
        out.append("ranking of the actions (pass criteria= and scores=, or ranking=)")
    elif unranked:
        out.append("ranking of action(s) " + ", ".join(repr(t) for t in unranked))
    return out


# -- action ---------------------------------------------------------------------


def _stage_evidence(view: View, value: object) -> None:
    if not isinstance(value, Mapping):
        raise v.fail("evidence", "a dict {action title: evidence}", value)
    titles = {a.title for a in view.plan}
    for title, text in value.items():
        if title not in titles:
            raise v.fail(f"evidence[{title!r}]", f"an action of the plan ({sorted(titles)})", title)
        v.text(f"evidence[{title!r}]", text, allow_empty=False)
    view.set(
        "plan",
        [
            attrs.evolve(a, done=True, evidence=value[a.title]) if a.title in value else a
            for a in view.plan
        ],
    )


def _need_evidence(view: View) -> list[str]:
    out = []
    if view.pdca_step not in (None, CLOSED):
        out.append(f"the PDCA cycle in progress (at {view.pdca_step!r}) to finish")
    if any(r.completed for r in view.pdca):
        return out
    if not view.plan:
        out.append("evidence that the actions were carried out, or a completed PDCA cycle")
    for a in view.plan:
        if not (a.done and a.evidence):
            out.append(f"evidence for action {a.title!r} (or a completed PDCA cycle)")
    return out


# -- evaluation -----------------------------------------------------------------


def _stage_before(view: View, value: object) -> None:
    if not isinstance(value, Mapping):
        raise v.fail("before", "a dict of Series keyed by KPI key", value)
    view.set("_before", {k: st.series(f"before[{k!r}]", s) for k, s in value.items()})


def _stage_after(view: View, value: object) -> None:
    """Evaluate (and, with ``before``, compare) each KPI on measurements taken after."""
    from itil_ci import measurement

    if not isinstance(value, Mapping):
        raise v.fail("after", "a dict of Series keyed by KPI key", value)
    before = view.updates.pop("_before", {})
    evaluations, comparisons = {}, {}
    for key, raw in value.items():
        kpi = st.known_kpi(view, "after", key)
        s = st.series(f"after[{key!r}]", raw)
        b = view.baselines.get(key)
        if b is None:
            raise v.fail(f"after[{key!r}]", "a KPI with a baseline (see current_state)", key)
        if b.end is not None and s.start is not None and s.start < b.end:
            raise v.fail(
                f"after[{key!r}]",
                f"measurements taken after the baseline window (from {b.end.isoformat()})",
                f"data from {s.start.isoformat()}",
            )
        evaluations[key] = measurement.evaluate(kpi, b, s, today=view.today)
        if key in before:
            if kpi.direction is None:
                raise v.fail(f"kpis[{key!r}].direction", "a direction to compare", None)
            comparisons[key] = measurement.compare(
                before[key].values, s.values, kpi.direction.value, seed=view.updates.get("_seed")
            )
    unused = sorted(set(before) - set(value))
    if unused:
        raise v.fail("before", "series only for KPIs also given in after", unused)
    view.set("evaluations", {**view.evaluations, **evaluations})
    view.set("comparisons", {**view.comparisons, **comparisons})


def _finish_before(view: View) -> None:
    view.updates.pop("_seed", None)
    if view.updates.pop("_before", None) is not None:
        raise v.fail("before", "to be given together with after", "before alone")


def _stage_comparisons(view: View, value: object) -> None:
    if not isinstance(value, Mapping):
        raise v.fail("comparisons", "a dict of Comparison keyed by KPI key", value)
    given = {}
    for key, c in value.items():
        st.known_kpi(view, "comparisons", key)
        if not isinstance(c, Comparison):
            raise v.fail(f"comparisons[{key!r}]", "a Comparison", c)
        given[key] = c
    view.set("comparisons", {**view.comparisons, **given})


def _need_results(view: View) -> list[str]:
    return [
        *st.for_each_kpi(view, "evaluation (after= measurements)", view.evaluations),
        *st.for_each_kpi(view, "before/after comparison (before= and after=)", view.comparisons),
    ]


# -- momentum -------------------------------------------------------------------


def _stage_lessons(view: View, value: object) -> None:
    view.set("lessons", [*view.lessons, *st.texts("lessons", value)])


def _stage_remeasure(view: View, value: object) -> None:
    view.set("remeasure_on", st.date("remeasure_on", value))


def _need_momentum(view: View) -> list[str]:
    out = []
    if not view.lessons:
        out.append("lessons: at least one lesson learned")
    if view.remeasure_on is None:
        out.append("remeasure_on: the date to measure again")
    return out


_GATES = {
    "vision": Gate(
        "vision",
        "What is the vision?",
        accepts=(
            ArtefactSpec("objectives", "objectives the initiative serves", st.stage_objectives),
            ArtefactSpec("vision", "the vision statement", st.stage_vision),
        ),
        requires=(Requirement("objectives", "at least one objective", _need_objectives),),
    ),
    "current_state": Gate(
        "current_state",
        "Where are we now?",
        accepts=(
            ArtefactSpec("kpis", "KPIs of the initiative", st.stage_kpis),
            ArtefactSpec("baselines", "a Baseline per KPI", st.stage_baselines),
            ArtefactSpec(
                "baseline_window",
                "(start, end) of the series to baseline over (default: all of it)",
                st.stage_baseline_window,
                needs=("series",),
            ),
            ArtefactSpec(
                "series", "a Series per KPI (measurement.baseline)", st.stage_series_baselines
            ),
        ),
        requires=(
            Requirement("kpis", "at least one KPI", _need_kpis),
            Requirement("baselines", "a baseline for every KPI", _need_baselines),
        ),
    ),
    "target_state": Gate(
        "target_state",
        "Where do we want to be?",
        accepts=(ArtefactSpec("targets", "a Target per KPI", _stage_targets),),
        requires=(Requirement("targets", "a full target for every KPI", _need_targets),),
        extra={
            "advance": (derived(_record_gaps),),
            "close": (derived(_record_gaps),),
        },
    ),
    "plan": Gate(
        "plan",
        "How do we get there?",
        accepts=(
            ArtefactSpec("actions", "the actions (Action with owner and due)", st.stage_actions),
            ArtefactSpec("ranking", "a Ranking whose ids are the action titles", st.stage_ranking),
            ArtefactSpec("criteria", "Criterion list for weighted_sum", st.stage_criteria),
            ArtefactSpec("scores", "{action title: {criterion: score}}", _stage_scores),
        ),
        requires=(
            derived(_rank_plan),
            Requirement("actions", "ranked actions with owners and due dates", _need_plan),
        ),
    ),
    "action": Gate(
        "action",
        "Take action",
        accepts=(ArtefactSpec("evidence", "{action title: evidence}", _stage_evidence),),
        requires=(Requirement("evidence", "actions carried out", _need_evidence),),
    ),
    "evaluation": Gate(
        "evaluation",
        "Did we get there?",
        accepts=(
            ArtefactSpec("seed", "seed of the bootstrap in measurement.compare", st.stage_seed),
            ArtefactSpec("before", "a Series per KPI from before the action", _stage_before),
            ArtefactSpec("after", "a Series per KPI taken after the action", _stage_after),
            ArtefactSpec("evaluations", "an Evaluation per KPI", st.stage_evaluations),
            ArtefactSpec("comparisons", "a Comparison per KPI", _stage_comparisons),
        ),
        requires=(
            derived(_finish_before),
            Requirement("results", "evaluation and comparison per KPI", _need_results),
        ),
    ),
    "momentum": Gate(
        "momentum",
        "How do we keep the momentum going?",
        accepts=(
            ArtefactSpec("lessons", "lessons learned", _stage_lessons),
            ArtefactSpec("remeasure_on", "the date to measure again", _stage_remeasure),
            ArtefactSpec(
                "opportunities",
                "new Opportunity entries for the register",
                st.stage_new_opportunities,
            ),
        ),
        requires=(Requirement("momentum", "lessons and a re-measure date", _need_momentum),),
    ),
}


class ContinualImprovementModel(Engine):
    """The ITIL 4 continual improvement model bound to an initiative.

    Examples:
        >>> from itil_ci.domain import Actor, Initiative
        >>> li = Actor("li", roles=["improvement-team"])
        >>> ini = Initiative(title="Faster e-mail restores")
        >>> engine = ContinualImprovementModel(ini)
        >>> _ = engine.begin(actor=li)
        >>> engine.missing()
        ['objectives: at least one objective the initiative serves']
        >>> _ = engine.advance(actor=li, objectives=["Restore e-mail within 4 hours"])
        >>> engine.step, engine.next_steps()
        ('current_state', ('target_state', 'vision', 'closed'))
    """

    model = ImprovementModel.ITIL4
    first = "vision"
    gates = _GATES
    forward: ClassVar[Mapping[str, str]] = {
        "vision": "current_state",
        "current_state": "target_state",
        "target_state": "plan",
        "plan": "action",
        "action": "evaluation",
        "evaluation": "momentum",
        "momentum": "vision",
    }
    returns: ClassVar[Mapping[str, tuple[str, ...]]] = {
        s: tuple(reversed(STEPS_BEFORE))
        for s, STEPS_BEFORE in (
            ("current_state", ("vision",)),
            ("target_state", ("vision", "current_state")),
            ("plan", ("vision", "current_state", "target_state")),
            ("action", ("vision", "current_state", "target_state", "plan")),
            ("evaluation", ("vision", "current_state", "target_state", "plan", "action")),
            (
                "momentum",
                ("vision", "current_state", "target_state", "plan", "action", "evaluation"),
            ),
        )
    }
    closable = ("momentum",)

    def advance(self, *, actor: object, note: str = "", **artefacts: Any) -> Any:
        """Leave the current step forwards (momentum → vision starts the next iteration).

        Examples:
            >>> from itil_ci.domain import Actor, Initiative
            >>> engine = ContinualImprovementModel(Initiative(title="x"))
            >>> li = Actor("li", roles=["improvement-team"])
            >>> _ = engine.begin(actor=li)
            >>> _ = engine.advance(actor=li, objectives=["Restore e-mail within 4 hours"])
            >>> engine.step, engine.initiative.cycle
            ('current_state', 0)
        """
        if self.step == "momentum":

            def next_cycle(view: View) -> None:
                view.set("cycle", view.cycle + 1)

            return self._fire(
                "advance", "advance", actor=actor, note=note, artefacts=artefacts, extra=next_cycle
            )
        return super().advance(actor=actor, note=note, **artefacts)

    def pdca(self, *, actor: object = None, note: str = "") -> Any:
        """A PDCA cycle run inside the "action" step, on this initiative.

        Starts a new cycle when none is in progress and ``actor`` is given.

        Examples:
            >>> from itil_ci.domain import Actor, Initiative
            >>> engine = ContinualImprovementModel(Initiative(title="x", step="action"))
            >>> cycle = engine.pdca(actor=Actor("li", roles=["improvement-team"]))
            >>> cycle.nested, cycle.step, engine.initiative.pdca_step
            (True, 'plan', 'plan')
        """
        from itil_ci.engines.pdca import PDCACycle

        cycle = PDCACycle(
            self.initiative,
            nested=True,
            roles=self.roles,
            listeners=self.listeners,
            clock=self.clock,
            audit_key=self._audit_key,
        )
        if actor is not None and self.initiative.pdca_step in (None, CLOSED):
            cycle.begin(actor=actor, note=note)
        return cycle
