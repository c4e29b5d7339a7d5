"""Charts of a report as inline SVG, drawn with matplotlib when it is installed (private)."""

from __future__ import annotations

import html
import io
import re
import textwrap
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from itil_ci import plot
from itil_ci.domain.series import Series
from itil_ci.report._format import share_unit
from itil_ci.report.data import ComparisonPanel, ControlChartPanel, KPIPanel, ParetoPanel
from itil_ci.report.summary import KPISummary

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["comparison", "control", "kpi", "pareto", "value_effort"]

_REFS = re.compile(r'(\bid="|href="#|url\(#)([^")]+)')
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.S)


def _svg(draw: Callable[[Axes], Any], chart_id: str, label: str, size: tuple[float, float]) -> str:
    """Draw on a fresh (pyplot-free) figure and return its SVG, ids made unique to the page."""
    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": chart_id, "font.size": 9}):
        fig = Figure(figsize=size, layout="constrained")
        draw(fig.add_subplot())
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    text = buf.getvalue()
    text = text[text.index("<svg") :]
    text = _METADATA.sub("", text)
    text = _REFS.sub(lambda m: f"{m.group(1)}{chart_id}-{m.group(2)}", text)
    attrs = (
        f'<svg id="{chart_id}" class="chart" role="img" aria-label="{html.escape(label)}" '
        'style="max-width:100%;height:auto" '
    )
    return attrs + text[len("<svg ") :]


def control(panel: ControlChartPanel, chart_id: str) -> str:
    """The control chart of ``panel`` as SVG."""
    return _svg(
        lambda ax: plot._draw_control(
            ax,
            panel.values,
            panel.chart,
            panel.signals,
            panel.times,
            title=panel.title,
            unit=panel.unit,
        ),
        chart_id,
        f"Control chart: {panel.title}",
        (9, 3.4),
    )


def pareto(panel: ParetoPanel, chart_id: str) -> str:
    """The Pareto chart of ``panel`` as SVG."""
    return _svg(
        lambda ax: plot._draw_pareto(
            ax,
            panel.categories,
            panel.counts,
            panel.cumulative,
            threshold=panel.threshold,
            vital=len(panel.vital_few),
            title=panel.title,
            unit=panel.unit,
        ),
        chart_id,
        f"Pareto chart: {panel.title}",
        (8, 3.6),
    )


def kpi(panel: KPIPanel, summary: KPISummary, chart_id: str) -> str:
    """The chart of a KPI: the summarised points, mean and limits, target and baseline, as SVG."""
    series = Series(summary.times, summary.values) if summary.times is not None else summary.values
    label = f"{panel.kpi.label} against its target" if panel.kpi.target else panel.kpi.label
    return _svg(
        lambda ax: plot._draw_kpi(
            ax,
            panel.kpi,
            series,
            panel.baseline,
            panel.evaluation,
            chart=summary.chart,
            signals=summary.signals,
        ),
        chart_id,
        label,
        (9, 2.7),
    )


def comparison(panel: ComparisonPanel, chart_id: str) -> str:
    """Before and after bars with the confidence interval of the change, as SVG."""
    c = panel.comparison

    def draw(ax: Axes) -> None:
        colour = {"improved": plot.GREEN, "worsened": plot.RED}.get(c.verdict.value, plot.GREY)
        ax.barh([1, 0], [c.before, c.after], color=[plot.GREY, colour], height=0.55)
        lo, hi = c.before + c.low, c.before + c.high
        ax.errorbar(
            [c.after],
            [0],
            xerr=[[max(c.after - lo, 0.0)], [max(hi - c.after, 0.0)]],
            fmt="none",
            ecolor="black",
            capsize=5,
            linewidth=1.2,
        )
        ax.set_yticks([1, 0], [f"before (n={c.n_before:,})", f"after (n={c.n_after:,})"])
        # User text (title, unit) may hold "$": shown as typed, never parsed as mathtext.
        if share_unit(panel.unit):
            from matplotlib.ticker import PercentFormatter

            ax.xaxis.set_major_formatter(PercentFormatter(1.0))
            ax.set_xlabel(f"{c.statistic} (%)")
        else:
            unit = f" ({panel.unit})" if panel.unit else ""
            ax.set_xlabel(f"{c.statistic}{unit}", parse_math=False)
        ax.set_title(
            textwrap.shorten(f"{panel.title.split(' — ')[0]}: {c.verdict.value}", 80),
            loc="left",
            fontsize=10,
            parse_math=False,
        )
        ax.grid(True, axis="x", alpha=0.3)

    return _svg(draw, chart_id, f"Before and after: {panel.title}", (8, 1.7))


def value_effort(
    value: np.ndarray[Any, Any], effort: np.ndarray[Any, Any], labels: list[str], chart_id: str
) -> str:
    """The value/effort matrix of the backlog as SVG (``labels``: the backlog's ranks)."""
    vs, es = float(np.median(value)), float(np.median(effort))
    return _svg(
        lambda ax: plot._draw_value_effort(
            ax, value, effort, labels, vs, es, title="Value / effort of the backlog (by rank)"
        ),
        chart_id,
        "Value and effort of the backlog; points numbered by rank",
        (6.2, 3.0),
    )
