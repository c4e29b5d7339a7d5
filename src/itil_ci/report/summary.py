"""The KPI summary that leads a report, in the style of NHS England's "Making Data Count".

For each KPI panel of a report, :func:`summarise` reads the KPI's measured
series and answers two questions with an XmR chart of it
(:func:`itil_ci.measurement.xmr`, special causes by the ``"nhs"`` rules of
:func:`itil_ci.measurement.signals`):

*Variation* (is something special happening now?), from the latest point:

- **special cause improvement** when the latest point takes part in a
  special-cause signal on the KPI's good side (a shift, a trend, a point beyond
  the limits, two of three near a limit);
- **special cause concern** when it takes part in one on the bad side;
- **special cause, neither** when the KPI has no direction;
- **common cause** when it takes part in no signal.

When the latest point takes part in both an improving and a concerning
signal, the side of the centre line it lies on decides (as NHSRplotthedots
does).  The letter H or L says whether the special cause is in higher or
lower values.

*Assurance* (will the process meet its target?), from where the target lies
against the natural process limits (KPIs with a target and a direction only):

- **consistently met** when the target lies beyond the limit on the bad side
  (lower is better and the target is above the upper limit, or higher is
  better and it is below the lower limit): every value the process produces
  meets it;
- **consistently missed** when it lies beyond the limit on the good side;
- **hit and miss** when it lies between the limits (a target exactly on a
  limit counts as between).

These are the rules of NHS England and NHS Improvement's *Making Data Count*
guidance (the variation and assurance icons), as implemented by the NHS-R
Community's NHSRplotthedots R package (``ptd_calculate_point_type`` and
``ptd_calculate_assurance_type``).  Limits need at least :data:`MIN_POINTS`
points (NHSRplotthedots warns below 12); with fewer, the summary shows the
latest value without icons and says why.

When the panel says when a deliberate change took effect (``change_at``,
set from an initiative's start of action), the limits are computed
separately before and after it, as *Making Data Count* recommends after a
change to the process, and both questions are answered on the limits
after it.

A long daily series (more than :data:`WEEKLY_AFTER` days) is summarised as
weekly means of whole weeks (Monday to Sunday, UTC; a partial first or last
week is left out) unless the report says otherwise (``ReportData.weekly``),
which also removes the day-of-week pattern of service-desk data from the
limits.
"""

from __future__ import annotations

import enum
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from itil_ci._internal import display
from itil_ci._internal import validate as v
from itil_ci.domain.kpi import KPI, AggregationMethod, Direction
from itil_ci.domain.results import Signal, SignalKind
from itil_ci.domain.series import Series
from itil_ci.measurement.spc import ControlChart
from itil_ci.report._format import is_share
from itil_ci.report.data import KPIPanel, ReportData

__all__ = [
    "MIN_POINTS",
    "WEEKLY_AFTER",
    "Assurance",
    "KPISummary",
    "Variation",
    "summaries",
    "summarise",
    "weekly_means",
]

#: Fewest points a summary computes process limits from (NHSRplotthedots warns below 12).
MIN_POINTS = 12

#: A daily series longer than this is summarised and drawn as weekly means (unless told).
WEEKLY_AFTER = 90

_DAY_NS = 86_400 * 10**9
_NON_NEGATIVE_UNITS = frozenset(
    {
        "h",
        "hour",
        "hours",
        "min",
        "minute",
        "minutes",
        "s",
        "second",
        "seconds",
        "d",
        "day",
        "days",
        "count",
        "tickets",
        "incidents",
    }
)


class Variation(enum.Enum):
    """What the latest point of a KPI says about its variation (the MDC variation icon).

    Examples:
        >>> Variation.IMPROVEMENT.value
        'special cause improvement'
    """

    IMPROVEMENT = "special cause improvement"
    CONCERN = "special cause concern"
    NEITHER = "special cause"
    COMMON = "common cause"


