"""Aggregation, baselines and KPI evaluation."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from itil_ci.domain import KPI, Baseline, Series, Target
from itil_ci.errors import InvalidInputError
from itil_ci.measurement import Status, aggregate, baseline, evaluate

UTC = dt.UTC


def _series(values: list[float], start: str = "2026-01-01") -> Series:
    times = np.datetime64(start, "ns") + np.arange(len(values)).astype("timedelta64[D]")
    return Series(times, values, kpi_key="mttr", allow_missing=True)


def test_aggregations_by_hand() -> None:
    x = [1.0, 2.0, 3.0, 4.0]
    assert aggregate(x, "mean").value == 2.5
    assert aggregate(x, "median").value == 2.5
    assert aggregate(x, "p90").value == pytest.approx(3.7)  # linear: 3 + 0.7·(4 - 3)
    assert aggregate(x, "sum").value == 10.0
    assert aggregate(x, "count").value == 4.0
    assert aggregate([], "count").value == 0.0
    assert aggregate([True, True, False, False], "proportion").value == 0.5
    assert aggregate(x, "p90", percentile_method="lower").value == 3.0
    assert aggregate([3] * 7, "rate", window=7).value == 3.0
    assert aggregate([1] * 48, "rate", window=np.timedelta64(2, "D")).value == 24.0


def test_missing_values_are_dropped_and_counted() -> None:
    r = aggregate([1.0, None, 3.0, float("nan")], "mean", missing="drop")
    assert (r.value, r.n, r.dropped) == (2.0, 2, 2)
    with pytest.raises(InvalidInputError, match=r"values\[1\]"):
        aggregate([1.0, None], "mean")


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=50),
    st.sampled_from(["mean", "median", "p90", "p10", "sum"]),
    st.floats(0.1, 100),
    st.randoms(use_true_random=False),
)
def test_permutation_invariant_and_scale_equivariant(
    x: list[float], method: str, a: float, rnd: object
) -> None:
    value = aggregate(x, method).value
    shuffled = list(x)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    tol = 1e-9 * (max(map(abs, x)) * len(x) + 1)
    assert aggregate(shuffled, method).value == pytest.approx(value, abs=tol)
    assert aggregate([a * v for v in x], method).value == pytest.approx(a * value, abs=a * tol)


def test_baseline_provenance() -> None:
    s = _series([4.0, 6.0, 8.0, 100.0])
    kpi = KPI("mttr", direction="lower", aggregation="p90")
    start = dt.datetime(2026, 1, 1, tzinfo=UTC)
    end = dt.datetime(2026, 1, 4, tzinfo=UTC)
    b = baseline(kpi, s, start, end, filters={"service": "email"})
    assert b.n == 3
    assert b.value == pytest.approx(7.6)  # p90 of 4, 6, 8 (linear) = 6 + 0.8·2
    assert (b.mean, b.median, b.std) == (6.0, 6.0, 2.0)
    assert (b.start, b.end) == (start, end)
    assert b.filters == {"service": "email"}
    assert "p90" in b.method


def test_baseline_drops_missing_and_reports_it() -> None:
    b = baseline(KPI("mttr"), _series([1.0, float("nan"), 3.0]))
    assert (b.n, b.value) == (2, 2.0)
    assert "1 missing" in b.note
    assert b.start == dt.datetime(2026, 1, 1, tzinfo=UTC)


def test_baseline_rate_uses_window_length() -> None:
    kpi = KPI("incidents", aggregation="rate")
    s = _series([1.0] * 14)
    b = baseline(kpi, s, dt.datetime(2026, 1, 1, tzinfo=UTC), dt.datetime(2026, 1, 8, tzinfo=UTC))
    assert b.value == 1.0  # 7 events over 7 days


def _kpi(direction: str, target: float = 4.0, tol: float | None = 0.5) -> KPI:
    return KPI("mttr", direction=direction, target=Target(target, due="2026-06-30", tolerance=tol))


def test_evaluate_by_hand() -> None:
    # Every figure by hand from the evaluate() docstring's formulas: change = value - baseline,
    # relative = change / |baseline|, attainment = (value - baseline) / (target - baseline).
    b = Baseline("mttr", 6.0)
    today = dt.date(2026, 7, 2)
    green = evaluate(_kpi("lower"), b, 3.5, today=today)
    assert green.status is Status.GREEN
    assert green.status.value == "green"
    # 3.5 - 6 = -2.5; -2.5 / 6; (3.5 - 6) / (4 - 6) = 1.25
    assert (green.change, green.relative_change, green.attainment) == (-2.5, -2.5 / 6, 1.25)
    assert green.target_met
    assert green.days_to_due == -2  # due 2026-06-30 is 2 days before 2026-07-02
    # 4.5 misses the target 4 by 0.5 <= tolerance 0.5: amber; 4.6 misses by 0.6: red
    assert evaluate(_kpi("lower"), b, 4.5, today=today).status is Status.AMBER
    assert evaluate(_kpi("lower"), b, 4.6, today=today).status is Status.RED
    worse = evaluate(_kpi("lower"), b, 7.0, today=today)
    assert worse.attainment == -0.5  # (7 - 6) / (4 - 6)
    assert worse.status is Status.RED
    # higher is better: (76 - 60) / (80 - 60) = 0.8; 76 is 4 short of 80, within tolerance 5
    higher = evaluate(_kpi("higher", 80.0, 5.0), Baseline("mttr", 60.0), 76.0, today=today)
    assert (higher.status, higher.attainment) == (Status.AMBER, 0.8)


def test_evaluate_boundaries_are_inclusive() -> None:
    # the docstring: met is value <= target (lower is better) / value >= target (higher);
    # amber when missed by no more than the tolerance width
    b = Baseline("mttr", 6.0)
    at = evaluate(_kpi("lower"), b, 4.0)
    assert (at.target_met, at.status, at.attainment) == (True, Status.GREEN, 1.0)
    up = evaluate(_kpi("higher", 8.0, 0.5), b, 8.0)
    assert (up.target_met, up.status) == (True, Status.GREEN)
    edge = evaluate(_kpi("higher", 8.0, 0.5), b, 7.5)
    assert (edge.target_met, edge.status) == (False, Status.AMBER)
    # 7.4375 misses 8 by 0.5625 > 0.5 (all binary fractions, so no rounding at the edge)
    assert evaluate(_kpi("higher", 8.0, 0.5), b, 7.4375).status is Status.RED
    # no due date: no days to due
    assert evaluate(KPI("mttr", direction="lower", target=Target(4.0)), b, 5.0).days_to_due is None
    # due today is 0 days; due tomorrow is 1
    assert evaluate(_kpi("lower"), b, 5.0, today=dt.date(2026, 6, 30)).days_to_due == 0
    assert evaluate(_kpi("lower"), b, 5.0, today=dt.date(2026, 6, 29)).days_to_due == 1


def test_relative_change_divides_by_the_size_of_a_negative_baseline() -> None:
    # a net-promoter-like score below zero: baseline -4, now -3 (better, higher is better):
    # change +1, relative change +1 / |-4| = +0.25 (an improvement stays positive);
    # attainment (-3 + 4) / (-2 + 4) = 0.5
    ev = evaluate(_kpi("higher", -2.0, None), Baseline("mttr", -4.0), -3.0)
    assert (ev.change, ev.relative_change, ev.attainment) == (1.0, 0.25, 0.5)
    assert (ev.value, ev.baseline, ev.target) == (-3.0, -4.0, -2.0)


@pytest.mark.parametrize(
    ("direction", "target"),
    [("lower", 6.5), ("lower", 6.000001), ("higher", 5.5), ("higher", 5.999999)],
)
def test_target_just_on_the_wrong_side_is_refused(direction: str, target: float) -> None:
    # baseline 6: a target that is no improvement on it, however close, is refused (docstring)
    with pytest.raises(InvalidInputError, match=r"kpi\.target.*baseline 6"):
        evaluate(_kpi(direction, target, None), Baseline("mttr", 6.0), 5.0)


def test_evaluate_series_and_zero_baseline() -> None:
    ev = evaluate(_kpi("higher", 4.0), Baseline("mttr", 0.0), _series([1.0, 3.0]))
    assert (ev.value, ev.n, ev.relative_change) == (2.0, 2, None)
    assert ev.attainment == 0.5


@settings(max_examples=80, deadline=None)
@given(
    st.floats(-1e3, 1e3),
    st.floats(-1e3, 1e3),
    st.floats(-1e3, 1e3),
    st.sampled_from(["higher", "lower"]),
)
def test_attainment_symmetric_under_flip_and_mirror(
    base: float, target: float, current: float, direction: str
) -> None:
    if abs(target - base) < 1e-6:
        return
    other = "lower" if direction == "higher" else "higher"
    if (target > base) != (direction == "higher"):
        # a target on the wrong side of the baseline is refused, and so is its mirror
        with pytest.raises(InvalidInputError, match=r"kpi\.target"):
            evaluate(_kpi(direction, target, None), Baseline("mttr", base), current)
        with pytest.raises(InvalidInputError, match=r"kpi\.target"):
            evaluate(_kpi(other, -target, None), Baseline("mttr", -base), -current)
        return
    a = evaluate(_kpi(direction, target, None), Baseline("mttr", base), current)
    b = evaluate(_kpi(other, -target, None), Baseline("mttr", -base), -current)
    assert b.attainment == pytest.approx(a.attainment)
    assert b.target_met == a.target_met
    assert b.status == a.status


@pytest.mark.parametrize(
    ("call", "fragment"),
    [
        (lambda: aggregate([], "mean"), "at least one"),
        (lambda: aggregate([1.0, float("inf")], "mean"), "values[1]"),
        (lambda: aggregate([1.0], "p101"), "percentile"),
        (lambda: aggregate([1.0], "mode"), "aggregation"),
        (lambda: aggregate([0.5], "proportion"), "boolean"),
        (lambda: aggregate([1.0], "rate"), "window"),
        (lambda: aggregate([1.0], "rate", window=-1), "window"),
        (lambda: aggregate([1.0], "mean", missing="ignore"), "missing"),
        (lambda: aggregate([[1.0]], "mean"), "one-dimensional"),
        (lambda: baseline(KPI("mttr"), _series([1.0]), dt.datetime(2026, 2, 1, tzinfo=UTC)), "no"),
        (
            lambda: baseline(
                KPI("mttr"),
                _series([1.0, 2.0]),
                dt.datetime(2026, 1, 2, tzinfo=UTC),
                dt.datetime(2026, 1, 1, tzinfo=UTC),
            ),
            "end",
        ),
        (lambda: baseline(KPI("mttr"), _series([1.0]), dt.datetime(2026, 1, 1)), "start"),
        (lambda: baseline(KPI("mttr"), [1.0, 2.0]), "series"),  # type: ignore[arg-type]
        (
            lambda: evaluate(KPI("mttr", target=Target(4.0)), Baseline("mttr", 6.0), 5.0),
            "direction",
        ),
        (lambda: evaluate(KPI("mttr", direction="lower"), Baseline("mttr", 6.0), 5.0), "target"),
        (lambda: evaluate(_kpi("lower", 6.0), Baseline("mttr", 6.0), 5.0), "target"),
        (lambda: evaluate(_kpi("lower"), Baseline("other", 6.0), 5.0), "baseline"),
        (lambda: evaluate(_kpi("lower"), Baseline("mttr", 6.0), float("nan")), "finite"),
        (lambda: evaluate(_kpi("lower"), Baseline("mttr", 6.0), []), "at least one"),
    ],
)
def test_bad_input(call: object, fragment: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        call()  # type: ignore[operator]
    assert fragment in str(info.value)


def test_baseline_window_without_end_holds_every_observation_used() -> None:
    import numpy as np

    from itil_ci.domain import KPI, Series
    from itil_ci.measurement import baseline

    times = np.array(
        ["2026-01-01", "2026-01-02", "2026-01-03T12:00:00.000000500"], dtype="datetime64[ns]"
    )
    s = Series(times, [4.0, 6.0, 8.0], kpi_key="mttr")
    b = baseline(KPI("mttr"), s)
    # re-measuring over the recorded window [start, end) gives the same baseline
    again = baseline(KPI("mttr"), s, start=b.start, end=b.end)
    assert (again.n, again.value) == (b.n, b.value) == (3, 6.0)
