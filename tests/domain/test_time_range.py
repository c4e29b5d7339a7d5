"""Times outside the int64-nanosecond range are refused everywhere, never wrapped round.

numpy stores ``datetime64[ns]`` as int64 nanoseconds since 1970, so it holds
1677-09-21T00:12:43.145224193 to 2262-04-11T23:47:16.854775807 (numpy prints
both ends: ``np.datetime64(-2**63 + 1, "ns")`` and ``np.datetime64(2**63 - 1, "ns")``).
A coarser unit converted to nanoseconds is multiplied in int64 and wraps
silently: ``np.datetime64("3000-01-01", "s").astype("datetime64[ns]")`` is
1830-11-23T00:50:52.580896768.  Each case below used to return such a wrapped
time (or a duration computed from one) and must now raise InvalidInputError.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import itil_ci as ic
from itil_ci import measurement as m
from itil_ci.register import Register

UTC = dt.UTC
RANGE = "expected a time between 1677-09-21T00:12:44Z and 2262-04-11T23:47:16Z"
SPAN = "expected two times less than 292 years apart"


def _s(*days: str) -> np.ndarray[Any, Any]:
    return np.array(days, dtype="datetime64[s]")


def _ns(*days: str) -> np.ndarray[Any, Any]:
    return np.array(days, dtype="datetime64[ns]")


S2026 = ic.Series(_ns("2026-01-01", "2026-01-02"), [1.0, 2.0])

CASES: list[tuple[str, Callable[[], Any], str]] = [
    ("Series ISO string", lambda: ic.Series(["3000-01-01T00:00:00+00:00"], [5.0]), RANGE),
    ("Series datetime", lambda: ic.Series([dt.datetime(3000, 1, 1, tzinfo=UTC)], [5.0]), RANGE),
    ("Series datetime64[s]", lambda: ic.Series(_s("3000-01-01"), [5.0]), RANGE),
    ("Series datetime64[D] before 1677", lambda: ic.Series(_s("1600-01-01"), [5.0]), RANGE),
    ("Series datetime64 scalar", lambda: ic.Series([np.datetime64("2300-01-01")], [5.0]), RANGE),
    (
        "Series offset pushes past datetime.max",
        lambda: ic.Series(["9999-12-31T23:00:00-05:00"], [1.0]),
        RANGE,
    ),
    ("Series.between start", lambda: S2026.between(dt.datetime(9999, 1, 1, tzinfo=UTC)), RANGE),
    ("Series.between end", lambda: S2026.between(None, np.datetime64("9999-01-01")), RANGE),
    (
        "mann_kendall times",
        lambda: m.mann_kendall([1, 2, 3], _s("1000-01-01", "2026-01-01", "3000-01-01")),
        RANGE,
    ),
    (
        "mann_kendall times 300 years apart",
        lambda: m.mann_kendall([1, 2, 3], _ns("1700-01-01", "1900-01-01", "2200-01-01")),
        SPAN,
    ),
    ("sen_slope times", lambda: m.sen_slope([1, 2], _s("2026-01-01", "2400-01-01")), RANGE),
    ("mttr end in 3000", lambda: m.mttr(_s("2026-01-01"), _s("3000-01-01")), RANGE),
    ("mttr start in 1600", lambda: m.mttr(_s("1600-01-01"), _s("2026-01-01")), RANGE),
    (
        "backlog age over 292 years",
        lambda: m.backlog(_ns("1700-01-01"), _ns("NaT"), as_of=np.datetime64("2200-01-01", "ns")),
        SPAN,
    ),
    (
        "backlog by period, age over 292 years",
        lambda: m.backlog(
            _ns("1700-01-01"), _ns("NaT"), period="month", as_of=np.datetime64("2200-01-01", "ns")
        ),
        SPAN,
    ),
    (
        "backlog as_of in 3000",
        lambda: m.backlog(_ns("2026-01-01"), _ns("NaT"), as_of="3000-01-01T00:00:00Z"),
        RANGE,
    ),
    (
        "sla_attainment as_of - start over 292 years",
        lambda: m.sla_attainment(
            _ns("1700-01-01"), _ns("NaT"), None, 5.0, as_of=np.datetime64("2200-01-01", "ns")
        ),
        SPAN,
    ),
    (
        "mttr as_of - start over 292 years (open ticket measured to as_of)",
        lambda: m.mttr(_ns("1700-01-01"), _ns("NaT"), as_of=np.datetime64("2200-01-01", "ns")),
        SPAN,
    ),
    (
        "xmr change_at in 9999",
        lambda: m.xmr(S2026, change_at=dt.datetime(9999, 1, 1, tzinfo=UTC)),
        RANGE,
    ),
    (
        "baseline window end in 9999",
        lambda: m.baseline(ic.KPI("k"), S2026, end=dt.datetime(9999, 1, 1, tzinfo=UTC)),
        RANGE,
    ),
    (
        "rate window of 10**15 days",
        lambda: m.aggregate([1.0], "rate", window=np.timedelta64(10**15, "D")),
        # the exact length is kept (numpy's own conversion would wrap negative), so
        # the rate is tiny but right: no error, checked in its own test below
        "",
    ),
    (
        "Register.record times in 3000",
        lambda: Register.in_memory().record("mttr", ["3000-01-01T00:00:00+00:00"], [5.0]),
        RANGE,
    ),
    (
        "Opportunity raised_at in 3000",
        lambda: ic.Opportunity(title="x", raised_at="3000-01-01T00:00:00+00:00"),
        RANGE,
    ),
    (
        "Opportunity raised_at beyond datetime.max in UTC",
        lambda: ic.Opportunity(title="x", raised_at="9999-12-31T23:00:00-05:00"),
        RANGE,
    ),
    (
        "Baseline start before 1677",
        lambda: ic.Baseline("k", 1.0, start=dt.datetime(1600, 1, 1, tzinfo=UTC)),
        RANGE,
    ),
]


@pytest.mark.parametrize(
    ("label", "call", "message"), [c for c in CASES if c[2]], ids=[c[0] for c in CASES if c[2]]
)
def test_out_of_range_time_is_refused(label: str, call: Callable[[], Any], message: str) -> None:
    with pytest.raises(ic.InvalidInputError, match=message):
        call()


def test_rate_window_is_converted_exactly() -> None:
    # 10**15 days = 8.64e19 s; numpy's timedelta64 -> seconds wraps to a negative number.
    r = m.aggregate([8.64e19], "rate", window=np.timedelta64(10**15, "D"))
    assert r.value == pytest.approx(86400.0)  # per day: 8.64e19 / 10**15


def test_the_edges_of_the_range_are_accepted() -> None:
    # numpy prints the two ends of the int64-nanosecond range (NaT is int64's minimum)
    first = np.datetime64(-(2**63) + 1, "ns")
    last = np.datetime64(2**63 - 1, "ns")
    s = ic.Series(np.array([first, last]), [1.0, 2.0])
    assert s.times.view(np.int64).tolist() == [-(2**63) + 1, 2**63 - 1]
    at_second = ic.Series(_s("1677-09-21T00:12:44", "2262-04-11T23:47:16"), [1.0, 2.0])
    assert str(at_second.times[0]) == "1677-09-21T00:12:44.000000000"
    with pytest.raises(ic.InvalidInputError, match=RANGE):
        ic.Series(_s("1677-09-21T00:12:43"), [1.0])  # 0.145224193 s before the first
    with pytest.raises(ic.InvalidInputError, match=RANGE):
        ic.Series(_s("2262-04-11T23:47:17"), [1.0])


def test_parse_times_refuses_what_numpy_wraps() -> None:
    from itil_ci._internal.arrays import parse_times

    # numpy parses "3000-01-01" straight to nanoseconds as 1830-11-23T00:50:52.580896768
    assert str(np.array(["3000-01-01"], dtype="datetime64[ns]")[0]).startswith("1830-11-23")
    ok = parse_times("t", ["2026-01-01T00:00:00.123456789", "", "2262-04-11T23:47:16.854775807"])
    assert ok.view(np.int64)[[0, 2]].tolist() == [1767225600123456789, 2**63 - 1]
    assert np.isnat(ok[1])
    for bad in (
        "3000-01-01",
        "1600-01-01",
        "1677-09-21T00:12:43.1",
        "2262-04-11T23:47:16.854775808",
    ):
        with pytest.raises(ic.InvalidInputError, match=r"t\[1\]: " + RANGE):
            parse_times("t", ["2026-01-01", bad])
    with pytest.raises(ic.InvalidInputError, match=r"t\[0\]: expected an ISO-8601 date-time"):
        parse_times("t", ["2026-13-01"])
