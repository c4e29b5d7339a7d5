"""The report's PDCA table says whether each cycle's prediction was met."""

from __future__ import annotations

from itil_ci.domain import Initiative, PDCARecord, Prediction
from itil_ci.domain.results import Comparison
from itil_ci.report import build_report, render_html, render_markdown


def test_pdca_table_shows_prediction_met() -> None:
    comp = Comparison(-2.0, -2.5, -1.5, 0.01, "improved")
    pred = Prediction("mttr", -1.5, "Restores 1.5 h faster")
    ini = Initiative(
        title="Faster restores",
        model="pdca",
        pdca=[
            PDCARecord(0, "o", pred, "d", comp, "adapt", prediction_met=False),
            PDCARecord(1, "o", pred, "d", comp, prediction_met=True),
            PDCARecord(2, "o", pred),
        ],
    )
    data = build_report(initiatives=[ini], diagrams=False)
    md = render_markdown(data)
    assert "| cycle | objective | prediction | check | prediction met | act |" in md
    # Cycles are numbered from 1 for people (the records count from 0).
    assert "| 1 | o | Restores 1.5 h faster | improved | no | adapt |" in md
    assert "| 2 | o | Restores 1.5 h faster | improved | yes |  |" in md
    assert "- PDCA cycles: 3" in md
    assert "<th>prediction met</th>" in render_html(data, charts=False)
