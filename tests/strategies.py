"""Hypothesis strategies for every domain class, shared by the whole test suite."""

from __future__ import annotations

import datetime as dt
import string

import attrs
import numpy as np
from hypothesis import strategies as st

import itil_ci as ic
from itil_ci.domain.initiative import STEPS

__all__ = [
    "actions",
    "actors",
    "aggregations",
    "audit_records",
    "aware_datetimes",
    "baselines",
    "comparisons",
    "csfs",
    "dates",
    "evaluations",
    "finite_floats",
    "initiatives",
    "kpi_keys",
    "kpis",
    "measure_gaps",
    "objectives",
    "opportunities",
    "outcomes",
    "pdca_records",
    "predictions",
    "presentations",
    "rankings",
    "series",
    "signals",
    "targets",
    "texts",
    "trends",
]

finite_floats = st.floats(allow_nan=False, allow_infinity=False, width=64).map(lambda x: x + 0.0)
non_negative = st.floats(min_value=0, max_value=1e12, allow_nan=False, allow_infinity=False)
texts = st.text(max_size=20)
names = st.text(min_size=1, max_size=20).filter(lambda s: s.strip() != "")
kpi_keys = st.text(string.ascii_letters + string.digits + "_.:-", min_size=1, max_size=12).filter(
    lambda s: s[0] not in ".:-"
)
aware_datetimes = st.datetimes(
    min_value=dt.datetime(1971, 1, 1), max_value=dt.datetime(2200, 1, 1), timezones=st.just(dt.UTC)
)
dates = st.dates(min_value=dt.date(1971, 1, 1), max_value=dt.date(2200, 1, 1))


def _enum(cls: type) -> st.SearchStrategy:  # type: ignore[type-arg]
    return st.sampled_from(list(cls))


aggregations = st.one_of(
    st.sampled_from(["mean", "median", "proportion", "sum", "count"]).map(ic.Aggregation.parse),
    st.floats(0, 100).map(lambda p: ic.Aggregation("percentile", p=p)),
    st.sampled_from([None, "hour", "day", "week"]).map(lambda u: ic.Aggregation("rate", per=u)),
)
targets = st.builds(
    ic.Target,
    value=finite_floats,
    due=st.none() | dates,
    tolerance=st.none() | non_negative,
    tolerance_kind=_enum(ic.ToleranceKind),
)
csfs = st.builds(ic.CSF, name=names, description=texts)
kpis = st.builds(
    ic.KPI,
    key=kpi_keys,
    name=texts,
    unit=texts,
    direction=st.none() | _enum(ic.Direction),
    aggregation=aggregations,
    metric_type=_enum(ic.MetricType),
    target=st.none() | targets,
    csf=st.none() | csfs,
)


@st.composite
def series(draw: st.DrawFn, min_size: int = 0, max_size: int = 30) -> ic.Series:
    n = draw(st.integers(min_size, max_size))
    allow_missing = draw(st.booleans())
    ns = draw(st.lists(st.integers(0, 2**62), min_size=n, max_size=n))
    vals = draw(
        st.lists(
            finite_floats | (st.just(float("nan")) if allow_missing else finite_floats),
            min_size=n,
            max_size=n,
        )
    )
    times = np.array(ns, dtype=np.int64).view("datetime64[ns]")
    return ic.Series(
        times,
        np.array(vals, dtype=float),
        kpi_key=draw(st.just("") | kpi_keys),
        allow_missing=allow_missing,
    )


@st.composite
def baselines(draw: st.DrawFn) -> ic.Baseline:
    start = draw(st.none() | aware_datetimes)
    end = draw(st.none() | aware_datetimes)
    if start is not None and end is not None and end < start:
        start, end = end, start
    return ic.Baseline(
        draw(kpi_keys),
        draw(finite_floats),
        start=start,
        end=end,
        n=draw(st.integers(0, 10**9)),
        aggregation=draw(aggregations),
        mean=draw(st.none() | finite_floats),
        median=draw(st.none() | finite_floats),
        p90=draw(st.none() | finite_floats),
        std=draw(st.none() | non_negative),
        captured_at=draw(aware_datetimes),
        filters=draw(st.dictionaries(names, texts, max_size=3)),
        note=draw(texts),
        method=draw(texts),
    )


