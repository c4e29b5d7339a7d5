"""Model scores of extreme but finite inputs: computed when the true score is a float64
(a zero factor, a mean, a product that a divisor brings back), refused only beyond it."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from itil_ci.domain import Opportunity
from itil_ci.errors import InvalidInputError
from itil_ci.prioritisation import ice, rice, value_effort, wsjf


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        # a zero factor makes the score 0 whatever the others (was inf * 0 = nan)
        (lambda: rice([1e308], [1e308], [0.0], [1]), [0.0]),
        (lambda: rice([0.0], [1e308], [1.0], [1e-300]), [0.0]),
        (lambda: rice([1e200], [1e200], [0], [1]), [0.0]),
        (lambda: ice([1e308], [0.0], [1e308]), [0.0]),
        # 1e200 * 1e200 * 1 / 1e200 = 1e200: the product overflows, the score does not
        (lambda: rice([1e200], [1e200], [1], [1e200]), [1e200]),
        # mean of three equal values is that value (by hand)
        (lambda: ice([1e308], [1e308], [1e308], combine="mean"), [1e308]),
        (lambda: ice([1.7e308], [1.7e308], [1.7e308], combine="mean"), [1.7e308]),
        # (1e308 + 1e308 + 0) / 1e10 = 2e298 (by hand)
        (lambda: wsjf([1e308], [1e308], [0], [1e10]), [2e298]),
    ],
)
def test_representable_scores_of_extreme_inputs_are_computed(call, expected) -> None:  # type: ignore[no-untyped-def]
    assert call().tolist() == pytest.approx(expected, rel=1e-15, abs=0)


def test_zero_confidence_opportunity_scores_zero() -> None:
    opps = [
        Opportunity(
            "A", id="a", effort=1, scores={"reach": 1e308, "impact": 1e308, "confidence": 0}
        ),
        Opportunity("B", id="b", effort=2, scores={"reach": 10, "impact": 1, "confidence": 1}),
    ]
    r = rice(opps)
    assert r.scores.tolist() == [0.0, 5.0]  # 10 * 1 * 1 / 2 (by hand)
    assert r.order == ("b", "a")


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (
            lambda: rice([1e200], [1e200], [1], [1]),
            r"^reach/impact/confidence/effort\[0\]: expected .*finite rice score.*, got inf$",
        ),
        (
            lambda: ice([1.0, 1e200], [1.0, 1e200], [1.0, 1.0]),
            r"^impact/confidence/ease\[1\]: expected .*finite ice score",
        ),
        (
            lambda: wsjf([1e308], [1e308], [1], [1]),
            r"^business_value/time_criticality/risk_reduction/job_size\[0\]: expected",
        ),
        (
            lambda: value_effort([1e300, 1.0], [1e-300, 1.0]),
            r"^value/effort\[0\]: expected .*finite value_effort score",
        ),
    ],
)
def test_overflow_errors_use_the_standard_form_and_name_the_inputs(call, match) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInputError, match=match):
        call()


def test_overflow_error_names_the_opportunity_and_its_score_keys() -> None:
    opps = [
        Opportunity("B", id="b", effort=1, scores={"r": 1e200, "i": 1e200, "c": 1}),
    ]
    keys = {"reach": "r", "impact": "i", "confidence": "c"}
    with pytest.raises(InvalidInputError, match=r"^opportunity 'b' r/i/c/effort: expected"):
        rice(opps, keys=keys)


_pos = st.one_of(st.just(0.0), st.floats(1e-6, 1e6))  # intermediates stay normal floats


@settings(max_examples=200, deadline=None)
@given(
    r=_pos,
    i=_pos,
    c=st.one_of(st.just(0.0), st.floats(1e-6, 1)),
    e=st.floats(1e-3, 1e3),
    k=st.integers(-900, 900),
)
def test_scores_match_the_direct_formula_and_scale_exactly(
    r: float, i: float, c: float, e: float, k: int
) -> None:
    # In the ordinary range the scores are the very floats of the textbook formulas.
    assert rice([r], [i], [c], [e])[0] == r * i * c / e
    assert ice([r], [i], [c])[0] == r * i * c
    assert ice([r], [i], [c], combine="mean")[0] == (r + i + c) / 3.0
    assert wsjf([r], [i], [c], [e])[0] == (r + i + c) / e
    # Scaling reach by 2**k scales the RICE score by 2**k exactly, while it is normal.
    want = math.ldexp(r * i * c / e, k)
    if want == 0.0 or abs(want) >= np.finfo(np.float64).tiny:
        assert rice([math.ldexp(r, k)], [i], [c], [e])[0] == want
