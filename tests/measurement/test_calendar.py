"""BusinessCalendar: known answers by hand, peers, a day-by-day reference, and properties."""

from __future__ import annotations

import datetime as dt
import pickle
import sys
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import itil_ci as ic
from itil_ci.measurement import BusinessCalendar
from tests.measurement.sla_reference import business_seconds

UTC = dt.UTC
LONDON = "Europe/London"
NEW_YORK = "America/New_York"
OFFICE = {"mon-fri": ("08:00", "18:00")}


def _ns(*isos: str) -> np.ndarray:
    """UTC instants from ISO strings without an offset (numpy reads them as UTC)."""
    return np.array(isos, dtype="datetime64[ns]")


def hours_of(cal: BusinessCalendar, start: str, end: str) -> float:
    return float(cal.elapsed(_ns(start), _ns(end))[0])


# --- known answers, by hand -------------------------------------------------------------


def test_public_names_and_lazy_import() -> None:
    assert ic.BusinessCalendar is BusinessCalendar
    assert ic.measurement.BusinessCalendar is BusinessCalendar


def test_weekend_is_closed() -> None:
    cal = BusinessCalendar(OFFICE, timezone=LONDON)
    # Friday 2026-01-09 17:00 GMT (= UTC in winter) to Monday 09:00: Fri 17-18 + Mon 08-09.
    assert hours_of(cal, "2026-01-09T17:00", "2026-01-12T09:00") == 2.0
    # Saturday to Sunday: nothing.
    assert hours_of(cal, "2026-01-10T00:00", "2026-01-12T00:00") == 0.0


def test_holiday_is_a_whole_closed_day() -> None:
    cal = BusinessCalendar(OFFICE, timezone=LONDON, holidays=["2025-12-25", "2025-12-26"])
    # Wed 24 Dec 17:00 -> Mon 29 Dec 09:00: Wed 17-18, Thu/Fri holidays, weekend, Mon 08-09.
    assert hours_of(cal, "2025-12-24T17:00", "2025-12-29T09:00") == 2.0
    # The same span without holidays: 1 + 10 + 10 + 1 = 22 hours.
    assert (
        hours_of(BusinessCalendar(OFFICE, timezone=LONDON), "2025-12-24T17:00", "2025-12-29T09:00")
        == 22.0
    )


def test_lunch_break() -> None:
    cal = BusinessCalendar({"mon-fri": [("09:00", "12:00"), ("13:00", "17:00")]})
    # Monday 11:30 -> 13:30 UTC: 11:30-12:00 and 13:00-13:30.
    assert hours_of(cal, "2026-01-12T11:30", "2026-01-12T13:30") == 1.0
    # A whole week: 5 x 7 hours.
    assert hours_of(cal, "2026-01-12T00:00", "2026-01-19T00:00") == 35.0


def test_london_spring_change() -> None:
    # 2025-03-30 (Sunday) 01:00 GMT -> 02:00 BST.
    sunday = BusinessCalendar({"sun": ("00:00", "04:00")}, timezone=LONDON)
    # 00:00 GMT = 00:00Z to 04:00 BST = 03:00Z: 3 real hours.
    assert hours_of(sunday, "2025-03-29T12:00", "2025-03-31T00:00") == 3.0
    day = BusinessCalendar({"sun": ("08:00", "18:00")}, timezone=LONDON)
    # 08:00-18:00 BST = 07:00Z-17:00Z: 10 hours, the change is not inside the range.
    assert hours_of(day, "2025-03-30T00:00", "2025-03-31T00:00") == 10.0
    office = BusinessCalendar(OFFICE, timezone=LONDON)
    # Fri 28 Mar 17:00Z (17:00 GMT) -> Mon 31 Mar 09:00Z (10:00 BST):
    # Fri 17-18 GMT (1 h) + Mon 08:00 BST = 07:00Z .. 09:00Z (2 h).
    assert hours_of(office, "2025-03-28T17:00", "2025-03-31T09:00") == 3.0
    # A range inside the skipped hour has no time; one starting in it opens at the jump.
    gap = BusinessCalendar({"sun": ("01:15", "01:45")}, timezone=LONDON)
    assert hours_of(gap, "2025-03-29T00:00", "2025-03-31T00:00") == 0.0
    into = BusinessCalendar({"sun": ("01:30", "05:00")}, timezone=LONDON)
    # opens at the jump (01:00Z, 02:00 BST), closes 05:00 BST = 04:00Z: 3 hours.
    assert hours_of(into, "2025-03-29T00:00", "2025-03-31T00:00") == 3.0


