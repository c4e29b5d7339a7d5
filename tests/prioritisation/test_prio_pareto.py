"""Pareto front against brute force."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from itil_ci.domain import Opportunity
from itil_ci.errors import InvalidInputError
from itil_ci.prioritisation import Criterion, pareto_front


def _brute(x: np.ndarray) -> list[int]:
    """Non-dominated rows of x, higher is better everywhere."""
    out = []
    for i in range(x.shape[0]):
        dominated = any(
            (x[j] >= x[i]).all() and (x[j] > x[i]).any() for j in range(x.shape[0]) if j != i
        )
        if not dominated:
            out.append(i)
    return out


small = st.integers(0, 6).map(float)  # small integers: many ties and duplicates


@settings(max_examples=150, deadline=None)
@given(pairs=st.lists(st.tuples(small, small), max_size=30))
def test_two_dimensional_front_equals_brute_force(pairs: list[tuple[float, float]]) -> None:
    b = np.array([p[0] for p in pairs])
    c = np.array([p[1] for p in pairs])
    expected = _brute(np.column_stack([b, -c])) if pairs else []
    assert pareto_front(b, c).tolist() == expected


@settings(max_examples=100, deadline=None)
@given(
    x=hnp.arrays(np.float64, st.tuples(st.integers(1, 25), st.integers(1, 4)), elements=small),
    data=st.data(),
)
def test_k_dimensional_front_equals_brute_force(x: np.ndarray, data: st.DataObject) -> None:
    cost = data.draw(st.lists(st.booleans(), min_size=x.shape[1], max_size=x.shape[1]))
    crit = [Criterion(f"c{j}", 1, "cost" if cost[j] else "benefit") for j in range(x.shape[1])]
    signed = np.where(cost, -x, x)
    assert pareto_front(x, criteria=crit).tolist() == _brute(signed)


def test_opportunities_default_to_benefit_against_effort() -> None:
    opps = [
        Opportunity("A", id="a", expected_benefit=5, effort=2),
        Opportunity("B", id="b", expected_benefit=3, effort=1),
        Opportunity("C", id="c", expected_benefit=4, effort=3),
    ]
    assert pareto_front(opps) == ("a", "b")


@pytest.mark.parametrize(
    ("call", "fragment"),
    [
        (lambda: pareto_front([1, 2], [1]), "costs"),
        (lambda: pareto_front([1, 2]), "costs"),
        (lambda: pareto_front([[1, 2]], criteria=[Criterion("a")]), "1 columns"),
        (lambda: pareto_front([1, np.nan], [1, 2]), "benefits[1]"),
    ],
)
def test_bad_pareto_input(call: object, fragment: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        call()  # type: ignore[operator]
    assert fragment in str(info.value)
