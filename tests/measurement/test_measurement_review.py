"""Regression tests for the measurement review: rate windows, degenerate comparisons,
targets on the wrong side, overflow on extreme but finite input, NaT bounds, SLA periods."""

from __future__ import annotations

import datetime as dt
import sys

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from itil_ci.domain import KPI, Aggregation, Baseline, Series, Target
from itil_ci.domain.series import to_datetime64
from itil_ci.errors import InvalidInputError
from itil_ci.measurement import (
    Verdict,
    aggregate,
    baseline,
    compare,
    evaluate,
    mann_kendall,
    mtta,
    mttr,
    sen_slope,
    sla_attainment,
    xmr,
)

UTC = dt.UTC
DAY = np.timedelta64(1, "D")


def _daily(values: list[float], start: str = "2026-01-01") -> Series:
    times = np.datetime64(start, "ns") + np.arange(len(values)) * DAY
    return Series(times, values, kpi_key="incidents")


RATE = KPI("incidents", aggregation="rate", direction="lower", target=Target(0.5))


# --- 1. rate KPIs over a window inferred from the data -----------------------------------


def test_rate_baseline_counts_one_step_per_observation() -> None:
    # 14 daily counts of 1 cover 14 days (1 Jan to 15 Jan): 14 / 14 = 1.0 per day
    b = baseline(RATE, _daily([1.0] * 14))
    assert b.value == 1.0  # was 14 / 13 = 1.0769
    assert (b.start, b.end) == (
        dt.datetime(2026, 1, 1, tzinfo=UTC),
        dt.datetime(2026, 1, 15, tzinfo=UTC),
    )
    # the recorded window reproduces the baseline
    assert baseline(RATE, _daily([1.0] * 14), b.start, b.end).value == 1.0


def test_rate_baseline_with_one_bound_infers_the_other_from_the_step() -> None:
    s = _daily([2.0] * 10)
    start = dt.datetime(2026, 1, 3, tzinfo=UTC)
    b = baseline(RATE, s, start=start)
    # 8 observations (3..10 Jan) of 2 over [3 Jan, 11 Jan): 16 / 8 days
    assert (b.n, b.value, b.end) == (8, 2.0, dt.datetime(2026, 1, 11, tzinfo=UTC))
    end = dt.datetime(2026, 1, 5, tzinfo=UTC)
    b = baseline(RATE, s, end=end)  # 1..4 Jan: 8 / 4 days
    assert (b.n, b.value, b.start) == (4, 2.0, dt.datetime(2026, 1, 1, tzinfo=UTC))


@settings(max_examples=40, deadline=None)
@given(
    st.integers(2, 60),
    st.sampled_from([("hour", 3600), ("day", 86400), ("week", 604800)]),
    st.floats(0, 1e6),
)
def test_rate_of_a_constant_count_per_step_is_that_count(
    n: int, unit: tuple[str, int], c: float
) -> None:
    per, seconds = unit
    times = np.datetime64("2026-01-05", "ns") + np.arange(n) * np.timedelta64(seconds, "s")
    kpi = KPI("k", aggregation=Aggregation("rate", per=per), direction="lower", target=Target(-1.0))
    s = Series(times, [c] * n, kpi_key="k")
    assert baseline(kpi, s).value == pytest.approx(c, rel=1e-12)
    assert evaluate(kpi, Baseline("k", 0.0), s).value == pytest.approx(c, rel=1e-12)


def test_rate_evaluate_infers_the_window_from_an_even_series_or_takes_window() -> None:
    s = _daily([1.0] * 14)
    assert evaluate(RATE, Baseline("incidents", 2.0), s).value == 1.0  # was 1.0769
    ev = evaluate(RATE, Baseline("incidents", 2.0), [1.0] * 14, window=dt.timedelta(days=7))
    assert ev.value == 2.0  # 14 events over 7 days
    assert evaluate(RATE, Baseline("incidents", 2.0), s, window=28).value == 0.5


@pytest.mark.parametrize(
    ("call", "fragment"),
    [
        # uneven times (a gap): the window cannot be inferred
        (
            lambda: baseline(
                RATE,
                Series(
                    np.array(["2026-01-01", "2026-01-02", "2026-01-05"], dtype="datetime64[ns]"),
                    [1.0, 1.0, 1.0],
                ),
            ),
            "start/end",
        ),
        (lambda: baseline(RATE, _daily([1.0])), "start/end"),
        (
            lambda: evaluate(
                RATE,
                Baseline("incidents", 2.0),
                Series(
                    np.array(["2026-01-01", "2026-02-01", "2026-03-01"], dtype="datetime64[ns]"),
                    [1, 2, 3],
                ),
            ),
            "window",
        ),
        (lambda: evaluate(RATE, Baseline("incidents", 2.0), [1.0, 2.0]), "window"),
        (lambda: evaluate(RATE, Baseline("incidents", 2.0), 1.0, window=7), "window"),
        (
            lambda: evaluate(
                KPI("mttr", direction="lower", target=Target(4.0)),
                Baseline("mttr", 6.0),
                [5.0],
                window=7,
            ),
            "window",
        ),
    ],
)
def test_rate_window_bad_input(call: object, fragment: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        call()  # type: ignore[operator]
    assert fragment in str(info.value)


# --- 2. compare on degenerate data ------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after", "name"),
    [([1.0], [2.0], "before"), ([1.0, 2.0], [3.0], "after"), ([4.0], [1.0, 2.0], "before")],
)
def test_compare_needs_two_observations_per_group(
    before: list[float], after: list[float], name: str
) -> None:
    with pytest.raises(InvalidInputError, match=rf"^{name}: .*at least 2.*n=1"):
        compare(before, after, "higher", seed=1)


