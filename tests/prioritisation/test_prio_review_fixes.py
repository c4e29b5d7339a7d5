"""Review fixes: AHP edges, one seed rule, extreme inputs, recorded parameters, selection."""

from __future__ import annotations

import importlib
import itertools
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from itil_ci._internal.validate import rng
from itil_ci.domain import Opportunity, Ranking
from itil_ci.errors import InvalidInputError
from itil_ci.io.synthetic import generate_tickets
from itil_ci.measurement.compare import compare
from itil_ci.prioritisation import (
    Criterion,
    ahp,
    ice,
    normalise,
    rice,
    robustness,
    scoring,
    select,
    topsis,
    value_effort,
    weighted_sum,
    wsjf,
)

normalise_module = importlib.import_module("itil_ci.prioritisation.normalise")

CRIT = [Criterion("value", 1), Criterion("effort", 1, "cost")]
# Option 0 is best on both criteria, option 1 worst on both, option 2 in the middle.
EXTREME = [[1e308, -1e308], [-1e308, 1e308], [0.0, 0.0]]


# --- 1. AHP ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: ahp(5), r"pairwise: expected a non-empty square matrix, got 'shape \(\)'"),
        (lambda: ahp([1.0, 2.0]), "non-empty square matrix"),
        (lambda: ahp({}), "pairwise: expected at least one judgement"),
        (lambda: ahp({("a", "b"): 3}, threshold=float("nan")), "threshold: expected a finite"),
        (lambda: ahp({("a", "b"): 3}, threshold=0), "threshold: expected a number > 0"),
        (lambda: ahp({("a", "b"): 3}, threshold="0.1"), "threshold: expected a number"),
        (lambda: ahp([[1, 2], [0.5, 1]], rtol=-0.1), "rtol: expected a number >= 0"),
        (lambda: ahp([[1, 2], [0.5, 1]], rtol=float("nan")), "rtol: expected a finite"),
        (lambda: ahp([[1, 2], [0.5, 1]], rtol=1.0), "rtol: expected a relative tolerance"),
        # A non-reciprocal pair near the float64 limit is flagged without an overflow warning.
        (lambda: ahp([[1, 1e300], [1e300, 1]]), r"pairwise\[1, 0\]: expected the reciprocal"),
    ],
)
def test_ahp_bad_input(call, match) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInputError, match=match):
        call()


def test_ahp_single_label_without_judgements_is_one_item() -> None:
    r = ahp({}, labels=["only"])
    assert r.weights.tolist() == [1.0]
    assert ahp({("a", "b"): 3}, threshold=0.05, rtol=0).threshold == 0.05


# --- 2. Seeds ---------------------------------------------------------------------


@pytest.mark.parametrize("seed", [-1, 1.5, True, np.bool_(True), "1", [1], np.int64(-2)])
def test_one_seed_rule_everywhere(seed: object) -> None:
    expected = "seed: expected None, a whole number >= 0 or a numpy.random.Generator"
    with pytest.raises(InvalidInputError, match=expected):
        rng("seed", seed)
    with pytest.raises(InvalidInputError, match=expected):
        robustness([[1, 2], [2, 1]], CRIT, draws=10, seed=seed)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match=expected):
        compare([1.0, 2.0, 3.0], [2.0, 3.0, 4.0], "higher", seed=seed)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match=expected):
        generate_tickets(10, seed=seed)  # type: ignore[arg-type]


def test_seeds_accept_numpy_integers_and_generators() -> None:
    g = np.random.default_rng(3)
    assert rng("seed", g) is g
    assert isinstance(rng("seed", None), np.random.Generator)
    a = rng("seed", np.int32(7)).random(3)
    assert a.tolist() == np.random.default_rng(7).random(3).tolist()
    t1, t2 = generate_tickets(50, seed=np.int64(4)), generate_tickets(50, seed=4)
    assert t1.opened.tolist() == t2.opened.tolist()
    assert len(generate_tickets(5, seed=None)) == 5


def test_robustness_records_its_seed_as_json() -> None:
    x = [[3, 1], [1, 3], [2, 2]]
    by_int = robustness(x, CRIT, draws=50, seed=np.int64(5))
    by_gen = robustness(x, CRIT, draws=50, seed=np.random.default_rng(5))
    assert by_int.seed == 5
    assert type(by_int.seed) is int
    assert by_gen.seed is None
    assert robustness(x, CRIT, draws=5).seed is None
    assert json.loads(json.dumps(by_int.seed)) == 5
    assert by_int == by_gen  # same draws; the seed is provenance, not part of the result


# --- 3. Extreme finite input: an error or the right answer, never a warning -------------