actors = st.builds(ic.Actor, name=names, roles=st.frozensets(_enum(ic.Role)))
objectives = st.builds(ic.Objective, statement=names, owner=texts)
actions = st.builds(
    ic.Action, title=names, owner=texts, due=st.none() | dates, done=st.booleans(), evidence=texts
)
outcomes = st.builds(
    ic.Outcome,
    closure=_enum(ic.ClosureCode),
    categories=st.lists(_enum(ic.OutcomeCategory), unique=True).map(tuple),
    summary=texts,
)
opportunities = st.builds(
    ic.Opportunity,
    title=names,
    id=names,
    description=texts,
    source=_enum(ic.OpportunitySource),
    source_ref=texts,
    raised_by=texts,
    raised_at=aware_datetimes,
    service=texts,
    kpis=st.lists(kpi_keys, max_size=3),
    size=st.none() | _enum(ic.Size),
    effort=st.none() | non_negative,
    expected_benefit=st.none() | non_negative,
    scores=st.dictionaries(names, finite_floats, max_size=4),
    status=_enum(ic.OpportunityStatus),
    version=st.integers(0, 10**6),
    created_at=aware_datetimes,
    updated_at=aware_datetimes,
)
#: What AuditRecord.hash/prev_hash accept: "" or a SHA-256/HMAC-SHA256 hex digest.
_digests = st.just("") | st.text("0123456789abcdef", min_size=64, max_size=64)
audit_records = st.builds(
    ic.AuditRecord,
    seq=st.integers(0, 1000),
    event=names,
    from_step=st.none() | names,
    to_step=names,
    at=aware_datetimes,
    actor=texts,
    note=texts,
    reason=texts,
    artefacts=st.dictionaries(names, texts, max_size=3),
    prev_hash=_digests,
    hash=_digests,
    seal=st.sampled_from(("sha256", "hmac-sha256")),
)


small = st.floats(-1e6, 1e6, allow_nan=False).map(lambda x: x + 0.0)
probability = st.floats(0, 1)
evaluations = st.builds(
    ic.Evaluation,
    kpi_key=kpi_keys,
    value=finite_floats,
    baseline=finite_floats,
    target=finite_floats,
    change=finite_floats,
    relative_change=st.none() | finite_floats,
    attainment=finite_floats,
    target_met=st.booleans(),
    status=_enum(ic.Status),
    direction=texts,
    tolerance=non_negative,
    days_to_due=st.none() | st.integers(-(10**5), 10**5),
    n=st.integers(0, 10**9),
    method=texts,
)
comparisons = st.builds(
    ic.Comparison,
    difference=small,
    low=small,
    high=small,
    p_value=probability,
    verdict=_enum(ic.Verdict),
    before=small,
    after=small,
    n_before=st.integers(0, 10**6),
    n_after=st.integers(0, 10**6),
    statistic=st.sampled_from(["mean", "median", "p90"]),
    direction=texts,
    confidence=st.floats(0.5, 0.999),
    resamples=st.integers(0, 10**5),
    seed=st.none() | st.integers(0, 2**31),
    method=texts,
)
trends = st.builds(
    ic.Trend,
    n=st.integers(0, 10**6),
    s=st.integers(-(10**9), 10**9),
    var_s=non_negative,
    z=small,
    p=probability,
    tau_a=st.floats(-1, 1),
    tau_b=st.floats(-1, 1),
    slope=small,
    intercept=small,
    verdict=_enum(ic.TrendVerdict),
    alpha=st.floats(0.001, 0.2),
    slope_unit=st.sampled_from(["index", "day"]),
    method=texts,
)


@st.composite
def signals(draw: st.DrawFn) -> ic.Signal:
    points = sorted(set(draw(st.lists(st.integers(0, 10**6), min_size=1, max_size=8))))
    return ic.Signal(
        rule=draw(st.sampled_from(["we1", "nelson3", "shift", "two-in-three"])),
        index=points[-1],
        points=tuple(points),
        kind=draw(_enum(ic.SignalKind)),
        rule_set=draw(st.sampled_from(["western-electric", "nelson", "nhs"])),
        description=draw(texts),
    )


