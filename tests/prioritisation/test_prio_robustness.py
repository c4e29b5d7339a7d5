"""Robustness of a ranking under uncertain weights."""

from __future__ import annotations

import numpy as np
import pytest

from itil_ci.domain import Opportunity
from itil_ci.errors import InvalidInputError
from itil_ci.prioritisation import Criterion, rank, robustness, topsis, weighted_sum

CRIT = [Criterion("value", 2), Criterion("effort", 1, "cost"), Criterion("fit", 1)]


def _matrix(n: int = 30, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).uniform(1, 10, size=(n, 3))


def test_dominant_option_always_first() -> None:
    x = _matrix()
    x[7] = [20, 0.5, 20]  # best on every criterion
    for model in ("weighted_sum", "topsis"):
        r = robustness(x, CRIT, model=model, draws=500, seed=0)  # type: ignore[arg-type]
        assert r.p_first[7] == 1.0
        assert r.rank_max[7] == 1
        assert r.p_first.sum() == pytest.approx(1.0)


def test_tiny_spread_reproduces_fixed_ranking() -> None:
    x = _matrix()
    for model, f in (("weighted_sum", weighted_sum), ("topsis", topsis)):
        fixed = rank(f(x, CRIT))
        r = robustness(x, CRIT, model=model, draws=200, spread=1e-9, k=5, seed=2)  # type: ignore[arg-type]
        np.testing.assert_array_equal(r.rank_min, fixed)
        np.testing.assert_array_equal(r.rank_max, fixed)
        np.testing.assert_array_equal(r.p_top_k, (fixed <= 5).astype(float))


def test_seeded_is_reproducible_and_chunking_invariant() -> None:
    x = _matrix()
    a = robustness(x, CRIT, draws=1000, seed=5, chunk=1000)
    b = robustness(x, CRIT, draws=1000, seed=np.random.default_rng(5), chunk=1000)
    assert a == b
    c = robustness(x, CRIT, draws=1000, seed=5, chunk=128)
    # different chunking draws the same stream in pieces: same distribution, close values
    np.testing.assert_allclose(c.rank_mean, a.rank_mean, atol=1.0)
    assert ((a.rank_min <= a.rank_mean) & (a.rank_mean <= a.rank_max)).all()
    assert (a.p_first <= a.p_top_k).all()
    assert a.p_top_k.sum() == pytest.approx(3.0)  # k = 3 places filled in each draw


def test_two_option_probabilities_match_the_weight_distribution() -> None:
    # Options (1, 0) and (0, 1) on two benefit criteria: option 0 wins exactly when
    # w0 > w1.  Dirichlet(w / spread) with w = (0.6, 0.4), spread 0.1 is
    # Beta(6, 4) for w0, so P(w0 > 0.5) = 1 - I_0.5(6, 4) = 0.74609375 (= 191/256).
    r = robustness(
        [[1.0, 0.0], [0.0, 1.0]],
        [Criterion("a", 0.6), Criterion("b", 0.4)],
        draws=40_000,
        spread=0.1,
        seed=11,
    )
    assert r.p_first[0] == pytest.approx(191 / 256, abs=0.01)


def test_opportunities_keep_ids() -> None:
    opps = [
        Opportunity("A", id="a", expected_benefit=9, effort=1, scores={"fit": 3}),
        Opportunity("B", id="b", expected_benefit=2, effort=5, scores={"fit": 1}),
    ]
    r = robustness(opps, CRIT, keys={"value": "expected_benefit"}, draws=100, seed=0, k=1)
    assert r.ids == ("a", "b")
    assert r.p_first.tolist() == [1.0, 0.0]


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"model": "vikor"}, "model"),
        ({"draws": 0}, "draws"),
        ({"spread": 0}, "spread"),
        ({"k": 0}, "k"),
        ({"normalise": "zscore"}, "normalise"),
    ],
)
def test_bad_robustness_input(kwargs: dict[str, object], fragment: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        robustness(_matrix(), CRIT, **kwargs)  # type: ignore[arg-type]
    assert fragment in str(info.value)
