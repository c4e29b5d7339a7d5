"""Weighted sum, TOPSIS, normalisation and explain: known answers, cross-checks, properties."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from pymcdm import normalizations as pn
from pymcdm.methods import TOPSIS, WSM

from itil_ci.prioritisation import (
    Criterion,
    CriterionDirection,
    explain,
    normalise,
    normalised_weights,
    topsis,
    weighted_sum,
)

# Hwang, C.-L. & Yoon, K. (1981). Multiple Attribute Decision Making: Methods and
# Applications. Springer (Lecture Notes in Economics and Mathematical Systems 186),
# fighter-aircraft example, p. 133: max speed (Mach), ferry range (NM), max payload
# (lb), acquisition cost ($10^6, a cost), reliability, manoeuvrability.
AIRCRAFT = [
    [2.0, 1500, 20000, 5.5, 5, 9],
    [2.5, 2700, 18000, 6.5, 3, 5],
    [1.8, 2000, 21000, 4.5, 7, 7],
    [2.2, 1800, 20000, 5.0, 5, 5],
]
AIRCRAFT_CRITERIA = [
    Criterion("speed", 0.2),
    Criterion("range", 0.1),
    Criterion("payload", 0.1),
    Criterion("cost", 0.1, "cost"),
    Criterion("reliability", 0.2),
    Criterion("manoeuvrability", 0.3),
]


def test_topsis_hwang_yoon_fighter_aircraft() -> None:
    # Published relative closeness C* = (0.643, 0.268, 0.613, 0.312), ranking
    # A1 > A3 > A4 > A2 (Hwang & Yoon 1981, p. 133).  The book rounds its
    # intermediate matrices to 4 decimals, so exact arithmetic gives 0.6135 for
    # A3; we allow 1e-3.
    c = topsis(AIRCRAFT, AIRCRAFT_CRITERIA)
    np.testing.assert_allclose(c, [0.643, 0.268, 0.613, 0.312], atol=1e-3)
    assert np.argsort(-c).tolist() == [0, 2, 3, 1]


def _pymcdm_types(crit: list[Criterion]) -> np.ndarray:
    return np.array([-1 if c.is_cost else 1 for c in crit])


mats = hnp.arrays(
    np.float64,
    st.tuples(st.integers(2, 30), st.integers(1, 6)),
    elements=st.floats(0.5, 100, allow_nan=False),
)


@settings(max_examples=60, deadline=None)
@given(x=mats, data=st.data())
def test_topsis_matches_pymcdm(x: np.ndarray, data: st.DataObject) -> None:
    m = x.shape[1]
    w = np.array(data.draw(st.lists(st.floats(0.1, 10), min_size=m, max_size=m)))
    cost = data.draw(st.lists(st.booleans(), min_size=m, max_size=m))
    crit = [Criterion(f"c{j}", w[j], "cost" if cost[j] else "benefit") for j in range(m)]
    varies = (x.max(axis=0) > x.min(axis=0)).all()
    if not varies:
        return
    # Peer library: pymcdm 1.4 TOPSIS(normalization_function=...)(matrix, w/w.sum(), types)
    for ours, theirs in (("vector", pn.vector_normalization), ("minmax", pn.minmax_normalization)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pymcdm warns about its own input checks
            expected = TOPSIS(theirs)(x, w / w.sum(), _pymcdm_types(crit))
        if not np.isfinite(expected).all():
            return
        np.testing.assert_allclose(topsis(x, crit, normalise=ours), expected, atol=1e-9)


@settings(max_examples=60, deadline=None)
@given(x=mats, data=st.data())
def test_weighted_sum_matches_pymcdm_wsm(x: np.ndarray, data: st.DataObject) -> None:
    m = x.shape[1]
    w = np.array(data.draw(st.lists(st.floats(0.1, 10), min_size=m, max_size=m)))
    cost = data.draw(st.lists(st.booleans(), min_size=m, max_size=m))
    crit = [Criterion(f"c{j}", w[j], "cost" if cost[j] else "benefit") for j in range(m)]
    if not (x.max(axis=0) > x.min(axis=0)).all():
        return  # pymcdm maps a constant column to 1, we map it to 0 (see the guide)
    # Peer library: pymcdm 1.4 WSM(normalization_function=...)(matrix, w/w.sum(), types);
    # both use linear cost forms for minmax, max and vector.
    for ours, theirs in (
        ("minmax", pn.minmax_normalization),
        ("vector", pn.vector_normalization),
        ("max", pn.max_normalization),
    ):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pymcdm warns about its own input checks
            expected = WSM(theirs)(x, w / w.sum(), _pymcdm_types(crit))
        np.testing.assert_allclose(weighted_sum(x, crit, normalise=ours), expected, atol=1e-9)


def test_weighted_sum_known_answer() -> None:
    # By hand: benefit min-max (1, 2/3, 0), effort cost min-max (0, 1, 1/2);
    # weights (2, 1) -> (2/3, 1/3): scores 2/3, 2/3*2/3+1/3 = 7/9, 1/6.
    crit = [Criterion("benefit", 2), Criterion("effort", 1, "cost")]
    np.testing.assert_allclose(
        weighted_sum([[8, 3], [6, 1], [2, 2]], crit), [2 / 3, 7 / 9, 1 / 6], rtol=1e-12
    )


def test_normalisation_formulas() -> None:
    x = np.array([[1.0, 4.0], [3.0, 0.0]])
    crit = [Criterion("b"), Criterion("c", 1, "cost")]
    np.testing.assert_allclose(normalise(x, crit, method="minmax"), [[0, 0], [1, 1]])
    np.testing.assert_allclose(
        normalise(x, crit, method="vector"), [[1 / 10**0.5, 0], [3 / 10**0.5, 1]]
    )
    np.testing.assert_allclose(normalise(x, crit, method="sum"), [[0.25, 0], [0.75, 1]])
    np.testing.assert_allclose(normalise(x, crit, method="max"), [[1 / 3, 0], [1, 1]])
    np.testing.assert_allclose(normalise(x, crit, method="none"), [[1, -4], [3, 0]])


@pytest.mark.parametrize("method", ["minmax", "vector", "sum", "max", "none"])
def test_constant_column_never_divides_by_zero_nor_changes_the_ranking(method: str) -> None:
    x = np.array([[1.0, 5.0], [2.0, 5.0], [3.0, 5.0]])
    crit = [Criterion("a"), Criterion("k", 3)]
    column = normalise(x, crit, method=method)[:, 1]  # type: ignore[arg-type]
    # one value for every option: 0 where the method divides by the range, sum or max;
    # vector: 5 / sqrt(3 * 25) = 1/sqrt(3); none: the value itself
    expected = {"minmax": 0.0, "sum": 0.0, "max": 0.0, "vector": 1 / np.sqrt(3), "none": 5.0}
    np.testing.assert_allclose(column, expected[method])
    s = weighted_sum(x, crit, normalise=method)  # type: ignore[arg-type]
    assert np.isfinite(s).all()
    assert np.argsort(-s).tolist() == [2, 1, 0]


@pytest.mark.parametrize("method", ["vector", "none"])
def test_improving_an_option_in_a_constant_negative_column_raises_its_score(method: str) -> None:
    # found by test_improving_an_option_never_hurts_it: x = [[-1, 0], [-1, 0]]
    crit = [Criterion("a"), Criterion("b")]
    before = weighted_sum([[-1.0, 0.0], [-1.0, 0.0]], crit, normalise=method)  # type: ignore[arg-type]
    after = weighted_sum([[-0.5, 0.0], [-1.0, 0.0]], crit, normalise=method)  # type: ignore[arg-type]
    assert after[0] >= before[0]


def test_all_constant_topsis_is_half() -> None:
    c = topsis([[1, 2], [1, 2]], [Criterion("a"), Criterion("b")])
    assert c.tolist() == [0.5, 0.5]


def test_weights_rescaled_and_directions() -> None:
    assert normalised_weights([Criterion("a", 2), Criterion("b", 6)]).tolist() == [0.25, 0.75]
    assert Criterion("x", 1, CriterionDirection.COST).is_cost
    assert Criterion("x", 1, "lower-is-better").is_cost
    assert not Criterion("x", 1, "higher").is_cost
    assert Criterion("x", 1, "BENEFIT").direction is CriterionDirection.BENEFIT


def test_explain_sums_to_scores_and_orders_contributions() -> None:
    x = np.array([[8, 3, 1], [6, 1, 4], [2, 2, 2]], dtype=float)
    crit = [Criterion("benefit", 2), Criterion("effort", 1, "cost"), Criterion("fit", 1)]
    e = explain(x, crit)
    np.testing.assert_allclose(e.contributions.sum(axis=1), weighted_sum(x, crit))
    np.testing.assert_allclose(e.scores, weighted_sum(x, crit))
    names = [name for name, _ in e.for_option(1)]
    # option 1: benefit 0.5 * 4/6 = 1/3, effort 0.25 * 1, fit 0.25 * 1 (tie kept in order)
    assert names == ["benefit", "effort", "fit"]
    vals = [v for _, v in e.for_option(1)]
    assert vals == sorted(vals, reverse=True)


# --- properties ---------------------------------------------------------------

prop_mats = hnp.arrays(
    np.float64,
    st.tuples(st.integers(2, 12), st.integers(1, 5)),
    elements=st.floats(-1e3, 1e3, allow_nan=False).map(lambda v: round(v, 3)),
)


def _crit(data: st.DataObject, m: int) -> list[Criterion]:
    w = data.draw(st.lists(st.floats(0.01, 10), min_size=m, max_size=m))
    cost = data.draw(st.lists(st.booleans(), min_size=m, max_size=m))
    return [Criterion(f"c{j}", w[j], "cost" if cost[j] else "benefit") for j in range(m)]


@settings(max_examples=80, deadline=None)
@given(x=prop_mats, data=st.data())
def test_improving_an_option_never_hurts_it(x: np.ndarray, data: st.DataObject) -> None:
    m = x.shape[1]
    crit = _crit(data, m)
    method = data.draw(st.sampled_from(["minmax", "vector", "none"]))
    i = data.draw(st.integers(0, x.shape[0] - 1))
    j = data.draw(st.integers(0, m - 1))
    step = data.draw(st.floats(0.001, 100))
    before = weighted_sum(x, crit, normalise=method)
    y = x.copy()
    y[i, j] += -step if crit[j].is_cost else step
    after = weighted_sum(y, crit, normalise=method)
    assert after[i] >= before[i] - 1e-9
    # its rank (number of options strictly ahead of it) never gets worse
    ahead_before = (before > before[i] + 1e-9).sum()
    ahead_after = (after > after[i] + 1e-9).sum()
    assert ahead_after <= ahead_before


@settings(max_examples=60, deadline=None)
@given(x=prop_mats, data=st.data(), factor=st.floats(0.01, 100))
def test_scaling_all_weights_changes_nothing(
    x: np.ndarray, data: st.DataObject, factor: float
) -> None:
    crit = _crit(data, x.shape[1])
    scaled = [Criterion(c.name, c.weight * factor, c.direction) for c in crit]
    np.testing.assert_allclose(weighted_sum(x, scaled), weighted_sum(x, crit), atol=1e-9)
    np.testing.assert_allclose(topsis(x, scaled), topsis(x, crit), atol=1e-9)


@settings(max_examples=60, deadline=None)
@given(x=prop_mats, data=st.data())
def test_permuting_options_permutes_scores(x: np.ndarray, data: st.DataObject) -> None:
    crit = _crit(data, x.shape[1])
    perm = np.array(data.draw(st.permutations(range(x.shape[0]))))
    for f in (weighted_sum, topsis):
        np.testing.assert_allclose(f(x[perm], crit), f(x, crit)[perm], atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(x=prop_mats, data=st.data())
def test_scores_in_unit_interval(x: np.ndarray, data: st.DataObject) -> None:
    crit = _crit(data, x.shape[1])
    s = weighted_sum(x, crit)
    t = topsis(x, crit)
    assert ((s >= -1e-12) & (s <= 1 + 1e-12)).all()
    assert ((t >= 0) & (t <= 1)).all()
