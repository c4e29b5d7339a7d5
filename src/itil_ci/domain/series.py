"""A KPI's measured series: columnar times and values."""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from itil_ci._internal import arrays, display
from itil_ci._internal import validate as v

__all__ = ["Series"]


def _same(a: npt.NDArray[Any], b: npt.NDArray[Any]) -> bool:
    """Element-wise equality where NaN equals NaN (a missing value is a value here)."""
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    return bool(np.array_equal(a, b, equal_nan=a.dtype.kind == "f"))


def _array_key(a: npt.NDArray[Any]) -> tuple[str, tuple[int, ...], bytes]:
    return (a.dtype.str, a.shape, a.tobytes())


@attrs.frozen(init=False, repr=False)
class Series:
    """Observations of one KPI: ``times`` (``datetime64[ns]``, UTC) and ``values``.

    Built from numpy arrays (the fast path), Python lists of aware datetimes or
    ISO strings, or timezone-aware pandas objects.  Validated once: both
    columns have the same length, times are never ``NaT`` or naive, values are
    finite real numbers (``NaN`` marks a missing value and is allowed only with
    ``allow_missing=True``; booleans, numeric strings, complex numbers and
    other objects are refused).  Observations are kept in time order (a stable
    sort is applied when the input is not already ordered).  The arrays are
    read-only.

    Examples:
        >>> import numpy as np
        >>> s = Series(np.array(["2026-01-02", "2026-01-01"], dtype="datetime64[ns]"),
        ...            [5.0, 3.0], kpi_key="mttr")
        >>> s.values.tolist()
        [3.0, 5.0]
        >>> len(s)
        2
    """

    times: npt.NDArray[np.datetime64] = attrs.field(eq=attrs.cmp_using(eq=_same))
    values: npt.NDArray[np.float64] = attrs.field(eq=attrs.cmp_using(eq=_same))
    kpi_key: str = ""
    allow_missing: bool = False

    def __init__(
        self, times: Any, values: Any, *, kpi_key: str = "", allow_missing: bool = False
    ) -> None:
        v.text("Series.kpi_key", kpi_key)
        v.flag("Series.allow_missing", allow_missing)
        t, x = arrays.as_observations(
            "Series.times", times, "Series.values", values, allow_missing=allow_missing
        )
        if t.size > 1:
            ti = t.view(np.int64)
            if (ti[1:] < ti[:-1]).any():
                order = np.argsort(ti, kind="stable")
                t, x = t[order], x[order]
        # One bit pattern per value, so equality and hashing agree: -0.0 -> 0.0, one NaN.
        x = x + 0.0
        if allow_missing:
            x[np.isnan(x)] = np.nan
        self.__attrs_init__(arrays.readonly(t), arrays.readonly(x), kpi_key, allow_missing)

    @classmethod
    def from_pandas(cls, series: Any, *, kpi_key: str = "", allow_missing: bool = False) -> Series:
        """Build from a pandas Series indexed by timezone-aware times.

        Examples:
            >>> import pandas as pd
            >>> ps = pd.Series([1.0, 2.0], index=pd.date_range("2026-01-01", periods=2, tz="UTC"))
            >>> Series.from_pandas(ps, kpi_key="x").values.tolist()
            [1.0, 2.0]
        """
        return cls(
            series.index,
            series,  # checked by the shared number validator (no booleans, strings, ...)
            kpi_key=kpi_key or str(series.name or ""),
            allow_missing=allow_missing,
        )

    def __len__(self) -> int:
        return int(self.values.size)

    def __hash__(self) -> int:
        return hash(
            (_array_key(self.times), _array_key(self.values), self.kpi_key, self.allow_missing)
        )

    def __repr__(self) -> str:
        if len(self) == 0:
            return f"Series(kpi_key={self.kpi_key!r}, n=0)"
        return (
            f"Series(kpi_key={self.kpi_key!r}, n={len(self)}, "
            f"from={self.times[0]!s}, to={self.times[-1]!s})"
        )

    @property
    def start(self) -> dt.datetime | None:
        """The first time as an aware UTC datetime (None when empty).

        Examples:
            >>> import numpy as np
            >>> t = np.array(["2026-01-01T06:00", "2026-01-03"], dtype="datetime64[ns]")
            >>> s = Series(t, [1, 2])
            >>> s.start
            datetime.datetime(2026, 1, 1, 6, 0, tzinfo=datetime.timezone.utc)
            >>> Series([], []).start is None
            True
        """
        return _to_datetime(self.times[0]) if len(self) else None

    @property
    def end(self) -> dt.datetime | None:
        """The last time as an aware UTC datetime (None when empty).

        Examples:
            >>> import numpy as np
            >>> t = np.array(["2026-01-01T06:00", "2026-01-03"], dtype="datetime64[ns]")
            >>> s = Series(t, [1, 2])
            >>> s.end
            datetime.datetime(2026, 1, 3, 0, 0, tzinfo=datetime.timezone.utc)
        """
        return _to_datetime(self.times[-1]) if len(self) else None

    @property
    def missing(self) -> int:
        """How many values are missing (NaN).

        Examples:
            >>> import numpy as np
            >>> t = np.array(["2026-01-01", "2026-01-02", "2026-01-03"], dtype="datetime64[ns]")
            >>> Series(t, [1.0, np.nan, 3.0], allow_missing=True).missing
            1
        """
        return int(np.isnan(self.values).sum())

    def between(self, start: dt.datetime | None = None, end: dt.datetime | None = None) -> Series:
        """The observations with ``start <= time < end`` (either bound optional).

        Examples:
            >>> import datetime as dt, numpy as np
            >>> s = Series(np.array(["2026-01-01", "2026-01-02", "2026-01-03"],
            ...            dtype="datetime64[ns]"), [1, 2, 3])
            >>> s.between(dt.datetime(2026, 1, 2, tzinfo=dt.UTC)).values.tolist()
            [2.0, 3.0]
        """
        lo, hi = 0, len(self)
        if start is not None:
            lo = int(np.searchsorted(self.times, to_datetime64("start", start), side="left"))
        if end is not None:
            hi = int(np.searchsorted(self.times, to_datetime64("end", end), side="left"))
        if (
            start is not None
            and end is not None
            and to_datetime64("end", end) < to_datetime64("start", start)
        ):
            raise v.fail("end", f"a time not before start ({start})", end)
        return Series(
            self.times[lo:hi],
            self.values[lo:hi],
            kpi_key=self.kpi_key,
            allow_missing=self.allow_missing,
        )

    def _repr_html_(self) -> str:
        return display.html(self)


def to_datetime64(name: str, value: object) -> np.datetime64:
    """An aware datetime (or ISO string with offset) as ``datetime64[ns]`` UTC.

    Never NaT and never wrapped round: a time outside the int64-nanosecond
    range is an InvalidInputError (see :func:`itil_ci._internal.arrays.time_ns`).
    """
    return arrays.time_ns(name, value)


def _to_datetime(value: np.datetime64) -> dt.datetime:
    ns = int(value.astype(np.int64))
    return dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=ns // 1000)