def test_london_autumn_change() -> None:
    # 2025-10-26 (Sunday) 02:00 BST -> 01:00 GMT: 01:00-02:00 happens twice.
    sunday = BusinessCalendar({"sun": ("00:00", "04:00")}, timezone=LONDON)
    # 00:00 BST = Sat 23:00Z to 04:00 GMT = 04:00Z: 5 real hours.
    assert hours_of(sunday, "2025-10-25T12:00", "2025-10-27T00:00") == 5.0
    repeated = BusinessCalendar({"sun": ("01:30", "03:00")}, timezone=LONDON)
    # 01:30 is its first occurrence (00:30Z); 03:00 GMT = 03:00Z: 2.5 hours.
    assert hours_of(repeated, "2025-10-25T12:00", "2025-10-27T00:00") == 2.5
    office = BusinessCalendar(OFFICE, timezone=LONDON)
    # Fri 24 Oct 16:00Z (17:00 BST) -> Mon 27 Oct 09:00Z (09:00 GMT): 1 + 1 hours.
    assert hours_of(office, "2025-10-24T16:00", "2025-10-27T09:00") == 2.0


def test_new_york_changes() -> None:
    night = BusinessCalendar({"sun": ("00:00", "06:00")}, timezone=NEW_YORK)
    # Spring 2025-03-09: 00:00 EST = 05:00Z, 06:00 EDT = 10:00Z: 5 hours.
    assert hours_of(night, "2025-03-08T12:00", "2025-03-10T00:00") == 5.0
    # Autumn 2025-11-02: 00:00 EDT = 04:00Z, 06:00 EST = 11:00Z: 7 hours.
    assert hours_of(night, "2025-11-01T12:00", "2025-11-03T00:00") == 7.0
    skipped = BusinessCalendar({"sun": ("02:00", "03:00")}, timezone=NEW_YORK)
    # 02:00-03:00 does not exist on 9 March: both ends are the jump (07:00Z).
    assert hours_of(skipped, "2025-03-08T00:00", "2025-03-10T00:00") == 0.0
    twice = BusinessCalendar({"sun": ("01:00", "02:00")}, timezone=NEW_YORK)
    # 01:00 EDT (05:00Z, first occurrence) to 02:00 EST (07:00Z): 2 hours on 2 November.
    assert hours_of(twice, "2025-11-01T00:00", "2025-11-03T00:00") == 2.0
    office = BusinessCalendar({"mon-fri": ("09:00", "17:00")}, timezone=NEW_YORK)
    # Mon 10 Mar (EDT): 09:00-17:00 EDT = 13:00Z-21:00Z; ticket 14:00Z-22:00Z: 7 hours.
    assert hours_of(office, "2025-03-10T14:00", "2025-03-10T22:00") == 7.0


def test_open_ticket_is_nan_and_units() -> None:
    cal = BusinessCalendar(OFFICE, timezone=LONDON)
    out = cal.elapsed(
        _ns("2026-01-12T09:00", "2026-01-12T09:00"),
        np.array(["2026-01-12T10:30", "NaT"], dtype="datetime64[ns]"),
        unit="minutes",
    )
    assert out[0] == 90.0
    assert np.isnan(out[1])
    assert cal.elapsed([], []).size == 0


def test_accepts_aware_datetimes_and_strings() -> None:
    cal = BusinessCalendar(OFFICE, timezone=LONDON)
    start = dt.datetime(2026, 1, 12, 10, 0, tzinfo=ZoneInfo(LONDON))
    assert cal.elapsed([start], ["2026-01-12T12:00+01:00"]).tolist() == [1.0]