class Assurance(enum.Enum):
    """Whether a KPI's process will meet its target (the MDC assurance icon).

    Examples:
        >>> Assurance.HIT_AND_MISS.value
        'hit and miss'
    """

    MET = "consistently met"
    MISSED = "consistently missed"
    HIT_AND_MISS = "hit and miss"


@attrs.frozen(eq=False)
class KPISummary:
    """One row of the KPI summary: latest value, process limits, variation and assurance.

    ``values`` (and ``times``) are the points summarised, one per ``period``
    (``"day"``, ``"week"``, or ``""`` when the series is not daily);
    ``chart`` and ``signals`` are their XmR chart and special causes (None
    and empty with fewer than :data:`MIN_POINTS` points: ``reason`` says
    why).  ``change_at`` is the time of the first point after the panel's
    ``change_at`` when the chart has a stage from there (limits before and
    after the change); icons then need :data:`MIN_POINTS` points after it.
    ``variation``, ``high`` (whether the special cause is in higher values)
    and ``assurance`` follow the module's rules; each is None when it does
    not apply.  ``missing`` counts the series' missing values, left out;
    ``left_out`` the days of partial weeks at either end of a series
    summarised by week.

    Examples:
        >>> from itil_ci.domain import KPI
        >>> s = summarise(KPIPanel(KPI("mttr", unit="h", direction="lower")))
        >>> s.latest is None, s.variation is None, s.reason
        (True, True, 'no measured values')
    """

    kpi: KPI
    initiative: str = ""
    period: str = ""
    values: npt.NDArray[np.float64] = attrs.field(factory=lambda: np.zeros(0))
    times: npt.NDArray[np.datetime64] | None = None
    source_points: int = 0
    missing: int = 0
    left_out: int = 0
    latest: float | None = None
    latest_at: np.datetime64 | None = None
    change_at: np.datetime64 | None = None
    chart: ControlChart | None = None
    signals: tuple[Signal, ...] = ()
    variation: Variation | None = None
    high: bool | None = None
    assurance: Assurance | None = None
    reason: str = ""

    @property
    def tracked(self) -> bool:
        """Whether the KPI has a target or belongs to an initiative (it gets a full chart).

        Examples:
            >>> from itil_ci.domain import KPI, Target
            >>> summarise(KPIPanel(KPI("m", target=Target(4.0)))).tracked
            True
        """
        return self.kpi.target is not None or bool(self.initiative)

    @property
    def variation_text(self) -> str:
        """The variation in words, e.g. ``"special cause improvement (lower values)"``.

        Examples:
            >>> from itil_ci.domain import KPI
            >>> summarise(KPIPanel(KPI("m"))).variation_text
            ''
        """
        if self.variation is None:
            return ""
        if self.variation is Variation.COMMON:
            return "common cause (no significant change)"
        side = "higher" if self.high else "lower"
        if self.variation is Variation.NEITHER:
            return f"special cause in {side} values (the KPI has no direction)"
        return f"{self.variation.value} ({side} values)"

    @property
    def assurance_text(self) -> str:
        """The assurance in words, e.g. ``"target hit and miss"`` (empty when it does not apply).

        Examples:
            >>> from itil_ci.domain import KPI
            >>> summarise(KPIPanel(KPI("m"))).assurance_text
            ''
        """
        return "" if self.assurance is None else f"target {self.assurance.value}"

    def _repr_html_(self) -> str:
        return display.html(self)


