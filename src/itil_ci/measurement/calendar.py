"""Business calendars: opening hours in a time zone, less holidays.

A :class:`BusinessCalendar` says when the SLA clock runs: opening hours per
weekday in local time of an IANA time zone, with holidays as whole local days
without business time.  Business time between two instants is the overlap of
``[start, end)`` with the open ranges, placed day by day in UTC so that
daylight-saving days are exact.  The measuring itself is a lookup in a table
of the open ranges (see ``_timetable``), not a loop over days or tickets.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from itil_ci._internal import arrays
from itil_ci._internal import validate as v
from itil_ci.measurement import _hours
from itil_ci.measurement import _timetable as tt

__all__ = ["BusinessCalendar"]

Ints = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
_NAT = np.iinfo(np.int64).min
_EPOCH = dt.date(1970, 1, 1)
_UNIT_SECONDS = {
    "seconds": 1.0,
    "minutes": 60.0,
    "hours": 3600.0,
    "days": 86400.0,
    "weeks": 604800.0,
}
# UTC days a table may span: the local days two either side must stay in int64 ns.
_FIRST_DAY, _LAST_DAY = -106_745, 106_745
_PAD_DAYS = 31
_SCHEMA = 1


def _zone(name: object) -> tuple[str, Any]:
    import zoneinfo

    if isinstance(name, zoneinfo.ZoneInfo):
        name = name.key
    if not isinstance(name, str) or not name.strip():
        raise v.fail("timezone", "an IANA time zone name such as 'Europe/London'", name)
    try:
        return name, zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        raise v.fail("timezone", "an IANA time zone name such as 'Europe/London'", name) from None


def _holiday_list(value: object) -> tuple[dt.date, ...]:
    if isinstance(value, str | bytes | dt.date) or not isinstance(value, Iterable):
        raise v.fail("holidays", "a sequence of dates ('YYYY-MM-DD' or datetime.date)", value)
    out = {v.date(f"holidays[{i}]", d) for i, d in enumerate(value)}
    return tuple(sorted(out))


def _country_module() -> Any:
    try:
        import holidays
    except ImportError:  # pragma: no cover - the test extra installs it
        raise ImportError(
            "BusinessCalendar.for_country needs the holidays package: "
            "pip install 'itil-ci[calendars]'"
        ) from None
    return holidays


def _country(country: object, subdiv: object) -> tuple[str | None, str | None]:
    if country is None:
        if subdiv is not None:
            raise v.fail("subdiv", "None when no country is given", subdiv)
        return None, None
    if not isinstance(country, str) or not country.strip():
        raise v.fail("country", "an ISO 3166 country code such as 'GB'", country)
    if subdiv is not None and (not isinstance(subdiv, str) or not subdiv.strip()):
        raise v.fail("subdiv", "None or a subdivision code such as 'ENG'", subdiv)
    holidays = _country_module()
    try:
        holidays.country_holidays(country, subdiv=subdiv, years=[])
    except NotImplementedError:
        known = country in holidays.list_supported_countries()
        if subdiv is not None and known:
            accepted = f"a subdivision of {country} the holidays package knows"
            raise v.fail("subdiv", accepted, subdiv) from None
        raise v.fail("country", "a country code the holidays package knows", country) from None
    return country, subdiv


class BusinessCalendar:
    """Opening hours per weekday in a time zone, less holidays: when the SLA clock runs.

    ``hours`` maps weekday names or ranges (``"mon"``, ``"mon-fri"``,
    ``"sat,sun"``; ``"sun-thu"`` wraps round the week) to one ``(open,
    close)`` pair of local times or a list of pairs (``[("08:00", "12:00"),
    ("13:00", "17:00")]``), or is the same as one line of text
    (``"mon-fri 08:00-12:00,13:00-17:00; sat 09:00-12:00"``).  Times are
    ``HH:MM`` or ``HH:MM:SS`` from ``00:00`` to ``24:00``; a weekday not named
    is closed.  ``timezone`` is an IANA name (``zoneinfo``); ``holidays`` are
    dates (``"YYYY-MM-DD"`` or :class:`datetime.date`) that are whole local
    days without business time.  ``country``/``subdiv`` add the public
    holidays of the ``holidays`` package (see :meth:`for_country`).

    Business time in ``[start, end)`` is the total overlap with the open
    ranges, each placed on its local day and converted to UTC, so a
    daylight-saving change inside a range lengthens or shortens it by the
    change and nowhere else.  A local time that occurs twice (the repeated
    hour in autumn) means its first occurrence; one that does not occur (the
    skipped hour in spring) means the instant the clock jumps.

    A calendar is immutable, hashable and round-trips through
    :meth:`to_dict` / :meth:`from_dict` (plain JSON data).

    Examples:
        >>> import numpy as np
        >>> cal = BusinessCalendar({"mon-fri": ("08:00", "18:00")}, timezone="Europe/London",
        ...                        holidays=["2025-12-25", "2025-12-26"])
        >>> cal
        BusinessCalendar('mon-fri 08:00-18:00', timezone='Europe/London', holidays=2)
        >>> start = np.array(["2025-12-24T17:00"], dtype="datetime64[ns]")  # Wednesday, UTC
        >>> cal.elapsed(start, np.array(["2025-12-29T09:00"], dtype="datetime64[ns]")).tolist()
        [2.0]
    """

    __slots__ = ("_cache", "_country", "_holidays", "_lock", "_subdiv", "_tz", "_tzname", "_week")

    def __init__(
        self,
        hours: Mapping[str, Any] | str,
        *,
        timezone: str = "UTC",
        holidays: Iterable[dt.date | str] = (),
        country: str | None = None,
        subdiv: str | None = None,
    ) -> None:
        self._week = _hours.parse_hours(hours)
        self._tzname, self._tz = _zone(timezone)
        self._holidays = _holiday_list(holidays)
        self._country, self._subdiv = _country(country, subdiv)
        self._cache: dict[str, Any] = {}
        self._lock = threading.Lock()

    # --- constructors -------------------------------------------------------------

    @classmethod
    def for_country(
        cls,
        country: str,
        subdiv: str | None = None,
        *,
        hours: Mapping[str, Any] | str,
        timezone: str,
        holidays: Iterable[dt.date | str] = (),
    ) -> BusinessCalendar:
        """A calendar whose holidays are a country's public holidays (the ``holidays`` package).

        ``country`` is an ISO 3166 code (``"GB"``), ``subdiv`` a subdivision
        (``"ENG"``); the holidays of every year a measurement covers are taken
        when it is made (observed days included, as the package gives them),
        with any extra ``holidays`` added.  Needs the optional extra:
        ``pip install 'itil-ci[calendars]'``.

        Examples:
            >>> cal = BusinessCalendar.for_country("GB", subdiv="ENG",
            ...     hours={"mon-fri": ("08:00", "18:00")}, timezone="Europe/London")
            >>> cal.country, cal.subdiv
            ('GB', 'ENG')
            >>> [str(d) for d in cal.holiday_dates("2025-12-01", "2025-12-31")]
            ['2025-12-25', '2025-12-26']
        """
        return cls(hours, timezone=timezone, holidays=holidays, country=country, subdiv=subdiv)

    @classmethod
    def always(cls, timezone: str = "UTC") -> BusinessCalendar:
        """A 24 x 7 calendar without holidays: business time is wall-clock time.

        Examples:
            >>> BusinessCalendar.always().hours
            'mon-sun 00:00-24:00'
        """
        return cls({"mon-sun": ("00:00", "24:00")}, timezone=timezone)

    # --- what it is ---------------------------------------------------------------

    @property
    def hours(self) -> str:
        """The opening hours as one line of text (``"mon-fri 08:00-18:00"``)."""
        return _hours.format_hours(self._week)

    @property
    def timezone(self) -> str:
        """The IANA time zone of the opening hours and holidays."""
        return self._tzname

    @property
    def holidays(self) -> tuple[dt.date, ...]:
        """The holidays given explicitly, sorted (a country's come from :meth:`holiday_dates`)."""
        return self._holidays

    @property
    def country(self) -> str | None:
        """The country whose public holidays apply, or None."""
        return self._country

    @property
    def subdiv(self) -> str | None:
        """The subdivision of :attr:`country` whose holidays apply, or None."""
        return self._subdiv

    def _key(self) -> tuple[Any, ...]:
        return (self._week, self._tzname, self._holidays, self._country, self._subdiv)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BusinessCalendar):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __setattr__(self, name: str, value: object) -> None:
        if hasattr(self, "_lock"):
            raise AttributeError("BusinessCalendar is immutable")
        object.__setattr__(self, name, value)

    def __reduce__(self) -> tuple[Any, ...]:
        return (BusinessCalendar.from_dict, (self.to_dict(),))

    def __repr__(self) -> str:
        extra = f", country={self._country!r}" if self._country else ""
        extra += f", subdiv={self._subdiv!r}" if self._subdiv else ""
        return (
            f"BusinessCalendar({self.hours!r}, timezone={self._tzname!r}, "
            f"holidays={len(self._holidays)}{extra})"
        )

    def is_always(self) -> bool:
        """Whether business time is wall-clock time (open 24 x 7, no holidays).

        Examples:
            >>> BusinessCalendar.always().is_always()
            True
        """
        return _hours.is_always(self._week) and not self._holidays and self._country is None

    def to_dict(self) -> dict[str, Any]:
        """The calendar as plain JSON data; :meth:`from_dict` reads it back.

        Examples:
            >>> cal = BusinessCalendar("mon-fri 08:00-18:00", timezone="Europe/London",
            ...                        holidays=["2025-12-25"])
            >>> cal.to_dict()  # doctest: +NORMALIZE_WHITESPACE
            {'schema_version': 1, 'hours': {'mon-fri': [['08:00', '18:00']]},
             'timezone': 'Europe/London', 'holidays': ['2025-12-25'],
             'country': None, 'subdiv': None}
            >>> BusinessCalendar.from_dict(cal.to_dict()) == cal
            True
        """
        return {
            "schema_version": _SCHEMA,
            "hours": _hours.hours_dict(self._week),
            "timezone": self._tzname,
            "holidays": [d.isoformat() for d in self._holidays],
            "country": self._country,
            "subdiv": self._subdiv,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BusinessCalendar:
        """The calendar written by :meth:`to_dict` (checked like the constructor's arguments).

        Examples:
            >>> BusinessCalendar.from_dict({"hours": "mon-fri 09:00-17:00"}).hours
            'mon-fri 09:00-17:00'
        """
        if not isinstance(data, Mapping):
            raise v.fail("data", "a mapping as written by BusinessCalendar.to_dict()", data)
        known = {"schema_version", "hours", "timezone", "holidays", "country", "subdiv"}
        unknown = sorted(set(data) - known, key=str)
        if unknown:
            raise v.fail("data", f"only the keys {sorted(known)}", unknown[0])
        version = data.get("schema_version", _SCHEMA)
        if version != _SCHEMA:
            raise v.fail("data['schema_version']", f"{_SCHEMA}", version)
        if "hours" not in data:
            raise v.fail("data", "a mapping with 'hours'", dict(data))
        return cls(
            data["hours"],
            timezone=data.get("timezone", "UTC"),
            holidays=data.get("holidays") or (),
            country=data.get("country"),
            subdiv=data.get("subdiv"),
        )

    # --- holidays -----------------------------------------------------------------

    def _holiday_days(self, d0: int, d1: int) -> Ints:
        """Holidays among local days ``d0 .. d1`` (days since 1970-01-01), sorted."""
        d0, d1 = int(d0), int(d1)
        days = [(d - _EPOCH).days for d in self._holidays]
        if self._country is not None:
            first = (_EPOCH + dt.timedelta(days=max(d0, -719_162))).year
            last = (_EPOCH + dt.timedelta(days=min(d1, 2_932_896))).year
            days += self._country_days(first, last)
        arr = np.unique(np.array(days, dtype=np.int64))
        return arr[(arr >= d0) & (arr <= d1)]

    def _country_days(self, first: int, last: int) -> list[int]:
        holidays = _country_module()
        out: list[int] = []
        for year in range(first, last + 1):  # a loop over the span's years
            key = f"country:{year}"
            got = self._cache.get(key)
            if got is None:
                table = holidays.country_holidays(self._country, subdiv=self._subdiv, years=year)
                got = [(d - _EPOCH).days for d in table]
                self._cache[key] = got
            out.extend(got)
        return out

    def holiday_dates(self, first: dt.date | str, last: dt.date | str) -> tuple[dt.date, ...]:
        """Every holiday of the calendar from ``first`` to ``last`` (dates, inclusive).

        Examples:
            >>> cal = BusinessCalendar("mon-fri 08:00-18:00", holidays=["2026-01-01"])
            >>> cal.holiday_dates("2025-12-01", "2026-12-31")
            (datetime.date(2026, 1, 1),)
        """
        a = v.date("first", first)
        b = v.date("last", last)
        if b < a:
            raise v.fail("last", f"a date on or after first ({a})", b)
        days = self._holiday_days((a - _EPOCH).days, (b - _EPOCH).days)
        return tuple(_EPOCH + dt.timedelta(days=int(d)) for d in days)

    # --- the table ------------------------------------------------------------------

    def _table(self, lo: int, hi: int) -> tt.Timetable:
        """A timetable covering the UTC instants ``[lo, hi]`` (int64 ns)."""
        if self.is_always():
            return tt.IDENTITY
        cached: tt.Timetable | None = self._cache.get("table")
        if cached is not None and cached.covers(lo, hi):
            return cached
        lo, hi = int(lo), int(hi)
        first = lo // tt.DAY - _PAD_DAYS
        last = hi // tt.DAY + _PAD_DAYS
        if cached is not None:
            first, last = min(first, cached.first_day), max(last, cached.last_day)
        first, last = max(first, _FIRST_DAY), min(last, _LAST_DAY)
        if lo < first * tt.DAY or hi >= (last + 1) * tt.DAY:
            raise v.fail(
                "times",
                "times between 1677-09-25 and 2262-04-06 for a business calendar",
                str(np.datetime64(lo if lo < first * tt.DAY else hi, "ns")),
            )
        with self._lock:
            table = tt.build(self._week, self._tz, self._holiday_days, first, last)
            self._cache["table"] = table
        return table

    def _extended(self, table: tt.Timetable, total: int) -> tt.Timetable:
        """A table with the same start whose business time reaches ``total``, or the longest one.

        The longest one ends in 2262 (the end of ``datetime64[ns]``); callers
        compare against its :attr:`~_timetable.Timetable.total`.
        """
        if table.identity or table.total >= total:
            return table
        last = table.last_day
        while table.total < total and last < _LAST_DAY:
            span = max(table.last_day - table.first_day, 1)
            rate = table.total / span  # business ns per day so far
            need = (total - table.total) / rate if rate > 0 else 366.0
            last = min(_LAST_DAY, last + int(min(need * 1.25, 1e6)) + 14)
            with self._lock:
                table = tt.build(self._week, self._tz, self._holiday_days, table.first_day, last)
                self._cache["table"] = table
        return table

    def _describe(self, span: tuple[int, int] | None) -> dict[str, object]:
        """What a result records about the calendar: hours, zone, holidays in the span.

        ``span`` is the first and last instant measured (UTC ns); the holidays
        counted are those on the local dates from the first to the last.
        """
        country = None
        if self._country is not None:
            country = self._country + (f"-{self._subdiv}" if self._subdiv else "")
        count = 0
        if span is not None and (self._holidays or self._country is not None):
            first, last = (self._local_day(t) for t in span)
            count = int(self._holiday_days(first, last).size)
        return {
            "hours": self.hours,
            "timezone": self._tzname,
            "holidays": count,
            "country": country,
        }

    def _local_day(self, t: int) -> int:
        """The local date of a UTC instant, as days since 1970-01-01."""
        seconds = int(t) // 10**9
        local = dt.datetime.fromtimestamp(seconds, self._tz).date()
        return (local - _EPOCH).days

    # --- measuring ------------------------------------------------------------------

    def elapsed(self, start: Any, end: Any, *, unit: str = "hours") -> FloatArray:
        """Business time from each ``start`` to its ``end`` (``[start, end)``), in ``unit``.

        ``start`` and ``end`` are columns of UTC times of the same length
        (``datetime64`` taken as UTC, aware datetimes or ISO strings with an
        offset); an ``end`` that is ``NaT`` gives ``NaN``; an ``end`` before
        its ``start`` is an error.  ``unit`` is ``"seconds"``, ``"minutes"``,
        ``"hours"`` (default), ``"days"`` or ``"weeks"`` of business time.

        Examples:
            >>> cal = BusinessCalendar({"mon-fri": [("09:00", "12:00"), ("13:00", "17:00")]})
            >>> # Friday 11:00 to Monday 10:00: 1 + 4 hours on Friday, 1 on Monday
            >>> cal.elapsed(["2026-01-02T11:00Z"], ["2026-01-05T10:00Z"]).tolist()
            [6.0]
        """
        seconds = _unit(unit)
        s = _times("start", start)
        e = _times("end", end, allow_missing=True)
        if e.size != s.size:
            raise v.fail("end", f"{s.size} times (one per start)", f"{e.size} times")
        done = e != _NAT
        _check_order(s, e, done)
        out = np.full(s.size, np.nan)
        if done.any():
            ss, ee = s[done], e[done]
            table = self._table(int(ss.min()), int(ee.max()))
            out[done] = (table.at(ee) - table.at(ss)) / (seconds * 1e9)
        return out

    def due(self, start: Any, amount: float, *, unit: str = "hours") -> npt.NDArray[np.datetime64]:
        """The earliest instant at which ``amount`` of business time has run since each ``start``.

        ``amount`` (> 0, in ``unit``) is a target such as 4 business hours;
        the answer is the instant the clock reaches it (the close of business
        if it is reached exactly then), ``NaT`` if that is after 2262.

        Examples:
            >>> cal = BusinessCalendar("mon-fri 08:00-18:00", timezone="Europe/London")
            >>> cal.due(["2026-01-09T16:00Z"], 4).astype(str).tolist()  # Friday 16:00
            ['2026-01-12T10:00:00.000000000']
        """
        seconds = _unit(unit)
        target = v.number("amount", amount, minimum=0.0, strict_min=True)
        assert target is not None
        s = _times("start", start)
        out = np.full(s.size, _NAT, dtype=np.int64)
        ns = target * seconds * 1e9
        if s.size == 0 or ns >= 2.0**62:
            return out.view("datetime64[ns]")
        table = self._table(int(s.min()), int(s.max()))
        reach = table.at(s) + round(ns)
        full = self._extended(table, int(reach.max()))
        ok = np.ones(s.size, dtype=bool) if full.identity else reach <= full.total
        out[ok] = full.instant(reach[ok])
        return out.view("datetime64[ns]")


def _unit(unit: object) -> float:
    if not isinstance(unit, str) or unit not in _UNIT_SECONDS:
        raise v.fail("unit", f"one of {', '.join(map(repr, _UNIT_SECONDS))}", unit)
    return _UNIT_SECONDS[unit]


def _times(name: str, value: Any, *, allow_missing: bool = False) -> Ints:
    if isinstance(value, str) or not hasattr(value, "__len__"):
        raise v.fail(name, "a column of times (an array or a sequence)", value)
    return arrays.as_times(name, value, allow_missing=allow_missing).view(np.int64)


def _check_order(s: Ints, e: Ints, done: npt.NDArray[np.bool_]) -> None:
    bad = done & (e < s)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise v.fail(
            f"end[{i}]",
            f"a time at or after start[{i}] ({np.datetime64(int(s[i]), 'ns')})",
            str(np.datetime64(int(e[i]), "ns")),
        )
