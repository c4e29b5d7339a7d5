"""ITSM KPIs: known answers worked by hand, properties, pandas cross-checks, bad input."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from itil_ci.errors import InvalidInputError
from itil_ci.measurement import _grouping as grp
from itil_ci.measurement.itsm import (
    GroupedKPI,
    availability,
    backlog,
    change_success_rate,
    first_contact_resolution,
    mtta,
    mttr,
    reopen_rate,
    sla_attainment,
)

NS = "datetime64[ns]"


def at(*stamps: str) -> np.ndarray:
    return np.array(stamps, dtype=NS)


def hours(*h: float) -> np.ndarray:
    return (np.array(h, dtype=np.float64) * 3600e9).astype("timedelta64[ns]")


# --- known answers (every expected number worked out by hand) -----------------------

T0 = np.datetime64("2026-03-02T08:00", "ns")  # a Monday


def test_mttr_by_hand() -> None:
    # Durations (hours): db = 1, 2, 6; web = 4 and one open ticket.
    # db: mean 9/3 = 3; median 2; p90 at h = 0.9 * 2 = 1.8 -> 2 + 0.8 * (6 - 2) = 5.2.
    # web: mean = median = p90 = 4 (one closed value); open = 1.
    start = np.full(5, T0)
    end = start + np.array([60, 120, 360, 240, "NaT"], dtype="timedelta64[m]")
    r = mttr(start, end, by=np.array(["db", "db", "db", "web", "web"]))
    assert r.names == ("key",)
    assert r.groups[0].tolist() == ["db", "web"]
    assert r.count.tolist() == [3, 1]
    assert r.mean.tolist() == [3.0, 4.0]
    assert r.median.tolist() == [2.0, 4.0]
    assert r.p90 == pytest.approx([5.2, 4.0], abs=1e-12)
    assert r.extra["open"].tolist() == [0, 1]
    assert r.value.tolist() == r.mean.tolist()
    assert r.unit == "hours"
    assert r.parameters["kind"] == "resolve"


def test_mttr_units_and_kind() -> None:
    # 90 minutes = 1.5 hours = 5400 seconds = 0.0625 days.
    start = at("2026-03-02T08:00")
    end = at("2026-03-02T09:30")
    assert mttr(start, end, unit="minutes").mean.tolist() == [90.0]
    assert mttr(start, end, unit="seconds").mean.tolist() == [5400.0]
    assert mttr(start, end, unit="days").mean.tolist() == [0.0625]
    assert mttr(start, end, kind="restore").parameters["kind"] == "restore"


def test_mttr_all_open_group_is_nan_with_count_zero() -> None:
    # Documented: no closed ticket -> count 0 and NaN statistics, open counted.
    r = mttr(at("2026-03-02", "2026-03-02"), at("2026-03-03", "NaT"), by=[1, 2])
    assert r.count.tolist() == [1, 0]
    assert r.mean[0] == 24.0
    assert np.isnan([r.mean[1], r.median[1], r.p90[1]]).all()
    assert r.extra["open"].tolist() == [0, 1]


def test_periods_month_week_day() -> None:
    # Sunday 2026-03-01 belongs to the ISO week starting Monday 2026-02-23;
    # Monday 2026-03-02 starts a new week; 2026-02-28 is in February.
    start = at("2026-02-28T23:00", "2026-03-01T10:00", "2026-03-02T00:00")
    end = start + hours(1, 2, 3)
    m = mttr(start, end, period="month")
    assert m.names == ("period",)
    assert m.groups[0].astype(str).tolist() == ["2026-02-01", "2026-03-01"]
    assert m.mean.tolist() == [1.0, 2.5]
    w = mttr(start, end, period="week")
    assert w.groups[0].astype(str).tolist() == ["2026-02-23", "2026-03-02"]
    assert w.count.tolist() == [2, 1]
    d = mttr(start, end, period="day")
    assert d.groups[0].astype(str).tolist() == ["2026-02-28", "2026-03-01", "2026-03-02"]
    # period_on="end": the first ticket ends at 2026-03-01T00:00, so it is March's.
    e = mttr(start, end, period="month", period_on="end")
    assert e.groups[0].astype(str).tolist() == ["2026-03-01"]
    assert e.mean.tolist() == [2.0]


def test_several_keys_and_mapping() -> None:
    # Rows sorted by (team, priority); the (b, 1) pair has durations 1 and 3 -> mean 2.
    start = np.full(4, T0)
    end = start + hours(1, 3, 5, 7)
    team = np.array(["b", "b", "a", "b"])
    prio = np.array([1, 1, 2, 2])
    r = mttr(start, end, by=[team, prio])
    assert r.names == ("key0", "key1")
    assert [k.tolist() for k in r.groups] == [["a", "b", "b"], [2, 1, 2]]
    assert r.mean.tolist() == [5.0, 2.0, 7.0]
    named = mttr(start, end, by={"team": team, "priority": prio}, period="month")
    assert named.names == ("team", "priority", "period")
    assert named.columns()["team"].tolist() == ["a", "b", "b"]


def test_mtta_by_hand() -> None:
    # Acknowledged after 10, 20, 90 minutes: mean 40; p90 at h = 1.8 -> 20 + 0.8 * 70 = 76.
    logged = np.full(3, T0)
    ack = logged + np.array([10, 20, 90], dtype="timedelta64[m]")
    r = mtta(logged, ack, unit="minutes")
    assert (r.mean[0], r.median[0]) == (40.0, 20.0)
    assert r.p90[0] == pytest.approx(76.0, abs=1e-12)
    assert r.kpi == "mtta"


def test_sla_attainment_by_hand() -> None:
    # P1 target 4 h: 3 h met, exactly 4 h met (on time counts), 5 h breached.
    # P2 target 24 h: 10 h met, open ticket unjudged (no as_of).  Overall 3 / 4 met.
    start = np.full(5, T0)
    end = start + hours(3, 4, 5, 10, 0)
    end[4] = np.datetime64("NaT")
    prio = ["P1", "P1", "P1", "P2", "P2"]
    r = sla_attainment(start, end, prio, {"P1": 4, "P2": 24})
    assert r.count.tolist() == [4]
    assert r.value.tolist() == [0.75]
    assert r.extra["met"].tolist() == [3]
    assert r.extra["breached"].tolist() == [1]
    assert r.extra["open"].tolist() == [1]
    # With as_of 30 h after start the open P2 ticket has breached its 24 h target: 3 / 5.
    r2 = sla_attainment(start, end, prio, {"P1": 4, "P2": 24}, as_of=T0 + hours(30)[0])
    assert r2.count.tolist() == [5]
    assert r2.value.tolist() == [0.6]
    # Grouped by priority: P1 2/3, P2 1/1.
    r3 = sla_attainment(start, end, prio, {"P1": 4, "P2": 24}, by=prio)
    assert r3.value == pytest.approx([2 / 3, 1.0])
    # One target for all (priority None): 5 h target -> 3, 4, 5 met, 10 breached.
    assert sla_attainment(start, end, None, 5.0).value.tolist() == [0.75]


def test_rate_kpis_by_hand() -> None:
    # FCR: 2 of the 3 resolved tickets were resolved at first contact.
    r = first_contact_resolution([True, False, True, True], resolved=[True, True, True, False])
    assert r.value == pytest.approx([2 / 3])
    assert r.count.tolist() == [3]
    # Reopen: counts 0, 2, 0, 1 -> 2 of 4 reopened; by team a: 1/2, b: 1/2.
    assert reopen_rate([0, 2, 0, 1]).value.tolist() == [0.5]
    # Changes: 3 of 4 successful; per month Jan 1/2, Feb 2/2.
    times = at("2026-01-10", "2026-01-20", "2026-02-01", "2026-02-02")
    c = change_success_rate([True, False, True, True], period="month", times=times)
    assert c.groups[0].astype(str).tolist() == ["2026-01-01", "2026-02-01"]
    assert c.value.tolist() == [0.5, 1.0]
    assert c.extra["successful"].tolist() == [1, 2]


def test_backlog_by_hand() -> None:
    # Opened Jan 5, Jan 20, Feb 3; the first closed Feb 10.  as_of 2026-02-28T00:00.
    # End of January (Feb 1): 2 open, ages 27 d and 12 d -> mean 19.5 d = 468 h;
    #   opened 2, closed 0, growth +2.
    # End (as_of): open Jan 20 (39 d) and Feb 3 (25 d) -> mean 32 d = 768 h;
    #   opened 1, closed 1, growth 0.
    opened = at("2026-01-05", "2026-01-20", "2026-02-03")
    closed = at("2026-02-10", "NaT", "NaT")
    r = backlog(opened, closed, period="month", as_of=np.datetime64("2026-02-28", "ns"))
    assert r.count.tolist() == [2, 2]
    assert r.mean == pytest.approx([468.0, 768.0], abs=1e-9)
    assert r.extra["opened"].tolist() == [2, 1]
    assert r.extra["closed"].tolist() == [0, 1]
    assert r.extra["growth"].tolist() == [2, 0]
    # Snapshot at as_of without period: same as the last period's figures.
    s = backlog(opened, closed, as_of=np.datetime64("2026-02-28", "ns"), unit="days")
    assert s.count.tolist() == [2]
    assert s.mean == pytest.approx([32.0])
    # A quiet group-period is a row with 0 open and NaN age (documented).
    g = backlog(opened, closed, by=["x", "y", "y"], period="month", as_of=opened[2])
    assert g.groups[0].tolist() == ["x", "x", "y", "y"]
    assert g.count.tolist() == [1, 1, 1, 2]
    t = backlog(at("2026-01-05"), at("2026-01-06"), period="day")
    assert t.count.tolist() == [1, 0]
    assert np.isnan(t.mean[1])


def test_availability_by_hand() -> None:
    # March 2026 has 31 days = 744 h.  Outages 2 h and 4 h: downtime 6 h,
    # availability 738 / 744, MTRS 6/2 = 3 h, MTBF 738/2 = 369 h, MTBSI 744/2 = 372 h.
    start = at("2026-03-02T10:00", "2026-03-20T00:00")
    end = start + hours(2, 4)
    window = ("2026-03-01T00:00+00:00", dt.datetime(2026, 4, 1, tzinfo=dt.UTC))
    r = availability(start, end, window=window)
    assert r.value == pytest.approx([738 / 744])
    assert r.extra["mtrs"].tolist() == [3.0]
    assert r.extra["mtbf"].tolist() == [369.0]
    assert r.extra["mtbsi"].tolist() == [372.0]
    assert r.count.tolist() == [2]


def test_availability_split_across_days_and_ongoing() -> None:
    # One outage 2026-03-01T22:00 -> 03-02T03:00 (2 h on day 1, 3 h on day 2),
    # one ongoing outage from 03-03T18:00 (6 h until the window's end at 03-04T00:00).
    start = at("2026-03-01T22:00", "2026-03-03T18:00")
    end = at("2026-03-02T03:00", "NaT")
    r = availability(start, end, period="day")
    assert r.groups[0].astype(str).tolist() == ["2026-03-01", "2026-03-02", "2026-03-03"]
    assert r.extra["downtime"].tolist() == [2.0, 3.0, 6.0]
    assert r.count.tolist() == [1, 0, 1]  # a break counts where it starts
    assert r.value == pytest.approx([22 / 24, 21 / 24, 18 / 24])
    assert np.isnan(r.extra["mtrs"][1])
    # With agreed service time 12 h a day: availability (12 - downtime) / 12.
    a = availability(start, end, period="day", agreed=12)
    assert a.value == pytest.approx([10 / 12, 9 / 12, 6 / 12])


def test_result_is_readonly_and_repr() -> None:
    r = mttr(at("2026-03-02"), at("2026-03-03"), by=["a"])
    assert isinstance(r, GroupedKPI)
    with pytest.raises(ValueError, match="read-only"):
        r.mean[0] = 1.0
    assert "mttr" in repr(r)
    assert len(r) == 1


# --- pandas inputs ---------------------------------------------------------------------


def test_pandas_columns_are_accepted() -> None:
    df = pd.DataFrame(
        {
            "opened": pd.to_datetime(["2026-03-02 08:00", "2026-03-02 09:00", "2026-03-03 00:00"]),
            "resolved": pd.to_datetime(["2026-03-02 10:00", None, "2026-03-03 04:00"]),
            "service": pd.Categorical(["mail", "mail", "web"]),
        }
    )
    df["opened"] = df["opened"].dt.tz_localize("UTC")
    df["resolved"] = df["resolved"].dt.tz_localize("UTC")
    r = mttr(df["opened"], df["resolved"], by=df["service"])
    assert r.names == ("service",)
    assert r.groups[0].tolist() == ["mail", "web"]
    assert r.mean.tolist() == [2.0, 4.0]
    assert r.extra["open"].tolist() == [1, 0]
    frame = pd.DataFrame(r.columns())
    assert list(frame.columns[:3]) == ["service", "count", "value"]


# --- the engine: every percentile method agrees with np.percentile --------------------


@pytest.mark.parametrize("method", ["auto", "partition", "sort", "argsort"])
def test_quantile_methods_match_numpy(method: Any) -> None:
    rng = np.random.default_rng(7)
    codes = rng.integers(0, 50, 5000)
    values = rng.integers(0, 10**6, 5000)
    got = grp.quantiles(codes, 52, values, [0, 25, 50, 90, 100], scale=1 / 3600, method=method)
    for k in range(52):
        part = values[codes == k] / 3600
        for q, col in zip([0, 25, 50, 90, 100], got, strict=True):
            if part.size == 0:
                assert np.isnan(col[k])
            else:
                assert col[k] == pytest.approx(np.percentile(part, q), rel=1e-12, abs=1e-9)


def test_quantiles_fall_back_when_key_does_not_fit() -> None:
    # A value range of 2**60 leaves no room for the group code: the argsort path runs.
    values = np.array([0, 2**60, 5, 7], dtype=np.int64)
    codes = np.array([0, 0, 1, 1])
    med = grp.quantiles(codes, 2, values, [50])[0]
    assert med.tolist() == [2.0**59, 6.0]


# --- properties: a grouped KPI is the ungrouped KPI of each group's slice ----------------

tickets = st.integers(1, 40).flatmap(
    lambda n: st.tuples(
        st.lists(st.integers(0, 60 * 24 * 90), min_size=n, max_size=n),  # start, minutes
        st.lists(st.one_of(st.none(), st.integers(0, 60 * 24 * 10)), min_size=n, max_size=n),
        st.lists(st.sampled_from(["a", "b", "c"]), min_size=n, max_size=n),
        st.lists(st.sampled_from([1, 2]), min_size=n, max_size=n),
    )
)


def _columns(data: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    s_min, d_min, keys, prio = data
    start = np.datetime64("2026-01-01", "ns") + np.array(s_min, dtype="timedelta64[m]")
    dur = np.array([np.timedelta64("NaT") if d is None else d for d in d_min], "timedelta64[m]")
    return start, start + dur, np.array(keys), np.array(prio)


def _same(a: np.ndarray, b: np.ndarray) -> None:
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-9, equal_nan=True)


@settings(max_examples=60, deadline=None)
@given(tickets, st.sampled_from([None, "week", "month"]))
def test_grouped_equals_ungrouped_slices(data: Any, period: Any) -> None:
    start, end, keys, prio = _columns(data)
    grouped = mttr(start, end, by=keys, period=period)
    sla = sla_attainment(start, end, prio, {1: 48, 2: 120}, by=keys, period=period)
    for row in range(len(grouped)):
        rows = keys == grouped.groups[0][row]
        if period is not None:
            month = grouped.groups[1][row]
            one = mttr(start[rows], end[rows], period=period)
            pick = one.groups[0] == month
            assert pick.sum() == 1
        else:
            one = mttr(start[rows], end[rows])
            pick = np.array([True])
        assert one.count[pick].tolist() == [grouped.count[row]]
        assert one.extra["open"][pick].tolist() == [grouped.extra["open"][row]]
        _same(one.mean[pick], grouped.mean[row : row + 1])
        _same(one.median[pick], grouped.median[row : row + 1])
        _same(one.p90[pick], grouped.p90[row : row + 1])
        # ... and the slice's statistics are numpy's own.
        if period is None:
            d = (end[rows] - start[rows])[~np.isnat(end[rows])] / np.timedelta64(1, "h")
            if d.size:
                _same(grouped.median[row : row + 1], np.percentile(d, [50]))
                _same(grouped.p90[row : row + 1], np.percentile(d, [90]))
    for row in range(len(sla)):
        rows = keys == sla.groups[0][row]
        one = sla_attainment(start[rows], end[rows], prio[rows], {1: 48, 2: 120}, period=period)
        pick = np.ones(len(one), bool) if period is None else one.groups[0] == sla.groups[1][row]
        assert one.count[pick].tolist() == [sla.count[row]]
        _same(one.value[pick], sla.value[row : row + 1])


@settings(max_examples=40, deadline=None)
@given(tickets)
def test_backlog_matches_brute_force(data: Any) -> None:
    start, end, keys, _ = _columns(data)
    r = backlog(start, end, by=keys, period="week")
    cut = int(
        max(
            start.max().astype(np.int64), np.nanmax(end[~np.isnat(end)].astype(np.int64), initial=0)
        )
    )
    week_ends = (r.groups[1].astype(NS) + np.timedelta64(7, "D")).astype(np.int64)
    o, c = start.astype(np.int64), end.astype(np.int64)
    last_week = r.groups[1].max()
    for i in range(len(r)):
        t = min(int(week_ends[i]), cut)
        # A period is measured just before its end (a ticket opened or closed exactly at
        # the boundary belongs to the next period); only the last one is measured at
        # the cut itself, inclusively.  This holds even when a period ends exactly at the cut.
        inclusive = r.groups[1][i] == last_week
        closed_by = ~np.isnat(end) & ((c <= t) if inclusive else (c < t))
        is_open = (keys == r.groups[0][i]) & ((o <= t) if inclusive else (o < t)) & ~closed_by
        assert r.count[i] == is_open.sum()
        if is_open.any():
            assert r.mean[i] == pytest.approx(((t - o[is_open]) / 3600e9).mean(), abs=1e-6)


# --- cross-check against pandas groupby -----------------------------------------------------


def test_matches_pandas_groupby() -> None:
    rng = np.random.default_rng(3)
    n = 20_000
    start = np.datetime64("2026-01-01", "ns") + rng.integers(0, 365 * 86400, n).astype(
        "timedelta64[s]"
    )
    secs = rng.integers(0, 30 * 86400, n).astype("timedelta64[s]")
    end = start + secs
    end[rng.random(n) < 0.05] = np.datetime64("NaT")
    service = rng.integers(0, 40, n)
    prio = rng.integers(1, 5, n)
    targets = {1: 4.0, 2: 8.0, 3: 24.0, 4: 72.0}
    r = mttr(start, end, by=service, period="month")
    s = sla_attainment(start, end, prio, targets, by=service, period="month")

    df = pd.DataFrame({"service": service, "start": start, "end": end, "prio": prio})
    df["month"] = df["start"].dt.to_period("M").dt.start_time
    df["h"] = (df["end"] - df["start"]).dt.total_seconds() / 3600
    closed = df.dropna(subset=["end"])
    gb = closed.groupby(["service", "month"])["h"]
    expect = pd.DataFrame(
        {"mean": gb.mean(), "median": gb.median(), "p90": gb.quantile(0.9), "n": gb.size()}
    ).reset_index()
    assert len(expect) == len(r)  # every service-month has a closed ticket here
    assert r.groups[0].tolist() == expect["service"].tolist()
    assert r.groups[1].astype(NS).tolist() == expect["month"].to_numpy().astype(NS).tolist()
    np.testing.assert_allclose(r.mean, expect["mean"], rtol=1e-12)
    np.testing.assert_allclose(r.median, expect["median"], rtol=1e-12)
    np.testing.assert_allclose(r.p90, expect["p90"], rtol=1e-12)
    assert r.count.tolist() == expect["n"].tolist()

    closed = closed.assign(met=closed["h"] <= closed["prio"].map(targets))
    att = closed.groupby(["service", "month"])["met"].mean().reset_index()
    np.testing.assert_allclose(s.value, att["met"], rtol=1e-12)


# --- bad input ------------------------------------------------------------------------------

S2 = at("2026-03-02T08:00", "2026-03-02T09:00")
E2 = at("2026-03-02T10:00", "2026-03-02T11:00")

BAD: list[tuple[str, Any, str]] = [
    ("empty", lambda: mttr(np.array([], NS), np.array([], NS)), "start: expected at least one"),
    ("lengths", lambda: mttr(S2, E2[:1]), "end: expected 2 values"),
    ("NaT start", lambda: mttr(at("NaT", "2026-03-02"), E2), r"start\[0\]: expected a time"),
    (
        "end before start",
        lambda: mttr(S2, at("2026-03-02T10:00", "2026-03-02T08:30")),
        r"end\[1\]: expected a time at or after start\[1\]",
    ),
    ("unknown period", lambda: mttr(S2, E2, period="fortnight"), "period: expected None or one"),
    ("unknown unit", lambda: mttr(S2, E2, unit="hrs"), "unit: expected one of"),
    ("unknown kind", lambda: mttr(S2, E2, kind="fix"), "kind: expected one of"),
    ("bad period_on", lambda: mttr(S2, E2, period="day", period_on="x"), "period_on"),
    ("naive time", lambda: mttr([dt.datetime(2026, 3, 2)], E2[:1]), "timezone-aware"),
    ("by length", lambda: mttr(S2, E2, by=["a"]), "expected 2 group keys"),
    ("by missing", lambda: mttr(S2, E2, by=np.array(["a", None])), r"\[1\]: expected a group key"),
    ("by nan", lambda: mttr(S2, E2, by=[1.0, np.nan]), r"\[1\]: expected a group key"),
    ("by scalar", lambda: mttr(S2, E2, by="service"), "by: expected an array"),
    ("by empty", lambda: mttr(S2, E2, by=[]), "by: expected"),
    ("sla priority", lambda: sla_attainment(S2, E2, ["P1", "P9"], {"P1": 4}), r"priority\[1\]"),
    ("sla target", lambda: sla_attainment(S2, E2, ["P1", "P1"], {"P1": -4}), "targets"),
    ("sla no prio", lambda: sla_attainment(S2, E2, None, {"P1": 4}), "priority"),
    ("flags", lambda: reopen_rate([0, -1]), r"reopened\[1\]: expected a count"),
    ("flags type", lambda: change_success_rate(["yes", "no"]), "successful: expected"),
    ("flags 2", lambda: first_contact_resolution([1, 2]), r"first_contact\[1\]"),
    ("no times", lambda: change_success_rate([True], period="month"), "times: expected"),
    ("empty flags", lambda: reopen_rate([]), "reopened: expected at least one"),
    ("no window", lambda: availability(S2, E2), "window: expected"),
    ("bad window", lambda: availability(S2, E2, window=(E2[1], S2[0])), "window"),
    (
        "overlap",
        lambda: availability(S2, E2, window=(S2[0], E2[1])),
        r"start\[1\]: expected outages of one service that do not overlap",
    ),
    (
        "agreed too small",
        lambda: availability(S2[:1], E2[:1], window=(S2[0], E2[1]), agreed=1),
        "agreed",
    ),
    ("backlog order", lambda: backlog(E2, S2), r"closed\[0\]: expected a time at or after"),
    ("mtta names", lambda: mtta(E2, S2), r"acknowledged\[0\]"),
]


@pytest.mark.parametrize(("case", "call", "message"), BAD, ids=[b[0] for b in BAD])
def test_bad_input(case: str, call: Any, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        call()


def test_availability_of_a_period_down_throughout_is_exactly_zero() -> None:
    # March: a 1 ns outage on the 1st and one from the 5th to 1 May; April is down
    # throughout.  By hand: March up = 4 days - 1 ns of 31 days, April up = 0.
    s = np.array(["2026-03-01T00:00", "2026-03-05T00:00"], dtype="datetime64[ns]")
    e = np.array(["2026-03-01T00:00:00.000000001", "2026-05-01T00:00"], dtype="datetime64[ns]")
    r = availability(s, e, period="month")
    assert r.value[1] == 0.0
    assert r.extra["mtbf"][0] == pytest.approx((4 * 24 - 1e-9 / 3600) / 2, rel=1e-15)
    # No outage inside the window: the downtime column is still float hours.
    quiet = availability(s[:1], e[:1], window=("2026-04-01T00:00Z", "2026-05-01T00:00Z"))
    assert quiet.extra["downtime"].dtype == np.float64
    assert quiet.value.tolist() == [1.0]


def test_availability_never_goes_below_zero_by_rounding() -> None:
    # April 2026 (30 days) down throughout in four back-to-back outages whose float
    # hours add up to more than 720 h (summed as floats: -1.58e-16 availability).
    lens = np.array([106203374042617, 593083788033335, 951717531461258, 940995306462790])
    assert lens.sum() == 30 * 86_400 * 10**9
    begin = np.datetime64("2026-04-01T00:00", "ns").astype(np.int64)
    bounds = begin + np.r_[0, np.cumsum(lens)]
    s, e = bounds[:-1].view("datetime64[ns]"), bounds[1:].view("datetime64[ns]")
    r = availability(s, e, window=("2026-04-01T00:00Z", "2026-05-01T00:00Z"))
    assert r.value.tolist() == [0.0]
    assert r.extra["mtbf"].tolist() == [0.0]


def test_sla_attainment_with_met_refuses_a_clock() -> None:
    # The recorded outcome is already judged: a calendar or pauses would be ignored.
    import itil_ci as ic

    start = np.array(["2026-03-02T09:00"] * 2, dtype="datetime64[ns]")
    end = start + np.array([3, 5], dtype="timedelta64[h]")
    with pytest.raises(InvalidInputError, match="calendar: expected None when met= is given"):
        sla_attainment(start, end, met=[True, False], calendar=ic.BusinessCalendar.always())