def weekly_means(series: Series, *, whole_weeks: bool = False) -> Series:
    """The mean of each week's values (weeks start on Monday, UTC), at each week's Monday.

    Missing values are left out; a week with no value has no point.  With
    ``whole_weeks=True`` the days before the first Monday and after the last
    Sunday the series covers are left out, so that a partial first or last
    week (fewer days, another mix of weekdays) is not compared with whole ones.

    Examples:
        >>> days = np.datetime64("2025-01-01", "ns") + np.arange(10) * np.timedelta64(1, "D")
        >>> w = weekly_means(Series(days, np.arange(10.0)))
        >>> np.datetime_as_string(w.times, unit="D").tolist(), w.values.tolist()
        (['2024-12-30', '2025-01-06'], [2.0, 7.0])
        >>> weekly_means(Series(days, np.arange(10.0)), whole_weeks=True).values.size
        0
    """
    if not isinstance(series, Series):
        raise v.fail("series", "a Series", series)
    v.flag("whole_weeks", whole_weeks)
    keep = ~np.isnan(series.values)
    days = series.times.astype("datetime64[D]").astype(np.int64)
    monday = days - (days + 3) % 7  # 1970-01-01 was a Thursday (weekday 3 from Monday)
    if whole_weeks and days.size:
        first = days[0] if days[0] == monday[0] else monday[0] + 7
        last = days[-1] - 6 if days[-1] == monday[-1] + 6 else monday[-1] - 7
        keep &= (monday >= first) & (monday <= last)
    weeks, inverse = np.unique(monday[keep], return_inverse=True)
    sums = np.bincount(inverse, weights=series.values[keep], minlength=weeks.size)
    counts = np.bincount(inverse, minlength=weeks.size)
    times = weeks.astype("datetime64[D]").astype("datetime64[ns]")
    return Series(times, sums / np.maximum(counts, 1), kpi_key=series.kpi_key)


def _is_daily(times: npt.NDArray[np.datetime64]) -> bool:
    if times.size < 2:
        return False
    step = float(np.median(np.diff(times.view(np.int64))))
    return 20 / 24 * _DAY_NS <= step <= 28 / 24 * _DAY_NS


def _bounds(kpi: KPI, x: npt.NDArray[np.float64]) -> tuple[float, float | None] | None:
    """The natural bounds of the KPI's values, when its unit says and the values agree."""
    if x.size == 0 or float(x.min()) < 0:
        return None
    if is_share(kpi):
        return (0.0, 1.0) if float(x.max()) <= 1 else None
    counting = kpi.aggregation.method in (AggregationMethod.COUNT, AggregationMethod.RATE)
    if counting or kpi.unit.strip().lower() in _NON_NEGATIVE_UNITS:
        return (0.0, None)
    return None


def _variation(
    x: npt.NDArray[np.float64],
    chart: ControlChart,
    found: list[Signal],
    direction: Direction | None,
) -> tuple[Variation, bool | None]:
    last = x.size - 1
    kinds = {s.kind for s in found if last in s.points}
    if not kinds:
        return Variation.COMMON, None
    above = bool(x[last] > chart.centre)
    if direction is None:
        return Variation.NEITHER, above
    good_is_high = direction is Direction.HIGHER_IS_BETTER
    if SignalKind.IMPROVEMENT in kinds and SignalKind.CONCERN in kinds:
        improving = above == good_is_high
    else:
        improving = SignalKind.IMPROVEMENT in kinds
    if improving:
        return Variation.IMPROVEMENT, good_is_high
    return Variation.CONCERN, not good_is_high


def _assurance(kpi: KPI, chart: ControlChart) -> Assurance | None:
    if kpi.target is None or kpi.direction is None:
        return None
    t = kpi.target.value
    higher = kpi.direction is Direction.HIGHER_IS_BETTER
    if t > chart.upper:
        return Assurance.MISSED if higher else Assurance.MET
    if t < chart.lower:
        return Assurance.MET if higher else Assurance.MISSED
    return Assurance.HIT_AND_MISS


def _c_weekly(weekly: object) -> bool | None:
    if weekly is not None and not isinstance(weekly, bool):
        raise v.fail("weekly", "None (automatic), True or False", weekly)
    return weekly


