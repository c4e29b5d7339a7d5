"""Opportunities as input, and the bad-input table for the scoring functions."""

from __future__ import annotations

import numpy as np
import pytest

from itil_ci.domain import Opportunity
from itil_ci.errors import InvalidInputError, ItilCiError
from itil_ci.prioritisation import (
    Criterion,
    as_criteria,
    explain,
    normalise,
    normalised_weights,
    topsis,
    weighted_sum,
)

OPPS = [
    Opportunity("A", id="a", effort=3, expected_benefit=8, scores={"risk": 2, "reach": 10}),
    Opportunity("B", id="b", effort=1, expected_benefit=5, scores={"risk": 1, "reach": 40}),
    Opportunity("C", id="c", effort=2, expected_benefit=2, scores={"risk": 3}),
]
CRIT = [Criterion("benefit", 2), Criterion("effort", 1, "cost"), Criterion("risk", 1, "cost")]
KEYS = {"benefit": "expected_benefit"}


def test_opportunities_match_the_matrix_form() -> None:
    x = np.array([[8, 3, 2], [5, 1, 1], [2, 2, 3]], dtype=float)
    for f in (weighted_sum, topsis):
        r = f(OPPS, CRIT, keys=KEYS)
        np.testing.assert_allclose(r.scores, f(x, CRIT))
        assert r.ids == ("a", "b", "c")
        assert r.criteria == ("benefit", "effort", "risk")
        assert r.keys == ("expected_benefit", "effort", "risk")
        assert r.directions == ("benefit", "cost", "cost")
        np.testing.assert_allclose(r.weights, [0.5, 0.25, 0.25])
    e = explain(OPPS, CRIT, keys=KEYS)
    assert e.ids == ("a", "b", "c")
    assert e.for_option("b")[0][0] in e.criteria


def test_explicit_scores_prefix_reads_the_scores_dict() -> None:
    opp = Opportunity("X", id="x", effort=1, scores={"effort": 9})
    other = Opportunity("Y", id="y", effort=2, scores={"effort": 3})
    r = weighted_sum([opp, other], [Criterion("e")], keys={"e": "scores.effort"})
    assert r.order == ("x", "y")
    r = weighted_sum([opp, other], [Criterion("e")], keys={"e": "effort"})
    assert r.order == ("y", "x")


def test_missing_key_names_the_opportunity_and_the_key() -> None:
    crit = [Criterion("reach"), Criterion("effort", 1, "cost")]
    with pytest.raises(InvalidInputError) as info:
        weighted_sum(OPPS, crit)
    msg = str(info.value)
    assert "'c'" in msg
    assert "scores['reach']" in msg
    assert "risk" in msg
    with pytest.raises(InvalidInputError, match=r"Opportunity\.expected_benefit"):
        weighted_sum([Opportunity("N", id="n")], [Criterion("expected_benefit")])


@pytest.mark.parametrize(
    ("call", "fragment"),
    [
        (lambda: weighted_sum([[1, np.nan]], CRIT[:2]), "matrix[0, 1]"),
        (lambda: weighted_sum([[1, np.inf]], CRIT[:2]), "matrix[0, 1]"),
        (lambda: weighted_sum([[1, 2]], CRIT), "3 columns"),
        (lambda: topsis([1, 2, 3], CRIT), "2-D"),
        (lambda: weighted_sum([[1, 2]], CRIT[:2], normalise="zscore"), "normalise"),
        (lambda: topsis([[1, 2]], CRIT[:2], normalise="l1"), "normalise"),
        (lambda: weighted_sum([[-1, 2]], CRIT[:2], normalise="sum"), "values >= 0"),
        (lambda: weighted_sum([[1, 2]], [Criterion("a", 0), Criterion("b", 0)]), "weight > 0"),
        (lambda: weighted_sum([[1, 2]], []), "at least one criterion"),
        (lambda: weighted_sum([[1, 2]], [Criterion("a"), Criterion("a")]), "unique"),
        (lambda: weighted_sum([[1, 2]], "ab"), "Criterion"),
        (lambda: weighted_sum([[1, 2]], CRIT[:2], keys={"a": "b"}), "keys"),
        (lambda: weighted_sum(OPPS, CRIT, keys={"nope": "x"}), "keys"),
        (lambda: weighted_sum([["a", "b"]], CRIT[:2]), "numbers"),
        (lambda: Criterion("a", 1, "sideways"), "direction"),
        (lambda: Criterion("", 1), "non-empty"),
        (lambda: Criterion("a", np.nan), "finite"),
        (lambda: as_criteria([("a", 1, "cost", 9)]), "criteria[0]"),
        (lambda: normalised_weights([Criterion("a", 0)]), "weight > 0"),
        (lambda: normalise([[1, 2]], [Criterion("a")]), "1 columns"),
        (lambda: explain([[1, 2]], CRIT[:2]).for_option(5), "option"),
        (lambda: weighted_sum([OPPS[0], OPPS[0]], CRIT, keys=KEYS), "unique ids"),
    ],
)
def test_bad_input(call: object, fragment: str) -> None:
    with pytest.raises(ItilCiError) as info:
        call()  # type: ignore[operator]
    assert isinstance(info.value, ValueError)
    assert fragment in str(info.value)
