"""Mann-Kendall test and Sen's slope."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pymannkendall as mk
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from itil_ci.domain import Series
from itil_ci.errors import InvalidInputError
from itil_ci.measurement import TrendVerdict, mann_kendall, sen_slope
from itil_ci.measurement import trend as trend_mod


def _brute_slope(x: np.ndarray, t: np.ndarray | None = None) -> float:
    t = np.arange(x.size, dtype=float) if t is None else t
    i, j = np.triu_indices(x.size, 1)
    return float(np.median((x[j] - x[i]) / (t[j] - t[i])))


def test_hand_worked_example() -> None:
    # By hand for x = 1, 2, 3, 5, 4: nine increasing pairs and one decreasing,
    # S = 8; var(S) = 5·4·15/18 = 16.667; Z = (8 - 1)/sqrt(16.667) = 1.7146;
    # p = 2·(1 - Phi(1.7146)) = 0.0864; tau = 8/10; the ten pairwise slopes sorted
    # are -1, 0.5, 2/3, 0.75, 1, 1, 1, 4/3, 1.5, 2, so Sen's slope = 1; intercept
    # = median(x) - median(t)·slope = 3 - 2·1 = 1.
    r = mann_kendall([1.0, 2.0, 3.0, 5.0, 4.0])
    assert r.s == 8
    assert r.var_s == pytest.approx(300 / 18)
    assert r.z == pytest.approx(7 / math.sqrt(300 / 18))
    assert r.z == pytest.approx(1.7146, abs=1e-4)
    assert r.p == pytest.approx(0.0864, abs=1e-4)
    assert (r.tau_a, r.tau_b, r.slope, r.intercept) == (0.8, 0.8, 1.0, 1.0)
    assert r.verdict is TrendVerdict.NO_TREND
    assert r.slope_unit == "index"


def test_hand_worked_example_with_ties() -> None:
    # x = 1, 1, 2, 3: five increasing pairs, one tied: S = 5; one tie group of 2:
    # var(S) = (4·3·13 - 2·1·9)/18 = 138/18; tau_a = 5/6; tau_b = 5/sqrt((6-1)·6).
    r = mann_kendall([1.0, 1.0, 2.0, 3.0])
    assert r.s == 5
    assert r.var_s == pytest.approx(138 / 18)
    assert r.z == pytest.approx(4 / math.sqrt(138 / 18))
    assert r.tau_a == pytest.approx(5 / 6)
    assert r.tau_b == pytest.approx(5 / math.sqrt(30))


def _datasets() -> list[np.ndarray]:
    rng = np.random.default_rng(42)
    return [
        rng.normal(size=40).cumsum(),
        np.round(rng.normal(size=300).cumsum(), 0),  # many ties
        rng.integers(0, 4, size=500).astype(float),  # heavy ties
        rng.normal(size=2600) + np.linspace(0, 1, 2600),  # > 3 million pairs: selection path
        np.round(rng.normal(size=2600), 1),
    ]


@pytest.mark.parametrize("x", _datasets())
def test_matches_pymannkendall(x: np.ndarray) -> None:
    # Peer: pymannkendall 1.4.3, pymannkendall.original_test(x, alpha=0.05), run here.
    ours = mann_kendall(x)
    peer = mk.original_test(x, alpha=0.05)
    assert ours.s == peer.s
    assert ours.var_s == pytest.approx(peer.var_s, rel=1e-12)
    assert ours.z == pytest.approx(peer.z, rel=1e-12, abs=1e-12)
    assert ours.p == pytest.approx(peer.p, rel=1e-9, abs=1e-12)
    assert ours.tau_a == pytest.approx(peer.Tau, rel=1e-12)
    assert ours.slope == peer.slope
    assert ours.intercept == pytest.approx(peer.intercept, rel=1e-12, abs=1e-12)
    assert ours.verdict.value == peer.trend.replace("no trend", "no-trend")


@pytest.fixture
def small_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    """Force the selection algorithm (bracketing, listing, tie blocks) on small inputs."""
    monkeypatch.setattr(trend_mod, "_DIRECT_PAIRS", 0)
    monkeypatch.setattr(trend_mod, "_ENUM_PAIRS", 3000)
    monkeypatch.setattr(trend_mod, "_SAMPLE", 5000)


@pytest.mark.usefixtures("small_limits")
@pytest.mark.parametrize(
    "make",
    [
        lambda r: r.normal(size=400).cumsum(),
        lambda r: r.normal(size=401),
        lambda r: r.integers(0, 3, 400).astype(float),
        lambda r: np.arange(400) * 0.1,
        lambda r: np.ones(300),
        lambda r: np.round(np.linspace(0, 3, 400) + r.normal(size=400)),
        lambda r: 1e9 + r.normal(size=300),
        lambda r: (r.random(400) < np.linspace(0.2, 0.8, 400)).astype(float),
    ],
)
def test_selection_algorithm_is_exact(make: object) -> None:
    x = make(np.random.default_rng(3))  # type: ignore[operator]
    assert sen_slope(x)[0] == _brute_slope(x)


@pytest.mark.usefixtures("small_limits")
def test_exhaustive_fallback_is_exact() -> None:
    x = np.random.default_rng(5).normal(size=300)
    sl = trend_mod._Slopes(np.arange(300.0), x)
    ranks = ((sl.pairs - 1) // 2, sl.pairs // 2)
    assert sum(trend_mod._exhaustive(sl, ranks)) / 2 == _brute_slope(x)


def test_pair_counting_and_listing_against_brute_force() -> None:
    rng = np.random.default_rng(0)
    for n in (2, 3, 5, 17, 64, 100):
        r = rng.integers(0, 5, n).astype(np.int64)
        pairs = sorted((a, b) for a in range(n) for b in range(a + 1, n) if r[b] <= r[a])
        assert trend_mod._count_le_pairs(r) == len(pairs)
        a, b, total = trend_mod._pair_positions(r, np.arange(len(pairs), dtype=np.int64))
        assert total == len(pairs)
        assert sorted(zip(a.tolist(), b.tolist(), strict=True)) == pairs


def test_slope_per_day_with_times() -> None:
    rng = np.random.default_rng(9)
    hours = np.cumsum(rng.integers(1, 48, 200))
    times = np.datetime64("2026-01-01T00:00", "ns") + hours.astype("timedelta64[h]")
    x = 0.5 * hours / 24 + rng.normal(size=200)
    r = mann_kendall(Series(times, x))
    assert r.slope_unit == "day"
    t_days = (hours - hours[0]) / 24.0
    assert r.slope == pytest.approx(_brute_slope(x, t_days), rel=1e-12)
    assert r.intercept == pytest.approx(np.median(x) - np.median(t_days) * r.slope)
    weekly = mann_kendall(x, times, per="week")
    assert weekly.slope == pytest.approx(7 * r.slope)
    assert weekly.s == r.s


def test_all_equal_is_defined() -> None:
    r = mann_kendall([2.0] * 6)
    assert (r.s, r.var_s, r.z, r.p, r.tau_a, r.tau_b, r.slope) == (0, 0.0, 0.0, 1.0, 0, 0, 0)
    assert r.verdict is TrendVerdict.NO_TREND


def test_two_points() -> None:
    r = mann_kendall([1.0, 3.0])
    assert (r.s, r.var_s, r.z, r.slope) == (1, 1.0, 0.0, 2.0)


def test_verdicts() -> None:
    up = np.arange(30.0)
    assert mann_kendall(up).verdict is TrendVerdict.INCREASING
    assert mann_kendall(-up).verdict is TrendVerdict.DECREASING
    assert mann_kendall(up, alpha=1e-300).verdict is TrendVerdict.NO_TREND


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(-5, 5), min_size=2, max_size=60))
def test_reversing_negates_s_and_z(xs: list[int]) -> None:
    x = np.array(xs, dtype=float)
    fwd, rev = mann_kendall(x), mann_kendall(x[::-1])
    assert rev.s == -fwd.s
    assert rev.z == -fwd.z
    assert rev.var_s == fwd.var_s
    assert rev.slope == -fwd.slope
    assert fwd.slope == _brute_slope(x)
    # S from its definition
    i, j = np.triu_indices(x.size, 1)
    assert fwd.s == int(np.sign(x[j] - x[i]).sum())


NAIVE = [dt.datetime(2026, 1, 1), dt.datetime(2026, 1, 2)]


@pytest.mark.parametrize(
    ("call", "fragment"),
    [
        (lambda: mann_kendall([]), "values"),
        (lambda: mann_kendall([1.0]), "at least 2"),
        (lambda: mann_kendall([1.0, float("nan"), 2.0]), "values[1]"),
        (lambda: mann_kendall([1.0, float("inf"), 2.0]), "values[1]"),
        (lambda: mann_kendall([1.0, 2.0], alpha=0), "alpha"),
        (lambda: mann_kendall([1.0, 2.0], alpha=1.5), "alpha"),
        (lambda: mann_kendall([1.0, 2.0], per="fortnight"), "per"),
        (lambda: mann_kendall([1.0, 2.0], NAIVE), "timezone"),
        (
            lambda: mann_kendall(
                [1.0, 2.0], np.array(["2026-01-02", "2026-01-01"], dtype="datetime64[ns]")
            ),
            "strictly increasing",
        ),
        (
            lambda: mann_kendall(
                [1.0, 2.0], np.array(["2026-01-01", "2026-01-01"], dtype="datetime64[ns]")
            ),
            "strictly increasing",
        ),
        (
            lambda: mann_kendall([1.0, 2.0, 3.0], np.array(["2026-01-01"], dtype="datetime64[ns]")),
            "times",
        ),
        (lambda: sen_slope([1.0]), "at least 2"),
    ],
)
def test_bad_input(call: object, fragment: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        call()  # type: ignore[operator]
    assert fragment in str(info.value)
