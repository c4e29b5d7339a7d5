"""The SLA clock: pauses, as_of, due times, stages and the duration KPIs on it."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import itil_ci as ic
from itil_ci.io import History
from itil_ci.measurement import (
    BusinessCalendar,
    Pauses,
    at_risk,
    business_duration,
    mtta,
    mttr,
    sla_attainment,
    sla_status,
)
from tests.measurement.sla_reference import due as reference_due
from tests.measurement.sla_reference import less_pauses

UTC = dt.UTC
LONDON = "Europe/London"
OFFICE = {"mon-fri": ("08:00", "18:00")}
CAL = BusinessCalendar(OFFICE, timezone=LONDON)  # January: London time is UTC


def _ns(*isos: str) -> np.ndarray:
    return np.array(isos, dtype="datetime64[ns]")


def _pauses(ticket: str, *spans: tuple[str, str]) -> Pauses:
    return Pauses(
        id=[ticket] * len(spans),
        start=_ns(*(a for a, _ in spans)),
        end=_ns(*(b for _, b in spans)),
    )


# Ticket INC1: Monday 12 Jan 2026 09:00 -> Tuesday 13 Jan 12:00, business time
# Mon 09-18 (9 h) + Tue 08-12 (4 h) = 13 h.
OPENED = _ns("2026-01-12T09:00")
RESOLVED = _ns("2026-01-13T12:00")


def hours(
    p: Pauses | None,
    *,
    opened: np.ndarray = OPENED,
    resolved: np.ndarray = RESOLVED,
    as_of: str | None = None,
) -> float:
    return float(
        business_duration(opened, resolved, calendar=CAL, pauses=p, ids=["INC1"], as_of=as_of)[0]
    )


def test_public_names() -> None:
    for name in (
        "Pauses",
        "business_duration",
        "sla_status",
        "at_risk",
        "SLAStatus",
        "time_in_state",
    ):
        assert getattr(ic, name) is getattr(ic.measurement, name)


# --- known answers, by hand ---------------------------------------------------------------


def test_no_pause() -> None:
    assert hours(None) == 13.0
    assert hours(Pauses.empty()) == 13.0


def test_pause_across_close_of_business() -> None:
    # Mon 17:00 -> Tue 09:00 pauses Mon 17-18 and Tue 08-09: 2 business hours off.
    assert hours(_pauses("INC1", ("2026-01-12T17:00", "2026-01-13T09:00"))) == 11.0


def test_overlapping_pauses_merge() -> None:
    # 10:00-12:00 and 11:00-13:00 are 10:00-13:00: 3 hours off, not 4.
    p = _pauses(
        "INC1", ("2026-01-12T10:00", "2026-01-12T12:00"), ("2026-01-12T11:00", "2026-01-12T13:00")
    )
    assert hours(p) == 10.0
    # Given in reverse order, and one inside another: the same union.
    p = _pauses(
        "INC1",
        ("2026-01-12T11:00", "2026-01-12T13:00"),
        ("2026-01-12T10:00", "2026-01-12T12:00"),
        ("2026-01-12T10:30", "2026-01-12T11:30"),
    )
    assert hours(p) == 10.0


def test_pause_before_opened_is_clipped() -> None:
    # 07:00-10:00 counts from the opening at 09:00: 1 hour off.
    assert hours(_pauses("INC1", ("2026-01-12T07:00", "2026-01-12T10:00"))) == 12.0
    # Wholly before, or after the resolution: nothing.
    assert (
        hours(
            _pauses(
                "INC1",
                ("2026-01-09T07:00", "2026-01-12T09:00"),
                ("2026-01-13T12:00", "2026-01-14T12:00"),
            )
        )
        == 13.0
    )


def test_pause_outside_business_hours_and_backwards() -> None:
    # Mon 19:00 -> Tue 07:00 is closed time: nothing off.  An end before its start: empty.
    p = _pauses(
        "INC1", ("2026-01-12T19:00", "2026-01-13T07:00"), ("2026-01-12T15:00", "2026-01-12T14:00")
    )
    assert hours(p) == 13.0


def test_open_ticket_with_as_of() -> None:
    no_end = np.array(["NaT"], dtype="datetime64[ns]")
    # Without as_of an open ticket has no duration.
    assert np.isnan(hours(None, resolved=no_end))
    # Up to Monday 15:30: 6.5 hours.
    assert hours(None, resolved=no_end, as_of="2026-01-12T15:30Z") == 6.5
    # An open-ended pause from 14:00 (still on hold): 5 hours.
    p = Pauses(id=["INC1"], start=_ns("2026-01-12T14:00"), end=np.array(["NaT"], "M8[ns]"))
    assert hours(p, resolved=no_end, as_of="2026-01-12T15:30Z") == 5.0
    # as_of before the opening: an empty interval.
    assert hours(None, resolved=no_end, as_of="2026-01-12T08:00Z") == 0.0
    # as_of does not cut a closed ticket.
    assert hours(None, as_of="2026-01-12T10:00Z") == 13.0


def test_pauses_of_other_tickets_are_ignored() -> None:
    p = Pauses(
        id=["INC9", "INC1"],
        start=_ns("2026-01-12T10:00", "2026-01-12T10:00"),
        end=_ns("2026-01-12T12:00", "2026-01-12T11:00"),
    )
    assert hours(p) == 12.0


def test_pauses_without_calendar_use_wall_clock() -> None:
    p = _pauses("INC1", ("2026-01-12T17:00", "2026-01-13T09:00"))
    got = business_duration(OPENED, RESOLVED, pauses=p, ids=["INC1"])
    assert got.tolist() == [27.0 - 16.0]  # 27 wall-clock hours less a 16-hour pause


# --- sla_status ------------------------------------------------------------------------------


def test_sla_status_stages_due_and_percent() -> None:
    # Four tickets with a 4 business-hour target, seen on Monday 12 Jan 12:00:
    #  A opened Fri 9 Jan 16:00, open: Fri 16-18 (2 h) + Mon 08-12 (4 h) = 6 h: breached;
    #    its clock reached 4 h on Mon 10:00.
    #  B opened Mon 10:00, open: 2 h, due 14:00, percent 0.5: in progress.
    #  C opened Mon 08:00, on hold since 11:00: 3 h, paused, no due time.
    #  D opened Mon 08:00, resolved 11:00: 3 h, achieved; its due time was 12:00.
    opened = _ns("2026-01-09T16:00", "2026-01-12T10:00", "2026-01-12T08:00", "2026-01-12T08:00")
    resolved = np.array(["NaT", "NaT", "NaT", "2026-01-12T11:00"], dtype="datetime64[ns]")
    p = Pauses(
        id=["C"], start=_ns("2026-01-12T11:00"), end=np.array(["NaT"], "M8[ns]"), states=["On Hold"]
    )
    s = sla_status(
        opened,
        resolved,
        None,
        4,
        calendar=CAL,
        pauses=p,
        ids=["A", "B", "C", "D"],
        as_of="2026-01-12T12:00Z",
    )
    assert s.stage.tolist() == ["breached", "in_progress", "paused", "achieved"]
    assert s.elapsed.tolist() == [6.0, 2.0, 3.0, 3.0]
    assert s.paused.tolist() == [0.0, 0.0, 1.0, 0.0]
    assert s.remaining.tolist() == [-2.0, 2.0, 1.0, 1.0]
    assert s.percent.tolist() == [1.5, 0.5, 0.75, 0.75]
    assert s.on_hold.tolist() == [False, False, True, False]
    assert s.due.astype(str).tolist() == [
        "2026-01-12T10:00:00.000000000",
        "2026-01-12T14:00:00.000000000",
        "NaT",
        "2026-01-12T12:00:00.000000000",
    ]
    assert s.id is not None
    assert s.id.tolist() == ["A", "B", "C", "D"]
    assert s.counts() == {"in_progress": 1, "paused": 1, "achieved": 1, "breached": 1}
    assert s.parameters["pauses"] == {"states": ["On Hold"], "pauses": 1}
    assert s.parameters["calendar"]["hours"] == "mon-fri 08:00-18:00"
    # At risk: only in-progress tickets count (C is paused at 75 %).
    assert at_risk(s, 0.5).id.tolist() == ["B"]  # type: ignore[union-attr]
    assert len(at_risk(s)) == 0
    frame = pd.DataFrame(s.columns())
    assert list(frame["stage"]) == s.stage.tolist()


def test_due_counts_past_pauses() -> None:
    # Opened Fri 16:00, 4 h target, paused Mon 08:00-09:00, seen Mon 12:00 (open):
    # Fri 2 h, Mon 09:00-11:00 makes 4 h: breached at 11:00; elapsed 2 + 3 = 5 h.
    p = _pauses("A", ("2026-01-12T08:00", "2026-01-12T09:00"))
    s = sla_status(
        _ns("2026-01-09T16:00"),
        np.array(["NaT"], "M8[ns]"),
        None,
        4,
        calendar=CAL,
        pauses=p,
        ids=["A"],
        as_of="2026-01-12T12:00Z",
    )
    assert s.stage.tolist() == ["breached"]
    assert s.elapsed.tolist() == [5.0]
    assert str(s.due[0]) == "2026-01-12T11:00:00.000000000"
    # Seen at 09:30 instead: 2.5 h, in progress, due at 11:00 all the same.
    s = sla_status(
        _ns("2026-01-09T16:00"),
        np.array(["NaT"], "M8[ns]"),
        None,
        4,
        calendar=CAL,
        pauses=p,
        ids=["A"],
        as_of="2026-01-12T09:30Z",
    )
    assert s.stage.tolist() == ["in_progress"]
    assert str(s.due[0]) == "2026-01-12T11:00:00.000000000"


def test_met_exactly_on_target_and_priorities() -> None:
    # P1 4 h met exactly at 4 h; P2 8 h breached at 8 h 1 s.
    opened = _ns("2026-01-12T08:00", "2026-01-12T08:00")
    resolved = _ns("2026-01-12T12:00", "2026-01-13T08:00:01")
    s = sla_status(opened, resolved, ["P1", "P2"], {"P1": 4, "P2": 8}, calendar=CAL)
    assert s.stage.tolist() == ["achieved", "breached"]
    assert s.target.tolist() == [4.0, 8.0]
    assert s.remaining.tolist() == [0.0, 8.0 - 10.0 - 1 / 3600]


def test_select_keeps_rows() -> None:
    s = sla_status(
        _ns("2026-01-12T08:00", "2026-01-12T08:00"),
        _ns("2026-01-12T09:00", "2026-01-12T17:00"),
        None,
        4,
        calendar=CAL,
    )
    late = s.select(s.stage == "breached")
    assert late.row.tolist() == [1]
    assert late.id is None
    assert "SLAStatus(1 tickets: breached=1" in repr(late)


# --- the duration KPIs on the clock ---------------------------------------------------------


def _tickets(n: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    opened = np.datetime64("2025-12-01", "s") + rng.integers(0, 60 * 86400, n).astype("m8[s]")
    resolved = opened + rng.integers(0, 10 * 86400, n).astype("m8[s]")
    resolved[rng.random(n) < 0.1] = np.datetime64("NaT")
    ids = np.array([f"INC{i:05d}" for i in range(n)])
    return {
        "opened": opened.astype("M8[ns]"),
        "resolved": resolved.astype("M8[ns]"),
        "id": ids,
        "service": rng.choice(np.array(["email", "vpn", "erp"]), n),
        "priority": rng.integers(1, 4, n),
    }


def _history(t: dict[str, np.ndarray], seed: int) -> History:
    rng = np.random.default_rng(seed)
    n = t["id"].size
    hold = t["opened"] + rng.integers(0, 3 * 86400, n).astype("m8[s]").astype("m8[ns]")
    back = hold + rng.integers(0, 2 * 86400, n).astype("m8[s]").astype("m8[ns]")
    return History(
        id=np.concatenate([t["id"], t["id"], t["id"]]),
        time=np.concatenate([t["opened"], hold, back]),
        state=np.array(["New"] * n + ["On Hold"] * n + ["In Progress"] * n),
    )


def test_mttr_on_the_clock_equals_grouped_business_durations() -> None:
    t = _tickets(600, 1)
    cal = BusinessCalendar.for_country("GB", subdiv="ENG", hours=OFFICE, timezone=LONDON)
    p = _history(t, 2).pauses({"On Hold"})
    d = business_duration(t["opened"], t["resolved"], calendar=cal, pauses=p, ids=t["id"])
    r = mttr(t["opened"], t["resolved"], by=t["service"], calendar=cal, pauses=p, ids=t["id"])
    # pandas on the per-ticket business durations, in the test
    frame = pd.DataFrame({"service": t["service"], "h": d}).dropna()
    want = frame.groupby("service")["h"].agg(["mean", "median", "count"])
    np.testing.assert_allclose(r.mean, want["mean"].to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(r.median, want["median"].to_numpy(), rtol=1e-12)
    assert r.count.tolist() == want["count"].tolist()
    assert r.extra["open"].sum() == np.isnat(t["resolved"]).sum()
    assert "business time less pauses" in r.method
    assert r.parameters["pauses"] == {"states": ["On Hold"], "pauses": len(p)}
    # mtta takes the same clock.
    a = mtta(t["opened"], t["resolved"], calendar=cal, pauses=p, ids=t["id"])
    assert a.mean[0] == pytest.approx(np.nanmean(d), rel=1e-12)


def test_results_record_the_calendar() -> None:
    cal = BusinessCalendar.for_country("GB", subdiv="ENG", hours=OFFICE, timezone=LONDON)
    # Thu 17 Apr 2025 17:00 BST -> Tue 22 Apr 09:00 BST: Good Friday and Easter Monday off.
    r = mttr(_ns("2025-04-17T16:00"), _ns("2025-04-22T08:00"), calendar=cal)
    assert r.mean.tolist() == [2.0]
    recorded = r.parameters["calendar"]
    assert isinstance(recorded, dict)
    assert recorded["hours"] == "mon-fri 08:00-18:00"
    assert recorded["timezone"] == LONDON
    assert recorded["country"] == "GB-ENG"
    # the holidays on the local dates measured: Good Friday and Easter Monday
    assert recorded["holidays"] == 2
    # ... whatever the calendar measured before (its table is cached and grows)
    mttr(_ns("2024-01-01T00:00"), _ns("2026-12-31T00:00"), calendar=cal)
    again = mttr(_ns("2025-04-17T16:00"), _ns("2025-04-22T08:00"), calendar=cal)
    assert again.parameters["calendar"] == recorded


def test_mttr_with_as_of_measures_open_tickets() -> None:
    t = _tickets(200, 3)
    cut = "2026-02-15T00:00Z"
    d = business_duration(t["opened"], t["resolved"], calendar=CAL, as_of=cut)
    r = mttr(t["opened"], t["resolved"], calendar=CAL, as_of=cut)
    assert r.count.tolist() == [200]
    assert r.mean[0] == pytest.approx(d.mean(), rel=1e-12)
    assert r.extra["open"].tolist() == [int(np.isnat(t["resolved"]).sum())]
    assert r.parameters["as_of"] == "2026-02-15T00:00:00.000000000"


def test_wall_clock_kpis_unchanged_without_a_clock() -> None:
    t = _tickets(300, 4)
    plain = mttr(t["opened"], t["resolved"], by=t["service"], period="month")
    always = mttr(
        t["opened"],
        t["resolved"],
        by=t["service"],
        period="month",
        calendar=BusinessCalendar.always(),
    )
    np.testing.assert_array_equal(plain.mean, always.mean)
    np.testing.assert_array_equal(plain.p90, always.p90)
    assert plain.parameters["calendar"] is None
    assert plain.parameters["pauses"] is None


def test_sla_attainment_on_the_clock() -> None:
    t = _tickets(500, 5)
    targets = {1: 4, 2: 8, 3: 24}
    p = _history(t, 6).pauses({"On Hold"})
    cut = "2026-02-20T00:00Z"
    r = sla_attainment(
        t["opened"],
        t["resolved"],
        t["priority"],
        targets,
        calendar=CAL,
        pauses=p,
        ids=t["id"],
        as_of=cut,
    )
    d = business_duration(
        t["opened"], t["resolved"], calendar=CAL, pauses=p, ids=t["id"], as_of=cut
    )
    target = np.array([targets[k] for k in t["priority"]], dtype=float)
    closed = ~np.isnat(t["resolved"])
    met = closed & (d <= target)
    breached = (closed & (d > target)) | (~closed & (d > target))
    assert r.extra["met"].tolist() == [int(met.sum())]
    assert r.extra["breached"].tolist() == [int(breached.sum())]
    s = sla_status(
        t["opened"],
        t["resolved"],
        t["priority"],
        targets,
        calendar=CAL,
        pauses=p,
        ids=t["id"],
        as_of=cut,
    )
    assert int((s.stage == "achieved").sum()) == int(met.sum())
    assert int((s.stage == "breached").sum()) == int(breached.sum())
    # period_on="end" places an open breached ticket at its due time.
    by_end = sla_attainment(
        t["opened"],
        t["resolved"],
        t["priority"],
        targets,
        calendar=CAL,
        pauses=p,
        ids=t["id"],
        as_of=cut,
        period="month",
        period_on="end",
    )
    assert by_end.count.sum() == met.sum() + breached.sum()
    late = ~closed & breached
    months = s.due[late].astype("datetime64[M]")
    for month in np.unique(months):
        row = by_end.groups[0] == month.astype("datetime64[D]")
        ended = closed & (t["resolved"].astype("datetime64[M]") == month)
        assert by_end.count[row][0] == int(ended.sum() + (months == month).sum())


# --- a reference implementation, to the second -------------------------------------------

REF_HOURS = {d: [(dt.time(8), dt.time(12)), (dt.time(13), dt.time(17, 30))] for d in range(5)}
REF_CAL = BusinessCalendar(
    {"mon-fri": [("08:00", "12:00"), ("13:00", "17:30")]},
    timezone=LONDON,
    holidays=["2025-12-25", "2025-12-26", "2026-01-01"],
)
REF_HOLIDAYS = [dt.date(2025, 12, 25), dt.date(2025, 12, 26), dt.date(2026, 1, 1)]
BASE = np.datetime64("2025-10-20T00:00", "s")  # the span crosses the autumn change and Christmas


@st.composite
def tickets_with_pauses(draw: st.DrawFn) -> tuple[int, int | None, list[tuple[int, int | None]]]:
    start = draw(st.integers(0, 80 * 86400))
    length = draw(st.one_of(st.none(), st.integers(0, 12 * 86400)))
    pauses = draw(
        st.lists(
            st.tuples(
                st.integers(-86400, 14 * 86400), st.one_of(st.none(), st.integers(0, 5 * 86400))
            ),
            max_size=4,
        )
    )
    spans = [(start + a, None if b is None else start + a + b - 86400) for a, b in pauses]
    return start, None if length is None else start + length, spans


def _utc(seconds: int) -> dt.datetime:
    return (BASE + np.timedelta64(seconds, "s")).astype(dt.datetime).replace(tzinfo=UTC)


@settings(max_examples=60)
@given(
    tickets=st.lists(tickets_with_pauses(), min_size=1, max_size=3),
    as_of=st.integers(0, 100 * 86400),
    target=st.integers(1, 60 * 3600),
)
def test_matches_the_reference_to_the_second(
    tickets: list[tuple[int, int | None, list[tuple[int, int | None]]]], as_of: int, target: int
) -> None:
    ids = [f"T{i}" for i in range(len(tickets))]
    opened = np.array([BASE + np.timedelta64(s, "s") for s, _, _ in tickets], dtype="M8[ns]")
    resolved = np.array(
        [
            np.datetime64("NaT") if e is None else BASE + np.timedelta64(e, "s")
            for _, e, _ in tickets
        ],
        dtype="M8[ns]",
    )
    pid, pstart, pend = [], [], []
    for tid, (_, _, spans) in zip(ids, tickets, strict=True):
        for a, b in spans:
            pid.append(tid)
            pstart.append(BASE + np.timedelta64(a, "s"))
            pend.append(np.datetime64("NaT") if b is None else BASE + np.timedelta64(b, "s"))
    p = Pauses(id=pid, start=np.array(pstart, dtype="M8[ns]"), end=np.array(pend, dtype="M8[ns]"))
    cut = BASE + np.timedelta64(as_of, "s")
    got = business_duration(
        opened,
        resolved,
        calendar=REF_CAL,
        pauses=p,
        ids=ids,
        as_of=cut.astype(dt.datetime).replace(tzinfo=UTC),
        unit="seconds",
    )
    s = sla_status(
        opened,
        resolved,
        None,
        target,
        calendar=REF_CAL,
        pauses=p,
        ids=ids,
        as_of=cut.astype(dt.datetime).replace(tzinfo=UTC),
        unit="seconds",
    )
    zone = ZoneInfo(LONDON)
    for i, (start, end, spans) in enumerate(tickets):
        x = end if end is not None else max(start, as_of)
        spans_dt = [(_utc(a), None if b is None else _utc(b)) for a, b in spans]
        want, paused = less_pauses(_utc(start), _utc(x), spans_dt, REF_HOURS, zone, REF_HOLIDAYS)
        assert got[i] == want
        assert s.elapsed[i] == want
        assert s.paused[i] == paused
        assert want >= 0
        holding = end is None and any(
            _utc(a) <= _utc(as_of) and (b is None or _utc(as_of) < _utc(b)) for a, b in spans
        )
        assert bool(s.on_hold[i]) == holding
        if holding:
            assert np.isnat(s.due[i])
        else:
            due = reference_due(
                _utc(start), target, spans_dt, _utc(x), REF_HOURS, zone, REF_HOLIDAYS
            )
            assert s.due[i] == np.datetime64(due.replace(tzinfo=None), "ns")


@given(tickets=st.lists(tickets_with_pauses(), min_size=1, max_size=5))
def test_pauses_never_make_time_negative_or_larger(
    tickets: list[tuple[int, int | None, list[tuple[int, int | None]]]],
) -> None:
    ids = [f"T{i}" for i in range(len(tickets))]
    opened = np.array([BASE + np.timedelta64(s, "s") for s, _, _ in tickets], dtype="M8[ns]")
    resolved = opened + np.timedelta64(3, "D")
    pid = [tid for tid, (_, _, spans) in zip(ids, tickets, strict=True) for _ in spans]
    pstart = [BASE + np.timedelta64(a, "s") for _, _, spans in tickets for a, _ in spans]
    p = Pauses(
        id=pid,
        start=np.array(pstart, dtype="M8[ns]"),
        end=np.array(["NaT"] * len(pid), dtype="M8[ns]"),
    )
    with_p = business_duration(opened, resolved, calendar=REF_CAL, pauses=p, ids=ids)
    without = business_duration(opened, resolved, calendar=REF_CAL)
    assert (with_p >= 0).all()
    assert (with_p <= without).all()


def test_the_issue_api_as_written() -> None:
    # The calls of issue 13, on generated tickets and a history built from them.
    t = ic.generate_tickets(3_000, seed=13)
    rng = np.random.default_rng(13)
    n = len(t)
    hold = t.opened + rng.integers(0, 2 * 86_400, n).astype("m8[s]").astype("m8[ns]")
    back = hold + rng.integers(0, 86_400, n).astype("m8[s]").astype("m8[ns]")
    history = ic.io.History(
        id=np.concatenate([t.id, t.id, t.id]),
        time=np.concatenate([t.opened, hold, back]),
        state=np.array(["New"] * n + ["On Hold"] * n + ["Awaiting User Info"] * n),
    )
    cal = ic.BusinessCalendar(
        {"mon-fri": ("08:00", "18:00")},
        timezone="Europe/London",
        holidays=["2025-12-25", "2025-12-26"],
    )
    cal = ic.BusinessCalendar.for_country(
        "GB", subdiv="ENG", hours={"mon-fri": ("08:00", "18:00")}, timezone="Europe/London"
    )
    assert ic.BusinessCalendar.always().is_always()
    hours = cal.elapsed(t.opened, t.resolved)
    p = history.pauses({"On Hold", "Awaiting User Info"})
    assert len(p) == n  # On Hold then Awaiting User Info is one pause, never ended
    hours = ic.business_duration(t.opened, t.resolved, calendar=cal, pauses=p, ids=t.id)
    r = ic.mttr(
        t.opened, t.resolved, by=t.service, period="month", calendar=cal, pauses=p, ids=t.id
    )
    frame = pd.DataFrame({"service": t.service, "month": t.opened.astype("M8[M]"), "h": hours})
    want = frame.dropna().groupby(["service", "month"])["h"].mean()
    np.testing.assert_allclose(r.mean[r.count > 0], want.to_numpy(), rtol=1e-12)
    targets = {1: 4, 2: 8, 3: 24, 4: 72, 5: 120}
    a = ic.sla_attainment(
        t.opened,
        t.resolved,
        t.priority,
        targets,
        calendar=cal,
        pauses=p,
        ids=t.id,
        as_of="2025-12-31T23:59:00Z",
    )
    now = dt.datetime(2025, 12, 31, 23, 59, tzinfo=UTC)
    s = ic.sla_status(
        t.opened, t.resolved, t.priority, targets, calendar=cal, pauses=p, ids=t.id, as_of=now
    )
    assert a.extra["met"].sum() == (s.stage == "achieved").sum()
    assert a.extra["breached"].sum() == (s.stage == "breached").sum()
    spent = ic.time_in_state(history, calendar=cal, as_of=now)
    assert spent.names == ("id", "state")
    assert set(spent.groups[1].tolist()) == {"New", "On Hold", "Awaiting User Info"}
