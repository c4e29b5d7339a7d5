"""Charts in one call each: control chart, Pareto chart, KPI vs target, value/effort matrix.

Needs matplotlib, which comes with the ``plot`` extra
(``pip install 'itil-ci[plot]'``); without it every function raises
:class:`PlottingUnavailable`.  matplotlib is imported only when a function is
called, so ``import itil_ci`` stays fast.  Each function draws on ``ax`` when
given (a matplotlib Axes), else on a new figure, and returns the Axes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from itil_ci._internal import validate as v
from itil_ci._internal.labels import place_labels
from itil_ci.errors import ItilCiError

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from itil_ci.domain.baseline import Baseline
    from itil_ci.domain.kpi import KPI
    from itil_ci.domain.results import Evaluation, Signal
    from itil_ci.measurement.spc import ControlChart

__all__ = [
    "INSTALL_HINT",
    "PlottingUnavailable",
    "control_chart",
    "kpi_chart",
    "pareto_chart",
    "value_effort_chart",
]

#: What to install for charts.
INSTALL_HINT = "pip install 'itil-ci[plot]'"

# Colours (colour-blind safe, Okabe-Ito) shared with the HTML report.
BLUE = "#0072B2"
ORANGE = "#E69F00"
GREEN = "#009E73"
RED = "#D55E00"
GREY = "#666666"
PURPLE = "#CC79A7"


class PlottingUnavailable(ItilCiError, ImportError):
    """matplotlib is not installed; charts need the ``plot`` extra.

    Examples:
        >>> print(PlottingUnavailable())
        charts need matplotlib, ...; install the plot extra: pip install 'itil-ci[plot]'
    """

    def __init__(self) -> None:
        super().__init__(
            "charts need matplotlib, which is not installed; install the plot extra: "
            + INSTALL_HINT
        )


def available() -> bool:
    """Whether matplotlib can be imported (charts can be drawn).

    Examples:
        >>> isinstance(available(), bool)
        True
    """
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def _plain_legend(ax: Axes, **kwargs: Any) -> None:
    """Add a legend whose entries are shown as typed (no mathtext: user text may hold ``$``)."""
    for text in ax.legend(**kwargs).get_texts():
        text.set_parse_math(False)


def _axes(ax: Any) -> Axes:
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise PlottingUnavailable() from None
    if ax is None:
        _, new = plt.subplots(figsize=(8, 3.6), layout="constrained")
        return new
    from matplotlib.axes import Axes as _Axes

    if not isinstance(ax, _Axes):
        raise v.fail("ax", "None or a matplotlib Axes", ax)
    return ax


# --- control chart ----------------------------------------------------------------


def _x_axis(n: int, times: Any) -> Any:
    if times is None:
        return np.arange(n)
    return np.asarray(times).astype("datetime64[s]").astype(object)


def _draw_control(
    ax: Axes,
    values: npt.NDArray[np.float64],
    chart: ControlChart,
    signals: Sequence[Signal] = (),
    times: Any = None,
    *,
    title: str = "",
    unit: str = "",
) -> Axes:
    """Draw an XmR chart on ``ax`` (the body of :func:`control_chart`)."""
    x = _x_axis(values.size, times)
    ax.plot(x, values, color=BLUE, marker="o", markersize=3, linewidth=1, label="value")
    for i, st in enumerate(chart.stages):
        seg = x[st.start : st.end]
        first = i == 0
        ax.plot(
            seg,
            [st.centre] * len(seg),
            color=GREEN,
            linewidth=1.2,
            label="centre" if first else None,
        )
        ax.plot(
            seg,
            [st.upper] * len(seg),
            color=RED,
            linestyle="--",
            linewidth=1,
            label="process limits" if first else None,
        )
        ax.plot(seg, [st.lower] * len(seg), color=RED, linestyle="--", linewidth=1)
        if i > 0:
            ax.axvline(x[st.start], color=GREY, linestyle=":", linewidth=1)
    kinds = {
        "concern": (RED, "signal: concern"),
        "improvement": (BLUE, "signal: improvement"),
        "neutral": (ORANGE, "signal"),
    }
    for kind, (colour, label) in kinds.items():
        pts = sorted({p for s in signals if s.kind.value == kind for p in s.points})
        if pts:
            idx = np.asarray(pts)
            ax.scatter(
                x[idx],
                values[idx],
                s=36,
                facecolors="none",
                edgecolors=colour,
                linewidths=1.6,
                zorder=3,
                label=label,
            )
    ax.set_title(title or "Control chart (XmR)", loc="left", fontsize=11, parse_math=False)
    if unit:
        ax.set_ylabel(unit, parse_math=False)
    ax.grid(True, axis="y", alpha=0.3)
    _plain_legend(ax, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False)
    return ax


def control_chart(
    data: Any,
    chart: ControlChart | None = None,
    signals: Sequence[Signal] | None = None,
    *,
    times: Any = None,
    rules: str = "western-electric",
    direction: Any = None,
    title: str = "",
    unit: str = "",
    ax: Any = None,
    **xmr_options: Any,
) -> Axes:
    """Draw a control chart with its limits and the special-cause signals marked.

    ``data`` is a :class:`~itil_ci.report.ControlChartPanel`, a
    :class:`~itil_ci.domain.Series` or a sequence of numbers.  Without
    ``chart`` the XmR chart is built here (``xmr_options`` go to
    :func:`itil_ci.measurement.spc.xmr`, e.g. ``change_at=`` for a staged
    chart); without ``signals`` they are found with ``rules`` and
    ``direction``.

    Examples:
        >>> from matplotlib.figure import Figure
        >>> ax = control_chart([5, 5.5, 4.5, 5, 5.2, 4.8, 5, 9, 5], baseline_points=7,
        ...                    ax=Figure().add_subplot())
        >>> ax.get_title(loc="left")
        'Control chart (XmR)'
    """
    from itil_ci.report.data import ControlChartPanel

    if isinstance(data, ControlChartPanel):
        panel = data
    else:
        if chart is None:
            panel = ControlChartPanel.from_values(
                title,
                data,
                times=times,
                rules=rules,
                direction=direction,
                unit=unit,
                **xmr_options,
            )
        else:
            from itil_ci.measurement.spc import signals as find

            found = find(data, chart, rules, direction=direction) if signals is None else signals
            if times is None:
                times = getattr(data, "times", None)
            panel = ControlChartPanel(title, data, chart, found, times=times, unit=unit)
        if signals is not None:
            panel = ControlChartPanel(
                panel.title, panel.values, panel.chart, signals, times=panel.times, unit=unit
            )
    a = _axes(ax)
    return _draw_control(
        a,
        panel.values,
        panel.chart,
        panel.signals,
        panel.times,
        title=v.text("title", title) or panel.title,
        unit=v.text("unit", unit) or panel.unit,
    )


# --- Pareto chart -----------------------------------------------------------------


def _draw_pareto(
    ax: Axes,
    categories: Sequence[str],
    counts: npt.NDArray[np.float64],
    cumulative: npt.NDArray[np.float64],
    *,
    threshold: float = 0.8,
    vital: int = 0,
    title: str = "",
    unit: str = "count",
) -> Axes:
    """Draw a Pareto chart on ``ax`` (the body of :func:`pareto_chart`)."""
    pos = np.arange(len(categories))
    colours = [BLUE if i < vital else "#9ecae1" for i in range(len(categories))]
    ax.bar(pos, counts, color=colours)
    many = len(categories) > 12
    ax.set_xticks(
        pos,
        [c if len(c) <= 18 else c[:17] + "…" for c in categories],
        rotation=(60 if many else 30) if len(categories) > 4 else 0,
        ha="right" if len(categories) > 4 else "center",
        rotation_mode="anchor",
        fontsize=7 if many else 8,
        parse_math=False,
    )
    ax.set_ylabel(unit, parse_math=False)
    twin = ax.twinx()
    twin.plot(pos, cumulative * 100, color=ORANGE, marker="o", markersize=3)
    twin.axhline(threshold * 100, color=GREY, linestyle=":", linewidth=1)
    twin.set_ylim(0, 105)
    twin.set_ylabel("cumulative %")
    ax.set_title(title or "Pareto chart", loc="left", fontsize=11, parse_math=False)
    ax.grid(True, axis="y", alpha=0.3)
    return ax


def pareto_chart(
    analysis: Any, *, title: str = "", threshold: float | None = None, ax: Any = None
) -> Axes:
    """Draw a Pareto chart: bars largest first and the cumulative share line.

    ``analysis`` is a :class:`~itil_ci.report.ParetoPanel`, a Pareto analysis
    of the measurement core (with ``categories`` and ``counts``) or a mapping
    ``{category: count}``.  The "vital few" (up to ``threshold`` of the total,
    80 % by default) are drawn darker.

    Examples:
        >>> from matplotlib.figure import Figure
        >>> ax = pareto_chart({"network": 10, "email": 60, "vpn": 30}, ax=Figure().add_subplot())
        >>> [t.get_text() for t in ax.get_xticklabels()]
        ['email', 'vpn', 'network']
    """
    from itil_ci.report.data import ParetoPanel

    opts: dict[str, Any] = {} if threshold is None else {"threshold": threshold}
    if isinstance(analysis, ParetoPanel):
        panel = (
            analysis
            if threshold is None
            else ParetoPanel(
                analysis.title,
                list(analysis.categories),
                analysis.counts,
                threshold=threshold,
                unit=analysis.unit,
            )
        )
    elif isinstance(analysis, Mapping):
        panel = ParetoPanel.from_counts(title, analysis, **opts)
    else:
        panel = ParetoPanel.from_analysis(title, analysis, **opts)
    a = _axes(ax)
    return _draw_pareto(
        a,
        panel.categories,
        panel.counts,
        panel.cumulative,
        threshold=panel.threshold,
        vital=len(panel.vital_few),
        title=v.text("title", title) or panel.title,
        unit=panel.unit,
    )


# --- KPI vs target ----------------------------------------------------------------


def _draw_kpi(
    ax: Axes,
    kpi: KPI,
    series: Any,
    baseline: Baseline | None = None,
    evaluation: Evaluation | None = None,
    *,
    title: str = "",
    chart: ControlChart | None = None,
    signals: Sequence[Signal] = (),
) -> Axes:
    """Draw a KPI's series against its target on ``ax`` (the body of :func:`kpi_chart`).

    With ``chart`` (an XmR chart of the same values) the mean and process
    limits of each stage are drawn too, the line is grey and the points of ``signals`` are
    coloured by kind, blue for an improvement and orange-red for a concern,
    as in the *Making Data Count* charts.
    """
    from itil_ci.report._format import is_share

    share = is_share(kpi)

    def shown(v: float) -> str:
        return f"{v:.1%}" if share else f"{v:.4g}"

    times = getattr(series, "times", None)
    values = np.asarray(getattr(series, "values", series), dtype=np.float64)
    x = _x_axis(values.size, times)
    line = BLUE if chart is None else "#7a7a7a"
    ax.plot(x, values, color=line, linewidth=1, marker="o", markersize=2, label=kpi.label)
    if kpi.target is not None:
        t = kpi.target
        ax.axhline(t.value, color=GREEN, linewidth=1.5, label=f"target {shown(t.value)}")
        w = t.tolerance_width
        if w > 0:
            ax.axhspan(t.value - w, t.value + w, color=GREEN, alpha=0.12, label="tolerance")
    if baseline is not None:
        ax.axhline(
            baseline.value,
            color=GREY,
            linestyle="--",
            linewidth=1,
            label=f"baseline {shown(baseline.value)}",
        )
    if chart is not None:
        for i, st in enumerate(chart.stages):
            seg = x[st.start : st.end]
            if seg.size == 1:
                seg = np.repeat(seg, 2)
            first = i == 0
            ax.plot(
                seg,
                [st.centre] * len(seg),
                color="#333333",
                linewidth=0.8,
                label="mean" if first else None,
            )
            ax.plot(
                seg,
                [st.upper] * len(seg),
                color="#333333",
                linestyle=":",
                linewidth=1,
                label="process limits" if first else None,
            )
            ax.plot(seg, [st.lower] * len(seg), color="#333333", linestyle=":", linewidth=1)
            if i > 0:
                ax.axvline(x[st.start], color=GREY, linestyle="--", linewidth=0.8)
        for kind, colour in (("improvement", BLUE), ("concern", RED), ("neutral", PURPLE)):
            pts = sorted({p for s in signals if s.kind.value == kind for p in s.points})
            if pts:
                idx = np.asarray(pts)
                ax.scatter(
                    x[idx],
                    values[idx],
                    s=14,
                    color=colour,
                    zorder=3,
                    label=f"special cause: {kind}",
                )
    if evaluation is not None and values.size:
        colour = {"green": GREEN, "amber": ORANGE, "red": RED}[evaluation.status.value]
        ax.scatter(
            [x[-1]],
            [evaluation.value],
            s=70,
            color=colour,
            zorder=3,
            label=f"current {shown(evaluation.value)} ({evaluation.status.value})",
        )
    default = f"{kpi.label} vs target" if kpi.target is not None else kpi.label
    ax.set_title(title or default, loc="left", fontsize=11, parse_math=False)
    if share:
        from matplotlib.ticker import PercentFormatter

        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    elif kpi.unit:
        ax.set_ylabel(kpi.unit, parse_math=False)
    ax.grid(True, axis="y", alpha=0.3)
    _plain_legend(ax, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False)
    return ax


def kpi_chart(
    kpi: KPI,
    series: Any,
    baseline: Baseline | None = None,
    evaluation: Evaluation | None = None,
    *,
    title: str = "",
    ax: Any = None,
) -> Axes:
    """Draw a KPI's measured series against its target (with tolerance band and baseline).

    ``series`` is a :class:`~itil_ci.domain.Series` (times on the x axis) or a
    sequence of numbers (index on the x axis).  The current value of
    ``evaluation`` is marked in its red/amber/green colour.  The title says
    "vs target" only when the KPI has a target; a share (unit ``share``) is
    drawn in percent.

    Examples:
        >>> from itil_ci.domain import KPI, Target
        >>> k = KPI("mttr", name="MTTR", direction="lower", target=Target(4.0, tolerance=0.5))
        >>> from matplotlib.figure import Figure
        >>> ax = kpi_chart(k, [6.1, 5.8, 5.0, 4.6, 4.2], ax=Figure().add_subplot())
        >>> ax.get_title(loc="left")
        'MTTR vs target'
        >>> kpi_chart(KPI("fcr", name="FCR"), [0.4, 0.5], ax=Figure().add_subplot()).get_title(
        ...     loc="left")
        'FCR'
    """
    from itil_ci.domain.baseline import Baseline as _Baseline
    from itil_ci.domain.kpi import KPI as _KPI
    from itil_ci.domain.results import Evaluation as _Evaluation

    if not isinstance(kpi, _KPI):
        raise v.fail("kpi", "a KPI", kpi)
    if baseline is not None and not isinstance(baseline, _Baseline):
        raise v.fail("baseline", "None or a Baseline", baseline)
    if evaluation is not None and not isinstance(evaluation, _Evaluation):
        raise v.fail("evaluation", "None or an Evaluation", evaluation)
    from itil_ci.domain.series import Series

    if not isinstance(series, Series):
        from itil_ci.measurement._common import values_of

        series = values_of("series", series)
    title = v.text("title", title)
    return _draw_kpi(_axes(ax), kpi, series, baseline, evaluation, title=title)


# --- value / effort ---------------------------------------------------------------


def _draw_value_effort(
    ax: Axes,
    value: npt.NDArray[np.float64],
    effort: npt.NDArray[np.float64],
    labels: Sequence[str] | None,
    value_split: float,
    effort_split: float,
    *,
    title: str = "",
) -> Axes:
    """Draw a value/effort matrix on ``ax`` (the body of :func:`value_effort_chart`)."""
    quick = (value >= value_split) & (effort < effort_split)
    ax.scatter(effort[~quick], value[~quick], color=BLUE, s=30, label="option")
    ax.scatter(effort[quick], value[quick], color=GREEN, s=40, label="quick win")
    ax.axvline(effort_split, color=GREY, linestyle=":", linewidth=1)
    ax.axhline(value_split, color=GREY, linestyle=":", linewidth=1)
    ax.margins(0.12)
    if labels is not None:
        place_labels(
            ax, effort, value, [lab if len(lab) <= 24 else lab[:23] + "…" for lab in labels]
        )
    corners = (
        ("quick wins", 0.02, 0.97, "left"),
        ("major projects", 0.98, 0.97, "right"),
        ("fill-ins", 0.02, 0.03, "left"),
        ("thankless tasks", 0.98, 0.03, "right"),
    )
    for text, cx, cy, ha in corners:
        ax.text(
            cx,
            cy,
            text,
            transform=ax.transAxes,
            ha=ha,
            va="top" if cy > 0.5 else "bottom",
            fontsize=8,
            color=GREY,
        )
    ax.set_xlabel("effort")
    ax.set_ylabel("value")
    ax.set_title(title or "Value / effort", loc="left", fontsize=11, parse_math=False)
    return ax


def value_effort_chart(
    value: Any,
    effort: Any,
    labels: Sequence[str] | None = None,
    *,
    value_split: float | None = None,
    effort_split: float | None = None,
    title: str = "",
    ax: Any = None,
) -> Axes:
    """Draw the value/effort matrix: one point per option, split into four quadrants.

    The splits default to the medians, as in
    :func:`itil_ci.prioritisation.value_effort`; high value and low effort
    (the quick wins) are drawn green.  ``labels`` names the points: each label
    is placed beside its point where it overlaps no other label, point or
    corner caption, and points at the same place share one label.

    Examples:
        >>> from matplotlib.figure import Figure
        >>> ax = value_effort_chart([8, 8, 2, 2], [1, 5, 1, 5], ["a", "b", "c", "d"],
        ...                         ax=Figure().add_subplot())
        >>> ax.get_xlabel(), ax.get_ylabel()
        ('effort', 'value')
    """
    from itil_ci.measurement._common import values_of

    val = values_of("value", value)
    eff = values_of("effort", effort)
    if val.size != eff.size:
        raise v.fail("effort", f"{val.size} efforts (one per value)", f"{eff.size} efforts")
    if labels is not None:
        if not isinstance(labels, Sequence | np.ndarray) or isinstance(labels, str | bytes):
            raise v.fail("labels", f"None or {val.size} labels (one per value)", labels)
        if len(labels) != val.size:
            raise v.fail("labels", f"None or {val.size} labels (one per value)", labels)
        labels = [str(x) for x in labels]
    vs = float(np.median(val)) if value_split is None else v.number("value_split", value_split)
    es = float(np.median(eff)) if effort_split is None else v.number("effort_split", effort_split)
    assert vs is not None
    assert es is not None
    title = v.text("title", title)
    return _draw_value_effort(_axes(ax), val, eff, labels, vs, es, title=title)
