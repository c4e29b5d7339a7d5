"""Before/after comparison and Pareto analysis."""

from __future__ import annotations

import importlib

import numpy as np
import pytest
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as st

from itil_ci.domain import KPI
from itil_ci.errors import InvalidInputError
from itil_ci.measurement import Verdict, compare, mann_whitney, pareto

RNG = np.random.default_rng(11)
BEFORE = RNG.normal(10.0, 2.0, 80)
AFTER = RNG.normal(8.0, 2.0, 70)


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (BEFORE, AFTER),
        (np.round(BEFORE), np.round(AFTER)),  # ties
        ([1, 2, 3, 4], [5, 6, 7, 8]),
        ([1, 1, 1, 2], [1, 2, 2, 2, 3]),
    ],
)
def test_mann_whitney_matches_scipy(before: object, after: object) -> None:
    # Peer: scipy.stats.mannwhitneyu(after, before, method="asymptotic") (default
    # use_continuity=True, two-sided), run here.
    u, p = mann_whitney(before, after)
    ref = scipy.stats.mannwhitneyu(after, before, method="asymptotic")
    assert u == ref.statistic
    assert p == pytest.approx(ref.pvalue, rel=1e-12)


def test_improvement_is_detected_and_seeded() -> None:
    c = compare(BEFORE, AFTER, "lower", seed=3)
    assert c.verdict is Verdict.IMPROVED
    assert c.difference == pytest.approx(AFTER.mean() - BEFORE.mean())
    assert c.low < c.difference < c.high < 0
    assert c == compare(BEFORE, AFTER, "lower", seed=3)
    assert compare(BEFORE, AFTER, "higher", seed=3).verdict is Verdict.WORSENED
    assert compare(BEFORE, BEFORE + 0.0, KPI("m", direction="lower"), seed=3).verdict is (
        Verdict.NO_CHANGE
    )


def test_interval_close_to_scipy_bootstrap() -> None:
    # Peer: scipy.stats.bootstrap((after, before), mean difference, method=...,
    # n_resamples=10000); different random streams, so agreement is to Monte Carlo error.
    for ours_method, scipy_method in (("bootstrap", "percentile"), ("bca", "BCa")):
        ours = compare(BEFORE, AFTER, "lower", seed=1, method=ours_method)
        ref = scipy.stats.bootstrap(
            (AFTER, BEFORE),
            lambda a, b, axis: a.mean(axis) - b.mean(axis),
            method=scipy_method,
            n_resamples=10_000,
            rng=np.random.default_rng(2),
        ).confidence_interval
        assert ours.low == pytest.approx(ref.low, abs=0.05)
        assert ours.high == pytest.approx(ref.high, abs=0.05)


@pytest.mark.parametrize("statistic", ["median", "p90", "p10"])
def test_statistics_and_bca(statistic: str) -> None:
    c = compare(BEFORE, AFTER, "lower", seed=5, statistic=statistic, method="bca")
    q = {"median": 50, "p90": 90, "p10": 10}[statistic]
    assert c.difference == pytest.approx(np.percentile(AFTER, q) - np.percentile(BEFORE, q))
    assert c.low <= c.high
    assert c.statistic == statistic


def test_mann_whitney_verdict_and_degenerate_data() -> None:
    c = compare(BEFORE, AFTER, "lower", seed=1, method="mann-whitney", resamples=200)
    assert c.verdict is Verdict.IMPROVED
    same = compare([3.0, 3.0, 3.0], [3.0, 3.0], "lower", seed=1)
    assert (same.difference, same.low, same.high, same.p_value) == (0.0, 0.0, 0.0, 1.0)
    assert same.verdict is Verdict.NO_CHANGE


def test_chunking_keeps_results_identical(monkeypatch: pytest.MonkeyPatch) -> None:
    compare_mod = importlib.import_module("itil_ci.measurement.compare")
    full = compare(BEFORE, AFTER, "lower", seed=9, resamples=500)
    monkeypatch.setattr(compare_mod, "_CHUNK_CELLS", 100)
    assert compare(BEFORE, AFTER, "lower", seed=9, resamples=500) == full


def test_pareto_by_hand() -> None:
    cats = ["disk"] * 5 + ["net"] * 3 + ["auth"] * 1 + ["dns"] * 1
    pa = pareto(cats)
    assert pa.categories == ("disk", "net", "auth", "dns")  # tie auth/dns by name
    assert pa.totals.tolist() == [5.0, 3.0, 1.0, 1.0]
    assert pa.cumulative.tolist() == pytest.approx([0.5, 0.8, 0.9, 1.0])
    assert pa.vital_few == ("disk", "net")  # reaching 0.8 exactly counts
    assert pareto(cats, cutoff=0.81).vital_few == ("disk", "net", "auth")
    assert pareto(cats, cutoff=1.0).vital_few == pa.categories
    weighted = pareto(["a", "b", "a"], weights=[1.0, 5.0, 1.0])
    assert weighted.categories == ("b", "a")
    assert weighted.shares.tolist() == pytest.approx([5 / 7, 2 / 7])
    assert pareto([3, 1, 3]).categories == ("3", "1")


@settings(max_examples=50, deadline=None)
@given(st.lists(st.sampled_from("abcdefg"), min_size=1, max_size=80), st.floats(0.01, 1.0))
def test_pareto_invariants(cats: list[str], cutoff: float) -> None:
    pa = pareto(cats, cutoff=cutoff)
    assert np.all(np.diff(pa.totals) <= 0)
    assert pa.totals.sum() == len(cats)
    assert pa.cumulative[-1] == 1.0
    k = len(pa.vital_few)
    assert pa.cumulative[k - 1] >= cutoff - 1e-12
    assert k == 1 or pa.cumulative[k - 2] < cutoff - 1e-12


@pytest.mark.parametrize(
    ("call", "fragment"),
    [
        (lambda: compare([], [1.0], "lower"), "before"),
        (lambda: compare([1.0], [float("nan")], "lower"), "after[0]"),
        (lambda: compare([1.0], [2.0], "sideways"), "direction"),
        (lambda: compare([1.0], [2.0], None), "direction"),
        (lambda: compare([1.0], [2.0], KPI("m")), "direction"),
        (lambda: compare([1.0], [2.0], "lower", statistic="mode"), "statistic"),
        (lambda: compare([1.0], [2.0], "lower", statistic="p120"), "statistic"),
        (lambda: compare([1.0], [2.0], "lower", confidence=1.0), "confidence"),
        (lambda: compare([1.0], [2.0], "lower", method="t-test"), "method"),
        (lambda: compare([1.0], [2.0], "lower", resamples=10), "resamples"),
        (lambda: compare([1.0], [2.0], "lower", seed=-1), "seed"),
        (lambda: pareto([]), "categories"),
        (lambda: pareto("abc"), "categories"),
        (lambda: pareto(["a"], cutoff=0), "cutoff"),
        (lambda: pareto(["a", "b"], weights=[1.0]), "weights"),
        (lambda: pareto(["a", "b"], weights=[1.0, -1.0]), "weights[1]"),
        (lambda: pareto(["a", "b"], weights=[0.0, 0.0]), "positive"),
        (lambda: pareto(["a", "b"], weights=[1.0, float("nan")]), "weights[1]"),
    ],
)
def test_bad_input(call: object, fragment: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        call()  # type: ignore[operator]
    assert fragment in str(info.value)
