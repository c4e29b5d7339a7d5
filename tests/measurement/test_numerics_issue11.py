"""Known answers for numerical bugs of issue #11 (each test failed before its fix)."""

from __future__ import annotations

import datetime as dt
import warnings

import numpy as np
import pytest
import scipy.stats

import itil_ci as ic
from itil_ci import measurement as m

BEFORE = np.array([1, 1.2, 1.1, 0.9, 1, 1.3, 0.8, 1.1, 6, 9])
AFTER = np.array([0.0, 0.0])


def _scipy_bca(before: np.ndarray, after: np.ndarray, seed: int) -> tuple[float, float]:
    """scipy's BCa interval of mean(after) - mean(before), the two samples resampled apart."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scipy warns about the degenerate [0, 0] group
        res = scipy.stats.bootstrap(
            (before, after),
            lambda x, y, axis=-1: np.mean(y, axis=axis) - np.mean(x, axis=axis),
            method="BCa",
            n_resamples=200_000,
            random_state=seed,
            vectorized=True,
        )
    return float(res.confidence_interval.low), float(res.confidence_interval.high)


def test_bca_before_group_enters_with_its_sign() -> None:
    # The example.  "after" is constant, so the difference is -mean(before)
    # and its BCa interval is the mirror of scipy's one-sample BCa interval for
    # mean(before); both scipy forms are computed here (200,000 resamples: Monte
    # Carlo noise well under the 0.05 tolerance).  The wrong sign gave [-3.95, -0.99].
    got = m.compare(BEFORE, AFTER, "lower", method="bca", resamples=200_000, seed=1)
    one = scipy.stats.bootstrap((BEFORE,), np.mean, method="BCa", n_resamples=200_000, rng=1)
    mirror = (-float(one.confidence_interval.high), -float(one.confidence_interval.low))
    assert (got.low, got.high) == pytest.approx(mirror, abs=0.05)  # about [-4.77, -1.06]
    assert (got.low, got.high) == pytest.approx(_scipy_bca(BEFORE, AFTER, 1), abs=0.05)
    assert got.low < -4.5  # far from the old -3.95


def test_bca_two_groups_of_different_sizes_match_scipy() -> None:
    # Both groups vary and differ in size: the acceleration weighs each group's
    # jackknife by (n - 1) / n (Efron & Tibshirani 1993, eq. 15.36), as scipy does.
    rng = np.random.default_rng(5)
    before, after = rng.exponential(3.0, size=15), rng.exponential(1.5, size=40)
    got = m.compare(before, after, "lower", method="bca", resamples=200_000, seed=2)
    assert (got.low, got.high) == pytest.approx(_scipy_bca(before, after, 2), abs=0.05)
    flipped = m.compare(after, before, "higher", method="bca", resamples=200_000, seed=2)
    assert (flipped.low, flipped.high) == pytest.approx(_scipy_bca(after, before, 2), abs=0.05)


def test_evaluate_attainment_near_float_max() -> None:
    # (value - baseline) / (target - baseline) = (0 + 1e308) / (1e308 + 1e308) = 0.5 by hand;
    # target - baseline overflowed to inf and gave 0.
    kpi = ic.KPI("k", direction="higher", target=ic.Target(1e308))
    ev = m.evaluate(kpi, ic.Baseline("k", -1e308), 0.0, today=dt.date(2026, 1, 1))
    assert ev.attainment == 0.5
    low = ic.KPI("k", direction="lower", target=ic.Target(-1.5e308))
    ev = m.evaluate(low, ic.Baseline("k", 1.5e308), 0.5e308)
    assert ev.attainment == pytest.approx(1 / 3)  # (0.5 - 1.5) / (-1.5 - 1.5), in 1e308
    assert ev.change == pytest.approx(-1e308)


@pytest.mark.parametrize("kpi", ["mttr", "mtta", "sla"])
@pytest.mark.parametrize("period", ["day", "week", "month"])
def test_period_on_end_without_closed_tickets_is_empty(kpi: str, period: str) -> None:
    opened = np.array(["2026-03-02T09:00", "2026-03-03T10:00"], dtype="datetime64[ns]")
    still_open = np.array(["NaT", "NaT"], dtype="datetime64[ns]")
    by = np.array(["email", "vpn"])
    if kpi == "mttr":
        r = m.mttr(opened, still_open, by=by, period=period, period_on="end")
    elif kpi == "mtta":
        r = m.mtta(opened, still_open, by=by, period=period, period_on="end")
    else:
        r = m.sla_attainment(opened, still_open, None, 4.0, by=by, period=period, period_on="end")
    assert len(r) == 0
    assert r.names == ("key", "period")
    assert all(len(col) == 0 for col in r.columns().values())
    assert r.series() == {}