# rice with confidence 0 (score 0) and the mean ICE of three 1e308 values (1e308)
# have representable scores; they are computed now (test_prio_overflow_scores.py).
@pytest.mark.parametrize(
    "call",
    [
        lambda: rice([1e200], [1e200], [1], [1]),
        lambda: wsjf([1e308], [1e308], [1], [1]),
        lambda: wsjf([1e300], [1], [1], [1e-300]),
        lambda: ice([1e200], [1e200], [1]),
        lambda: value_effort([1e300, 1.0], [1e-300, 1.0]),
    ],
)
def test_model_scores_that_overflow_are_refused(call) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInputError, match="overflows float64"):
        call()


def test_model_overflow_names_the_opportunity() -> None:
    opps = [
        Opportunity("A", id="a", effort=1, scores={"reach": 1, "impact": 1, "confidence": 1}),
        Opportunity(
            "B", id="b", effort=1, scores={"reach": 1e200, "impact": 1e200, "confidence": 1}
        ),
    ]
    with pytest.raises(
        InvalidInputError,
        match=r"^opportunity 'b' reach/impact/confidence/effort: .*finite rice score .*overflows",
    ):
        rice(opps)


def test_value_effort_median_split_of_huge_values() -> None:
    # The median of 1e308 and 1.5e308 is 1.25e308: (a + b) / 2 would overflow.
    r = value_effort([1e308, 1.5e308], [1.0, 1.0])
    assert r.value_split == 1.25e308


@pytest.mark.parametrize("method", ["minmax", "vector", "none"])
def test_extreme_matrix_ranks_like_a_small_one(method: str) -> None:
    small = np.array(EXTREME) / 1e308
    for f in (weighted_sum, topsis):
        assert np.argsort(-f(EXTREME, CRIT, normalise=method)).tolist() == [0, 2, 1]
        assert np.argsort(-f(small, CRIT, normalise=method)).tolist() == [0, 2, 1]
    # TOPSIS with min-max is scale-free: the same closeness at any magnitude.
    if method == "minmax":
        assert topsis(EXTREME, CRIT, normalise=method) == pytest.approx([1.0, 0.0, 0.5])
        expected = np.array([[1.0, 1.0], [0.0, 0.0], [0.5, 0.5]])
        assert normalise(EXTREME, CRIT) == pytest.approx(expected, abs=1e-15)


@pytest.mark.parametrize("scale", [1e-200, 1e160, 1e200, 1e300])
def test_topsis_is_scale_invariant_at_extreme_magnitudes(scale: float) -> None:
    # Vector and min-max normalisation divide out a common factor, so closeness must not change
    # (at 1e200 the squared weighted coefficients underflowed and every option scored 0.5).
    x = np.array([[8.0, 3.0], [6.0, 1.0], [2.0, 2.0]])
    for method in ("vector", "minmax"):
        expected = topsis(x, CRIT, normalise=method)
        assert topsis(x * scale, CRIT, normalise=method) == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("method", ["sum", "vector"])
def test_norms_that_overflow_still_normalise(method: str) -> None:
    x = np.array([[1e308], [1e308], [0.0]])
    out = normalise(x, method=method)
    expected = [[0.5], [0.5], [0.0]] if method == "sum" else [[0.5**0.5], [0.5**0.5], [0.0]]
    assert out == pytest.approx(np.array(expected))


def test_robustness_topsis_matches_topsis_at_fixed_weights() -> None:
    # With a vanishing spread every draw uses the given weights, so each draw's ranks are
    # topsis's (both use the same ideal/anti-ideal helper), also for extreme magnitudes.
    for x in (np.array([[8.0, 3.0], [6.0, 1.0], [2.0, 2.0]]), np.array(EXTREME)):
        for norm in ("vector", "minmax", "none"):
            r = robustness(x, CRIT, model="topsis", normalise=norm, draws=3, spread=1e-12, seed=0)
            s = topsis(x, CRIT, normalise=norm)
            ranks = (s[None, :] > s[:, None]).sum(axis=1) + 1
            assert r.rank_min.tolist() == ranks.tolist() == r.rank_max.tolist()


# --- 4. Model options live in Ranking.parameters ------------------------------------


def test_ice_records_combine_as_a_parameter_not_a_normalisation() -> None:
    opps = [
        Opportunity("A", id="a", scores={"impact": 8, "confidence": 5, "ease": 2}),
        Opportunity("B", id="b", scores={"impact": 5, "confidence": 9, "ease": 9}),
    ]
    r = ice(opps, combine="mean")
    assert r.normalise == ""
    assert r.parameters == (("combine", "mean"),)
    assert (
        rice(
            [Opportunity("C", id="c", effort=1, scores={"reach": 1, "impact": 1, "confidence": 1})]
        ).parameters
        == ()
    )


@pytest.mark.parametrize(
    "parameters",
    [(("combine",),), (("", "x"),), (("a", 1),), (("a", "x"), ("a", "y")), "combine=product"],
)
def test_ranking_rejects_bad_parameters(parameters: object) -> None:
    with pytest.raises(InvalidInputError, match=r"Ranking\.parameters"):
        Ranking(ids=("a",), scores=[1.0], ranks=[1], model="m", parameters=parameters)  # type: ignore[arg-type]


