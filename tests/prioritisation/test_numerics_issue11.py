"""Known answers for numerical bugs of issue #11 in the prioritisation core."""

from __future__ import annotations

import numpy as np
import pytest
from pymcdm import normalizations as pn

from itil_ci.errors import InvalidInputError
from itil_ci.prioritisation import (
    Criterion,
    normalise,
    normalised_weights,
    pareto_front,
    robustness,
    select,
    topsis,
    weighted_sum,
)

THREE = [Criterion("a"), Criterion("b"), Criterion("c")]


def _dominated_by_loop(x: np.ndarray) -> list[int]:
    """The non-dominated rows by the definition, pair by pair (slow reference)."""
    keep = []
    for i in range(len(x)):
        if not any((x[j] >= x[i]).all() and (x[j] > x[i]).any() for j in range(len(x)) if j != i):
            keep.append(i)
    return keep


@pytest.mark.parametrize(
    "rows",
    [
        [[1e16, 0, 0], [1e16, 1, 0]],  # the issue: both sums round to 1e16
        [[1e16, 1, 0], [1e16, 0, 0]],
        [[1e308, 1e308, 0], [1e308, 1e308, 1]],  # both sums overflow to inf
        [[1.7e308, 1.7e308, 1.7e308], [1.7e308, 1.7e308, 1.6e308], [-1e308, 5.0, 0.0]],
        [[2.0**53, 1, 1], [2.0**53, 0, 1], [2.0**53 + 2, 0, 0], [2.0**53, 1, 0]],
    ],
)
def test_pareto_front_keeps_no_dominated_row(rows: list[list[float]]) -> None:
    x = np.array(rows)
    assert pareto_front(x, criteria=THREE).tolist() == _dominated_by_loop(x)


def test_pareto_front_issue_example() -> None:
    # [1e16, 1, 0] dominates [1e16, 0, 0]: only row 1 (by hand)
    assert pareto_front([[1e16, 0, 0], [1e16, 1, 0]], criteria=THREE).tolist() == [1]


def test_weights_near_float_max_keep_their_ratio() -> None:
    # 1e308 and 1e308 are equal weights: 0.5 each (their sum overflowed to inf: zeros)
    crit = [Criterion("a", 1e308), Criterion("b", 1e308)]
    assert normalised_weights(crit).tolist() == [0.5, 0.5]
    crit = [Criterion("a", 1.5e308), Criterion("b", 0.5e308)]
    assert normalised_weights(crit).tolist() == pytest.approx([0.75, 0.25])
    # ordinary weights give exactly the same floats as before (power-of-two scaling)
    w = [0.1, 0.2, 0.3, 0.7]
    expected = np.array(w) / np.sum(w)
    assert normalised_weights([Criterion(str(i), v) for i, v in enumerate(w)]).tolist() == (
        expected.tolist()
    )


X = np.array([[1.0, 3.0, 2.0], [2.0, 1.0, 5.0], [4.0, 2.0, 1.0]])
CRIT = [Criterion("a", 1), Criterion("b", 2, "cost"), Criterion("c", 1)]


@pytest.mark.parametrize("method", ["minmax", "vector", "sum", "max"])
def test_subnormal_matrix_scores_like_the_same_matrix_scaled_up(method: str) -> None:
    # min-max, vector, sum and max normalisation do not change when a column is
    # multiplied by a positive number, so a matrix of subnormal numbers (X times
    # 2**-1070) must score exactly as X does; the reciprocal of a subnormal range
    # overflowed and every score was NaN.
    tiny = np.ldexp(X, -1070)
    for model in (weighted_sum, topsis):
        assert model(tiny, CRIT, normalise=method) == pytest.approx(
            model(X, CRIT, normalise=method), abs=1e-12
        )
    assert normalise(tiny, CRIT, method=method) == pytest.approx(
        normalise(X, CRIT, method=method), abs=1e-12
    )


def test_topsis_of_tiny_values_without_normalisation() -> None:
    # TOPSIS closeness d- / (d+ + d-) does not change when every distance is scaled
    # by one factor; tiny gaps squared to 0 and every option scored 0.5.
    tiny = np.ldexp(X, -1070)
    assert topsis(tiny, CRIT, normalise="none") == pytest.approx(
        topsis(X, CRIT, normalise="none"), abs=1e-12
    )
    a = robustness(X, CRIT, model="topsis", normalise="none", draws=300, seed=3)
    b = robustness(tiny, CRIT, model="topsis", normalise="none", draws=300, seed=3)
    assert b.p_first.tolist() == a.p_first.tolist()


def test_select_near_float_max() -> None:
    # values 8e307, 8e307, 1.7e308 with costs 1, 1, 2 and budget 2: {0, 1} is worth
    # 1.6e308 and {2} 1.7e308, so {2} is best (by hand); the running sums overflowed.
    s = select([8e307, 8e307, 1.7e308], [1, 1, 2], 2)
    assert s.indices.tolist() == [2]
    assert s.value == 1.7e308
    s = select([8e307, 8e307, 1.5e308], [1, 1, 2], 2)
    assert s.indices.tolist() == [0, 1]
    assert s.value == 1.6e308
    # the issue's case: the best choice {0, 1} is worth 2e308, beyond float64
    with pytest.raises(InvalidInputError, match="best total fits in float64"):
        select([1e308, 1e308, 1.7e308], [1, 1, 2], 2)


def test_sum_normalisation_of_a_cost_column_is_linear_not_pymcdms() -> None:
    # Peer library: pymcdm 1.4 normalizations.  Benefit columns agree; for a cost
    # column pymcdm's sum_normalization is (1/x) / sum(1/x), this library's
    # 1 - x / sum(x) (the module docstring and docs/conventions.md say why).
    x = np.array([1.0, 2.0, 5.0])
    ours_benefit = normalise(x[:, None], [Criterion("v")], method="sum")[:, 0]
    assert ours_benefit == pytest.approx(pn.sum_normalization(x))
    ours_cost = normalise(x[:, None], [Criterion("c", 1, "cost")], method="sum")[:, 0]
    assert ours_cost == pytest.approx([1 - 1 / 8, 1 - 2 / 8, 1 - 5 / 8])  # by hand
    theirs = pn.sum_normalization(x, cost=True)  # (1, 1/2, 1/5) / 1.7
    assert theirs == pytest.approx([1 / 1.7, 0.5 / 1.7, 0.2 / 1.7])
    assert not np.allclose(ours_cost, theirs)
    for method, peer in (("vector", pn.vector_normalization), ("max", pn.max_normalization)):
        ours = normalise(x[:, None], [Criterion("c", 1, "cost")], method=method)[:, 0]
        assert ours == pytest.approx(peer(x, cost=True))
    # a zero cost is fine here (pymcdm requires x > 0)
    assert normalise([[0.0], [4.0]], [Criterion("c", 1, "cost")], method="sum")[:, 0].tolist() == [
        1.0,
        0.0,
    ]