@st.composite
def rankings(draw: st.DrawFn) -> ic.Ranking:
    n = draw(st.integers(0, 6))
    ids = draw(st.lists(names, min_size=n, max_size=n, unique=True))
    scores = draw(st.lists(small, min_size=n, max_size=n))
    order = np.argsort(-np.array(scores, dtype=float), kind="stable")
    ranks = np.empty(n, dtype=np.int64)
    ranks[order] = np.arange(1, n + 1)
    k = draw(st.integers(0, 3))
    return ic.Ranking(
        ids=tuple(ids),
        scores=scores,
        ranks=ranks,
        model=draw(st.sampled_from(["weighted-sum", "topsis", "wsjf"])),
        criteria=tuple(f"c{i}" for i in range(k)),
        weights=[1.0 / k] * k if k else [],
        directions=("benefit",) * k,
        keys=tuple(f"k{i}" for i in range(k)),
        normalise=draw(st.sampled_from(["", "minmax", "vector"])),
        parameters=tuple(
            draw(
                st.dictionaries(names, st.sampled_from(["product", "mean", ""]), max_size=2)
            ).items()
        ),
    )


predictions = st.builds(
    ic.Prediction,
    kpi_key=kpi_keys,
    change=small,
    statement=texts,
    direction=st.none() | _enum(ic.Direction),
)
pdca_records = st.builds(
    ic.PDCARecord,
    cycle=st.integers(0, 20),
    objective=texts,
    prediction=st.none() | predictions,
    done=texts,
    comparison=st.none() | comparisons,
    decision=st.none() | _enum(ic.Decision),
    prediction_met=st.none() | st.booleans(),
)
measure_gaps = st.builds(
    ic.MeasureGap,
    should=st.lists(kpi_keys, max_size=3).map(tuple),
    can=st.lists(kpi_keys, max_size=3).map(tuple),
)
presentations = st.builds(
    ic.Presentation, audience=st.lists(names, min_size=1, max_size=3).map(tuple), report=names
)


@st.composite
def initiatives(draw: st.DrawFn) -> ic.Initiative:
    kpi_list = draw(st.lists(kpis, max_size=3, unique_by=lambda k: k.key))
    base = {}
    for k in kpi_list:
        if draw(st.booleans()):
            b = draw(baselines())
            base[k.key] = ic.Baseline(
                k.key, b.value, start=b.start, end=b.end, n=b.n, captured_at=b.captured_at
            )
    model = draw(_enum(ic.ImprovementModel))
    return ic.Initiative(
        title=draw(names),
        id=draw(names),
        description=draw(texts),
        opportunities=draw(st.lists(names, max_size=3)),
        owner=draw(texts),
        sponsor=draw(texts),
        objectives=draw(st.lists(objectives, max_size=2)),
        kpis=kpi_list,
        baselines=base,
        plan=draw(st.lists(actions, max_size=3)),
        model=model,
        step=draw(st.none() | st.sampled_from(STEPS[model])),
        cycle=draw(st.integers(0, 50)),
        history=draw(st.lists(audit_records, max_size=3)),
        outcome=draw(st.none() | outcomes),
        version=draw(st.integers(0, 10**6)),
        created_at=draw(aware_datetimes),
        updated_at=draw(aware_datetimes),
        vision=draw(texts),
        gaps={k.key: attrs.evolve(draw(evaluations), kpi_key=k.key) for k in kpi_list[:1]},
        ranking=draw(st.none() | rankings()),
        evaluations={k.key: attrs.evolve(draw(evaluations), kpi_key=k.key) for k in kpi_list},
        comparisons={k.key: draw(comparisons) for k in kpi_list},
        lessons=draw(st.lists(names, max_size=2)),
        remeasure_on=draw(st.none() | dates),
        pdca=draw(st.lists(pdca_records, max_size=2)),
        measure_gap=draw(st.none() | measure_gaps),
        trends={k.key: draw(trends) for k in kpi_list[:1]},
        signals={k.key: draw(st.lists(signals(), max_size=2)) for k in kpi_list[:1]},
        presentation=draw(st.none() | presentations),
    )
