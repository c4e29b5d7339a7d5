"""Regression tests for the second measurement review: missing values in evaluate, the
rate-window convention, and statistics of tiny and huge (but finite) values."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from itil_ci.domain import KPI, Series, Target
from itil_ci.errors import InvalidInputError
from itil_ci.measurement import Verdict, aggregate, baseline, compare, evaluate

DAY = np.timedelta64(1, "D")
DOCS = Path(__file__).resolve().parents[2] / "docs"


def _days(n: int) -> np.ndarray:
    return np.datetime64("2026-01-01", "ns") + np.arange(n) * DAY


MTTR = KPI("m", direction="lower", target=Target(3.0))
RATE = KPI("m", aggregation="rate", direction="lower", target=Target(0.5))


# --- 1. evaluate takes a Series with missing values, as baseline does -------------------


def test_evaluate_drops_missing_values_of_a_series_and_records_how_many() -> None:
    b = baseline(MTTR, Series(_days(5), [6.0] * 5))
    s = Series(_days(5), [5, 5, np.nan, 5, 5], allow_missing=True)
    ev = evaluate(MTTR, b, s)
    # mean of the four present values 5, 5, 5, 5 is 5 (by hand)
    assert (ev.value, ev.n) == (5.0, 4)
    assert ev.method.endswith("; 1 missing values left out")
    assert "missing" not in evaluate(MTTR, b, Series(_days(4), [5.0] * 4)).method


def test_rate_window_counts_the_slot_of_a_missing_observation() -> None:
    # Five daily slots, one missing: 4 counts over 5 days = 0.8 per day (by hand);
    # baseline and evaluate agree on the window [1 Jan, 6 Jan).
    s = Series(_days(5), [1, 1, np.nan, 1, 1], allow_missing=True)
    b = baseline(RATE, s)
    assert (b.value, b.n, b.note) == (0.8, 4, "1 missing values left out")
    assert (b.end - b.start).days == 5
    b1 = baseline(RATE, Series(_days(5), [2.0] * 5))  # 10 / 5 days = 2 per day
    ev = evaluate(RATE, b1, s)
    assert (ev.value, ev.n) == (0.8, 4)
    assert "1 missing values left out" in ev.method


@pytest.mark.parametrize(
    ("kpi", "current", "match"),
    [
        (MTTR, Series(_days(3), [np.nan] * 3, allow_missing=True), r"^series_or_value: .*at least"),
        (MTTR, [5.0, None], r"^series_or_value\[1\]: "),
        (MTTR, [5.0, float("nan")], r"^series_or_value\[1\]: "),
        (MTTR, [], r"^series_or_value: "),
        (MTTR, "abc", r"^series_or_value"),
        (
            KPI("m", aggregation="proportion", direction="higher", target=Target(7.0)),
            [0, 2],
            r"^series_or_value\[1\]: .*boolean",
        ),
    ],
)
def test_evaluate_errors_about_observations_name_series_or_value(
    kpi: KPI, current: object, match: str
) -> None:
    b = baseline(kpi, Series(_days(2), [6.0, 6.0] if kpi is MTTR else [0.0, 1.0]))
    with pytest.raises(InvalidInputError, match=match):
        evaluate(kpi, b, current)


def test_rate_baseline_error_has_no_trailing_space() -> None:
    with pytest.raises(InvalidInputError) as err:
        baseline(RATE, Series(_days(1), [3.0]))
    assert str(err.value).endswith("with 1 observation(s)'")
    times = _days(3)[[0, 1, 2]] + np.array([0, 0, 1], dtype="timedelta64[D]")
    with pytest.raises(InvalidInputError, match=r"with 3 observation\(s\) at uneven times'$"):
        baseline(RATE, Series(times, [1.0, 2.0, 3.0]))


def test_rate_window_rule_is_documented() -> None:
    doc = evaluate.__doc__ or ""
    assert "span of the Series' times" not in doc
    assert "sampling step" in doc
    assert "missing observation still" in doc
    assert "missing observation still counts" in " ".join((baseline.__doc__ or "").split())
    conventions = (DOCS / "conventions.md").read_text(encoding="utf-8")
    row = next(line for line in conventions.splitlines() if line.startswith("| Rate window"))
    assert "not 13" in row
    assert "evaluate(window=)" in row
    assert "missing" in row


# --- 3. tiny and huge values: statistics scale with the data ------------------------------


def test_std_of_tiny_values_is_not_zero() -> None:
    b = baseline(KPI("m"), Series(_days(3), [1e-320, 2e-320, 4e-320]))
    # sample std of [1, 2, 4] is sqrt(7/3) (by hand), times 1e-320; the inputs are
    # subnormal (1e-320 is stored as 2024 * 2**-1074), hence the tolerance.
    assert b.std == pytest.approx(math.sqrt(7 / 3) * 1e-320, rel=1e-3, abs=0)
    assert b.mean == pytest.approx(7 / 3 * 1e-320, rel=1e-3, abs=0)
    assert b.median == 2e-320


_ints = st.lists(st.integers(-1000, 1000), min_size=2, max_size=30)


@settings(max_examples=150, deadline=None)
@given(x=_ints, k=st.integers(-1000, 1013))
def test_location_and_spread_are_scale_equivariant(x: list[int], k: int) -> None:
    # Scaling by 2**k is exact, so every statistic must scale exactly with it, from
    # near the smallest normal float (2**-1000) to near the largest (1000 * 2**1013).
    a = np.asarray(x, dtype=np.float64)
    s = np.ldexp(a, k)
    ref = baseline(KPI("m"), Series(_days(a.size), a))
    got = baseline(KPI("m"), Series(_days(a.size), s))
    for field in ("mean", "median", "p90", "std"):
        assert getattr(got, field) == math.ldexp(getattr(ref, field), k), field
    for how in ("mean", "median", "p90", "p25"):
        assert aggregate(s, how).value == math.ldexp(aggregate(a, how).value, k), how


def test_mean_and_percentiles_of_huge_values() -> None:
    x = [1e308, 1.5e308, 1.7e308]
    b = baseline(KPI("m"), Series(_days(3), x))
    # mean 1.4e308 and sample std 0.3605551e308 of [1, 1.5, 1.7] (by hand), times 1e308
    assert b.mean == pytest.approx(1.4e308, rel=1e-15)
    assert b.median == 1.5e308
    assert b.std == pytest.approx(math.sqrt(0.13) * 1e308, rel=1e-15)
    assert b.p90 == pytest.approx(1.66e308, rel=1e-15)  # 1.5 + 0.8 * (1.7 - 1.5)


# --- 4. compare: huge values with a representable answer ----------------------------------


def test_compare_of_equal_huge_groups_is_no_change() -> None:
    c = compare([1e308] * 5, [1e308] * 5, "higher", seed=1)
    assert (c.difference, c.low, c.high, c.before, c.after) == (0.0, 0.0, 0.0, 1e308, 1e308)
    assert c.verdict is Verdict.NO_CHANGE


def test_compare_bca_with_representable_interval_is_computed() -> None:
    # Some resampled differences exceed float64, but the statistic and interval do
    # not: the answer is the one on inputs scaled by 2**-1023, scaled back.
    before, after = [1e308, -1e308, 1.0], [1e308, 1e307, 2.0]
    got = compare(before, after, "higher", seed=1, method="bca")
    small = compare(np.ldexp(before, -1023), np.ldexp(after, -1023), "higher", seed=1, method="bca")
    assert got.difference == math.ldexp(small.difference, 1023)
    assert (got.low, got.high) == (math.ldexp(small.low, 1023), math.ldexp(small.high, 1023))
    assert got.verdict is small.verdict is Verdict.NO_CHANGE


@settings(max_examples=25, deadline=None)
@given(
    x=st.lists(st.integers(1, 100), min_size=2, max_size=12),
    y=st.lists(st.integers(1, 100), min_size=2, max_size=12),
    k=st.sampled_from([0, 500, 1010, 1016]),
    method=st.sampled_from(["bootstrap", "bca", "mann-whitney"]),
    statistic=st.sampled_from(["mean", "median", "p90"]),
)
def test_compare_is_scale_equivariant(
    x: list[int], y: list[int], k: int, method: str, statistic: str
) -> None:
    a, b = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    ref = compare(a, b, "higher", seed=7, method=method, statistic=statistic, resamples=200)
    got = compare(
        np.ldexp(a, k),
        np.ldexp(b, k),
        "higher",
        seed=np.random.default_rng(7),  # a Generator is rewound for the scaled retry
        method=method,
        statistic=statistic,
        resamples=200,
    )
    for field in ("difference", "low", "high", "before", "after"):
        assert getattr(got, field) == math.ldexp(getattr(ref, field), k), field
    assert (got.verdict, got.p_value) == (ref.verdict, ref.p_value)
