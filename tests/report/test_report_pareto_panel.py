"""A Pareto panel and measurement.pareto of the same counts always agree."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from itil_ci.errors import InvalidInputError
from itil_ci.measurement import pareto
from itil_ci.report import ParetoPanel


@settings(max_examples=80, deadline=None)
@given(
    st.dictionaries(st.text("abcdef", min_size=1, max_size=3), st.integers(0, 5), min_size=1),
    st.floats(0.05, 1.0),
)
def test_panel_agrees_with_the_analysis(counts: dict[str, int], cutoff: float) -> None:
    panel = ParetoPanel.from_counts("x", counts, threshold=cutoff)
    if sum(counts.values()) == 0:
        assert panel.vital_few == ()
        return
    labels = [k for k, n in counts.items() for _ in range(n)]
    analysis = pareto(labels, cutoff=cutoff)
    shown = [c for c in panel.categories if counts[c] > 0]
    assert tuple(shown) == analysis.categories  # same order, ties by name
    assert panel.vital_few == analysis.vital_few
    np.testing.assert_allclose(panel.cumulative[: len(shown)], analysis.cumulative)


def test_ties_are_ordered_by_name_and_duplicates_refused() -> None:
    assert ParetoPanel("x", ["b", "a", "c"], [2, 2, 5]).categories == ("c", "a", "b")
    with pytest.raises(InvalidInputError, match=r"ParetoPanel\.categories"):
        ParetoPanel("x", ["a", "a"], [1, 2])
