"""Bad input to ``itil_ci.prioritisation``: a table of refusals, then a sweep of wrong types.

Every row must raise an ItilCiError subclass whose message names the argument
(the fragment checked); no other exception and no warning may get out
(``tests._refusal.refuses``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import itil_ci as ic
from itil_ci import prioritisation as p
from itil_ci.errors import InvalidInputError
from itil_ci.prioritisation import Criterion
from tests._refusal import extreme_probes, leaks, nested, probe_count, probes, refuses

CR = [Criterion("v", 2), Criterion("e", 1, "cost")]
MX = [[8.0, 3.0], [6.0, 1.0], [2.0, 2.0]]
SCORES = {
    "v": 8.0,
    "e": 3.0,
    "reach": 1.0,
    "impact": 1.0,
    "confidence": 0.5,
    "ease": 2.0,
    "urgency": 1.0,
    "business_value": 1.0,
    "time_criticality": 1.0,
    "risk_reduction": 1.0,
    "job_size": 1.0,
}
OPPS = [
    ic.Opportunity("A", id="a", effort=3, expected_benefit=8, scores=SCORES),
    ic.Opportunity("B", id="b", effort=1, expected_benefit=5, scores={**SCORES, "v": 5.0}),
]
EXPLAINED = p.explain(MX, CR)
AHP = p.ahp({("a", "b"): 3})
VE = p.value_effort(OPPS)
RANKED = p.rank(OPPS, key="v")


def _bad_score() -> Any:
    opp = ic.Opportunity("C", id="c", scores={"v": 1.0, "e": 1.0})
    opp.scores["v"] = 10**400  # a dict entry changed after validation
    return p.weighted_sum([opp], CR)


ROWS: list[tuple[str, Callable[[], Any], str]] = [
    # numbers that are not numbers (#11 class 7)
    (
        "numeric strings in a matrix",
        lambda: p.weighted_sum([["8", "3"], ["6", "1"]], CR),
        "matrix: expected an array of numbers",
    ),
    (
        "numeric string in an object matrix",
        lambda: p.normalise(np.array([["8", 3.0]], dtype=object)),
        "matrix[0, 0]: expected a real number",
    ),
    (
        "complex matrix",
        lambda: p.topsis(np.array([[1 + 1j, 2.0], [3.0, 4.0]]), CR),
        "complex numbers",
    ),
    ("boolean matrix", lambda: p.weighted_sum([[True, False], [False, True]], CR), "booleans"),
    ("a boolean among scores", lambda: p.rank([True, 0.5]), "not booleans"),
    ("numeric string scores", lambda: p.rank(["0.5", "0.9"]), "scores"),
    (
        "a numeric string AHP judgement",
        lambda: p.ahp({("a", "b"): "3"}),
        "pairwise[('a', 'b')]: expected a number",
    ),
    ("a complex AHP matrix", lambda: p.ahp(np.array([[1, 2j], [0.5, 1]])), "pairwise"),
    ("budget values as strings", lambda: p.select(["5", "4"], [1, 1], 1), "values"),
    (
        "ITIL priority matrix of strings",
        lambda: p.itil_priority(1, 1, matrix=[["1", "2"]]),
        "matrix",
    ),
    # length-1 arrays do not stretch (#11 class 7)
    (
        "wsjf length-1 time criticality",
        lambda: p.wsjf([1, 2], [1], [1], [1]),
        "time_criticality: expected arrays of one length (2 values, as many as business_value)",
    ),
    (
        "rice length-1 impact",
        lambda: p.rice([1000, 200], [2], [0.8, 1.0], [4, 1]),
        "impact: expected arrays of one length",
    ),
    (
        "ice length-1 ease",
        lambda: p.ice([8, 5], [5, 9], [2]),
        "ease: expected arrays of one length",
    ),
    (
        "value_effort length-1 effort",
        lambda: p.value_effort([1, 2], [1]),
        "effort: expected arrays of one length",
    ),
    (
        "itil_priority length-1 urgency",
        lambda: p.itil_priority([1, 2], [1]),
        "urgency: expected arrays of one length",
    ),
    (
        "duplicate AHP labels",
        lambda: p.ahp([[1, 2], [0.5, 1]], labels=["a", "a"]),
        "labels: expected unique values, got 'a'",
    ),
    (
        "AHP labels as one string",
        lambda: p.ahp([[1, 2], [0.5, 1]], labels="ab"),
        "labels: expected a list of item names",
    ),
    ("AHP judgement keys not names", lambda: p.ahp({(1, 2): 3}), "pairwise key"),
    # integers beyond float64 and wrong types (#11 class 8)
    ("normalise([])", lambda: p.normalise([], [Criterion("a")]), "matrix: expected 1 columns"),
    (
        "integer beyond float64 in a matrix",
        lambda: p.weighted_sum([[10**400, 1.0], [1.0, 1.0]], CR),
        "float64 range",
    ),
    (
        "Criterion weight beyond float64",
        lambda: Criterion("v", 10**400),
        "Criterion.weight: expected a number within the float64 range",
    ),
    ("AHP matrix of huge integers", lambda: p.ahp([[1, 10**400], [1, 1]]), "float64 range"),
    ("opportunity score changed to a huge integer", _bad_score, "a number"),
    (
        "normalisation method as an array",
        lambda: p.weighted_sum(MX, CR, normalise=np.array(["sum"])),
        "normalise: expected one of",
    ),
    ("ties as a list", lambda: p.rank([0.5], ties=["min"]), "ties: expected one of"),
    ("rank key not a string", lambda: p.rank(OPPS, key=5), "key: expected a non-empty score key"),
    (
        "top_k k as a timedelta64",
        lambda: p.top_k([0.5], np.timedelta64(1, "D")),
        "k: expected a whole number",
    ),
    (
        "robustness draws beyond reason",
        lambda: p.robustness(MX, CR, draws=10**400),
        "draws: expected a whole number from 1",
    ),
    (
        "robustness model as an array",
        lambda: p.robustness(MX, CR, model=np.array(["topsis"])),
        "model: expected one of",
    ),
    (
        "select max_table_bytes as a string",
        lambda: p.select([5, 4], [1, 1], 1, max_table_bytes="big"),
        "max_table_bytes: expected a whole number",
    ),
    (
        "select option index a timedelta64",
        lambda: p.select([5, 4], [1, 1], 1, mandatory=[np.timedelta64(0, "D")]),
        "mandatory",
    ),
    (
        "combine as an array",
        lambda: p.ice([8], [5], [2], combine=np.array(["mean"])),
        "combine: expected one of",
    ),
    ("random_index n as a list", lambda: p.random_index([3]), "n: expected a whole number"),
    (
        "random-index table as a list",
        lambda: p.random_index(3, ["saaty1980"]),
        "random_index: expected one of",
    ),
    ("for_option a timedelta64", lambda: EXPLAINED.for_option(np.timedelta64(0, "D")), "option"),
    (
        "as_criteria name not a string",
        lambda: p.as_criteria([("v", 1)], name=nested(3000)),
        "name: expected a string",
    ),
    ("Ranking.top k as a float", lambda: RANKED.top(1.5), "k: expected a whole number"),
    (
        "Ranking.rank_of an array",
        lambda: RANKED.rank_of(np.array(["a"])),
        "id: expected one of the ranked ids",
    ),
    # overflow refused rather than wrong (#11 class 9)
    (
        "best budget total beyond float64",
        lambda: p.select([1e308, 1e308, 1.7e308], [1, 1, 2], 2),
        "values: expected values whose best total fits in float64",
    ),
    (
        "RICE score beyond float64",
        lambda: p.rice([1e308], [1e308], [1.0], [1e-308]),
        "a finite rice score",
    ),
]


@pytest.mark.parametrize(("label", "call", "fragment"), ROWS, ids=[r[0] for r in ROWS])
def test_bad_input_is_refused(label: str, call: Callable[[], Any], fragment: str) -> None:
    refuses(call, InvalidInputError, fragment)


def test_table_is_large_enough() -> None:
    assert len(ROWS) >= 30


CALLS: dict[str, tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]] = {
    "normalise": (p.normalise, (MX, CR), {"method": "minmax"}),
    "weighted_sum": (p.weighted_sum, (MX, CR), {"normalise": "minmax", "keys": None}),
    "weighted_sum opps": (p.weighted_sum, (OPPS, CR), {"keys": {"v": "v"}}),
    "topsis": (p.topsis, (MX, CR), {"normalise": "vector", "keys": None}),
    "explain": (p.explain, (MX, CR), {"normalise": "minmax"}),
    "Explanation.for_option": (EXPLAINED.for_option, (0,), {}),
    "ahp": (
        p.ahp,
        ([[1, 3], [1 / 3, 1]],),
        {
            "method": "eigenvector",
            "random_index": "saaty1980",
            "labels": None,
            "threshold": 0.1,
            "rtol": 1e-3,
        },
    ),
    "ahp dict": (
        p.ahp,
        ({("a", "b"): 3, ("a", "c"): 5, ("b", "c"): 2},),
        {"labels": ["a", "b", "c"]},
    ),
    "random_index": (p.random_index, (3,), {"table": "saaty1980"}),
    "AHPResult.as_dict": (AHP.as_dict, (), {}),
    "as_criteria": (p.as_criteria, ([("v", 3), ("e", 1, "cost")],), {"name": "criteria"}),
    "normalised_weights": (p.normalised_weights, (CR,), {}),
    "Criterion": (Criterion, ("v", 1.0, "benefit"), {}),
    "CriterionDirection.parse": (p.CriterionDirection.parse, ("cost",), {}),
    "wsjf": (p.wsjf, ([8, 3], [5, 1], [2, 1], [5, 1]), {"keys": None}),
    "wsjf opps": (p.wsjf, (OPPS,), {"keys": None}),
    "rice": (p.rice, ([1000, 200], [2, 3], [0.8, 1.0], [4, 1]), {}),
    "ice": (p.ice, ([8, 5], [5, 9], [2, 9]), {"combine": "product"}),
    "value_effort": (
        p.value_effort,
        ([8, 3], [2, 1]),
        {"value_split": None, "effort_split": None, "keys": None},
    ),
    "value_effort opps": (p.value_effort, (OPPS,), {"keys": None}),
    "ValueEffort.ranking": (VE.ranking, (), {}),
    "itil_priority": (p.itil_priority, ([1, 2], [3, 3]), {"matrix": None, "keys": None}),
    "pareto_front": (p.pareto_front, ([5, 3, 4], [2, 1, 3]), {}),
    "pareto_front criteria": (p.pareto_front, (MX,), {"criteria": CR}),
    "pareto_front opps": (p.pareto_front, (OPPS,), {"criteria": None, "keys": None}),
    "rank": (p.rank, ([0.5, 0.9],), {"ties": "min", "descending": True, "key": None}),
    "rank opps": (p.rank, (OPPS,), {"key": "v"}),
    "top_k": (p.top_k, ([0.5, 0.9], 1), {"key": None}),
    "robustness": (
        p.robustness,
        (MX, CR),
        {
            "model": "weighted_sum",
            "draws": 50,
            "spread": 0.05,
            "k": 2,
            "normalise": None,
            "seed": 1,
            "chunk": 10,
            "keys": None,
        },
    ),
    "select": (
        p.select,
        ([5, 4, 3], [3, 2, 2], 4),
        {"mandatory": (), "excluded": (), "requires": None, "keys": None, "max_table_bytes": 2**20},
    ),
    "select opps": (p.select, (OPPS,), {"budget": 3, "mandatory": ["a"], "requires": {"b": "a"}}),
    "Ranking.top": (RANKED.top, (1,), {}),
    "Ranking.rank_of": (RANKED.rank_of, ("a",), {}),
    "Ranking.score_of": (RANKED.score_of, ("a",), {}),
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_wrong_types_raise_only_itil_ci_errors(name: str) -> None:
    fn, args, kwargs = CALLS[name]
    fn(*args, **kwargs)  # the base call is good
    found = leaks(probes(fn, args, kwargs))
    assert not found, found[:5]


@pytest.mark.parametrize("name", sorted(CALLS))
def test_extreme_numbers_raise_only_itil_ci_errors(name: str) -> None:
    # finite values near ±1.8e308 and subnormal ones: an answer or an ItilCiError,
    # never an overflow RuntimeWarning (#11 class 9)
    fn, args, kwargs = CALLS[name]
    found = leaks(extreme_probes(fn, args, kwargs))
    assert not found, found[:5]


def test_probe_count() -> None:
    assert probe_count(CALLS.values()) + len(ROWS) >= 2000