def summarise(panel: KPIPanel, *, weekly: bool | None = None, rules: str = "nhs") -> KPISummary:
    """The summary row of one KPI panel (see the module for the rules).

    ``weekly=None`` summarises a daily series of more than
    :data:`WEEKLY_AFTER` days as weekly means, ``True`` any daily series,
    ``False`` none.  ``rules`` is the special-cause rule set of
    :func:`itil_ci.measurement.signals` (``"nhs"``, as *Making Data Count*).
    Without a series the latest value is the evaluation's, if any.

    Examples:
        >>> from itil_ci.domain import KPI, Target
        >>> days = np.datetime64("2025-01-01", "ns") + np.arange(20) * np.timedelta64(1, "D")
        >>> kpi = KPI("mttr", unit="h", direction="lower", target=Target(9.0))
        >>> values = [6.0, 7.0] * 6 + [4.0, 3.5, 4.0, 3.0, 3.5, 4.0, 3.5, 4.0]  # ends in a run
        >>> s = summarise(KPIPanel(kpi, series=Series(days, values)))
        >>> s.period, s.latest, s.variation.value, s.high, s.assurance.value
        ('day', 4.0, 'special cause improvement', False, 'consistently met')
    """
    if not isinstance(panel, KPIPanel):
        raise v.fail("panel", "a KPIPanel", panel)
    weekly = _c_weekly(weekly)
    kpi = panel.kpi
    common: dict[str, Any] = {"kpi": kpi, "initiative": panel.initiative}
    series = panel.series
    if series is None or len(series) == 0 or series.missing == len(series):
        ev = panel.evaluation
        return KPISummary(
            **common,
            latest=None if ev is None else ev.value,
            reason="no measured values",
        )
    keep = ~np.isnan(series.values)
    times, x = series.times[keep], series.values[keep]
    period = "day" if _is_daily(times) else ""
    left_out = 0
    if period == "day" and (weekly or (weekly is None and x.size > WEEKLY_AFTER)):
        w = weekly_means(Series(times, x), whole_weeks=True)
        if w.values.size:
            whole = (times >= w.times[0]) & (times < w.times[-1] + np.timedelta64(7, "D"))
            left_out = int(x.size - np.count_nonzero(whole))
            times, x, period = w.times, w.values, "week"
    if x.size == 0:
        return KPISummary(**common, reason="no measured values")
    common.update(
        period=period,
        values=x,
        times=times,
        source_points=len(series),
        missing=len(series) - int(keep.sum()),
        left_out=left_out,
        latest=float(x[-1]),
        latest_at=times[-1],
    )
    if x.size < MIN_POINTS:
        return KPISummary(
            **common,
            reason=f"{x.size} points: process limits need at least {MIN_POINTS}",
        )
    from itil_ci.measurement.spc import signals, xmr

    cut = None
    if panel.change_at is not None:
        at = np.datetime64(panel.change_at.replace(tzinfo=None), "ns")
        i = int(np.searchsorted(times, at, side="left"))
        cut = i if 2 <= i <= x.size - 2 else None
    chart = xmr(x, bounds=_bounds(kpi, x), change_at=cut)
    found = signals(x, chart, rules, direction=kpi.direction)
    common.update(chart=chart, signals=tuple(found))
    if cut is not None:
        common["change_at"] = times[cut]
        if x.size - cut < MIN_POINTS:
            return KPISummary(
                **common,
                reason=f"{x.size - cut} points since the change: process limits need at least "
                f"{MIN_POINTS}",
            )
    variation, high = _variation(x, chart, found, kpi.direction)
    return KPISummary(**common, variation=variation, high=high, assurance=_assurance(kpi, chart))


def summaries(data: ReportData) -> tuple[KPISummary, ...]:
    """The summary of every KPI panel of ``data``: tracked KPIs first, then the others.

    A KPI is *tracked* when it has a target or belongs to an initiative;
    within each group the panels keep their order.  ``data.weekly`` chooses
    the weekly aggregation (see :func:`summarise`).

    Examples:
        >>> from itil_ci.domain import KPI, Target
        >>> data = ReportData(kpis=[KPIPanel(KPI("fcr")), KPIPanel(KPI("m", target=Target(4)))])
        >>> [s.kpi.key for s in summaries(data)]
        ['m', 'fcr']
    """
    if not isinstance(data, ReportData):
        raise v.fail("data", "a ReportData", data)
    rows = [summarise(p, weekly=data.weekly) for p in data.kpis]
    return tuple(sorted(rows, key=lambda s: not s.tracked))