def test_compare_zero_spread_is_decided_by_the_rank_test() -> None:
    # [5, 5] vs [6, 6]: every resample differs by exactly 1, which says nothing
    # about uncertainty; Mann-Whitney (asymptotic, as scipy.stats.mannwhitneyu
    # method="asymptotic") gives p = 0.1939 > 0.05, so no detectable change.
    c = compare([5, 5], [6, 6], "higher", seed=1)
    assert c.verdict is Verdict.NO_CHANGE  # was IMPROVED
    assert (c.difference, c.low, c.high) == (1.0, 1.0, 1.0)
    assert c.p_value == pytest.approx(0.19393, abs=1e-5)
    assert compare([5, 5], [6, 6], "higher", seed=1, method="bca").verdict is Verdict.NO_CHANGE
    # thirty 5s against thirty 6s: p = 1.7e-14, a change the data do show
    assert compare([5] * 30, [6] * 30, "higher", seed=1).verdict is Verdict.IMPROVED
    assert compare([5] * 30, [6] * 30, "lower", seed=1).verdict is Verdict.WORSENED
    assert compare([5] * 30, [5] * 30, "lower", seed=1).verdict is Verdict.NO_CHANGE


# --- 3. a target must be an improvement on the baseline ---------------------------------


@pytest.mark.parametrize(
    ("direction", "base", "target", "current"),
    [("lower", 6.0, 8.0, 7.0), ("higher", 80.0, 60.0, 70.0)],
)
def test_target_on_the_wrong_side_of_the_baseline_is_refused(
    direction: str, base: float, target: float, current: float
) -> None:
    kpi = KPI("mttr", direction=direction, target=Target(target))
    with pytest.raises(InvalidInputError) as info:
        evaluate(kpi, Baseline("mttr", base), current)  # was target_met=True, green
    msg = str(info.value)
    assert msg.startswith("kpi.target:")
    assert f"baseline {base:g}" in msg
    assert f"{direction}-is-better" in msg
    assert msg.endswith(f"got {target}")


# --- 4. extreme but finite values --------------------------------------------------------


def test_aggregate_huge_values_without_warnings() -> None:
    assert aggregate([1e308, 1e308], "mean").value == 1e308
    assert aggregate([1e308, 1e308], "median").value == 1e308
    assert aggregate([1e308, -1e308], "median").value == 0.0
    assert aggregate([1e308, -1e308], "p90").value == pytest.approx(8e307)  # -1e308 + 0.9·2e308
    assert aggregate([1e308, -1e308, 1e308], "sum").value == 1e308
    with pytest.raises(InvalidInputError, match=r"values: .*sum without overflow"):
        aggregate([1e308, 1e308], "sum")  # 2e308 is beyond float64
    with pytest.raises(InvalidInputError, match="overflow"):
        aggregate([1e308, 1e308], "rate", window=dt.timedelta(seconds=1))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=1, max_size=20),
    st.sampled_from(["mean", "median", "p90", "p10"]),
)
@example([1e308, 1e308], "mean")
@example([1.5e308, 1.6e308], "median")
@example([-1.7e308, 1.7e308, 1.0], "p90")
def test_location_statistics_of_any_finite_values_lie_within_them(x: list[float], how: str) -> None:
    value = aggregate(x, how).value  # never a warning, never inf
    tol = 8 * sys.float_info.epsilon * max(map(abs, x))  # the rounding of a float mean
    assert min(x) - tol <= value <= max(x) + tol
    assert np.isfinite(value)


def test_baseline_of_huge_values() -> None:
    b = baseline(KPI("mttr"), _daily([1e308, -1e308, 1e308]))
    assert b.median == 1e308
    assert b.mean == pytest.approx(1e308 / 3)
    # deviations 2/3, -4/3, 2/3 (x 1e308): sample variance (4 + 16 + 4) / 9 / 2 = 4/3
    assert b.std == pytest.approx((4 / 3) ** 0.5 * 1e308, rel=1e-12)


