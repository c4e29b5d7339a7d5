"""approximate=True: spread cells' percentiles within the stated relative error, the rest exact."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from itil_ci import scale
from itil_ci.measurement import itsm
from itil_ci.scale import _sketch

from .data import columns, frame, keyed, pieces, random_tickets


@settings(max_examples=200)
@given(
    st.lists(st.integers(0, 10**15), min_size=1, max_size=300),
    st.sampled_from([0.001, 0.01, 0.05]),
    st.integers(1, 4),
)
def test_sketch_percentiles_are_within_the_bound(values: list[int], alpha: float, k: int) -> None:
    # the durations split into k pieces, each sketched alone, then merged
    d = np.array(values, dtype=np.int64)
    cells = np.zeros(d.size, dtype=np.int64)
    parts = np.array_split(np.arange(d.size), k)
    sketches = [
        _sketch.merge(cells[p], _sketch.bins(d[p], alpha), np.ones(p.size, np.int64)) for p in parts
    ]
    merged = _sketch.merge(*(np.concatenate(x) for x in zip(*sketches, strict=True)))
    for q in (0.0, 10.0, 50.0, 90.0, 100.0):
        (est,) = _sketch.quantiles(*merged, 1, [q], alpha)
        exact = float(np.percentile(d.astype(np.float64), q))  # numpy's linear percentile
        assert abs(est[0] - exact) <= alpha * exact * (1 + 1e-9)


def _spread(seed: int) -> tuple[Any, Any]:
    df = random_tickets(seed, 400, days=60)
    return frame(df, pieces(len(df), seed, parts=5)), df


def test_spread_cells_are_within_the_bound_and_the_rest_exact(client: Any) -> None:
    t, df = _spread(11)
    opened, resolved = columns(df, "opened", "resolved")
    by = ["assignment_group"]
    exact = itsm.mttr(opened, resolved, by=keyed(df, by), period="month")
    for alpha in (0.01, 0.001):
        got = scale.mttr(t, by=by, period="month", approximate=True, relative_error=alpha)
        assert got.parameters["approximate"] == (
            f"percentiles within a relative {alpha:g} (logarithmic histogram)"
        )
        np.testing.assert_array_equal(got.count, exact.count)
        np.testing.assert_allclose(got.mean, exact.mean, rtol=1e-12)
        for name in ("median", "p90"):
            a, b = getattr(got, name), getattr(exact, name)
            assert np.all(np.abs(a - b) <= alpha * b * (1 + 1e-9)), name
            assert not np.array_equal(a, b)  # estimated: every cell is spread over partitions
    # the same tickets in one partition: every cell finished by the kernel, exactly
    whole = scale.mttr(frame(df), by=by, period="month", approximate=True)
    np.testing.assert_array_equal(whole.median, exact.median)
    np.testing.assert_array_equal(whole.p90, exact.p90)


@settings(max_examples=6)
@given(st.integers(0, 2**32 - 1), st.sampled_from([None, "week"]))
def test_mtta_approximate_property(client: Any, seed: int, period: Any) -> None:
    t, df = _spread(seed)
    opened, ack = columns(df, "opened", "acknowledged")
    exact = itsm.mtta(opened, ack, period=period, unit="minutes")
    got = scale.mtta(t, period=period, unit="minutes", approximate=True, relative_error=0.02)
    np.testing.assert_array_equal(got.count, exact.count)
    np.testing.assert_allclose(got.mean, exact.mean, rtol=1e-12)
    for name in ("median", "p90"):
        a, b = getattr(got, name), getattr(exact, name)
        assert np.all(np.abs(a - b) <= 0.02 * b * (1 + 1e-9)), name
