"""PDCA "check" records whether the prediction was met (PDCARecord.prediction_met)."""

from __future__ import annotations

import numpy as np
import pytest

from itil_ci import measurement
from itil_ci.domain import KPI, Actor, Initiative, PDCARecord, Prediction
from itil_ci.domain.results import Comparison
from itil_ci.engines import resume, start
from itil_ci.errors import InvalidInputError

MANAGER = Actor("mia", roles=["continual-improvement-manager"])


def _at_check(change: float) -> Initiative:
    ini = Initiative(title="Faster restores", model="pdca", kpis=[KPI("mttr", direction="lower")])
    engine = start(ini, actor=MANAGER)
    engine.advance(actor=MANAGER, objective="o", prediction=Prediction("mttr", change))
    engine.advance(actor=MANAGER, done="runbook")
    return ini


def _comp(difference: float, verdict: str) -> Comparison:
    # Hand-made: only difference and verdict take part in the rule.
    return Comparison(difference, difference - 0.5, difference + 0.5, 0.01, verdict)


# The rule (PDCARecord docstring): met iff verdict != no-detectable-change, the
# difference has the sign of the predicted change and |difference| >= |change|;
# a predicted change of 0 is met by no-detectable-change.
@pytest.mark.parametrize(
    ("change", "difference", "verdict", "met"),
    [
        (-1.5, -2.0, "improved", True),  # larger than predicted, right way
        (-1.5, -1.5, "improved", True),  # exactly as predicted
        (-1.5, -1.0, "improved", False),  # right way, smaller than predicted
        (-1.5, 2.0, "worsened", False),  # wrong way
        (-1.5, -2.0, "no-detectable-change", False),  # large but not detectable
        (2.0, 3.0, "worsened", True),  # a predicted rise (sign is what counts)
        (2.0, -3.0, "improved", False),
        (0.0, 0.1, "no-detectable-change", True),  # "no change" predicted and seen
        (0.0, -1.0, "improved", False),
    ],
)
def test_prediction_met_from_a_given_comparison(
    change: float, difference: float, verdict: str, met: bool
) -> None:
    ini = _at_check(change)
    assert ini.pdca[-1].prediction_met is None
    resume(ini).advance(actor=MANAGER, comparison=_comp(difference, verdict))
    assert ini.pdca[-1].prediction_met is met


@pytest.mark.parametrize(("change", "met"), [(-1.0, True), (-3.0, False)])
def test_prediction_met_from_before_and_after(change: float, met: bool) -> None:
    rng = np.random.default_rng(1)
    before = rng.normal(6.0, 0.5, 60)
    after = rng.normal(4.2, 0.5, 45)
    ini = _at_check(change)
    resume(ini).advance(actor=MANAGER, before=before, after=after, seed=7)
    comp = measurement.compare(before, after, "lower", seed=7)
    # The comparison of these samples: an improvement of about -1.8 h (means 6.0 -> 4.2).
    assert comp.verdict.value == "improved"
    assert -3.0 < comp.difference < -1.0
    assert ini.pdca[-1].comparison == comp
    assert ini.pdca[-1].prediction_met is met


def test_prediction_met_is_a_bool_or_none() -> None:
    assert PDCARecord(0).prediction_met is None
    with pytest.raises(InvalidInputError, match="prediction_met"):
        PDCARecord(0, prediction_met=1)  # type: ignore[arg-type]
