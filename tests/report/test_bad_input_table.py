"""Bad input to ``itil_ci.report``: one table of probes, each a precise ItilCiError.

Issue 11, points 7 and 8 for the reports: ``build_report(notes="abc")`` used
to split the string into three notes, ``report_from_register(5)`` raised
AttributeError and a directory (or a NUL character) as the output file a bare
OSError or ValueError.  Each row names the error class (InvalidInputError for
bad input, StorageError for what the system refuses) and the start of the
message; a sweep feeds every public function a battery of wrong values and
lets nothing but an ItilCiError escape (warnings are errors in this suite).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import itil_ci as ic
from itil_ci.domain.results import Comparison
from itil_ci.errors import InvalidInputError, ItilCiError, StorageError
from itil_ci.register import Register
from itil_ci.report import (
    ComparisonPanel,
    ControlChartPanel,
    KPIPanel,
    ParetoPanel,
    ReportData,
    build_report,
    diagrams_of,
    render_html,
    render_markdown,
    report_from_register,
    write_report,
)
from tests._refusal import WRONG, escapes

DATA = ReportData(title="Q3")


def _reg() -> Register:
    reg = Register.in_memory()
    reg.log(ic.Opportunity("Automate resets", id="o1", expected_benefit=8, effort=2))
    return reg


def _unwritable(tmp: Path) -> Path:
    d = tmp / "ro"
    d.mkdir()
    d.chmod(0o555)
    return d / "r.html"


Row = tuple[str, Callable[[Path], Any], type[ItilCiError], str]
ROWS: list[Row] = [
    ("build notes str", lambda t: build_report(notes="abc"), InvalidInputError, "notes: "),
    ("build notes item", lambda t: build_report(notes=[5]), InvalidInputError, r"notes\[0\]: "),
    (
        "build opportunities str",
        lambda t: build_report(opportunities="abc"),
        InvalidInputError,
        "opportunities: ",
    ),  # type: ignore[arg-type]
    (
        "build opportunities item",
        lambda t: build_report(opportunities=[5]),
        InvalidInputError,
        r"opportunities\[0\]: ",
    ),  # type: ignore[list-item]
    (
        "build initiatives int",
        lambda t: build_report(initiatives=5),
        InvalidInputError,
        "initiatives: ",
    ),  # type: ignore[arg-type]
    (
        "build initiatives item",
        lambda t: build_report(initiatives=[ic.Opportunity("x")]),
        InvalidInputError,
        r"initiatives\[0\]: ",
    ),  # type: ignore[list-item]
    ("build series list", lambda t: build_report(series=[1.0]), InvalidInputError, "series: "),  # type: ignore[arg-type]
    (
        "build series value",
        lambda t: build_report(series={"k": [1.0]}),
        InvalidInputError,
        r"series\['k'\]: ",
    ),  # type: ignore[dict-item]
    ("build kpis str", lambda t: build_report(kpis="mttr"), InvalidInputError, "kpis: "),  # type: ignore[arg-type]
    (
        "build control_charts item",
        lambda t: build_report(control_charts=[5]),
        InvalidInputError,
        r"control_charts\[0\]: ",
    ),  # type: ignore[list-item]
    ("build paretos int", lambda t: build_report(paretos=5), InvalidInputError, "paretos: "),  # type: ignore[arg-type]
    (
        "build comparisons item",
        lambda t: build_report(comparisons=["c"]),
        InvalidInputError,
        r"comparisons\[0\]: ",
    ),  # type: ignore[list-item]
    ("build title", lambda t: build_report(title=5), InvalidInputError, "ReportData.title: "),  # type: ignore[arg-type]
    (
        "build generated_at",
        lambda t: build_report(generated_at="yesterday"),
        InvalidInputError,
        "ReportData.generated_at: ",
    ),  # type: ignore[arg-type]
    ("build diagrams", lambda t: build_report(diagrams="yes"), InvalidInputError, "diagrams: "),  # type: ignore[arg-type]
    ("build ranking", lambda t: build_report(ranking=5), InvalidInputError, "ReportData.ranking: "),  # type: ignore[arg-type]
    ("from register int", lambda t: report_from_register(5), InvalidInputError, "reg: "),  # type: ignore[arg-type]
    ("from register path", lambda t: report_from_register("r.db"), InvalidInputError, "reg: "),  # type: ignore[arg-type]
    (
        "from register model list",
        lambda t: report_from_register(_reg(), model=["wsjf"]),
        InvalidInputError,
        "model: ",
    ),  # type: ignore[arg-type]
    (
        "from register rules",
        lambda t: report_from_register(_reg(), rules=5),
        InvalidInputError,
        "rules: ",
    ),  # type: ignore[arg-type]
    (
        "from register control_charts",
        lambda t: report_from_register(_reg(), control_charts="no"),
        InvalidInputError,
        "control_charts: ",
    ),  # type: ignore[arg-type]
    (
        "from register notes str",
        lambda t: report_from_register(_reg(), notes="abc"),
        InvalidInputError,
        "notes: ",
    ),
    (
        "from register keys",
        lambda t: report_from_register(_reg(), keys=[1]),
        InvalidInputError,
        "keys: ",
    ),  # type: ignore[arg-type]
    (
        "from register paretos",
        lambda t: report_from_register(_reg(), paretos=[5]),
        InvalidInputError,
        r"paretos\[0\]: ",
    ),  # type: ignore[list-item]
    ("write data", lambda t: write_report(5, t / "r.html"), InvalidInputError, "data: "),  # type: ignore[arg-type]
    ("write path int", lambda t: write_report(DATA, 5), InvalidInputError, "path: "),  # type: ignore[arg-type]
    (
        "write path directory",
        lambda t: write_report(DATA, t),
        InvalidInputError,
        "path: expected a file to write, got a directory",
    ),
    ("write path NUL", lambda t: write_report(DATA, "a\x00b.html"), InvalidInputError, "path: "),
    (
        "write path surrogate",
        lambda t: write_report(DATA, "\ud800.html"),
        InvalidInputError,
        "path: ",
    ),
    ("write path empty", lambda t: write_report(DATA, ""), InvalidInputError, "path: "),
    (
        "write no directory",
        lambda t: write_report(DATA, t / "nope" / "r.html"),
        InvalidInputError,
        "path: expected a file in an existing directory",
    ),
    (
        "write device",
        lambda t: write_report(DATA, "/dev/null"),
        InvalidInputError,
        "path: expected a regular file",
    ),
    (
        "write /proc",
        lambda t: write_report(DATA, "/proc/r.html"),
        StorageError,
        "'/proc/r.html': cannot write",
    ),
    (
        "write format",
        lambda t: write_report(DATA, t / "r.html", format="pdf"),
        InvalidInputError,
        "format: ",
    ),
    (
        "write format list",
        lambda t: write_report(DATA, t / "r.html", format=["md"]),
        InvalidInputError,
        "format: ",
    ),  # type: ignore[arg-type]
    ("render_html data", lambda t: render_html(5), InvalidInputError, "data: "),  # type: ignore[arg-type]
    (
        "render_html charts",
        lambda t: render_html(DATA, charts="yes"),
        InvalidInputError,
        "charts: ",
    ),  # type: ignore[arg-type]
    ("render_markdown data", lambda t: render_markdown("# hi"), InvalidInputError, "data: "),  # type: ignore[arg-type]
    ("diagrams_of str", lambda t: diagrams_of("abc"), InvalidInputError, "initiatives: "),  # type: ignore[arg-type]
    ("diagrams_of item", lambda t: diagrams_of([5]), InvalidInputError, r"initiatives\[0\]: "),  # type: ignore[list-item]
    (
        "control chart rules",
        lambda t: ControlChartPanel.from_values("t", [1.0, 2.0, 3.0], rules=5),
        InvalidInputError,
        "rules: ",
    ),  # type: ignore[arg-type]
    (
        "pareto from_counts list",
        lambda t: ParetoPanel.from_counts("t", ["a"]),
        InvalidInputError,
        "counts: ",
    ),  # type: ignore[arg-type]
    (
        "pareto duplicate",
        lambda t: ParetoPanel("t", ["a", "a"], [1.0, 2.0]),
        InvalidInputError,
        "ParetoPanel.categories: ",
    ),
    ("KPIPanel kpi", lambda t: KPIPanel("mttr"), InvalidInputError, "KPIPanel.kpi: "),  # type: ignore[arg-type]
    (
        "ComparisonPanel",
        lambda t: ComparisonPanel("t", 5),
        InvalidInputError,
        "ComparisonPanel.comparison: ",
    ),  # type: ignore[arg-type]
    (
        "ReportData notes str",
        lambda t: ReportData(notes="abc"),
        InvalidInputError,
        "ReportData.notes: ",
    ),  # type: ignore[arg-type]
]


@pytest.mark.parametrize("row", ROWS, ids=[r[0] for r in ROWS])
def test_bad_input_raises_a_precise_library_error(row: Row, tmp_path: Path) -> None:
    _, call, expected, begins = row
    with pytest.raises(ItilCiError) as caught:
        call(tmp_path)
    assert isinstance(caught.value, expected), repr(caught.value)
    assert re.match(begins, str(caught.value)), str(caught.value)


def test_the_table_has_enough_rows() -> None:
    assert len(ROWS) >= 30


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only directory")
def test_an_unwritable_directory_is_a_storage_error(tmp_path: Path) -> None:
    target = _unwritable(tmp_path)
    try:
        with pytest.raises(StorageError, match="permission denied"):
            write_report(DATA, target)
    finally:
        target.parent.chmod(0o755)


def test_a_good_report_is_still_written(tmp_path: Path) -> None:
    out = write_report(build_report(notes=["one note"]), tmp_path / "r.md")
    assert "one note" in out.read_text(encoding="utf-8")


# --- sweep ---------------------------------------------------------------------------


COMPARISON = Comparison(difference=-1.0, low=-1.5, high=-0.5, p_value=0.01, verdict="improved")


def _targets(tmp: Path) -> dict[str, Callable[[Any], object]]:
    reg = _reg()
    out = tmp / "r.html"
    return {
        "build.opportunities": lambda b: build_report(opportunities=b),
        "build.initiatives": lambda b: build_report(initiatives=b),
        "build.ranking": lambda b: build_report(ranking=b),
        "build.explanation": lambda b: build_report(explanation=b),
        "build.series": lambda b: build_report(series=b),
        "build.kpis": lambda b: build_report(kpis=b),
        "build.control_charts": lambda b: build_report(control_charts=b),
        "build.paretos": lambda b: build_report(paretos=b),
        "build.comparisons": lambda b: build_report(comparisons=b),
        "build.title": lambda b: build_report(title=b),
        "build.description": lambda b: build_report(description=b),
        "build.notes": lambda b: build_report(notes=b),
        "build.generated_at": lambda b: build_report(generated_at=b),
        "build.diagrams": lambda b: build_report(diagrams=b),
        "from_register.reg": report_from_register,
        "from_register.model": lambda b: report_from_register(reg, model=b),
        "from_register.criteria": lambda b: report_from_register(reg, criteria=b),
        "from_register.keys": lambda b: report_from_register(reg, model="wsjf", keys=b),
        "from_register.rules": lambda b: report_from_register(reg, rules=b),
        "from_register.control_charts": lambda b: report_from_register(reg, control_charts=b),
        "from_register.paretos": lambda b: report_from_register(reg, paretos=b),
        "from_register.title": lambda b: report_from_register(reg, title=b),
        "from_register.notes": lambda b: report_from_register(reg, notes=b),
        "write.data": lambda b: write_report(b, out),
        "write.path": lambda b: write_report(DATA, b),
        "write.format": lambda b: write_report(DATA, out, format=b),
        "render_html.data": render_html,
        "render_html.charts": lambda b: render_html(DATA, charts=b),
        "render_markdown": render_markdown,
        "diagrams_of": diagrams_of,
        "KPIPanel.kpi": KPIPanel,
        "ControlChartPanel.values": lambda b: ControlChartPanel.from_values("t", b),
        "ControlChartPanel.rules": lambda b: ControlChartPanel.from_values(
            "t", [1.0, 2, 3], rules=b
        ),
        "ParetoPanel.categories": lambda b: ParetoPanel("t", b, [1.0]),
        "ParetoPanel.counts": lambda b: ParetoPanel("t", ["a"], b),
        "ParetoPanel.from_counts": lambda b: ParetoPanel.from_counts("t", b),
        "ParetoPanel.from_analysis": lambda b: ParetoPanel.from_analysis("t", b),
        "ComparisonPanel.comparison": lambda b: ComparisonPanel("t", b),
        "ComparisonPanel.title": lambda b: ComparisonPanel(b, COMPARISON),
        "ReportData.notes": lambda b: ReportData(notes=b),
        "ReportData.diagrams": lambda b: ReportData(diagrams=b),
    }


def test_no_wrong_value_lets_anything_but_an_itil_ci_error_escape(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # write_report("") and friends stay inside the test's directory
    targets = _targets(tmp_path)
    assert escapes(targets) == []
    assert len(targets) * len(WRONG) >= 600
