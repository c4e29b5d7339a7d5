"""The KPI summary: Making Data Count variation and assurance of each KPI."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from itil_ci.domain import KPI, Series, Target
from itil_ci.errors import InvalidInputError
from itil_ci.report import (
    Assurance,
    KPIPanel,
    ReportData,
    Variation,
    summaries,
    summarise,
    weekly_means,
)
from itil_ci.report.summary import MIN_POINTS, WEEKLY_AFTER

START = np.datetime64("2025-01-01", "ns")  # a Wednesday


def days(n: int, start: np.datetime64 = START) -> np.ndarray:
    return start + np.arange(n) * np.timedelta64(1, "D")


def panel(
    values: list[float],
    direction: str | None = "lower",
    target: float | None = None,
    unit: str = "h",
    **options: object,
) -> KPIPanel:
    kpi = KPI(
        "mttr",
        unit=unit,
        direction=direction,
        target=None if target is None else Target(target),
    )
    return KPIPanel(kpi, series=Series(days(len(values)), values), **options)  # type: ignore[arg-type]


# 14 points alternating 10 and 12, then 7 points below the centre: a shift of 7 below.
# Centre = (14 * 11 + 7 * 6) / 21 = 196 / 21 = 9.333 (hand calculation).
SHIFT_DOWN = [10.0, 12.0] * 7 + [6.0, 6.5, 5.5, 6.0, 6.5, 5.5, 6.0]


def test_a_shift_down_is_an_improvement_when_lower_is_better() -> None:
    s = summarise(panel(SHIFT_DOWN, "lower", target=30.0))
    assert s.chart is not None
    assert s.chart.centre == pytest.approx(196 / 21)
    assert s.variation is Variation.IMPROVEMENT
    assert s.high is False  # the special cause is in lower values: the "L" icon
    # 30 is above the upper limit and lower is better: every value meets it.
    assert s.chart.upper < 30
    assert s.assurance is Assurance.MET
    assert s.variation_text == "special cause improvement (lower values)"
    assert s.assurance_text == "target consistently met"


def test_the_same_shift_is_a_concern_when_higher_is_better() -> None:
    s = summarise(panel(SHIFT_DOWN, "higher", target=30.0))
    assert s.variation is Variation.CONCERN
    assert s.high is False
    assert s.assurance is Assurance.MISSED  # higher is better and the target is above it all


def test_a_target_between_the_limits_is_hit_and_miss() -> None:
    s = summarise(panel(SHIFT_DOWN, "lower", target=9.0))
    assert s.chart is not None
    assert s.chart.lower < 9.0 < s.chart.upper
    assert s.assurance is Assurance.HIT_AND_MISS


def test_a_target_below_the_lower_limit_is_consistently_missed_when_lower_is_better() -> None:
    s = summarise(panel(SHIFT_DOWN, "lower", target=-20.0))
    assert s.assurance is Assurance.MISSED


def test_stable_data_is_common_cause() -> None:
    s = summarise(panel([10.0, 12.0] * 10, "lower", target=11.0))
    assert s.signals == ()
    assert s.variation is Variation.COMMON
    assert s.high is None
    assert s.assurance is Assurance.HIT_AND_MISS


def test_without_a_direction_a_special_cause_is_neither() -> None:
    s = summarise(panel(SHIFT_DOWN, None, target=30.0))
    assert s.variation is Variation.NEITHER
    assert s.high is False
    assert s.assurance is None  # no direction: no assurance (NHSRplotthedots does the same)


def test_without_a_target_there_is_no_assurance() -> None:
    s = summarise(panel(SHIFT_DOWN, "lower"))
    assert s.variation is Variation.IMPROVEMENT
    assert s.assurance is None
    assert not s.tracked


def test_improvement_and_concern_on_the_latest_point_are_decided_by_its_side() -> None:
    # The last 7 points rise steadily (a trend) and all lie below the centre (a shift):
    # centre = (14 * 11 + 45.5) / 21 = 9.5.  Lower is better: the shift is an improvement,
    # the rising trend a concern; the latest point (8) is below the centre, so improvement
    # (NHSRplotthedots: ptd_calculate_point_type classifies by the side of the mean).
    values = [10.0, 12.0] * 7 + [5.0, 5.5, 6.0, 6.5, 7.0, 7.5, 8.0]
    low = summarise(panel(values, "lower"))
    assert {s.kind.value for s in low.signals if 20 in s.points} == {"improvement", "concern"}
    assert low.variation is Variation.IMPROVEMENT
    high = summarise(panel(values, "higher"))
    assert high.variation is Variation.CONCERN


def test_too_few_points_give_no_icons_and_say_why() -> None:
    s = summarise(panel([5.0, 6.0] * 5 + [5.5], "lower", target=4.0))
    assert MIN_POINTS == 12
    assert s.chart is None
    assert s.variation is None
    assert s.assurance is None
    assert s.latest == 5.5
    assert s.reason == "11 points: process limits need at least 12"


def test_no_series_takes_the_evaluation_as_latest() -> None:
    from itil_ci.measurement import evaluate

    kpi = KPI("mttr", direction="lower", target=Target(4.0))
    from itil_ci.domain import Baseline

    ev = evaluate(kpi, Baseline("mttr", 6.0), 4.5)
    s = summarise(KPIPanel(kpi, evaluation=ev))
    assert s.latest == 4.5
    assert s.reason == "no measured values"


def test_limits_after_a_change_decide_the_icons() -> None:
    # 20 points around 20 h, then 20 around 10 h: a staged chart from the change.
    rng = np.random.default_rng(3)
    values = list(np.r_[rng.normal(20, 1, 20), rng.normal(10, 1, 20)])
    change = dt.datetime(2025, 1, 21, tzinfo=dt.UTC)  # day 20 = the 21st value
    s = summarise(panel(values, "lower", target=14.0, change_at=change))
    assert s.chart is not None
    assert [(st.start, st.end) for st in s.chart.stages] == [(0, 20), (20, 40)]
    assert s.change_at == days(40)[20]
    # After the change the process (about 10 +/- 3) lies below 14: consistently met.
    assert s.chart.upper < 14
    assert s.assurance is Assurance.MET
    # Without the change the limits span both levels and the target lies within them.
    plain = summarise(panel(values, "lower", target=14.0))
    assert plain.assurance is Assurance.HIT_AND_MISS
    # Fewer than 12 points after the change: limits are drawn, icons wait.
    early = summarise(panel(values[:30], "lower", target=14.0, change_at=change))
    assert early.chart is not None
    assert len(early.chart.stages) == 2
    assert early.variation is None
    assert early.reason == "10 points since the change: process limits need at least 12"


def test_build_report_stages_initiative_kpis_at_the_start_of_action() -> None:
    from itil_ci.domain import Actor, Initiative, Prediction
    from itil_ci.engines import start
    from itil_ci.report import build_report

    ticks = iter(dt.datetime(2025, 6, d, 9, tzinfo=dt.UTC) for d in range(1, 30))
    mia = Actor("mia", roles=["continual-improvement-manager"])
    mttr = KPI("mttr", unit="h", direction="lower")
    ini = Initiative(title="Faster restores", model="pdca", kpis=[mttr])
    engine = start(ini, "pdca", actor=mia, clock=lambda: next(ticks))  # plan on 1 June
    engine.advance(  # plan -> do on 2 June: the change takes effect
        actor=mia, objective="Runbook", prediction=Prediction("mttr", -1.0, "1 h faster")
    )
    (p,) = build_report(initiatives=[ini]).kpis
    assert p.change_at == dt.datetime(2025, 6, 2, 9, tzinfo=dt.UTC)
    assert (p.initiative, ini.history[-1].to_step) == ("Faster restores", "do")


def test_a_long_daily_series_is_summarised_by_whole_weeks() -> None:
    n = WEEKLY_AFTER + 40  # 130 days from Wednesday 2025-01-01 to Sunday 2025-05-10
    values = np.arange(n, dtype=np.float64)
    s = summarise(panel(list(values), "lower"))
    assert s.period == "week"
    # Whole weeks run from Monday 2025-01-06 (day 5) to Sunday 2025-05-11... the series
    # ends on Saturday 2025-05-10 (day 129), so the last whole week ends on 2025-05-04
    # (day 123): days 5..123 make 17 weeks; 5 + 6 days at the ends are left out.
    assert s.values.size == 17
    assert s.left_out == 11
    assert s.values[0] == pytest.approx(np.mean(values[5:12]))
    assert s.latest == pytest.approx(np.mean(values[117:124]))
    assert str(s.latest_at)[:10] == "2025-04-28"
    assert summarise(panel(list(values), "lower"), weekly=False).period == "day"
    short = summarise(panel(list(values[:30]), "lower"), weekly=True)
    assert short.period == "week"


def test_weekly_means_agree_with_pandas() -> None:
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(11)
    t = days(200) + np.timedelta64(9, "h")
    x = rng.gamma(2.0, 5.0, 200)
    x[[3, 50, 51]] = np.nan
    ours = weekly_means(Series(t, x, allow_missing=True))
    ref = pd.Series(x, index=pd.DatetimeIndex(t)).resample("W-MON", label="left", closed="left")
    ref = ref.mean().dropna()
    assert ours.times.astype("datetime64[D]").tolist() == [
        d.date() for d in ref.index.to_pydatetime()
    ]
    np.testing.assert_allclose(ours.values, ref.to_numpy())


def test_summaries_put_tracked_kpis_first() -> None:
    untracked = KPIPanel(KPI("fcr"))
    with_target = KPIPanel(KPI("mttr", target=Target(4.0)))
    of_initiative = KPIPanel(KPI("sla"), initiative="Faster restores")
    rows = summaries(ReportData(kpis=[untracked, with_target, of_initiative]))
    assert [r.kpi.key for r in rows] == ["mttr", "sla", "fcr"]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: summarise("mttr"), "panel: expected a KPIPanel"),
        (lambda: summarise(KPIPanel(KPI("m")), weekly="yes"), "weekly: expected None"),
        (lambda: summaries([]), "data: expected a ReportData"),
        (lambda: weekly_means([1.0]), "series: expected a Series"),
        (lambda: ReportData(weekly=1), "ReportData.weekly"),
        (lambda: KPIPanel(KPI("m"), change_at="2025-07-02"), "KPIPanel.change_at"),
    ],
)
def test_bad_input(call: object, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        call()  # type: ignore[operator]


finite = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(finite, min_size=MIN_POINTS, max_size=60),
    target=finite,
    shift=st.floats(-1e3, 1e3, allow_nan=False),
)
def test_icons_follow_the_rules(values: list[float], target: float, shift: float) -> None:
    # A unit without natural bounds, so that moving the data cannot clip a limit.
    low = summarise(panel(values, "lower", target=target, unit="points"))
    high = summarise(panel(values, "higher", target=target, unit="points"))
    chart = low.chart
    assert chart is not None
    assert high.chart is not None
    assert (high.chart.lower, high.chart.upper) == (chart.lower, chart.upper)
    # Assurance is where the target lies against the limits.
    if target > chart.upper:
        assert (low.assurance, high.assurance) == (Assurance.MET, Assurance.MISSED)
    elif target < chart.lower:
        assert (low.assurance, high.assurance) == (Assurance.MISSED, Assurance.MET)
    else:
        assert low.assurance is high.assurance is Assurance.HIT_AND_MISS
    # Variation: common cause exactly when the latest point takes part in no signal; the
    # other direction swaps improvement and concern and keeps the side.
    last = len(values) - 1
    in_signal = any(last in s.points for s in low.signals)
    assert (low.variation is Variation.COMMON) == (not in_signal)
    swap = {
        Variation.IMPROVEMENT: Variation.CONCERN,
        Variation.CONCERN: Variation.IMPROVEMENT,
        Variation.COMMON: Variation.COMMON,
    }
    assert high.variation is swap[low.variation]  # type: ignore[index]
    assert high.high == low.high
    # Moving the data and the target together changes nothing.
    moved = summarise(
        panel([v + shift for v in values], "lower", target=target + shift, unit="points")
    )
    if moved.chart is not None and abs(shift) < 1e2:
        assert moved.assurance is low.assurance or (
            abs(target - chart.upper) < 1e-6 or abs(target - chart.lower) < 1e-6
        )
