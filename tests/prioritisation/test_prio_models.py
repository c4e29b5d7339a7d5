"""Value/effort, WSJF, RICE, ICE and ITIL priority."""

from __future__ import annotations

import numpy as np
import pytest

from itil_ci.domain import Opportunity
from itil_ci.errors import InvalidInputError
from itil_ci.prioritisation import (
    ITIL_PRIORITY_MATRIX,
    Quadrant,
    ice,
    itil_priority,
    rice,
    value_effort,
    wsjf,
)


def test_wsjf_formula() -> None:
    # SAFe: WSJF = (business value + time criticality + risk reduction) / job size.
    assert wsjf([8, 3], [5, 1], [2, 1], [5, 1]).tolist() == [3.0, 5.0]
    assert wsjf(8, 5, 2, 5).tolist() == [3.0]


def test_rice_formula() -> None:
    # Intercom: reach * impact * confidence / effort; 1000 * 2 * 0.8 / 4 = 400.
    assert rice([1000, 200], [2, 3], [0.8, 1.0], [4, 1]).tolist() == [400.0, 600.0]


def test_ice_product_and_mean() -> None:
    assert ice([8], [5], [2]).tolist() == [80.0]
    assert ice([8], [5], [2], combine="mean").tolist() == [5.0]


def test_value_effort_quadrants_and_default_splits() -> None:
    r = value_effort([8, 8, 2, 2], [1, 5, 1, 5], value_split=5, effort_split=3)
    assert r.quadrant.tolist() == [q.value for q in Quadrant]
    # default splits are the medians (5 and 3): same quadrants here
    d = value_effort([8, 8, 2, 2], [1, 5, 1, 5])
    assert (d.value_split, d.effort_split) == (5.0, 3.0)
    assert d.quadrant.tolist() == r.quadrant.tolist()


def test_itil_default_matrix() -> None:
    # ITIL default: impact 1 -> 1, 2, 3; impact 2 -> 2, 3, 4; impact 3 -> 3, 4, 5.
    i, u = np.meshgrid([1, 2, 3], [1, 2, 3], indexing="ij")
    assert itil_priority(i.ravel(), u.ravel()).reshape(3, 3).tolist() == [
        [1, 2, 3],
        [2, 3, 4],
        [3, 4, 5],
    ]
    assert ITIL_PRIORITY_MATRIX.tolist() == [[1, 2, 3], [2, 3, 4], [3, 4, 5]]
    assert itil_priority(3, 3) == 5


def test_itil_custom_matrix_any_size() -> None:
    table = [[1, 1, 2, 3], [2, 3, 3, 4], [3, 4, 5, 5], [4, 5, 5, 5]]
    assert itil_priority([1, 4, 2], [4, 1, 3], matrix=table).tolist() == [3, 4, 3]
    with pytest.raises(InvalidInputError, match=r"urgency\[0\]"):
        itil_priority([1], [5], matrix=table)


def test_models_with_opportunities_return_rankings() -> None:
    opps = [
        Opportunity("A", id="a", effort=4, expected_benefit=8,
                    scores={"business_value": 8, "time_criticality": 5, "risk_reduction": 2,
                            "job_size": 5, "reach": 100, "impact": 1, "confidence": 0.5,
                            "ease": 3, "urgency": 2}),
        Opportunity("B", id="b", effort=1, expected_benefit=3,
                    scores={"business_value": 3, "time_criticality": 1, "risk_reduction": 1,
                            "job_size": 1, "reach": 100, "impact": 2, "confidence": 1.0,
                            "ease": 9, "urgency": 1}),
    ]  # fmt: skip
    w = wsjf(opps)
    assert w.ids == ("a", "b")
    assert w.scores.tolist() == [3.0, 5.0]
    assert w.order == ("b", "a")
    assert w.model == "wsjf"
    r = rice(opps)  # effort read from Opportunity.effort
    assert r.scores.tolist() == [12.5, 200.0]
    i = ice(opps)
    assert i.scores.tolist() == [1 * 0.5 * 3, 2 * 1.0 * 9]
    p = itil_priority(opps)
    assert p.scores.tolist() == [2.0, 2.0]
    assert p.ranks.tolist() == [1, 1]
    assert not p.higher_is_better
    ve = value_effort(opps)
    assert ve.ids == ("a", "b")
    assert ve.ratio.tolist() == [2.0, 3.0]
    assert ve.ranking().order == ("b", "a")
    # keys remap an input
    assert wsjf(opps, keys={"job_size": "effort"}).scores.tolist() == [15 / 4, 5.0]


@pytest.mark.parametrize(
    ("call", "fragment"),
    [
        (lambda: wsjf([1], [1], [1], [0]), "job_size[0]"),
        (lambda: wsjf([1], [-1], [1], [1]), "time_criticality[0]"),
        (lambda: rice([1], [1], [80], [1]), "0.8 for 80"),
        (lambda: rice([1], [1], [0.5], [0]), "effort[0]"),
        (lambda: ice([1], [1], [1], combine="sum"), "combine"),
        (lambda: ice([1, 2], [1, 2, 3], [1]), "one length"),
        (lambda: value_effort([1], [0]), "effort[0]"),
        (lambda: itil_priority([0], [1]), "impact[0]"),
        (lambda: itil_priority([1.5], [1]), "impact[0]"),
        (lambda: itil_priority([1], [1], matrix=[[0]]), "matrix"),
        (lambda: wsjf([np.nan], [1], [1], [1]), "business_value[0]"),
        (lambda: wsjf([1], [1], [1]), "job_size"),
    ],
)
def test_bad_model_input(call: object, fragment: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        call()  # type: ignore[operator]
    assert fragment in str(info.value)
