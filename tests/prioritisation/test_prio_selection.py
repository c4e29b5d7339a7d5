"""Budgeted selection: textbook instance, brute force, constraints."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from itil_ci.domain import Opportunity
from itil_ci.errors import InvalidInputError
from itil_ci.prioritisation import select


def test_textbook_instance_where_greedy_fails() -> None:
    # Cormen, Leiserson, Rivest & Stein, Introduction to Algorithms, 3rd ed. (2009),
    # Section 16.2, Figure 16.2: weights 10, 20, 30, values 60, 100, 120, capacity
    # 50.  Greedy by value per unit weight takes items 1 and 2 (value 160); the
    # optimum takes items 2 and 3, value 220.
    s = select([60, 100, 120], [10, 20, 30], 50)
    assert s.indices.tolist() == [1, 2]
    assert (s.value, s.cost) == (220.0, 50.0)


def _brute(v, c, budget, must, out, req):  # type: ignore[no-untyped-def]
    n = len(v)
    best_val, best_set = None, None
    for k in range(n + 1):
        for combo in itertools.combinations(range(n), k):
            chosen = set(combo)
            if not set(must) <= chosen or chosen & set(out):
                continue
            if any(a in chosen and b not in chosen for a, b in req):
                continue
            cost = sum(c[i] for i in chosen)
            if cost > budget:
                continue
            val = sum(v[i] for i in chosen)
            if best_val is None or val > best_val + 1e-9:
                best_val, best_set = val, chosen
    return best_val, best_set


@st.composite
def instances(draw):  # type: ignore[no-untyped-def]
    n = draw(st.integers(0, 15 if draw(st.booleans()) else 8))
    v = draw(st.lists(st.integers(-3, 30).map(float), min_size=n, max_size=n))
    c = draw(st.lists(st.integers(0, 12).map(float), min_size=n, max_size=n))
    budget = draw(st.integers(0, 60))
    idx = st.integers(0, max(n - 1, 0))
    must = sorted(set(draw(st.lists(idx, max_size=2)))) if n else []
    out = sorted(set(draw(st.lists(idx, max_size=2))) - set(must)) if n else []
    req = draw(st.lists(st.tuples(idx, idx), max_size=4)) if n else []
    req = [(a, b) for a, b in req if a != b]
    return v, c, budget, must, out, req


@settings(max_examples=120, deadline=None)
@given(inst=instances())
def test_select_equals_brute_force(inst) -> None:  # type: ignore[no-untyped-def]
    v, c, budget, must, out, req = inst
    best_val, best_set = _brute(v, c, budget, must, out, req)
    try:
        s = select(v, c, budget, mandatory=must, excluded=out, requires=req)
    except InvalidInputError:
        assert best_set is None  # infeasible: mandatory too costly or clashing
        return
    assert best_set is not None
    assert s.value == pytest.approx(best_val)
    chosen = set(s.indices.tolist())
    assert s.cost <= budget
    assert set(must) <= chosen
    assert not chosen & set(out)
    assert all(b in chosen for a, b in req if a in chosen)
    assert s.value == pytest.approx(sum(v[i] for i in chosen))


def test_requires_chain_and_mapping_forms() -> None:
    v, c = [10, 1, 1, 5], [3, 3, 3, 3]
    # 0 is worth taking only with 1 and 2 (0 requires 1, 1 requires 2)
    s = select(v, c, 9, requires={0: 1, 1: [2]})
    assert s.indices.tolist() == [0, 1, 2]
    s = select(v, c, 6, requires=[(0, 1), (1, 2)])
    # budget 6: {2, 3} (value 6) beats {3} (5) and {1, 2} (2); 1 needs 2
    assert s.indices.tolist() == [2, 3]


def test_mandatory_pulls_in_requirements_and_excluded_removes_dependants() -> None:
    s = select([1, 1, 9], [1, 1, 1], 3, mandatory=[0], requires={0: 1})
    assert s.indices.tolist() == [0, 1, 2]
    s = select([9, 1, 9], [1, 1, 1], 3, excluded=[1], requires={0: 1})
    assert s.indices.tolist() == [2]


def test_opportunities_by_id() -> None:
    opps = [
        Opportunity("A", id="a", expected_benefit=60, effort=10),
        Opportunity("B", id="b", expected_benefit=100, effort=20),
        Opportunity("C", id="c", expected_benefit=120, effort=30),
    ]
    s = select(opps, budget=50)
    assert s.ids == ("b", "c")
    s = select(opps, budget=50, mandatory=["a"], requires={"c": "a"})
    assert s.ids == ("a", "c")


def test_large_instance_runs_and_is_feasible() -> None:
    rng = np.random.default_rng(3)
    v = rng.integers(1, 100, 300).astype(float)
    c = rng.integers(1, 500, 300).astype(float)
    s = select(v, c, 5_000)
    assert s.cost <= 5_000
    # at least as good as the greedy value-per-cost choice
    order = np.argsort(-v / c)
    spent, greedy = 0.0, 0.0
    for i in order:
        if spent + c[i] <= 5_000:
            spent += c[i]
            greedy += v[i]
    assert s.value >= greedy


@pytest.mark.parametrize(
    ("call", "fragment"),
    [
        (lambda: select([1, 2], [1, -1], 3), "costs[1]"),
        (lambda: select([1, 2], [1, 1.5], 3), "scale"),
        (lambda: select([1, 2], [2, 2], 3, mandatory=[0, 1]), "budget"),
        (lambda: select([1, 2], [1, 1], -1), "budget"),
        (lambda: select([1, 2], [1], 3), "costs"),
        (lambda: select([1, 2], [1, 1], 3, mandatory=[0], excluded=[0]), "excluded"),
        (
            lambda: select([1, 2], [1, 1], 3, mandatory=[0], excluded=[1], requires={0: 1}),
            "excluded",
        ),
        (lambda: select([1, 2], [1, 1], 3, mandatory=[5]), "mandatory"),
        (lambda: select([1, 2], [1, 1], 3, requires="0->1"), "requires"),
        (lambda: select([1, np.nan], [1, 1], 3), "values[1]"),
        (lambda: select([1, 2], [1, 1]), "budget"),
        (lambda: select([1, 2], [10**9, 10**9], 10**10, max_table_bytes=10), "MiB"),
    ],
)
def test_bad_selection_input(call: object, fragment: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        call()  # type: ignore[operator]
    assert fragment in str(info.value)
