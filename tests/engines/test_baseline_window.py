"""ITIL 4 "where are we now?": a baseline over a window of the series given."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pytest

from itil_ci import measurement
from itil_ci.domain import KPI, Actor, Initiative, Series
from itil_ci.engines import ContinualImprovementModel, start
from itil_ci.errors import InvalidInputError

TEAM = Actor("tom", roles=["improvement-team"])
JAN, FEB, MAR = (dt.datetime(2026, m, 1, tzinfo=dt.UTC) for m in (1, 2, 3))


def _engine_at_current_state() -> tuple[Initiative, ContinualImprovementModel]:
    ini = Initiative(title="Faster restores")
    engine = start(ini, "itil4", actor=TEAM)
    assert isinstance(engine, ContinualImprovementModel)
    engine.advance(actor=TEAM, objectives=["Restore e-mail within 4 hours"])
    return ini, engine


def _series() -> Series:
    days = np.datetime64("2026-01-01", "ns") + np.arange(59) * np.timedelta64(1, "D")
    # January at 6 h, February at 4 h
    return Series(days, np.where(days < np.datetime64("2026-02-01"), 6.0, 4.0), kpi_key="mttr")


def test_baseline_window_limits_the_baseline_to_the_window() -> None:
    ini, engine = _engine_at_current_state()
    mttr = KPI("mttr", direction="lower")
    engine.advance(
        actor=TEAM,
        kpis=[mttr],
        series={"mttr": _series()},
        baseline_window=(JAN, FEB),
    )
    expected = measurement.baseline(mttr, _series(), start=JAN, end=FEB)
    got = ini.baselines["mttr"]
    assert (got.value, got.n, got.start, got.end) == (6.0, 31, JAN, FEB)
    assert (got.value, got.n) == (expected.value, expected.n)


def test_without_a_window_the_whole_series_is_used() -> None:
    ini, engine = _engine_at_current_state()
    engine.advance(actor=TEAM, kpis=[KPI("mttr")], series={"mttr": _series()})
    # 31 days at 6 h and 28 at 4 h: (31*6 + 28*4) / 59
    assert ini.baselines["mttr"].value == pytest.approx((31 * 6 + 28 * 4) / 59)


@pytest.mark.parametrize(
    ("window", "message"),
    [
        ((FEB, JAN), "baseline_window: expected a window whose end is after its start"),
        ((JAN,), "baseline_window: expected a (start, end) pair"),
        ((dt.datetime(2026, 1, 1), None), "baseline_window[0]: expected a timezone-aware"),
    ],
)
def test_bad_window_is_refused_and_changes_nothing(window: tuple, message: str) -> None:  # type: ignore[type-arg]
    ini, engine = _engine_at_current_state()
    before = len(ini.history)
    with pytest.raises(
        InvalidInputError,
        match=re.escape(message),
    ):
        engine.advance(
            actor=TEAM,
            kpis=[KPI("mttr")],
            series={"mttr": _series()},
            baseline_window=window,
        )
    assert ini.step == "current_state"
    assert ini.baselines == {}
    assert len(ini.history) == before


def test_a_window_without_series_is_refused() -> None:
    from itil_ci.domain import Baseline

    ini, engine = _engine_at_current_state()
    with pytest.raises(
        InvalidInputError, match="artefact 'baseline_window': expected given together with 'series'"
    ):
        engine.advance(
            actor=TEAM,
            kpis=[KPI("mttr")],
            baselines={"mttr": Baseline("mttr", 5.0)},
            baseline_window=(JAN, None),
        )
    assert ini.step == "current_state"
    assert ini.baselines == {}
