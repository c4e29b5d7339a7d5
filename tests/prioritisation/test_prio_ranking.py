"""rank, top_k and the Ranking record."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import rankdata

from itil_ci.domain import Opportunity
from itil_ci.domain.ranking import Ranking
from itil_ci.errors import InvalidInputError
from itil_ci.io.codec import from_json, to_json
from itil_ci.prioritisation import Criterion, rank, top_k, weighted_sum

scores = st.lists(st.integers(-5, 5).map(float), max_size=40)


@settings(max_examples=100, deadline=None)
@given(s=scores, ties=st.sampled_from(["min", "dense", "average", "ordinal", "max"]))
def test_rank_matches_scipy_rankdata(s: list[float], ties: str) -> None:
    # Peer library: scipy.stats.rankdata(-scores, method=ties) ranks highest first.
    expected = rankdata(-np.array(s), method=ties) if s else np.zeros(0)
    got = rank(s, ties=ties)  # type: ignore[arg-type]
    np.testing.assert_array_equal(got, expected)
    # the docstring: "average" gives float ranks, every other rule whole numbers
    # (no scores: see test_average_ranks_of_no_scores_are_floats)
    if s:
        assert got.dtype.kind == ("f" if ties == "average" else "i")
    # ascending: rankdata(scores) ranks the lowest first
    ascending = rankdata(np.array(s), method=ties) if s else np.zeros(0)
    np.testing.assert_array_equal(rank(s, ties=ties, descending=False), ascending)  # type: ignore[arg-type]


def test_average_ranks_of_no_scores_are_floats() -> None:
    # scipy.stats.rankdata([], method="average") gives an empty float64 array too
    assert rank([], ties="average").dtype == np.float64


def test_average_ranks_are_floats_even_without_ties() -> None:
    # distinct scores take a fast path; the result type must not depend on it
    r = rank([3.0, 1.0, 2.0], ties="average")
    assert r.dtype == np.float64
    assert r.tolist() == [1.0, 3.0, 2.0]


def test_rank_examples_and_ascending() -> None:
    # by hand from the tie rules in the rank() docstring (scipy.stats.rankdata conventions)
    assert rank([3.0, 1.0, 3.0, 2.0], ties="max").tolist() == [2, 4, 2, 3]
    assert rank([3.0, 1.0, 3.0], ties="ordinal").tolist() == [1, 3, 2]
    assert rank([3.0, 1.0, 2.0], descending=False).tolist() == [3, 1, 2]


@settings(max_examples=100, deadline=None)
@given(s=scores, k=st.integers(0, 45))
def test_top_k_is_the_stable_sort_prefix(s: list[float], k: int) -> None:
    expected = np.argsort(-np.array(s), kind="stable")[:k] if s else np.zeros(0)
    np.testing.assert_array_equal(top_k(s, k), expected)


def test_top_k_large_uses_partition_and_keeps_ties_in_order() -> None:
    s = np.zeros(1000)
    s[[5, 700, 900]] = 1.0
    assert top_k(s, 5).tolist() == [5, 700, 900, 0, 1]


def test_rank_and_top_k_with_opportunities() -> None:
    opps = [
        Opportunity("A", id="a", scores={"v": 1.0}),
        Opportunity("B", id="b", scores={"v": 3.0}),
        Opportunity("C", id="c", scores={"v": 3.0}),
    ]
    r = rank(opps, key="v")
    assert isinstance(r, Ranking)
    assert r.ranks.tolist() == [3, 1, 1]
    assert r.order == ("b", "c", "a")
    assert top_k(opps, 2, key="v") == ("b", "c")


def test_ranking_round_trips_through_codec() -> None:
    opps = [
        Opportunity("A", id="a", effort=2, expected_benefit=3),
        Opportunity("B", id="b", effort=4, expected_benefit=5),
    ]
    r = weighted_sum(opps, [Criterion("expected_benefit", 2), Criterion("effort", 1, "cost")])
    back = from_json(to_json(r), Ranking)
    assert back == r
    assert back.top(1) == ("b",)
    assert back.rank_of("a") == 2


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"ids": ("a",), "scores": [1.0, 2.0], "ranks": [1, 2], "model": "m"}, "one per id"),
        ({"ids": ("a", "a"), "scores": [1.0, 2.0], "ranks": [1, 2], "model": "m"}, "unique"),
        ({"ids": ("a",), "scores": [np.nan], "ranks": [1], "model": "m"}, "finite"),
        ({"ids": ("a",), "scores": [1.0], "ranks": [2], "model": "m"}, "between 1 and 1"),
        ({"ids": ("a",), "scores": [1.0], "ranks": [1.5], "model": "m"}, "whole numbers"),
    ],
)
def test_bad_ranking_record(kwargs: dict[str, object], fragment: str) -> None:
    with pytest.raises(InvalidInputError, match=None) as info:
        Ranking(**kwargs)  # type: ignore[arg-type]
    assert fragment in str(info.value)


@pytest.mark.parametrize(
    ("call", "fragment"),
    [
        (lambda: rank([1.0, np.inf]), "scores[1]"),
        (lambda: rank([1.0], ties="first"), "ties"),
        (lambda: rank([[1.0]]), "one-dimensional"),
        (lambda: top_k([1.0], -1), "k"),
        (lambda: rank([Opportunity("A")]), "key"),
        (lambda: rank([1.0], key="v"), "key"),
    ],
)
def test_bad_rank_input(call: object, fragment: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        call()  # type: ignore[operator]
    assert fragment in str(info.value)
