"""Bad input to ``itil_ci.domain``: a table of refusals, numpy scalars, and a sweep of wrong types.

Complements ``test_bad_input.py`` (its messages) with the holes of issue #11:
values that are not numbers, integers beyond float64, times outside the
nanosecond range, strings where a list belongs, and wrong types that raised
something other than an ItilCiError.  No row may let another exception or a
warning out (``tests._refusal.refuses``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import attrs
import numpy as np
import pytest

import itil_ci as ic
from itil_ci.errors import InvalidInputError
from itil_ci.io import from_json, to_json
from tests._refusal import WRONG, leaks, nested, probes, refuses, survives

UTC = dt.UTC
T2 = np.array(["2026-01-01", "2026-01-02"], dtype="datetime64[ns]")
SERIES = ic.Series(T2, [1.0, 2.0])
RANGE = "expected a time between 1677-09-21T00:12:44Z and 2262-04-11T23:47:16Z"
EVALUATION: dict[str, Any] = {
    "kpi_key": "k", "value": 4.2, "baseline": 6.0, "target": 4.0, "change": -1.8,
    "relative_change": -0.3, "attainment": 0.9, "target_met": False, "status": "amber",
}  # fmt: skip
COMPARISON: dict[str, Any] = {
    "difference": -1.5, "low": -2.0, "high": -1.0, "p_value": 0.01, "verdict": "improved",
}  # fmt: skip
TREND: dict[str, Any] = {
    "n": 5, "s": 8, "var_s": 16.7, "z": 1.7, "p": 0.08, "tau_a": 0.8, "tau_b": 0.8,
    "slope": 1.0, "intercept": 0.0, "verdict": "no-trend",
}  # fmt: skip
RANKING: dict[str, Any] = {"ids": ("a", "b"), "scores": [1.0, 2.0], "ranks": [2, 1], "model": "m"}


def _set(obj: Any, name: str, value: Any) -> Callable[[], Any]:
    return lambda: setattr(obj, name, value)


ROWS: list[tuple[str, Callable[[], Any], str]] = [
    # numbers (#11 classes 7 and 8)
    (
        "effort beyond float64",
        lambda: ic.Opportunity("x", effort=10**400),
        "Opportunity.effort: expected a number within the float64 range",
    ),
    (
        "effort beyond float64 on assignment",
        _set(ic.Opportunity("x"), "effort", -(10**400)),
        "Opportunity.effort",
    ),
    (
        "score a numeric string",
        lambda: ic.Opportunity("x", scores={"a": "1.5"}),
        "Opportunity.scores['a']: expected a number",
    ),
    (
        "score a complex number",
        lambda: ic.Opportunity("x", scores={"a": 1 + 2j}),
        "Opportunity.scores['a']: expected a number",
    ),
    (
        "score a timedelta64",
        lambda: ic.Opportunity("x", scores={"a": np.timedelta64(1, "D")}),
        "Opportunity.scores['a']: expected a number",
    ),
    ("target a numpy bool", lambda: ic.Target(np.bool_(True)), "Target.value: expected a number"),
    (
        "target beyond float64",
        lambda: ic.Target(10**400),
        "Target.value: expected a number within the float64 range",
    ),
    (
        "tolerance a timedelta64",
        lambda: ic.Target(1.0, tolerance=np.timedelta64(1, "D")),
        "Target.tolerance: expected a number",
    ),
    (
        "baseline n a fraction",
        lambda: ic.Baseline("k", 1.0, n=1.5),
        "Baseline.n: expected a whole number >= 0",
    ),
    (
        "baseline n a timedelta64",
        lambda: ic.Baseline("k", 1.0, n=np.timedelta64(1, "D")),
        "Baseline.n",
    ),
    (
        "percentile p a string",
        lambda: ic.Aggregation("percentile", p="90"),
        "Aggregation.p: expected a number",
    ),
    (
        "rate unit a list",
        lambda: ic.Aggregation("rate", per=["day"]),
        "Aggregation.per: expected one of",
    ),
    (
        "Series values numeric strings",
        lambda: ic.Series(T2, np.array(["1.5", 2.0], dtype=object)),
        "Series.values[0]: expected a real number",
    ),
    (
        "Series values complex",
        lambda: ic.Series(T2, np.array([1 + 1j, 2])),
        "Series.values: expected an array of numbers",
    ),
    (
        "Series values beyond float64",
        lambda: ic.Series(T2, [10**400, 1]),
        "Series.values[0]: expected a number within the float64 range",
    ),
    (
        "Evaluation n a string",
        lambda: ic.Evaluation(**EVALUATION, n="3"),
        "Evaluation.n: expected a whole number",
    ),
    (
        "Evaluation days_to_due a fraction",
        lambda: ic.Evaluation(**EVALUATION, days_to_due=1.5),
        "Evaluation.days_to_due",
    ),
    (
        "Comparison resamples a fraction",
        lambda: ic.Comparison(**COMPARISON, resamples=1.5),
        "Comparison.resamples",
    ),
    ("Comparison seed negative", lambda: ic.Comparison(**COMPARISON, seed=-1), "Comparison.seed"),
    (
        "Trend s a string",
        lambda: ic.Trend(**TREND | {"s": "8"}),
        "Trend.s: expected a whole number",
    ),
    (
        "Ranking score beyond float64",
        lambda: ic.Ranking(**RANKING | {"scores": [10**400, 1.0]}),
        "Ranking.scores[0]: expected a number within the float64 range",
    ),
    (
        "Ranking scores complex",
        lambda: ic.Ranking(**RANKING | {"scores": np.array([1j, 2])}),
        "Ranking.scores: expected an array of numbers",
    ),
    (
        "Ranking ranks of 1e300",
        lambda: ic.Ranking(**RANKING | {"ranks": [1e300, 1.0]}),
        "Ranking.ranks",
    ),
    # strings where a list belongs (#11 class 7)
    (
        "Signal points a string",
        lambda: ic.Signal(rule="we1", index=1, points="12", kind="concern"),
        "Signal.points: expected a non-empty tuple of indices",
    ),
    (
        "Signal points a fraction",
        lambda: ic.Signal(rule="we1", index=1, points=[1.7], kind="concern"),
        "Signal.points[0]: expected a whole number",
    ),
    (
        "Signal index negative",
        lambda: ic.Signal(rule="we1", index=-1, points=[1], kind="concern"),
        "Signal.index",
    ),
    (
        "MeasureGap should a string",
        lambda: ic.MeasureGap(should="mttr", can=[]),
        "MeasureGap.should: expected a list of strings",
    ),
    (
        "Presentation audience a string",
        lambda: ic.Presentation(audience="CAB", report="r"),
        "Presentation.audience",
    ),
    (
        "Initiative lessons a string",
        lambda: ic.Initiative("x", lessons="abc"),
        "Initiative.lessons: expected a list of strings",
    ),
    (
        "duplicate KPI definitions",
        lambda: ic.Initiative("x", kpis=[ic.KPI("a"), ic.KPI("a", unit="h")]),
        "Initiative.kpis (keys): expected unique values, got 'a'",
    ),
    # wrong types that escaped (#11 class 8)
    ("direction nested past repr", lambda: ic.KPI("k", direction=nested(3000)), "direction"),
    ("aggregation nested past repr", lambda: ic.KPI("k", aggregation=nested(3000)), "aggregation"),
    (
        "Direction.parse of a list",
        lambda: ic.Direction.parse(["lower"]),
        "direction: expected one of",
    ),
    ("Actor roles nested", lambda: ic.Actor("ana", roles=[nested(3000)]), "Actor.roles[0]"),
    (
        "Outcome categories nested",
        lambda: ic.Outcome("successful", categories=[nested(3000)]),
        "Outcome.categories",
    ),
    (
        "Initiative step an array",
        lambda: ic.Initiative("x", step=np.array(["plan"])),
        "Initiative.step: expected a step",
    ),
    (
        "Initiative step an array on assignment",
        _set(ic.Initiative("x"), "step", np.array(["vision"])),
        "Initiative.step",
    ),
    (
        "Initiative.kpi of an array",
        lambda: ic.Initiative("x", kpis=[ic.KPI("a")]).kpi(np.array(["a"])),
        "key: expected a string",
    ),
    (
        "Ranking.top of a timedelta64",
        lambda: ic.Ranking(**RANKING).top(np.timedelta64(1, "D")),
        "k: expected a whole number",
    ),
    (
        "Ranking.score_of an array",
        lambda: ic.Ranking(**RANKING).score_of(np.array(["a"])),
        "id: expected one of the ranked ids",
    ),
    (
        "AuditRecord seq a timedelta64",
        lambda: ic.AuditRecord(
            seq=np.timedelta64(1, "D"),
            event="e",
            from_step=None,
            to_step="plan",
            at=dt.datetime(2026, 1, 1, tzinfo=UTC),
            actor="a",
        ),
        "AuditRecord.seq",
    ),
    # times outside the nanosecond range (#11 class 2)
    (
        "raised_at in 3000",
        lambda: ic.Opportunity("x", raised_at="3000-01-01T00:00:00+00:00"),
        RANGE,
    ),
    (
        "raised_at past datetime.max in UTC",
        lambda: ic.Opportunity("x", raised_at="9999-12-31T23:00:00-05:00"),
        RANGE,
    ),
    (
        "Baseline start before 1677",
        lambda: ic.Baseline("k", 1.0, start=dt.datetime(1600, 1, 1, tzinfo=UTC)),
        RANGE,
    ),
    (
        "Series times in 3000 (seconds)",
        lambda: ic.Series(np.array(["3000-01-01"], dtype="datetime64[s]"), [1.0]),
        RANGE,
    ),
    (
        "Series.between 9999",
        lambda: SERIES.between(None, dt.datetime(9999, 1, 1, tzinfo=UTC)),
        RANGE,
    ),
    (
        "Series.between NaT",
        lambda: SERIES.between(np.datetime64("NaT")),
        "start: expected a time (not NaT)",
    ),
]


@pytest.mark.parametrize(("label", "call", "fragment"), ROWS, ids=[r[0] for r in ROWS])
def test_bad_input_is_refused(label: str, call: Callable[[], Any], fragment: str) -> None:
    refuses(call, InvalidInputError, fragment)


def test_table_is_large_enough() -> None:
    assert len(ROWS) >= 30


def test_numpy_scalars_are_stored_as_python_numbers() -> None:
    # Opportunity(effort=np.int64(3)) passed validation but could not be serialised
    opp = ic.Opportunity(
        "x", effort=np.int64(3), expected_benefit=np.float32(2.5), scores={"a": np.float64(1.5)}
    )
    assert type(opp.effort) is int
    assert type(opp.expected_benefit) is float
    assert type(opp.scores["a"]) is float
    opp.effort = np.float64(4.0)
    assert type(opp.effort) is float
    assert from_json(to_json(opp), ic.Opportunity) == opp
    b = ic.Baseline("k", np.float64(1.0), n=np.int64(5), std=np.float16(0.5))
    assert (type(b.value), type(b.n), type(b.std)) == (float, int, float)
    c = ic.Comparison(**COMPARISON, n_before=np.int64(2), seed=np.uint8(7))
    assert (type(c.n_before), type(c.seed)) == (int, int)
    assert from_json(to_json(c), ic.Comparison) == c
    assert ic.Signal(
        rule="r", index=np.int64(3), points=np.arange(2, 4), kind="neutral"
    ).points == (
        2,
        3,
    )


CONSTRUCTORS: dict[str, tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]] = {
    "Series": (ic.Series, (T2, [1.0, 2.0]), {"kpi_key": "k", "allow_missing": False}),
    "Series.between": (SERIES.between, (dt.datetime(2026, 1, 2, tzinfo=UTC), None), {}),
    "Aggregation": (ic.Aggregation, ("percentile", 90.0, None), {}),
    "Aggregation.parse": (ic.Aggregation.parse, ("p90",), {}),
    "Direction.parse": (ic.Direction.parse, ("lower",), {}),
    "KPI": (
        ic.KPI,
        ("k",),
        {
            "name": "",
            "unit": "",
            "direction": None,
            "aggregation": "mean",
            "metric_type": "service",
            "target": None,
            "csf": None,
        },
    ),
    "Target": (ic.Target, (4.0,), {"due": None, "tolerance": None, "tolerance_kind": "absolute"}),
    "CSF": (ic.CSF, ("x",), {"description": ""}),
    "Baseline": (
        ic.Baseline,
        ("k", 1.0),
        {
            "start": None,
            "end": None,
            "n": 0,
            "aggregation": "mean",
            "mean": None,
            "median": None,
            "p90": None,
            "std": None,
            "filters": {},
            "note": "",
            "method": "",
        },
    ),
    "Opportunity": (
        ic.Opportunity,
        ("t",),
        {
            "description": "",
            "source": "idea",
            "source_ref": "",
            "raised_by": "",
            "service": "",
            "kpis": [],
            "size": None,
            "effort": None,
            "expected_benefit": None,
            "scores": {},
            "status": "logged",
            "version": 0,
        },
    ),
    "Opportunity.move_to": (ic.Opportunity("t").move_to, ("logged",), {}),
    "Initiative": (
        ic.Initiative,
        ("t",),
        {
            "description": "",
            "opportunities": [],
            "owner": "",
            "sponsor": "",
            "objectives": [],
            "kpis": [],
            "baselines": {},
            "plan": [],
            "model": "itil4",
            "step": None,
            "cycle": 0,
            "history": [],
            "outcome": None,
            "vision": "",
            "lessons": [],
            "remeasure_on": None,
            "version": 0,
        },
    ),
    "Initiative.kpi": (ic.Initiative("t", kpis=[ic.KPI("k")]).kpi, ("k",), {}),
    "Action": (ic.Action, ("t",), {"owner": "", "due": None, "done": False, "evidence": ""}),
    "Objective": (ic.Objective, ("s",), {"owner": ""}),
    "Outcome": (ic.Outcome, ("successful",), {"categories": (), "summary": ""}),
    "Actor": (ic.Actor, ("ana",), {"roles": ["stakeholder"]}),
    "Actor.has": (ic.Actor("ana").has, ("stakeholder",), {}),
    "Ranking": (ic.Ranking, (), dict(RANKING)),
    "Evaluation": (ic.Evaluation, (), {**EVALUATION, "n": 1, "days_to_due": None}),
    "Comparison": (
        ic.Comparison,
        (),
        {**COMPARISON, "n_before": 2, "resamples": 100, "seed": None},
    ),
    "Trend": (ic.Trend, (), dict(TREND)),
    "Signal": (ic.Signal, (), {"rule": "we1", "index": 7, "points": (7,), "kind": "concern"}),
    "Prediction": (ic.Prediction, ("k", -1.5), {"statement": "", "direction": None}),
    "PDCARecord": (
        ic.PDCARecord,
        (0,),
        {
            "objective": "",
            "prediction": None,
            "done": "",
            "comparison": None,
            "decision": None,
            "prediction_met": None,
        },
    ),
    "MeasureGap": (ic.MeasureGap, (), {"should": ["a"], "can": ["a"]}),
    "DataRecord": (ic.DataRecord, ("k", "src"), {"n": 0, "start": None, "end": None}),
    "QualityCheck": (ic.QualityCheck, ("k", 0, 0, 0), {"note": ""}),
    "Presentation": (ic.Presentation, (), {"audience": ["CAB"], "report": "r"}),
    "AuditRecord": (
        ic.AuditRecord,
        (),
        {
            "seq": 0,
            "event": "start",
            "from_step": None,
            "to_step": "plan",
            "at": dt.datetime(2026, 1, 1, tzinfo=UTC),
            "actor": "a",
        },
    ),
}


@pytest.mark.parametrize("name", sorted(CONSTRUCTORS))
def test_wrong_types_raise_only_itil_ci_errors(name: str) -> None:
    fn, args, kwargs = CONSTRUCTORS[name]
    fn(*args, **kwargs)  # the base call is good
    found = leaks(probes(fn, args, kwargs))
    assert not found, found[:5]


@pytest.mark.parametrize("cls", [ic.Opportunity, ic.Initiative])
def test_assigning_wrong_types_raises_only_itil_ci_errors(cls: type[Any]) -> None:
    leaks = []
    for field in attrs.fields(cls):
        for bad in WRONG:
            obj = cls("t")
            leak = survives(lambda obj=obj, f=field.name, bad=bad: setattr(obj, f, bad))
            if leak:
                leaks.append((field.name, type(bad).__name__, leak))
    assert not leaks, leaks[:5]


def test_probe_count() -> None:
    n = sum(len(list(probes(fn, a, kw))) for fn, a, kw in CONSTRUCTORS.values())
    n += len(WRONG) * (len(attrs.fields(ic.Opportunity)) + len(attrs.fields(ic.Initiative)))
    assert n + len(ROWS) >= 3000