def test_ranking_parameters_accept_a_dict_and_lists() -> None:
    r = Ranking(ids=("a",), scores=[1.0], ranks=[1], model="m", parameters={"combine": "mean"})
    assert r.parameters == (("combine", "mean"),)
    r2 = Ranking(ids=("a",), scores=[1.0], ranks=[1], model="m", parameters=[["combine", "mean"]])  # type: ignore[list-item]
    assert r2 == r


# --- 5. Selection records its constraints; linked groups; memory guard -----------------


def test_selection_records_constraints() -> None:
    s = select([5, 4, 3, 2], [1, 1, 1, 1], 3, mandatory=[2], excluded=[0], requires={3: [1, 2]})
    assert (s.mandatory, s.excluded, s.requires) == ((2,), (0,), ((3, 1), (3, 2)))
    assert json.loads(json.dumps([s.mandatory, s.excluded, s.requires])) == [
        [2],
        [0],
        [[3, 1], [3, 2]],
    ]
    opps = [Opportunity(t, id=t, expected_benefit=2, effort=1) for t in "xyz"]
    s2 = select(opps, budget=2, mandatory=["z"], requires=[("x", "y")])
    assert (s2.mandatory, s2.requires) == ((2,), ((0, 1),))


def _brute(v, c, budget, req):  # type: ignore[no-untyped-def]
    best = (-1.0, 0, ())
    for k in range(len(v) + 1):
        for sub in itertools.combinations(range(len(v)), k):
            chosen = set(sub)
            if sum(c[i] for i in sub) > budget or any(
                a in chosen and b not in chosen for a, b in req
            ):
                continue
            val = sum(v[i] for i in sub)
            if val > best[0]:
                best = (val, k, sub)
    return best[0]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 20), st.integers(0, 8)), min_size=1, max_size=7),
    st.integers(0, 25),
    st.lists(st.tuples(st.integers(0, 6), st.integers(0, 6)), max_size=6),
)
def test_linked_groups_match_brute_force(items, budget, pairs) -> None:  # type: ignore[no-untyped-def]
    v = [float(a) for a, _ in items]
    c = [float(b) for _, b in items]
    req = [(a, b) for a, b in pairs if a < len(v) and b < len(v) and a != b]
    s = select(v, c, budget, requires=req)
    assert s.value == _brute(v, c, budget, req)
    assert s.cost <= budget


def test_linked_group_of_sixteen_with_a_wide_budget() -> None:
    # A chain 15 -> 14 -> ... -> 0 admits only prefixes {0..k}; the best prefix within
    # budget 10**5 - 1 of costs 10**4 each is {0..8} (9 options), value 9 * 10.
    n = 16
    s = select([10] * n, [10**4] * n, 10**5 - 1, requires=[(i + 1, i) for i in range(n - 1)])
    assert s.indices.tolist() == list(range(9))
    assert s.value == 90.0


def test_memory_guard_counts_working_arrays() -> None:
    # Two options of cost 5 * 10**5 and a budget of 10**6: the bit table alone is 125 kB
    # (250 kB unlinked), but the float64 working rows and the int32 choice row take ~36 MB.
    big = [5 * 10**5] * 2
    with pytest.raises(InvalidInputError, match="MiB"):
        select([1, 2], big, 10**6, requires=[(1, 0)], max_table_bytes=2**20)
    with pytest.raises(InvalidInputError, match="MiB"):
        select([1, 2], big, 10**6, max_table_bytes=2**20)
    assert select([1, 2], big, 10**6, requires=[(1, 0)]).value == 3.0


# --- 7. Private helpers are private ------------------------------------------------


@pytest.mark.parametrize(
    ("module", "name"),
    [
        (scoring, "prepare"),
        (scoring, "to_ranking"),
        (normalise_module, "affine"),
        (normalise_module, "check_method"),
        (normalise_module, "column_extremes"),
    ],
)
def test_helpers_are_private(module: object, name: str) -> None:
    assert not hasattr(module, name)
    assert hasattr(module, "_" + name)


# --- 8. Non-numeric scores ---------------------------------------------------------


@pytest.mark.parametrize("bad", ["abc", "3", True, None])
def test_non_numeric_score_names_opportunity_and_key(bad: object) -> None:
    opps = [Opportunity("A", id="a", effort=1, expected_benefit=2, scores={"risk": 1.0})]
    opps.append(Opportunity("B", id="b", effort=1, expected_benefit=2, scores={"risk": 1.0}))
    opps[1].scores["risk"] = bad  # the dict can be changed after validation
    match = (
        "opportunity 'b'.*risk"
        if bad is None
        else r"opportunity 'b' \(opportunities\[1\]\) risk: expected a number"
    )
    with pytest.raises(InvalidInputError, match=match):
        weighted_sum(opps, [Criterion("risk")])
