"""itil_ci.plot: one call per chart, and a clear error without matplotlib."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from itil_ci import plot
from itil_ci.domain import KPI, Baseline, Series, Target
from itil_ci.errors import InvalidInputError, ItilCiError
from itil_ci.measurement import evaluate, signals, xmr
from itil_ci.report import ControlChartPanel, ParetoPanel


def test_control_chart_marks_the_signal_points() -> None:
    x = [5, 5.5, 4.5, 5, 5.2, 4.8, 5, 9, 5]
    ax = plot.control_chart(x, baseline_points=7, rules="nhs", direction="lower")
    marked = [c for c in ax.collections if c.get_label().startswith("signal")]
    assert len(marked) == 1
    # xmr(x, baseline_points=7): the astronomical point is index 7 (value 9), a concern.
    assert marked[0].get_label() == "signal: concern"
    assert marked[0].get_offsets().tolist() == [[7.0, 9.0]]


def test_control_chart_from_chart_and_signals_and_from_a_panel() -> None:
    x = np.array([5, 6, 5, 6, 2, 3, 2, 3], dtype=float)
    chart = xmr(x, change_at=4)
    found = signals(x, chart)
    a = plot.control_chart(x, chart, found, title="staged")
    b = plot.control_chart(ControlChartPanel("staged", x, chart, found))
    assert a.get_title(loc="left") == b.get_title(loc="left") == "staged"
    # Two stages: a centre line per stage (5.5 then 2.5, from xmr's own doctest).
    centres = [next(iter(line.get_ydata())) for line in a.lines if line.get_color() == plot.GREEN]
    assert centres == [5.5, 2.5]


def test_control_chart_with_times_uses_dates() -> None:
    times = np.datetime64("2026-01-01", "ns") + np.arange(10) * np.timedelta64(1, "D")
    s = Series(times, np.arange(10.0) % 3, kpi_key="x")
    ax = plot.control_chart(s)
    first = ax.lines[0].get_xdata()[0]
    assert first == dt.datetime(2026, 1, 1)


def test_pareto_chart_orders_bars_largest_first() -> None:
    ax = plot.pareto_chart(ParetoPanel("p", ["a", "b", "c"], [1, 5, 3]))
    heights = [p.get_height() for p in ax.patches]
    assert heights == [5, 3, 1]


def test_kpi_chart_draws_target_band_and_current() -> None:
    k = KPI("mttr", direction="lower", target=Target(4.0, tolerance=0.5))
    ev = evaluate(k, Baseline("mttr", 6.0), 4.4)
    ax = plot.kpi_chart(k, [6.1, 5.8, 5.0, 4.6, 4.4], Baseline("mttr", 6.0), ev)
    labels = [h.get_label() for h in ax.get_legend().legend_handles]
    # evaluate(): 4.4 misses 4.0 by 0.4 <= tolerance 0.5, so amber.
    assert labels == ["mttr", "target 4", "tolerance", "baseline 6", "current 4.4 (amber)"]


def test_value_effort_chart_marks_quick_wins() -> None:
    ax = plot.value_effort_chart([8, 8, 2, 2], [1, 5, 1, 5], ["a", "b", "c", "d"])
    quick = next(c for c in ax.collections if c.get_label() == "quick win")
    # Medians: value 5, effort 3; only (effort 1, value 8) is high value and low effort.
    assert quick.get_offsets().tolist() == [[1.0, 8.0]]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: plot.value_effort_chart([1, 2], [1]), "effort: expected 2 efforts"),
        (lambda: plot.value_effort_chart([1, 2], [1, 2], ["a"]), "labels: expected None or 2"),
        (lambda: plot.value_effort_chart([], []), "value: expected at least one value"),
        (lambda: plot.kpi_chart("mttr", [1.0]), "kpi: expected a KPI"),
        (lambda: plot.control_chart([1.0, 2.0], ax="left"), "ax: expected None or a matplotlib"),
        (lambda: plot.control_chart([1.0]), "values: expected at least 2 values"),
        (lambda: plot.pareto_chart(3), "analysis: expected a Pareto analysis"),
    ],
)
def test_bad_input(call: object, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        call()  # type: ignore[operator]


@pytest.mark.usefixtures("no_matplotlib")
@pytest.mark.parametrize(
    "call",
    [
        lambda: plot.control_chart([1.0, 2.0, 3.0]),
        lambda: plot.pareto_chart({"a": 1}),
        lambda: plot.kpi_chart(KPI("m"), [1.0]),
        lambda: plot.value_effort_chart([1], [1]),
    ],
)
def test_without_matplotlib_each_chart_names_the_extra(call: object) -> None:
    assert not plot.available()
    with pytest.raises(plot.PlottingUnavailable) as err:
        call()  # type: ignore[operator]
    assert isinstance(err.value, ItilCiError)
    assert isinstance(err.value, ImportError)
    assert "pip install 'itil-ci[plot]'" in str(err.value)


def test_importing_itil_ci_does_not_import_matplotlib() -> None:
    import subprocess
    import sys

    code = "import sys, itil_ci, itil_ci.report, itil_ci.plot; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_pareto_chart_of_a_measurement_pareto_analysis() -> None:
    from itil_ci.measurement import pareto

    pa = pareto(["disk", "network", "disk", "auth", "disk", "network"])
    ax = plot.pareto_chart(pa, title="causes")
    assert [t.get_text() for t in ax.get_xticklabels()] == ["disk", "network", "auth"]
    # pareto(): disk 3, network 2 -> 5/6 >= 0.8, so two dark (vital-few) bars.
    dark = [p for p in ax.patches if p.get_facecolor()[:3] == (0.0, 114 / 255, 178 / 255)]
    assert len(dark) == 2