def test_due_is_the_earliest_instant() -> None:
    cal = BusinessCalendar(OFFICE, timezone=LONDON, holidays=["2025-12-25", "2025-12-26"])
    # Wed 24 Dec 17:00 + 2 business hours: 17-18, then Mon 29 Dec 08-09.
    assert str(cal.due(_ns("2025-12-24T17:00"), 2)[0]) == "2025-12-29T09:00:00.000000000"
    # Reached exactly at close of business: the close, not the next opening.
    assert str(cal.due(_ns("2026-01-12T17:00"), 1)[0]) == "2026-01-12T18:00:00.000000000"
    # Opened on a Saturday: the clock starts on Monday 08:00.
    assert str(cal.due(_ns("2026-01-10T12:00"), 0.5)[0]) == "2026-01-12T08:30:00.000000000"
    # A long target extends the table past the data: 500 hours = 50 business days of
    # 10 hours from Mon 12 Jan 08:00 (no holiday, no clock change before 29 Mar), so
    # the 50th day, Friday 20 March, at its close.
    far = cal.due(_ns("2026-01-12T08:00"), 500)[0]
    assert str(far) == "2026-03-20T18:00:00.000000000"
    # Too long to reach before 2262: NaT.
    assert np.isnat(cal.due(_ns("2026-01-12T08:00"), 1e15)[0])


def test_hours_forms_and_text() -> None:
    a = BusinessCalendar({"Mon-Fri": [("08:00", "12:00"), ("12:00", "17:00")], "sat": []})
    b = BusinessCalendar("mon-fri 08:00-17:00")
    assert a == b  # touching ranges are one; a closed day may be named
    assert hash(a) == hash(b)
    c = BusinessCalendar({"sun-thu": (dt.time(7), dt.time(15, 30))}, timezone="Asia/Jerusalem")
    assert c.hours == "mon-thu 07:00-15:30; sun 07:00-15:30"
    d = BusinessCalendar({"monday,wednesday": ("09:00", "24:00")})
    assert d.hours == "mon 09:00-24:00; wed 09:00-24:00"
    assert (
        repr(c) == "BusinessCalendar('mon-thu 07:00-15:30; sun 07:00-15:30', "
        "timezone='Asia/Jerusalem', holidays=0)"
    )


def test_always_is_wall_clock() -> None:
    cal = BusinessCalendar.always()
    assert cal.is_always()
    s = _ns("2025-03-29T12:34:56")
    e = _ns("2025-04-02T01:02:03")
    assert cal.elapsed(s, e, unit="seconds")[0] == (e - s)[0] / np.timedelta64(1, "s")
    # The same hours with a holiday are not wall-clock time any more.
    assert not BusinessCalendar("mon-sun 00:00-24:00", holidays=["2025-01-01"]).is_always()


def test_round_trip_and_pickle() -> None:
    cal = BusinessCalendar.for_country(
        "GB", subdiv="ENG", hours=OFFICE, timezone=LONDON, holidays=["2026-06-01"]
    )
    data = cal.to_dict()
    assert data == {
        "schema_version": 1,
        "hours": {"mon-fri": [["08:00", "18:00"]]},
        "timezone": LONDON,
        "holidays": ["2026-06-01"],
        "country": "GB",
        "subdiv": "ENG",
    }
    import json

    again = BusinessCalendar.from_dict(json.loads(json.dumps(data)))
    assert again == cal
    clone = pickle.loads(pickle.dumps(cal))
    assert clone == cal
    assert clone.elapsed(_ns("2025-12-24T17:00"), _ns("2025-12-29T09:00")).tolist() == [2.0]
    with pytest.raises(AttributeError):
        cal.timezone = "UTC"  # type: ignore[misc]


def test_for_country_takes_the_holidays_package() -> None:
    cal = BusinessCalendar.for_country("GB", subdiv="ENG", hours=OFFICE, timezone=LONDON)
    # English bank holidays of 2025 (gov.uk): 1 Jan, 18 and 21 Apr, 5 and 26 May,
    # 25 Aug, 25 and 26 Dec.
    got = [str(d) for d in cal.holiday_dates("2025-01-01", "2025-12-31")]
    assert got == [
        "2025-01-01",
        "2025-04-18",
        "2025-04-21",
        "2025-05-05",
        "2025-05-26",
        "2025-08-25",
        "2025-12-25",
        "2025-12-26",
    ]
    # Easter 2025: Thu 17 Apr 17:00 (BST, 16:00Z) -> Tue 22 Apr 09:00 BST (08:00Z):
    # Thu 1 h, Good Friday and Easter Monday off, Tue 1 h.
    assert hours_of(cal, "2025-04-17T16:00", "2025-04-22T08:00") == 2.0


