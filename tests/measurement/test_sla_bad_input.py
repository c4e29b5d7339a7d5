"""Bad input to the SLA clock: each is an InvalidInputError naming the argument and value."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import itil_ci as ic
from itil_ci.io import History
from itil_ci.measurement import (
    BusinessCalendar,
    Pauses,
    at_risk,
    business_duration,
    mttr,
    sla_attainment,
    sla_status,
    time_in_state,
)

OFFICE = {"mon-fri": ("08:00", "18:00")}
CAL = BusinessCalendar(OFFICE, timezone="Europe/London")
T = np.array(["2026-01-12T09:00", "2026-01-12T10:00"], dtype="datetime64[ns]")
E = T + np.timedelta64(2, "h")
OPEN = np.array(["NaT", "NaT"], dtype="datetime64[ns]")
IDS = ["INC1", "INC2"]
P = Pauses(id=["INC1"], start=T[:1], end=E[:1])
H = History(id=IDS, time=T, state=["New", "On Hold"])
STATUS = sla_status(T, E, None, 4)

CASES: list[tuple[str, Callable[[], Any], str]] = [
    # --- the calendar -------------------------------------------------------------------
    (
        "unknown weekday",
        lambda: BusinessCalendar({"funday": ("08:00", "18:00")}),
        r"hours\['funday'\]: expected weekday names mon, tue, wed, thu, fri, sat, sun",
    ),
    (
        "unknown weekday in a range",
        lambda: BusinessCalendar({"mon-fry": ("08:00", "18:00")}),
        r"hours\['mon-fry'\]: expected weekday names .*got 'fry'",
    ),
    (
        "weekday key not text",
        lambda: BusinessCalendar({1: ("08:00", "18:00")}),
        r"hours\[1\]: expected weekday names such as 'mon'",
    ),
    (
        "close before open",
        lambda: BusinessCalendar({"mon": ("18:00", "08:00")}),
        r"hours\['mon'\]: expected a range that closes after it opens, got \('18:00', '08:00'\)",
    ),
    (
        "empty range",
        lambda: BusinessCalendar({"mon": ("08:00", "08:00")}),
        r"hours\['mon'\]: expected a range that closes after it opens",
    ),
    (
        "overlapping ranges in a day",
        lambda: BusinessCalendar({"mon": [("08:00", "12:00"), ("11:00", "17:00")]}),
        r"hours\['mon'\]: expected ranges of one day that do not overlap, "
        r"got '08:00-12:00 and 11:00-17:00'",
    ),
    (
        "weekday named twice",
        lambda: BusinessCalendar({"mon-fri": ("08:00", "18:00"), "fri": ("08:00", "12:00")}),
        r"hours: expected each weekday named once, got \"fri in both 'mon-fri' and 'fri'\"",
    ),
    (
        "hour past 24",
        lambda: BusinessCalendar({"mon": ("08:00", "25:00")}),
        r"hours\['mon'\]: expected a time of day from 00:00 to 24:00, got '25:00'",
    ),
    (
        "minutes past 24:00",
        lambda: BusinessCalendar({"mon": ("08:00", "24:30")}),
        r"hours\['mon'\]: expected a time of day from 00:00 to 24:00, got '24:30'",
    ),
    (
        "time not HH:MM",
        lambda: BusinessCalendar({"mon": ("8am", "5pm")}),
        r"hours\['mon'\]: expected an \(open, close\) pair of times|expected a time of day 'HH:MM'",
    ),
    (
        "time with microseconds",
        lambda: BusinessCalendar({"mon": (dt.time(8, 0, 0, 5), dt.time(9))}),
        r"hours\['mon'\]: expected a time of day in whole seconds",
    ),
    (
        "aware time",
        lambda: BusinessCalendar({"mon": (dt.time(8, tzinfo=dt.UTC), dt.time(9))}),
        r"hours\['mon'\]: expected a local time of day without a time zone",
    ),
    (
        "not a pair",
        lambda: BusinessCalendar({"mon": ("08:00",)}),
        r"hours\['mon'\]\[0\]: expected an \(open, close\) pair of times",
    ),
    (
        "hours not a mapping",
        lambda: BusinessCalendar(42),  # type: ignore[arg-type]
        r"hours: expected a mapping of weekdays to opening hours, or 'mon-fri 08:00-18:00', got 42",
    ),
    (
        "hours empty",
        lambda: BusinessCalendar({}),
        r"hours: expected at least one weekday with opening hours, got \{\}",
    ),
    (
        "hours all closed",
        lambda: BusinessCalendar({"sat": []}),
        r"hours: expected at least one weekday with opening hours",
    ),
    (
        "hours text without times",
        lambda: BusinessCalendar("mon-fri"),
        r"hours: expected entries like 'mon-fri 08:00-18:00' separated by ';', got 'mon-fri'",
    ),
    (
        "hours text bad range",
        lambda: BusinessCalendar("mon-fri 08:00"),
        r"hours\['mon-fri'\]: expected ranges like '08:00-18:00' separated by ','",
    ),
    (
        "unknown time zone",
        lambda: BusinessCalendar(OFFICE, timezone="Mars/Olympus_Mons"),
        r"timezone: expected an IANA time zone name such as 'Europe/London', "
        r"got 'Mars/Olympus_Mons'",
    ),
    (
        "time zone not text",
        lambda: BusinessCalendar(OFFICE, timezone=1),  # type: ignore[arg-type]
        r"timezone: expected an IANA time zone name .*got 1",
    ),
    (
        "time zone path",
        lambda: BusinessCalendar(OFFICE, timezone="../../etc/passwd"),
        r"timezone: expected an IANA time zone name",
    ),
    (
        "holiday not a date",
        lambda: BusinessCalendar(OFFICE, holidays=["2025-13-45"]),
        r"holidays\[0\]: expected an ISO-8601 date \(YYYY-MM-DD\), got '2025-13-45'",
    ),
    (
        "holiday a datetime",
        lambda: BusinessCalendar(OFFICE, holidays=[dt.datetime(2025, 12, 25, tzinfo=dt.UTC)]),
        r"holidays\[0\]: expected a date",
    ),
    (
        "holidays one string",
        lambda: BusinessCalendar(OFFICE, holidays="2025-12-25"),
        r"holidays: expected a sequence of dates \('YYYY-MM-DD' or datetime.date\), "
        r"got '2025-12-25'",
    ),
    (
        "unknown country",
        lambda: BusinessCalendar.for_country("XX", hours=OFFICE, timezone="UTC"),
        r"country: expected a country code the holidays package knows, got 'XX'",
    ),
    (
        "unknown subdivision",
        lambda: BusinessCalendar.for_country("GB", subdiv="XYZ", hours=OFFICE, timezone="UTC"),
        r"subdiv: expected a subdivision of GB the holidays package knows, got 'XYZ'",
    ),
    (
        "subdivision without country",
        lambda: BusinessCalendar(OFFICE, subdiv="ENG"),
        r"subdiv: expected None when no country is given, got 'ENG'",
    ),
    (
        "from_dict unknown key",
        lambda: BusinessCalendar.from_dict({"hours": OFFICE, "tz": "UTC"}),
        r"data: expected only the keys .*got 'tz'",
    ),
    (
        "from_dict newer schema",
        lambda: BusinessCalendar.from_dict({"hours": OFFICE, "schema_version": 2}),
        r"data\['schema_version'\]: expected 1, got 2",
    ),
    (
        "from_dict not a mapping",
        lambda: BusinessCalendar.from_dict([1]),  # type: ignore[arg-type]
        r"data: expected a mapping as written by BusinessCalendar.to_dict\(\), got \[1\]",
    ),
    (
        "from_dict without hours",
        lambda: BusinessCalendar.from_dict({"timezone": "UTC"}),
        r"data: expected a mapping with 'hours'",
    ),
    (
        "elapsed end before start",
        lambda: CAL.elapsed(E, T),
        r"end\[0\]: expected a time at or after start\[0\] \(2026-01-12T09:00:00.000000000\), "
        r"got '2026-01-12T09:00:00.000000000'|end\[0\]: expected a time at or after start\[0\]",
    ),
    (
        "elapsed lengths differ",
        lambda: CAL.elapsed(T, E[:1]),
        r"end: expected 2 times \(one per start\), got '1 times'",
    ),
    (
        "elapsed unit",
        lambda: CAL.elapsed(T, E, unit="fortnights"),
        r"unit: expected one of 'seconds', 'minutes', 'hours', 'days', 'weeks', got 'fortnights'",
    ),
    (
        "elapsed naive datetime",
        lambda: CAL.elapsed([dt.datetime(2026, 1, 12)], E[:1]),
        r"start\[0\]: expected a timezone-aware datetime",
    ),
    (
        "elapsed one time not a column",
        lambda: CAL.elapsed("2026-01-12T09:00Z", E[:1]),
        r"start: expected a column of times",
    ),
    ("due zero", lambda: CAL.due(T, 0), r"amount: expected a number > 0, got 0"),
    ("due not finite", lambda: CAL.due(T, float("nan")), r"amount: expected a finite number"),
    (
        "holiday_dates backwards",
        lambda: CAL.holiday_dates("2026-01-02", "2026-01-01"),
        r"last: expected a date on or after first \(2026-01-02\)",
    ),
    # --- pauses -------------------------------------------------------------------------
    (
        "pause ids not text",
        lambda: Pauses(id=[1], start=T[:1], end=E[:1]),
        r"Pauses.id\[0\]: expected a string, got 1",
    ),
    (
        "pause id empty",
        lambda: Pauses(id=[""], start=T[:1], end=E[:1]),
        r"Pauses.id\[0\]: expected a non-empty ticket id, got ''",
    ),
    (
        "pause start missing",
        lambda: Pauses(id=["a"], start=OPEN[:1], end=E[:1]),
        r"Pauses.start\[0\]: expected a time \(not NaT\), got 'NaT'",
    ),
    (
        "pause lengths differ",
        lambda: Pauses(id=["a", "b"], start=T, end=E[:1]),
        r"Pauses.end: expected 2 times \(one per id\), got '1 times'",
    ),
    (
        "pause states one string",
        lambda: Pauses(id=["a"], start=T[:1], end=E[:1], states="On Hold"),  # type: ignore[arg-type]
        r"states: expected a collection of state names such as \{'On Hold'\}, got 'On Hold'",
    ),
    (
        "history pauses states one string",
        lambda: H.pauses("On Hold"),  # type: ignore[arg-type]
        r"states: expected a collection of state names",
    ),
    (
        "pauses select wrong mask",
        lambda: P.select([0]),
        r"which: expected a boolean mask of length 1, got \[0\]",
    ),
    # --- the clock in the KPIs --------------------------------------------------------------
    (
        "pauses without ids",
        lambda: business_duration(T, E, calendar=CAL, pauses=P),
        r"ids: expected the ticket ids \(one per ticket\) to tie the pauses to, got None",
    ),
    (
        "ids of another length",
        lambda: business_duration(T, E, pauses=P, ids=["INC1"]),
        r"ids: expected 2 ticket ids \(one per ticket\), got '1 ids'",
    ),
    (
        "ids not text",
        lambda: business_duration(T, E, pauses=P, ids=[1, 2]),
        r"ids\[0\]: expected a string, got 1",
    ),
    (
        "duplicate ticket id with pauses",
        lambda: mttr(T, E, calendar=CAL, pauses=P, ids=["INC1", "INC1"]),
        r"ids: expected distinct ticket ids \(pauses name them\), got \"'INC1' at rows 0 and 1\"",
    ),
    (
        "calendar as text",
        lambda: business_duration(T, E, calendar="mon-fri 08:00-18:00"),  # type: ignore[arg-type]
        r"calendar: expected a BusinessCalendar or None, got 'mon-fri 08:00-18:00'",
    ),
    (
        "pauses a history",
        lambda: business_duration(T, E, pauses=H, ids=IDS),  # type: ignore[arg-type]
        r"pauses: expected a Pauses table \(e.g. history.pauses\(\{'On Hold'\}\)\) or None",
    ),
    (
        "end before start",
        lambda: business_duration(E, T, calendar=CAL),
        r"end\[0\]: expected a time at or after start\[0\]",
    ),
    (
        "as_of not a time",
        lambda: business_duration(T, OPEN, as_of="yesterday"),
        r"as_of\[0\]: expected an ISO-8601 date-time with a UTC offset, got 'yesterday'",
    ),
    ("mtta pauses without ids", lambda: ic.mtta(T, E, pauses=P), r"ids: expected the ticket ids"),
    (
        "sla_attainment calendar type",
        lambda: sla_attainment(T, E, None, 4, calendar=OFFICE),  # type: ignore[arg-type]
        r"calendar: expected a BusinessCalendar or None",
    ),
    # --- sla_status and at_risk -----------------------------------------------------------
    (
        "status of open tickets without as_of",
        lambda: sla_status(T, OPEN, None, 4),
        r"as_of: expected the time to measure open tickets at \(end\[0\] is NaT\), got None",
    ),
    (
        "status priority without target",
        lambda: sla_status(T, E, [1, 9], {1: 4}),
        r"priority\[1\]: expected a priority with a target \(1\), got 9",
    ),
    (
        "status negative target",
        lambda: sla_status(T, E, None, -4),
        r"targets: expected a number > 0, got -4",
    ),
    (
        "status no tickets",
        lambda: sla_status(T[:0], E[:0], None, 4),
        r"start: expected at least one ticket, got 'an empty array'",
    ),
    (
        "at_risk share above 1",
        lambda: at_risk(STATUS, 1.5),
        r"threshold: expected a share of the target in \(0, 1\], got 1.5",
    ),
    ("at_risk share 0", lambda: at_risk(STATUS, 0), r"threshold: expected a number > 0, got 0"),
    (
        "at_risk of something else",
        lambda: at_risk([1, 2]),  # type: ignore[arg-type]
        r"status: expected an SLAStatus \(from sla_status\), got \[1, 2\]",
    ),
    (
        "select wrong mask",
        lambda: STATUS.select([True]),
        r"which: expected a boolean mask of length 2, got \[True\]",
    ),
    # --- time in state ----------------------------------------------------------------------
    (
        "time_in_state of arrays",
        lambda: time_in_state([1]),  # type: ignore[arg-type]
        r"history: expected an itil_ci.io.History, got \[1\]",
    ),
    (
        "time_in_state unknown key",
        lambda: time_in_state(H, by="service"),
        r"by: expected names among 'id', 'state', 'assignment_group', got 'service'",
    ),
    (
        "time_in_state key twice",
        lambda: time_in_state(H, by=("state", "state")),
        r"by: expected each column once, got 'state'",
    ),
    (
        "time_in_state unit",
        lambda: time_in_state(H, unit="hour"),  # type: ignore[arg-type]
        r"unit: expected one of 'seconds', 'minutes', 'hours', 'days', 'weeks', got 'hour'",
    ),
]


def test_the_table_is_long_enough() -> None:
    assert len(CASES) >= 30


@pytest.mark.parametrize(("case", "call", "message"), CASES, ids=[c[0] for c in CASES])
def test_bad_input(case: str, call: Callable[[], Any], message: str) -> None:
    with pytest.raises(ic.InvalidInputError, match=message):
        call()