def test_xmr_extreme_values() -> None:
    with pytest.raises(InvalidInputError, match=r"values: .*chart without overflow"):
        xmr([1e308, -1e308, 1e308])  # the moving range 2e308 is beyond float64
    with pytest.raises(InvalidInputError, match="overflow"):
        xmr([1e308, 0.0, 1e308])  # limits centre ± 2.66·1e308
    chart = xmr([1e308, 1e308, 1e308])
    assert (chart.centre, chart.upper, chart.mr_bar) == (1e308, 1e308, 0.0)


def test_compare_and_trend_extreme_values() -> None:
    with pytest.raises(InvalidInputError, match=r"before/after: .*overflow"):
        compare([1e308, 1e308], [-1e308, -1e308], "higher", seed=1)
    with pytest.raises(InvalidInputError, match="overflow"):
        # The difference of the means, about 3.3e308, is beyond float64.  (The
        # former input here, [1e308, -1e308, 1] against [1e308, 1e307, 2], has a
        # representable answer and is now computed: test_measurement_review_scale.)
        compare(
            [-1.7e308, -1.6e308, -1.7e308],
            [1.7e308, 1.6e308, 1.7e308],
            "higher",
            seed=1,
            method="bca",
        )
    with pytest.raises(InvalidInputError, match=r"values: .*slopes without overflow"):
        sen_slope([-1e308, 1e308])
    with pytest.raises(InvalidInputError, match="overflow"):
        mann_kendall([1e308, -1e308, 1e308, -1e308, 5.0])
    assert sen_slope([1e308, 1e308]) == (0.0, 1e308)


def test_itsm_extreme_times_and_targets() -> None:
    start = np.array(["1700-01-01"], dtype="datetime64[ns]")
    end = np.array(["2200-01-01"], dtype="datetime64[ns]")
    with pytest.raises(InvalidInputError, match=r"end\[0\]: .*292 years"):
        mttr(start, end)  # was a negative mean from int64 wrap-around
    s = np.array(["2026-01-01", "2026-01-01"], dtype="datetime64[ns]")
    e = s + np.array([1, 10**6], dtype="timedelta64[h]")
    r = sla_attainment(s, e, None, 1e300)  # was OverflowError
    assert r.value.tolist() == [1.0]


# --- 5. NaT is not "no bound" ------------------------------------------------------------


def test_nat_bound_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="start: expected a time"):
        to_datetime64("start", np.datetime64("NaT"))
    with pytest.raises(InvalidInputError, match="end"):
        _daily([1.0, 2.0]).between(None, np.datetime64("NaT", "ns"))  # type: ignore[arg-type]


# --- 6. SLA attainment by the period of the outcome ---------------------------------------


def test_sla_period_on_end_counts_open_tickets_at_their_breach() -> None:
    start = np.array(
        ["2026-01-01T09:00", "2026-01-01T09:00", "2026-01-02T23:00", "2026-01-03T10:00"],
        dtype="datetime64[ns]",
    )
    end = np.array(["2026-01-01T10:00", "NaT", "NaT", "NaT"], dtype="datetime64[ns]")
    as_of = np.datetime64("2026-01-03T12:00", "ns")
    r = sla_attainment(start, end, None, 4, period="day", period_on="end", as_of=as_of)
    # row 0 met on 1 Jan; row 1 breached at 1 Jan 13:00; row 2 breached at 3 Jan 03:00;
    # row 3 (2 h old at as_of) is not judged and has no end: left out
    assert r.groups[0].astype(str).tolist() == ["2026-01-01", "2026-01-03"]
    assert r.count.tolist() == [2, 1]  # was [1] (open breaches dropped)
    assert r.value.tolist() == [0.5, 0.0]
    assert r.extra["open"].tolist() == [0, 0]
    # without as_of no open ticket is judged, with either period_on
    r = sla_attainment(start, end, None, 4, period="day", period_on="end")
    assert (r.count.tolist(), r.value.tolist()) == ([1], [1.0])
    by_start = sla_attainment(start, end, None, 4, period="day", as_of=as_of)
    assert by_start.count.tolist() == [2, 1, 0]
    assert by_start.extra["open"].tolist() == [0, 0, 1]


# --- 7. mtta takes quantile_method like mttr ----------------------------------------------


def test_mtta_quantile_method() -> None:
    logged = np.array(["2026-03-02T09:00"] * 5, dtype="datetime64[ns]")
    ack = logged + np.array([10, 20, 90, 5, 7], dtype="timedelta64[m]")
    auto = mtta(logged, ack, unit="minutes")
    for how in ("partition", "sort", "argsort"):
        r = mtta(logged, ack, unit="minutes", quantile_method=how)
        assert (r.median.tolist(), r.p90.tolist()) == (auto.median.tolist(), auto.p90.tolist())
    assert auto.median.tolist() == [10.0]  # sorted 5, 7, 10, 20, 90
    with pytest.raises(InvalidInputError, match="quantile_method"):
        mtta(logged, ack, quantile_method="heap")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="quantile_method"):
        mttr(logged, ack, quantile_method="heap")  # type: ignore[arg-type]