def test_import_does_not_load_holidays_or_zoneinfo_data() -> None:
    import subprocess

    code = (
        "import sys, itil_ci; "
        "assert 'holidays' not in sys.modules; "
        "assert 'itil_ci.measurement' not in sys.modules; "
        "import itil_ci.measurement; "
        "assert 'holidays' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# --- peers and references --------------------------------------------------------------


def _btd_rules(holidays: list[dt.date]) -> object:
    businesstimedelta = pytest.importorskip("businesstimedelta")
    return businesstimedelta.Rules(
        [
            businesstimedelta.WorkDayRule(
                start_time=dt.time(9), end_time=dt.time(17), working_days=[0, 1, 2, 3, 4]
            ),
            businesstimedelta.LunchTimeRule(
                start_time=dt.time(12), end_time=dt.time(13), working_days=[0, 1, 2, 3, 4]
            ),
            businesstimedelta.HolidayRule(frozenset(holidays)),
        ]
    )


def test_matches_businesstimedelta_on_random_utc_tickets() -> None:
    pytz = pytest.importorskip("pytz")
    import holidays as hol

    days = sorted(hol.country_holidays("GB", subdiv="ENG", years=range(2025, 2032)))
    rules = _btd_rules(days)
    cal = BusinessCalendar({"mon-fri": [("09:00", "12:00"), ("13:00", "17:00")]}, holidays=days)
    rng = np.random.default_rng(20251225)
    n = 400
    s = np.datetime64("2025-01-01", "s") + rng.integers(0, 330 * 86400, n).astype("m8[s]")
    e = s + rng.integers(0, 20 * 86400, n).astype("m8[s]")
    e[:20] = s[:20] + rng.integers(0, 3600, 20).astype("m8[s]")  # short ones too
    ours = cal.elapsed(s.astype("M8[ns]"), e.astype("M8[ns]"), unit="seconds")
    theirs = [
        rules.difference(  # type: ignore[attr-defined]
            pytz.utc.localize(a), pytz.utc.localize(b)
        ).timedelta.total_seconds()
        for a, b in zip(s.astype(dt.datetime), e.astype(dt.datetime), strict=True)
    ]
    np.testing.assert_array_equal(ours, theirs)


ZONES = ["Europe/London", "America/New_York", "Australia/Lord_Howe", "Europe/Dublin"]
# DST changes of 2025 in these zones (the tickets are drawn around them).
CHANGES = [
    "2025-03-30T01:00",
    "2025-10-26T01:00",  # London, Dublin
    "2025-03-09T07:00",
    "2025-11-02T06:00",  # New York
    "2025-04-05T15:00",
    "2025-10-04T15:30",  # Lord Howe (30-minute change)
]
TIMES = st.sampled_from(
    [
        "00:00",
        "00:30",
        "01:00",
        "01:30",
        "02:00",
        "02:30",
        "03:00",
        "07:45",
        "08:00",
        "12:00",
        "13:00",
        "17:30",
        "23:00",
        "24:00",
    ]
)


@st.composite
def weeks(draw: st.DrawFn) -> dict[int, list[tuple[str, str]]]:
    out: dict[int, list[tuple[str, str]]] = {}
    for day in range(7):
        points = sorted(set(draw(st.lists(TIMES, max_size=4))))
        pairs = [(points[i], points[i + 1]) for i in range(0, len(points) - 1, 2)]
        if pairs:
            out[day] = pairs
    if not out:
        out[6] = [("00:00", "24:00")]
    return out


def _reference_hours(
    week: dict[int, list[tuple[str, str]]],
) -> dict[int, list[tuple[dt.time | None, dt.time | None]]]:
    def t(x: str) -> dt.time | None:
        return None if x == "24:00" else dt.time.fromisoformat(x)

    return {d: [(t(a), t(b)) for a, b in pairs] for d, pairs in week.items()}


NAMES = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


@settings(max_examples=60)
@given(
    week=weeks(),
    zone=st.sampled_from(ZONES),
    change=st.sampled_from(CHANGES),
    offsets=st.lists(st.integers(-3 * 86400, 3 * 86400), min_size=2, max_size=2),
    holiday=st.booleans(),
)
def test_matches_a_day_by_day_loop_across_dst(
    week: dict[int, list[tuple[str, str]]],
    zone: str,
    change: str,
    offsets: list[int],
    holiday: bool,
) -> None:
    at = np.datetime64(change, "s")
    a, b = sorted(at + np.array(offsets).astype("m8[s]"))
    holidays = [(at - np.timedelta64(1, "D")).astype("M8[D]").astype(dt.date)] if holiday else []
    cal = BusinessCalendar({NAMES[d]: p for d, p in week.items()}, timezone=zone, holidays=holidays)
    ours = cal.elapsed(
        np.array([a], dtype="M8[ns]"), np.array([b], dtype="M8[ns]"), unit="seconds"
    )[0]
    start = a.astype(dt.datetime).replace(tzinfo=UTC)
    end = b.astype(dt.datetime).replace(tzinfo=UTC)
    assert ours == business_seconds(start, end, _reference_hours(week), ZoneInfo(zone), holidays)


# --- properties ----------------------------------------------------------------------------

SPAN = 2 * 365 * 86400
T0 = np.datetime64("2024-06-01T00:00", "s")


@st.composite
def calendars(draw: st.DrawFn, zones: list[str] = ZONES) -> BusinessCalendar:
    week = draw(weeks())
    zone = draw(st.sampled_from(zones))
    return BusinessCalendar(
        {NAMES[d]: p for d, p in week.items()}, timezone=zone, holidays=["2025-01-01", "2025-12-25"]
    )


@given(cal=calendars(), points=st.lists(st.integers(0, SPAN), min_size=3, max_size=3))
def test_additive_monotone_and_below_wall_clock(cal: BusinessCalendar, points: list[int]) -> None:
    a, b, c = (T0 + np.array(sorted(points)).astype("m8[s]")).astype("M8[ns]")
    starts = np.array([a, b, a])
    ends = np.array([b, c, c])
    ab, bc, ac = cal.elapsed(starts, ends, unit="seconds")
    assert ab + bc == ac  # additive, exactly
    assert 0 <= ab <= ac  # monotone, never negative
    assert ac <= (c - a) / np.timedelta64(1, "s")  # never above wall-clock time


@given(
    zone=st.sampled_from([*ZONES, "UTC", "Asia/Kolkata"]),
    points=st.lists(st.integers(0, SPAN), min_size=2, max_size=2),
)
def test_always_equals_wall_clock(zone: str, points: list[int]) -> None:
    a, b = (T0 + np.array(sorted(points)).astype("m8[s]")).astype("M8[ns]")
    got = BusinessCalendar.always(zone).elapsed(np.array([a]), np.array([b]), unit="seconds")
    assert got[0] == (b - a) / np.timedelta64(1, "s")
    # The same 24 x 7 hours spelled out (not the identity shortcut) agree.
    spelled = BusinessCalendar("mon-sun 00:00-24:00", timezone=zone)
    assert spelled.elapsed(np.array([a]), np.array([b]), unit="seconds")[0] == got[0]


@given(
    cal=calendars(zones=["UTC", "Asia/Kolkata", "Asia/Tokyo"]),
    points=st.lists(st.integers(0, 120 * 86400), min_size=2, max_size=2),
    shift=st.integers(-5, 25),
)
def test_whole_week_shift_changes_nothing(
    cal: BusinessCalendar, points: list[int], shift: int
) -> None:
    # Zones without daylight saving, and spans (from 10 Feb 2025, up to 120 days,
    # moved by -5 .. 25 weeks: 6 Jan .. 2 Dec 2025) that cross neither holiday
    # of the calendars (1 Jan and 25 Dec 2025).
    base = np.datetime64("2025-02-10T00:00", "s")
    a, b = (base + np.array(sorted(points)).astype("m8[s]")).astype("M8[ns]")
    week = np.timedelta64(7 * shift, "D")
    one = cal.elapsed(np.array([a]), np.array([b]))
    moved = cal.elapsed(np.array([a + week]), np.array([b + week]))
    assert one[0] == moved[0]
