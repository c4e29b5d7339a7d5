"""XmR charts and special-cause rules."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from itil_ci.domain import KPI, Series
from itil_ci.errors import InvalidInputError, ItilCiError
from itil_ci.measurement import CONSTANTS, SignalKind, signals, xmr

# NIST/SEMATECH e-Handbook of Statistical Methods, section 6.3.2.2 "Individuals
# Control Charts", example: ten batches; the handbook gives x-bar = 50.81,
# MR-bar = 1.8778, UCL = 55.8041, LCL = 45.8159 (limits x-bar ± 3·MR-bar/1.128) and
# the moving-range UCL = 3.267·MR-bar = 6.1347.
NIST = [49.6, 47.6, 49.9, 51.3, 47.8, 51.2, 52.6, 52.4, 53.6, 52.1]


def test_nist_individuals_chart_known_answer() -> None:
    chart = xmr(NIST, constants="sigma")
    assert chart.centre == pytest.approx(50.81, abs=5e-5)
    assert chart.mr_bar == pytest.approx(1.8778, abs=5e-5)
    assert chart.upper == pytest.approx(55.8041, abs=5e-5)
    assert chart.lower == pytest.approx(45.8159, abs=5e-5)
    assert chart.mr_upper == pytest.approx(6.1347, abs=5e-5)
    assert signals(NIST, chart, "western-electric") == []


def test_constants_wheeler_exact_sigma() -> None:
    x = [10.0, 12.0, 11.0, 13.0, 12.0]  # moving ranges 2, 1, 2, 1 -> mR-bar 1.5 by hand
    w, e, s = (xmr(x, constants=c) for c in ("wheeler", "exact", "sigma"))
    assert w.upper == pytest.approx(11.6 + 2.66 * 1.5)
    assert w.mr_upper == pytest.approx(3.268 * 1.5)
    d2 = 2 / math.sqrt(math.pi)
    assert d2 == pytest.approx(1.128379167, abs=1e-9)  # value stated in issue 3
    assert e.upper == pytest.approx(11.6 + 3 * 1.5 / d2)
    assert e.mr_upper == pytest.approx(3.266531919 * 1.5, abs=1e-8)
    assert s.upper == pytest.approx(11.6 + 3 * 1.5 / 1.128)
    assert s.mr_upper == pytest.approx(3.267 * 1.5)
    assert w.sigma == pytest.approx((w.upper - w.centre) / 3)
    assert CONSTANTS["exact"][2] == pytest.approx(3.266531919, abs=1e-9)


def test_baseline_points_and_known_standards() -> None:
    x = [10.0, 12.0, 11.0, 13.0, 12.0, 40.0, 41.0]
    fixed = xmr(x, baseline_points=5)
    # limits from the first five only: mean 58 / 5 = 11.6, moving ranges 2, 1, 2, 1 -> 1.5
    assert fixed.centre == pytest.approx(11.6)
    assert fixed.mr_bar == pytest.approx(1.5)
    assert fixed.stages[0].limit_points == 5
    # known standards: limits centre +- 3 sigma = 10 +- 6; the implied mR-bar is d2 * sigma
    # with d2 = 1.128 (NIST e-Handbook 6.3.2.2, the "sigma" constants)
    known = xmr(x, centre=10.0, sigma=2.0)
    assert (known.centre, known.upper, known.lower) == (10.0, 16.0, 4.0)
    assert known.mr_bar == pytest.approx(1.128 * 2.0)
    centred = xmr(x, centre=0.0)
    assert centred.centre == 0.0
    assert centred.mr_bar == pytest.approx(np.mean(np.abs(np.diff(x))))
    one = xmr([5.0], centre=5.0, sigma=1.0)
    assert one.upper == 8.0


def test_screen_ranges_recomputes_once() -> None:
    x = [10.0, 11.0, 10.0, 11.0, 10.0, 11.0, 10.0, 11.0, 10.0, 30.0]
    # moving ranges: eight of 1 and one of 20: mR-bar 28/9 = 3.11, limit 3.268·3.11 = 10.2
    plain = xmr(x)
    screened = xmr(x, screen_ranges=True)
    assert plain.mr_bar == pytest.approx(28 / 9)
    assert screened.mr_bar == pytest.approx(1.0)
    assert screened.stages[0].screened == 1


def test_staged_chart_by_index_and_date() -> None:
    x = [5.0, 6.0, 5.0, 6.0, 2.0, 3.0, 2.0, 3.0]
    by_index = xmr(x, change_at=4)
    assert [(s.start, s.end) for s in by_index.stages] == [(0, 4), (4, 8)]
    assert by_index.centre == 2.5
    assert by_index.stages[0].centre == 5.5
    times = np.arange("2026-01-01", "2026-01-09", dtype="datetime64[D]").astype("datetime64[ns]")
    by_date = xmr(Series(times, x), change_at="2026-01-05T00:00:00+00:00")
    assert by_date.stages == by_index.stages


def test_zero_moving_range_is_defined() -> None:
    chart = xmr([3.0, 3.0, 3.0, 3.0])
    assert (chart.mr_bar, chart.sigma, chart.upper, chart.lower) == (0.0, 0.0, 3.0, 3.0)
    assert signals([3.0] * 4, chart, "nelson") == []


def _rule(x: list[float], rule: str, rules: str = "nhs", **kw: object) -> list[tuple[int, tuple]]:
    chart = xmr(x, centre=0.0, sigma=1.0)
    return [(s.index, s.points) for s in signals(x, chart, rules, **kw) if s.rule == rule]  # type: ignore[arg-type]


# NHS "Making Data Count" rules; cases transcribed from NHSRplotthedots'
# tests/testthat/test-ptd_calculate_point_type.R (ptd_seven_point_one_side_mean,
# ptd_seven_point_trend, ptd_two_in_three, ptd_part_of_two_in_three), where a
# flag of 1 marks points from the one completing the rule onwards.
@pytest.mark.parametrize(
    ("sides", "expected"),
    [
        ([1] * 6, []),
        ([1] * 6 + [-1], []),
        ([1] * 8 + [-1], [(6, tuple(range(8)))]),
        ([-1] * 8 + [1], [(6, tuple(range(8)))]),
        ([-1] + [1] * 8 + [-1], [(7, tuple(range(1, 9)))]),
    ],
)
def test_nhs_shift(sides: list[int], expected: list[tuple[int, tuple]]) -> None:
    assert _rule([0.5 * s for s in sides], "shift") == expected


@pytest.mark.parametrize(
    ("x", "expected"),
    [
        (list(range(1, 7)), []),
        ([1, 2, 3, 3, 4, 5, 6], []),  # an equal neighbour breaks the trend
        (list(range(1, 8)), [(6, tuple(range(7)))]),
        ([2, *range(1, 8), 3], [(7, tuple(range(1, 8)))]),
        (list(range(7, 0, -1)), [(6, tuple(range(7)))]),
        ([2, *range(7, 0, -1), 3], [(7, tuple(range(1, 8)))]),
    ],
)
def test_nhs_trend(x: list[int], expected: list[tuple[int, tuple]]) -> None:
    scaled = [0.01 * (i - 4) for i in x]  # keep every point inside 1 sigma of 0
    assert _rule(scaled, "trend") == expected


@pytest.mark.parametrize(
    ("close", "expected"),
    [
        # 1: close to a limit (2.5 sigma); 0: not close, on the same side (0.5 sigma), as the
        # relative_to_mean columns of the NHSRplotthedots >= 0.2.2 tests (all 1)
        ([0, 0, 0], []),
        ([1, 0, 1], [(2, (0, 2))]),
        ([0, 1, 1], [(2, (1, 2))]),
        ([1, 1, 0], [(1, (0, 1))]),
        ([0, 0, 1, 0, 1, 0, 0], [(4, (2, 4))]),
        ([0, 0, 1, 1, 0, 0, 0], [(3, (2, 3))]),
        ([1, 0, 0, 1], []),
        ([1, 0, 0, 1, 1], [(4, (3, 4))]),
        ([1, 1], []),  # no full window of three points
    ],
)
def test_nhs_two_in_three(close: list[int], expected: list[tuple[int, tuple]]) -> None:
    x = [2.5 if c else 0.5 for c in close]
    assert _rule(x, "two-in-three") == expected
    assert _rule([-v for v in x], "two-in-three") == expected


@pytest.mark.parametrize(
    ("close", "side"),
    [
        # NHSRplotthedots 0.2.2, tests/testthat/test-ptd_calculate_point_type.R, "ptd_two_in_three
        # works as expected when points are on opposite sides of the mean": every case is 0
        ([1, 0, 1], [1, -1, 1]),
        ([0, 1, 1], [1, -1, 1]),
        ([1, 1, 0], [1, -1, 1]),
        ([0, 0, 1, 0, 1, 0, 0], [1, -1, 1, -1, 1, -1, 1]),
        ([0, 0, 1, 1, 0, 0, 0], [-1, 1, -1, 1, -1, 1, -1]),
    ],
)
def test_nhs_two_in_three_needs_one_side(close: list[int], side: list[int]) -> None:
    x = [(2.5 if c else 0.5) * sd for c, sd in zip(close, side, strict=True)]
    assert _rule(x, "two-in-three") == []


def test_nhs_two_in_three_issue_example() -> None:
    # 2.5 at 3 and 5 are close to the upper limit, but -0.5 at 4 lies below the mean:
    # no signal (Western Electric's 2-of-3, which has no same-side condition, fires).
    x = [0, 0.5, -0.5, 2.5, -0.5, 2.5, 0, 0.3, -0.3]
    assert _rule(x, "two-in-three") == []
    assert _rule(x, "we2", "western-electric") == [(5, (3, 5))]
    # a point on the mean breaks it too, and points beyond the limits are not "close"
    assert _rule([2.5, 0.0, 2.5], "two-in-three") == []
    assert _rule([3.5, 2.5, 0.5], "two-in-three") == []
    assert _rule([3.5, 2.5, 2.5], "two-in-three") == [(2, (1, 2))]


def test_point_on_centre_breaks_a_run() -> None:
    x = [0.5] * 3 + [0.0] + [0.5] * 7
    assert _rule(x, "shift") == [(10, tuple(range(4, 11)))]
    assert _rule([0.5] * 4 + [0.0] + [0.5] * 4, "shift") == []


def test_western_electric_rules() -> None:
    assert _rule([0, 0, 3.5, 0], "we1", "western-electric") == [(2, (2,))]
    assert _rule([2.5, 0, 2.5], "we2", "western-electric") == [(2, (0, 2))]
    assert _rule([1.5, 1.5, 0, 1.5, 1.5], "we3", "western-electric") == [(4, (0, 1, 3, 4))]
    assert _rule([1.5, 1.5, 0, 1.5, -1.5], "we3", "western-electric") == []
    assert _rule([0.1] * 8, "we4", "western-electric") == [(7, tuple(range(8)))]
    # 2 of 3 occurrences sharing a point merge into one signal
    assert _rule([2.5, 0, 2.5, 0, 2.5], "we2", "western-electric") == [(2, (0, 2, 4))]


def test_nelson_rules() -> None:
    n = "nelson"
    assert _rule([0.1] * 9, "nelson2", n) == [(8, tuple(range(9)))]
    assert _rule([0.1] * 8, "nelson2", n) == []
    assert _rule([0.1 * i for i in range(6)], "nelson3", n) == [(5, tuple(range(6)))]
    alt = [0.1 * (-1) ** i for i in range(14)]
    assert _rule(alt, "nelson4", n) == [(13, tuple(range(14)))]
    assert _rule(alt[:13], "nelson4", n) == []
    assert _rule([0.1 * (-1) ** i for i in range(15)], "nelson7", n) == [(14, tuple(range(15)))]
    mix = [1.5 * (-1) ** i for i in range(8)]
    assert _rule(mix, "nelson8", n) == [(7, tuple(range(8)))]
    chart = xmr(mix, centre=0.0, sigma=1.0)
    kinds = {s.rule: s.kind for s in signals(mix, chart, n, direction="higher")}
    assert kinds["nelson8"] is SignalKind.NEUTRAL


def test_nelson8_needs_both_sides() -> None:
    # Nelson, L. S. (1984), "The Shewhart control chart: tests for special causes",
    # J. Quality Technology 16(4), test 8: "eight points in a row on both sides of the
    # centerline with none in zone C" (none within 1 sigma).
    n = "nelson"
    assert _rule([1.5] * 8, "nelson8", n) == []  # one side only: not test 8 (test 6 fires)
    assert _rule([-1.5] * 8, "nelson8", n) == []
    assert _rule([1.5] * 7 + [-1.5], "nelson8", n) == [(7, tuple(range(8)))]
    # the first window of eight with both sides is points 1..8; points 0..7 are all above
    assert _rule([1.5] * 8 + [-1.5], "nelson8", n) == [(8, tuple(range(1, 9)))]
    # windows sharing points are one signal; a point within 1 sigma ends it
    x = [1.5, -1.5] * 6 + [0.5] + [1.5] * 7 + [-1.5]
    assert _rule(x, "nelson8", n) == [(7, tuple(range(12))), (20, tuple(range(13, 21)))]


def test_nelson4_runs_sharing_a_point_are_one_signal() -> None:
    # 14 points alternating (0..13), then two falls in a row (12->13, 13->14), then 13
    # more alternating steps: the runs 0..13 and 13..26 share point 13, one pattern.
    first = [0.1 * (-1) ** i for i in range(14)]
    second = [-0.2 if i % 2 else 0.0 for i in range(1, 14)]  # -0.2, 0.0, -0.2, ...
    x = first + second
    assert _rule(x, "nelson4", "nelson") == [(13, tuple(range(27)))]
    # an equal step between two runs shares no point: two signals
    y = [*first, first[-1], *(0.1 * (-1) ** i for i in range(14))]  # 13 -> 14 is flat
    assert _rule(y, "nelson4", "nelson") == [(13, tuple(range(14))), (27, tuple(range(14, 29)))]


def test_kind_follows_direction_and_kpi() -> None:
    x = [0.0, 0.0, 3.5, -3.5]
    chart = xmr(x, centre=0.0, sigma=1.0)
    lower = [s.kind.value for s in signals(x, chart, "nhs", direction=KPI("m", direction="lower"))]
    assert lower == ["concern", "improvement"]
    assert [s.kind.value for s in signals(x, chart, "nhs")] == ["neutral", "neutral"]


def test_rules_do_not_span_stages() -> None:
    x = [0.0, 1.0, 0.0, 1.0, 0.9, 0.9, 0.9, 10.0, 10.1, 10.1, 10.1, 9.0, 10.0, 9.0]
    staged = xmr(x, change_at=7)
    assert [s for s in signals(x, staged, "nhs", run_length=5) if s.rule == "shift"] == []
    assert any(s.rule == "shift" for s in signals(x, xmr(x), "nhs", run_length=5))


def test_run_length_parameter() -> None:
    assert _rule([0.5] * 5, "shift", run_length=5) == [(4, tuple(range(5)))]
    assert _rule([0.01 * i for i in range(4)], "trend", trend_length=4) == [(3, (0, 1, 2, 3))]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(-1e3, 1e3, allow_nan=False), min_size=2, max_size=40),
    st.floats(0.01, 100),
    st.floats(-1e3, 1e3),
)
def test_limits_are_shift_and_scale_equivariant(x: list[float], a: float, b: float) -> None:
    base = xmr(x)
    moved = xmr([a * v + b for v in x])
    tol = 1e-6 * (abs(a) * (max(map(abs, x)) + 1) + abs(b))
    assert moved.centre == pytest.approx(a * base.centre + b, abs=tol)
    assert moved.upper == pytest.approx(a * base.upper + b, abs=tol)
    assert moved.lower == pytest.approx(a * base.lower + b, abs=tol)
    assert moved.mr_bar == pytest.approx(a * base.mr_bar, abs=tol)
    flipped = xmr([-v for v in x])
    assert flipped.upper == pytest.approx(-base.lower, abs=tol)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-100, 100, allow_nan=False), min_size=2, max_size=60))
def test_signals_mirror_under_negation(x: list[float]) -> None:
    chart = xmr(x)
    mirrored = xmr([-v for v in x])
    a = [(s.rule, s.index, s.points) for s in signals(x, chart, "nelson")]
    b = [(s.rule, s.index, s.points) for s in signals([-v for v in x], mirrored, "nelson")]
    assert a == b


@pytest.mark.parametrize(
    ("call", "fragment"),
    [
        (lambda: xmr([]), "values"),
        (lambda: xmr([1.0]), "at least 2"),
        (lambda: xmr([1.0, float("nan")]), "values[1]"),
        (lambda: xmr([1.0, float("inf")]), "values[1]"),
        (lambda: xmr([1.0, 2.0], constants="shewhart"), "constants"),
        (lambda: xmr([1.0, 2.0, 3.0], baseline_points=1), "baseline_points"),
        (lambda: xmr([1.0, 2.0, 3.0], change_at=0), "change_at"),
        (lambda: xmr([1.0, 2.0, 3.0], change_at=3), "change_at"),
        (lambda: xmr([1.0, 2.0, 3.0, 4.0], change_at=[2, 2]), "change_at"),
        (lambda: xmr([1.0, 2.0, 3.0], change_at=1), "at least 2"),
        (lambda: xmr([1.0, 2.0], sigma=-1.0), "sigma"),
        (lambda: xmr([1.0, 2.0, 3.0], change_at="2026-01-01T00:00:00+00:00"), "times"),
        (
            lambda: xmr(
                [1.0, 2.0],
                times=np.array(["2026-01-02", "2026-01-01"], dtype="datetime64[ns]"),
            ),
            "times",
        ),
        (lambda: signals([1.0, 2.0], xmr([1.0, 2.0]), "westgard"), "rules"),
        (lambda: signals([1.0, 2.0, 3.0], xmr([1.0, 2.0]), "nhs"), "values"),
        (lambda: signals([1.0, 2.0], [1, 2], "nhs"), "chart"),  # type: ignore[arg-type]
        (lambda: signals([1.0, 2.0], xmr([1.0, 2.0]), "nhs", run_length=1), "run_length"),
        (lambda: signals([1.0, 2.0], xmr([1.0, 2.0]), "nhs", direction="up"), "direction"),
    ],
)
def test_bad_input(call: object, fragment: str) -> None:
    with pytest.raises(ItilCiError, match=None) as info:
        call()  # type: ignore[operator]
    assert isinstance(info.value, InvalidInputError)
    assert fragment in str(info.value)


def test_signals_are_ordinary_valid_records() -> None:
    import attrs

    from itil_ci.measurement import Signal

    x = [0.0, 0.0, 3.5, 2.5, 0.0, 2.5] + [0.5] * 9
    chart = xmr(x, centre=0.0, sigma=1.0)
    found = signals(x, chart, "nelson", direction="lower")
    assert found
    for s in found:
        assert s == Signal(**attrs.asdict(s, recurse=False))
        assert hash(s) == hash(Signal(**attrs.asdict(s, recurse=False)))


def test_natural_bounds_clip_the_limits_only() -> None:
    # daily durations near zero: the unbounded lower limit is negative
    values = [0.5, 4.0, 0.2, 3.5, 0.1, 5.0, 0.3, 4.2]
    free = xmr(values)
    bounded = xmr(values, bounds=(0, None))
    assert free.lower < 0
    assert bounded.lower == 0.0
    assert (bounded.centre, bounded.sigma, bounded.upper) == (free.centre, free.sigma, free.upper)
    proportion = xmr([0.97, 0.99, 0.92, 1.0, 0.95], bounds=(0, 1))
    assert proportion.upper == 1.0
    assert proportion.method.endswith(", limits bounded to [0, 1]")
    # the method reads as text: no Python None or 0.0 in it
    assert bounded.method.endswith(", limits bounded below by 0")
    assert xmr(values, bounds=(None, 9)).method.endswith(", limits bounded above by 9")


@pytest.mark.parametrize("bad", [(1,), (1, 0), ("a", None), 5])
def test_bad_natural_bounds(bad: object) -> None:
    with pytest.raises(InvalidInputError, match="bounds"):
        xmr([1.0, 2.0, 3.0], bounds=bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("values", "bounds", "message"),
    [
        ([-5.0, -6.0, -5.0], (0, None), r"values\[0\]: expected a value within bounds \(low 0\)"),
        ([0.5, 1.2, 0.9], (0, 1), r"values\[1\]: expected a value within bounds \(high 1\)"),
    ],
)
def test_values_outside_natural_bounds_are_refused(
    values: list[float], bounds: tuple[float, float | None], message: str
) -> None:
    # a chart whose lower limit would sit above its upper limit is never drawn
    with pytest.raises(InvalidInputError, match=message):
        xmr(values, bounds=bounds)


def test_known_centre_outside_natural_bounds_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="centre: expected a centre within bounds"):
        xmr([0.2, 0.4, 0.3], centre=-1.0, bounds=(0, None))
