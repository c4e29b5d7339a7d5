"""The columns a Dask form reads: checked at the edge, taken out of each partition (private).

A Dask form names columns of a dask DataFrame where the in-memory function
takes arrays.  :func:`columns` checks the names and dtypes against the
frame's metadata (no data is read); :func:`take` turns one pandas partition
into the arrays the numpy kernel of :mod:`itil_ci.measurement.itsm` expects:
times as ``datetime64[ns]`` (UTC) without a copy, everything else as the
pandas column, which the kernels accept.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

import attrs
import numpy as np
import numpy.typing as npt

from itil_ci._internal.strings import strings
from itil_ci._internal.validate import fail
from itil_ci.errors import InvalidInputError, ItilCiError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Columns", "columns", "dask", "reraise", "take", "text", "times"]

Kind = Literal["time", "optional-time", "any", "flag-or-time", "text"]
INSTALL_HINT = "pip install 'itil-ci[dask]'"


def dask() -> Any:
    """``dask.dataframe``, or an ImportError that says which extra to install."""
    try:
        import dask.dataframe as dd
    except ImportError as err:  # pragma: no cover - dask is installed for the tests
        raise ImportError(
            f"itil_ci.scale needs dask[dataframe] and distributed: {INSTALL_HINT}"
        ) from err
    return dd


@attrs.frozen
class Columns:
    """The columns read for one call: ``(argument, column, kind)`` triples and the key columns."""

    roles: tuple[tuple[str, str, Kind], ...]
    by: tuple[str, ...]

    def needed(self) -> list[str]:
        """Every column read, once each, in argument order then key order."""
        out: list[str] = []
        for name in [c for _, c, _ in self.roles] + list(self.by):
            if name not in out:
                out.append(name)
        return out

    def column(self, argument: str) -> str:
        """The column given for ``argument``."""
        for arg, col, _ in self.roles:
            if arg == argument:
                return col
        raise KeyError(argument)


def _is_time(dtype: Any) -> bool:
    return getattr(dtype, "kind", "") == "M"


def _by(by: object, available: Sequence[str]) -> tuple[str, ...]:
    if by is None:
        return ()
    if isinstance(by, str):
        names: list[object] = [by]
    elif isinstance(by, Sequence) and not isinstance(by, bytes) and len(by) > 0:
        names = list(by)
    else:
        raise fail("by", "a column name or a non-empty sequence of column names", by)
    for name in names:
        if not isinstance(name, str) or name not in available:
            raise fail("by", f"names of columns of tickets ({', '.join(available)})", name)
    if len(set(names)) != len(names):
        raise fail("by", "distinct column names", by)
    return tuple(str(n) for n in names)


def columns(
    tickets: object,
    roles: Mapping[str, tuple[object, Kind]],
    by: object,
    *,
    frame: str = "tickets",
) -> Columns:
    """Check that ``tickets`` is a dask DataFrame holding the named columns with usable dtypes.

    ``roles`` maps each argument to ``(column name, kind)``; every role is
    needed (callers leave optional arguments out of ``roles``).  Time columns
    must hold timezone-aware times (:func:`itil_ci.scale.read_tickets` gives
    UTC); ``"flag-or-time"``
    takes booleans or times (a time that is present counts as true).
    """
    dd = dask()
    if not isinstance(tickets, dd.DataFrame):
        raise fail(frame, "a dask DataFrame (itil_ci.scale.read_tickets gives one)", tickets)
    meta = tickets._meta
    available = [str(c) for c in meta.columns]
    out: list[tuple[str, str, Kind]] = []
    for argument, (name, kind) in roles.items():
        if not isinstance(name, str) or name not in available:
            raise fail(argument, f"the name of a column of {frame} ({', '.join(available)})", name)
        dtype = meta[name].dtype
        if kind in ("time", "optional-time"):
            if not _is_time(dtype):
                raise fail(f"{frame}[{name!r}]", "a column of times", str(dtype))
            if getattr(dtype, "tz", None) is None:
                raise fail(
                    f"{frame}[{name!r}]",
                    "timezone-aware times (use .dt.tz_localize('UTC'))",
                    str(dtype),
                )
        out.append((argument, name, kind))
    return Columns(tuple(out), _by(by, available))


def times(series: pd.Series) -> np.ndarray:
    """A timezone-aware pandas column as ``datetime64[ns]`` in UTC (a view when already ns)."""
    arr = series.array
    if getattr(arr, "unit", "ns") != "ns":
        try:
            arr = arr.as_unit("ns")
        except (OverflowError, ValueError) as err:
            raise fail(
                str(series.name), "times between 1677 and 2262 (nanoseconds)", str(err)
            ) from None
    ints = np.asarray(arr.asi8)
    return ints.view("datetime64[ns]")


def text(series: pd.Series, name: str) -> npt.NDArray[np.str_]:
    """A pandas column of text as a numpy ``str_`` array (see :func:`strings`)."""
    return strings(name, series)


def take(part: pd.DataFrame, cols: Columns) -> tuple[dict[str, Any], dict[str, Any]]:
    """The kernel's arguments from one partition, and the key columns by name."""
    args: dict[str, Any] = {}
    for argument, name, kind in cols.roles:
        series = part[name]
        if kind == "flag-or-time" and _is_time(series.dtype):
            args[argument] = ~np.isnat(times(series))
        elif kind == "text":
            args[argument] = text(series, name)
        elif _is_time(series.dtype):
            args[argument] = times(series)
        else:
            args[argument] = series
    keys: dict[str, Any] = {}
    for name in cols.by:
        series = part[name]
        keys[name] = times(series) if _is_time(series.dtype) else series
    return args, keys


def reraise(err: ItilCiError, cols: Columns, index: int, *, frame: str = "tickets") -> Exception:
    """The kernel's error for one partition, naming the columns and the partition."""
    message = str(err)
    for argument, name, _ in cols.roles:
        if argument != name:
            message = re.sub(rf"\b{re.escape(argument)}(?=\[|:)", name, message)
    return InvalidInputError(f"{frame}, partition {index}: {message}")
