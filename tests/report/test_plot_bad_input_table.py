"""Bad input to ``itil_ci.plot``: a table of refusals and a sweep of wrong values.

Every row must raise an ItilCiError naming the argument, with no warning and
no other exception (the suite runs with warnings as errors); the sweep feeds
every value of ``tests._refusal.WRONG`` to every argument of every chart.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

pytest.importorskip("matplotlib")

import matplotlib as mpl

mpl.use("Agg")
import matplotlib.pyplot as plt

from itil_ci import KPI, Baseline, plot, xmr
from itil_ci.errors import InvalidInputError
from itil_ci.measurement import pareto
from tests._refusal import escapes, refuses

DATA = [4.0, 5.0, 6.0, 5.5, 4.5, 5.0]
TIMES = np.datetime64("2026-01-05", "ns") + np.arange(6) * np.timedelta64(1, "D")
KPI_ = KPI("mttr", unit="hours", direction="lower")


@pytest.fixture(autouse=True)
def _close_figures() -> Any:
    yield
    plt.close("all")


ROWS: list[tuple[str, Callable[[], object], str]] = [
    ("control: data a string", lambda: plot.control_chart("12"), "values"),
    ("control: data one value", lambda: plot.control_chart([1.0]), "values: expected at least 2"),
    ("control: data with text", lambda: plot.control_chart(["a", "b"]), "values"),
    ("control: data complex", lambda: plot.control_chart([1j, 2j]), "values"),
    ("control: data nested", lambda: plot.control_chart([[1.0, 2.0]]), "values"),
    ("control: data infinite", lambda: plot.control_chart([1.0, np.inf]), "values[1]"),
    ("control: chart not a chart", lambda: plot.control_chart(DATA, chart=5), "chart"),
    ("control: signals not a list", lambda: plot.control_chart(DATA, signals=5), "signals"),
    ("control: times too short", lambda: plot.control_chart(DATA, times=TIMES[:2]), "times"),
    ("control: times naive strings", lambda: plot.control_chart(DATA, times=["x"] * 6), "times"),
    ("control: unknown rules", lambda: plot.control_chart(DATA, rules="mine"), "rules"),
    ("control: bad direction", lambda: plot.control_chart(DATA, direction="up"), "direction"),
    ("control: title a number", lambda: plot.control_chart(DATA, title=5), "title"),
    ("control: unit a list", lambda: plot.control_chart(DATA, unit=["h"]), "unit"),
    ("control: ax a string", lambda: plot.control_chart(DATA, ax="left"), "ax: expected None"),
    ("control: unknown option", lambda: plot.control_chart(DATA, sigma_mode=1), "xmr_options"),
    ("pareto: a number", lambda: plot.pareto_chart(3), "analysis: expected a Pareto"),
    ("pareto: negative count", lambda: plot.pareto_chart({"a": -1.0}), "counts"),
    ("pareto: counts nested", lambda: plot.pareto_chart({"a": [1]}), "counts"),
    ("pareto: threshold above 1", lambda: plot.pareto_chart({"a": 1}, threshold=2), "threshold"),
    ("pareto: threshold text", lambda: plot.pareto_chart({"a": 1}, threshold="x"), "threshold"),
    ("pareto: title a list", lambda: plot.pareto_chart({"a": 1}, title=["t"]), "title"),
    ("kpi: not a KPI", lambda: plot.kpi_chart("mttr", DATA), "kpi: expected a KPI"),
    ("kpi: series text", lambda: plot.kpi_chart(KPI_, "abc"), "series"),
    ("kpi: series empty", lambda: plot.kpi_chart(KPI_, []), "series"),
    ("kpi: baseline not one", lambda: plot.kpi_chart(KPI_, DATA, baseline=5), "baseline"),
    ("kpi: evaluation not one", lambda: plot.kpi_chart(KPI_, DATA, evaluation="x"), "evaluation"),
    ("kpi: ax a number", lambda: plot.kpi_chart(KPI_, DATA, ax=3), "ax: expected None"),
    ("value/effort: lengths differ", lambda: plot.value_effort_chart([1, 2], [1]), "effort"),
    (
        "value/effort: labels short",
        lambda: plot.value_effort_chart([1, 2], [1, 2], ["a"]),
        "labels",
    ),
    ("value/effort: empty", lambda: plot.value_effort_chart([], []), "value: expected at least"),
    ("value/effort: infinite effort", lambda: plot.value_effort_chart([1], [np.inf]), "effort"),
    ("value/effort: text value", lambda: plot.value_effort_chart(["1"], [1]), "value"),
    (
        "value/effort: split text",
        lambda: plot.value_effort_chart([1], [1], value_split="a"),
        "split",
    ),
    ("value/effort: labels a string", lambda: plot.value_effort_chart([1], [1], "a"), "labels"),
]


@pytest.mark.parametrize(("name", "call", "fragment"), ROWS, ids=[r[0] for r in ROWS])
def test_bad_input_is_refused_by_name(name: str, call: Callable[[], object], fragment: str) -> None:
    refuses(call, InvalidInputError, fragment)


def test_the_table_is_long_enough() -> None:
    assert len(ROWS) >= 30


def _targets() -> dict[str, Callable[[Any], object]]:
    chart = xmr(DATA)
    base = Baseline("mttr", 5.0)
    analysis = pareto(["a", "a", "a", "b"])
    return {
        "control_chart.data": lambda x: plot.control_chart(x),
        "control_chart.chart": lambda x: plot.control_chart(DATA, chart=x),
        "control_chart.signals": lambda x: plot.control_chart(DATA, chart, x),
        "control_chart.times": lambda x: plot.control_chart(DATA, times=x),
        "control_chart.rules": lambda x: plot.control_chart(DATA, rules=x),
        "control_chart.direction": lambda x: plot.control_chart(DATA, direction=x),
        "control_chart.title": lambda x: plot.control_chart(DATA, title=x),
        "control_chart.ax": lambda x: plot.control_chart(DATA, ax=x),
        "pareto_chart.analysis": lambda x: plot.pareto_chart(x),
        "pareto_chart.threshold": lambda x: plot.pareto_chart(analysis, threshold=x),
        "pareto_chart.title": lambda x: plot.pareto_chart(analysis, title=x),
        "kpi_chart.kpi": lambda x: plot.kpi_chart(x, DATA),
        "kpi_chart.series": lambda x: plot.kpi_chart(KPI_, x),
        "kpi_chart.baseline": lambda x: plot.kpi_chart(KPI_, DATA, x),
        "kpi_chart.evaluation": lambda x: plot.kpi_chart(KPI_, DATA, base, x),
        "kpi_chart.title": lambda x: plot.kpi_chart(KPI_, DATA, title=x),
        "value_effort_chart.value": lambda x: plot.value_effort_chart(x, [1.0, 2.0]),
        "value_effort_chart.effort": lambda x: plot.value_effort_chart([1.0, 2.0], x),
        "value_effort_chart.labels": lambda x: plot.value_effort_chart([1.0, 2.0], [1, 2], x),
        "value_effort_chart.value_split": lambda x: plot.value_effort_chart(
            [1], [1], value_split=x
        ),
        "value_effort_chart.title": lambda x: plot.value_effort_chart([1], [1], title=x),
    }


def _closing(call: Callable[[Any], object]) -> Callable[[Any], object]:
    def run(x: Any) -> object:
        try:
            return call(x)
        finally:
            plt.close("all")  # an accepted value draws a figure

    return run


def test_no_wrong_value_lets_anything_but_an_itil_ci_error_escape() -> None:
    assert escapes({name: _closing(call) for name, call in _targets().items()}) == []
